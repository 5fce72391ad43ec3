# redline: `make run` audits the bundled example, `make test` runs every test.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
OUT    ?= redline-report

.PHONY: run test lint format-check docs bench clean system-deps fuzz

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.dev-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed

# the vulnerability database, built through the real download path from the reference data
# beside the checkout, served once on loopback (no network needed); without it, from upstream when
# reachable, else the audit runs without it and the report says so at its top (make run still exits 0)
DB_DIR ?= $(VENV)/redline-db
MIRROR ?= ../shared/data

run: $(VENV)/.installed
	$(BIN)/python scripts/example_db.py $(MIRROR) $(DB_DIR)
	REDLINE_DB_DIR=$(DB_DIR) $(BIN)/redline audit examples/shop --out $(OUT) --exit-zero
	@echo "report: $(OUT)/report.html"

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

format-check: $(VENV)/.dev-installed
	$(BIN)/ruff format --check src tests bench

system-deps:
	bash scripts/install-system-deps.sh
	bash scripts/fetch-postgres.sh

test: $(VENV)/.dev-installed system-deps lint
	$(BIN)/python -m pytest -n 2 -q

docs: $(VENV)/.installed
	$(BIN)/redline rules --markdown > docs/rules.md

# mutate real samples of every format for FUZZ_SECONDS; failing inputs land in tests/fuzz/corpus
# (replayed by `make test`), counts in bench/.work/fuzz-stats.json
FUZZ_SECONDS ?= 3600
fuzz: $(VENV)/.dev-installed
	nice $(BIN)/python tests/fuzz/run_long.py --seconds $(FUZZ_SECONDS)

bench: $(VENV)/.dev-installed
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache .mypy_cache .ruff_cache

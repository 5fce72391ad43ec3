"""The short, fixed-seed part of the fuzzing (``make fuzz`` runs the long one) and the corpus replay.

Every target gets mutated real samples; each input must be parsed or reported as not covered with a
reason, within the per-input time limit. Every input a long run ever found failing is replayed.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .check import CORPUS, run_one
from .mutate import mutate
from .targets import Target, all_targets

TARGETS = {t.name: t for t in all_targets()}
EXAMPLES = 10
#: inputs above this are left to ``make fuzz`` (a 2 MB worst-case Terraform file parses in ~30 s: slow, linear)
TEST_MAX_BYTES = 256 * 1024


def _corpus() -> list[tuple[str, Path]]:
    by_folder = {name.replace(":", "-"): name for name in TARGETS}
    if not CORPUS.is_dir():
        return []
    return [
        (by_folder[d.name], f)
        for d in sorted(CORPUS.iterdir())
        if d.name in by_folder
        for f in sorted(d.iterdir())
        if f.is_file() and f.stat().st_size <= TEST_MAX_BYTES
    ]


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_mutated_samples_are_parsed_or_reported(name: str) -> None:
    target: Target = TARGETS[name]

    @settings(
        max_examples=EXAMPLES, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck)
    )
    @given(st.randoms(use_true_random=False), st.integers(min_value=0, max_value=len(target.seeds) - 1))
    def one(rnd: random.Random, index: int) -> None:
        data, how = mutate(target.seeds[index], rnd, max_bytes=TEST_MAX_BYTES)
        problem = run_one(target, data)
        assert problem is None, f"{name} [{'+'.join(how)}]: {problem}"

    one()


@pytest.mark.parametrize(("name", "path"), _corpus(), ids=lambda v: v.name if isinstance(v, Path) else v)
def test_corpus_input_is_parsed_or_reported(name: str, path: Path) -> None:
    assert run_one(TARGETS[name], path.read_bytes()) is None


def test_every_target_has_real_seeds() -> None:
    thin = sorted(n for n, t in TARGETS.items() if t.seeds == [b""])
    assert not thin, f"targets without a real sample: {thin}"

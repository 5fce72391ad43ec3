"""Everything the user gave us is checked before any work starts, with the same rules for the command
line and the configuration file: a typo must not cost a full audit and then a traceback, nor silently
run zero rules and pass the gate."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from redline.core.config import Config
    from redline.core.rules import RuleRegistry

#: worker processes per core at most. Parsing and matching are CPU-bound: beyond one process per core
#: they only wait their turn, and each fork costs memory and start-up time (``--jobs 200`` on 2 cores
#: forked 203 processes); 4x leaves room for hosts whose core count undersells them.
JOBS_PER_CORE = 4


class InvalidInput(ValueError):
    """An argument or a configuration value that cannot work; the message says which and why."""


def check_out_dir(out: Path) -> None:
    """The output folder must be a folder we can write into (or creatable), checked by writing."""
    if out.exists() and not out.is_dir():
        raise InvalidInput(f"--out {out}: exists and is not a directory")
    probe_in = out
    while not probe_in.exists():
        if probe_in.parent == probe_in:
            break
        probe_in = probe_in.parent
    if not probe_in.is_dir():
        raise InvalidInput(f"--out {out}: {probe_in} is not a directory")
    try:
        import tempfile  # only when --out is checked: `--version` and `rules` never need it

        fd, tmp = tempfile.mkstemp(dir=probe_in, prefix=".redline-write-probe-")
    except OSError as exc:
        raise InvalidInput(f"--out {out}: cannot write in {probe_in}: {exc.strerror or exc}") from None
    os.close(fd)
    with contextlib.suppress(OSError):
        os.unlink(tmp)


def check_codes(config: Config, rules: Callable[[], Sequence[RuleRegistry]], where: str) -> None:
    """Codes in the file must name rules, like ``--select`` on the command line (one registry per command:
    ``redline secrets`` runs only the secret rules but reads the same file as ``redline audit``). ``rules``
    is asked only when the file names codes: a command that loads one family reads the others' rules
    from the rule index, which a file without codes never needs."""
    tables = (config.severity_overrides, config.gate_floors)
    if not (config.select or config.ignore or any(tables)):
        return
    registries = rules()
    for key, codes in (("select", config.select), ("ignore", config.ignore)):
        for code in codes:
            if not any(r.matching([code]) for r in registries):
                raise InvalidInput(f"{where}: key '{key}': no rule matches {code!r}")
    for key, table in (("severity", config.severity_overrides), ("gate", config.gate_floors)):
        for code in table:
            if not any(code in r for r in registries):
                raise InvalidInput(f"{where}: key '{key}.{code}': no rule has the code {code!r}")


def check_jobs(jobs: int, where: str) -> None:
    cores = os.cpu_count() or 1
    if jobs < 0:
        raise InvalidInput(f"{where}: jobs must be 0 (one per core) or a positive number, got {jobs}")
    if jobs > JOBS_PER_CORE * cores:
        raise InvalidInput(
            f"{where}: jobs = {jobs} is more than {JOBS_PER_CORE} per core ({cores} core(s) here, "
            f"so at most {JOBS_PER_CORE * cores}): the work is CPU-bound, extra processes only add "
            "memory and start-up time"
        )


def validate(
    config: Config,
    rules: Callable[[], Sequence[RuleRegistry]],
    root: Path,
    *,
    jobs_from_cli: bool,
    out: Path | None,
) -> None:
    where = config.source or "configuration"
    check_codes(config, rules, where)
    check_jobs(config.jobs, "--jobs" if jobs_from_cli else where)
    # the analyzers' tables were parsed into their typed settings when the file was loaded (core/config.py):
    # a bad value there is already a ConfigError naming the file and the key
    if out is not None:
        check_out_dir(out)

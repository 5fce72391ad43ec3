"""What a run leaves for the process's exit to drop.

An audit of a large tree holds millions of small fact objects; freeing them one by one when ``run_audit``
returns costs a tenth of a second on the Django sdist, serial work for a process that is about to leave.
The console entry point says so (``leaving_soon``) and then exits with ``os._exit``: the kernel takes the
memory back at once. What is kept is also moved out of the cyclic collector's sight: writing the reports
allocates enough to start a full collection, which walked every fact again (0.3 s of a 5.3 s ``--jobs 1``
Django audit). Tests and other callers run the pipeline in-process and get the ordinary behaviour.
"""

from __future__ import annotations

import gc

_kept: list[object] | None = None


def leaving_soon() -> None:
    """The process exits right after this run: what ``keep`` is handed is never freed by Python."""
    global _kept
    _kept = []


def keep(*objects: object) -> None:
    """Hold ``objects`` until the process exits, if it is about to (``leaving_soon``), out of the collector's
    sight (they are never collected); otherwise nothing."""
    if _kept is not None:
        _kept.extend(objects)
        gc.freeze()

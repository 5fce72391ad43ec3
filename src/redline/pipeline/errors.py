"""What a run can raise past the CLI, kept apart from the machinery that raises it so that catching it
imports nothing heavy (the worker pool pulls in multiprocessing)."""

from __future__ import annotations


class WorkerDied(RuntimeError):
    """A worker process ended without answering; the message says how."""

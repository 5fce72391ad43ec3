"""Run one input through one target under a time limit and judge the outcome."""

from __future__ import annotations

import hashlib
import signal
import traceback
from pathlib import Path
from types import FrameType

from fuzz.targets import Target

#: per-input limit; the slowest honest parse of a 4 MB input (Terraform, ~15 s on a busy 2-core box) fits
TIME_LIMIT = 30.0
CORPUS = Path(__file__).resolve().parent / "corpus"


class Hang(BaseException):
    """Raised by the alarm: a BaseException so no ``except Exception`` in a parser can swallow it."""


def _alarm(signum: int, frame: FrameType | None) -> None:
    raise Hang


def run_one(target: Target, data: bytes, limit: float = TIME_LIMIT) -> str | None:
    """``None`` when the input was parsed or reported with a reason; else what went wrong."""
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, limit)
    try:
        try:
            outcome = target.run(data)
        finally:  # the alarm may fire between the return and here: it is then caught below, as a hang
            signal.setitimer(signal.ITIMER_REAL, 0)
    except Hang:
        return f"hang: no answer within {limit:.0f}s"
    except BaseException as exc:  # noqa: BLE001 - exactly what the harness is looking for
        frames = traceback.extract_tb(exc.__traceback__)[-3:]
        where = " <- ".join(f"{Path(f.filename).name}:{f.lineno}" for f in reversed(frames))
        return f"{type(exc).__name__}: {str(exc)[:200]} at {where}"
    finally:
        signal.signal(signal.SIGALRM, previous)
    if outcome.startswith("not covered") and not outcome.removeprefix("not covered:").strip():
        return "reported as not covered without a reason"
    return None


def corpus_dir(target: Target) -> Path:
    return Path(CORPUS / str(target.name).replace(":", "-"))


def record(target: Target, data: bytes) -> Path:
    """Keep a failing input for the regression replay (named by content, so duplicates collapse)."""
    folder = corpus_dir(target)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / hashlib.sha256(data).hexdigest()[:16]
    path.write_bytes(data)
    return path

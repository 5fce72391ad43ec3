"""CPU per thread, sampled, and the wall time it would take on an idle machine.

The bench machine is shared (2 cores, up to eight other jobs), so wall time says how busy the others
were. CPU time does not, and sampling it per thread (``/proc/<pid>/task/<tid>/stat``, this process and
its children) says how the work was split: in each sampling interval an idle machine with ``cores``
cores needs at least the busiest thread's CPU of that interval and at least all threads' CPU divided by
the cores, so the projected idle wall time is the sum over intervals of the larger of the two. It
assumes the work that ran in one interval could have run side by side on an idle machine; on a loaded
machine the threads are descheduled unevenly, so it errs high. Its floor is the whole run's busiest
thread or all CPU over the cores. Both are estimates from measured CPU, not measurements of wall time.
"""

from __future__ import annotations

import os
import threading
from types import TracebackType

_TICK = os.sysconf("SC_CLK_TCK")

Task = tuple[int, str]


def _cpu_of(pid: int) -> dict[Task, float]:
    """CPU seconds (user + system) of every thread of ``pid`` and of its children, recursively."""
    out: dict[Task, float] = {}
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return out
    for tid in tids:
        try:
            with open(f"/proc/{pid}/task/{tid}/stat", encoding="ascii") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
            out[(pid, tid)] = (int(fields[11]) + int(fields[12])) / _TICK
            with open(f"/proc/{pid}/task/{tid}/children", encoding="ascii") as fh:
                children = [int(c) for c in fh.read().split()]
        except (OSError, IndexError, ValueError):
            continue
        for child in children:
            out.update(_cpu_of(child))
    return out


class ThreadCpu:
    """``with ThreadCpu() as cpu: work()`` then ``cpu.summary()``."""

    def __init__(self, interval: float = 0.1, cores: int = 2) -> None:
        self.interval = interval
        self.cores = cores
        self.samples: list[dict[Task, float]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="thread-cpu-sampler", daemon=True)
        self._own: Task | None = None

    def __enter__(self) -> ThreadCpu:
        self.samples.append(_cpu_of(os.getpid()))
        self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        self._own = (os.getpid(), str(threading.get_native_id()))
        while not self._stop.wait(self.interval):
            self.samples.append(_cpu_of(os.getpid()))
        self.samples.append(_cpu_of(os.getpid()))

    def summary(self) -> dict[str, object]:
        """Projected idle wall time, its floor (the busiest thread's CPU or all CPU over the cores, whichever
        is larger: no schedule on ``cores`` idle cores can beat it), the CPU of the sampled threads, and the
        four busiest threads' CPU."""
        projected = 0.0
        per_thread: dict[Task, float] = {}
        for before, after in zip(self.samples, self.samples[1:], strict=False):
            used = {t: after[t] - before.get(t, 0.0) for t in after if t != self._own}
            used = {t: c for t, c in used.items() if c > 0}
            for t, c in used.items():
                per_thread[t] = per_thread.get(t, 0.0) + c
            if used:
                projected += max(*used.values(), sum(used.values()) / self.cores)
        busiest = sorted(per_thread.values(), reverse=True)
        return {
            "projected_idle_wall": round(projected, 2),
            "idle_wall_floor": round(max([*busiest[:1], sum(busiest) / self.cores]), 2),
            "sampled_cpu": round(sum(busiest), 2),
            "busiest_threads": [round(c, 2) for c in busiest[:4]],
        }

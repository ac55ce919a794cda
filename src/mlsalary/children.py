"""Child processes that end with their parent, and native thread pools sized to the CPUs that are free.

- A child process (the server's chart renderer, its training and figures) watches its parent and exits as soon as
  the parent is gone, however it went (SIGTERM, SIGINT, even SIGKILL): a server's training child once trained on for
  90 minutes after the server was stopped.
- A pool whose waiting thread is interrupted kills its workers instead of waiting for their work (``in_child``).
- Native thread pools (OpenMP in the trees, BLAS) are capped to the CPUs free now (``native_threads``): on a busy
  machine their threads spin against the other processes' and training took over 35 minutes instead of 3.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from typing import TypeVar

T = TypeVar("T")


def exit_with_parent(parent: int) -> None:
    """In a child: end (at once, without clean-up) when the parent process `parent` is gone."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(0)

    threading.Thread(target=watch, daemon=True, name="exit-with-parent").start()


def _start(parent: int, lower: bool, native_threads: int | None = None) -> None:
    """A worker's initializer: it ends with its parent, (lower) runs at low priority, and holds its native thread
    pools to `native_threads` when given."""
    from mlsalary import config

    exit_with_parent(parent)
    if lower:
        config.lower_priority()
    if native_threads:  # before any native library loads (a limit set later misses a runtime not yet loaded)
        for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
            os.environ[var] = str(native_threads)


def pool(lower: bool = True, workers: int = 1, native_threads: int | None = None) -> ProcessPoolExecutor:
    """A pool of `workers` spawned workers that end with this process (and run at low priority unless not `lower`,
    with at most `native_threads` native threads each when given)."""
    import multiprocessing

    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"), initializer=_start,
                               initargs=(os.getpid(), lower, native_threads))  # fmt: skip


def kill(p: ProcessPoolExecutor) -> None:
    """End a pool's workers now, whatever they are doing, and the pool with them."""
    for proc in list(getattr(p, "_processes", {}).values()):
        if proc.is_alive():
            proc.kill()
    p.shutdown(wait=False, cancel_futures=True)


def in_child(work: Callable[[], T], timeout: float, lower: bool = True) -> T:
    """work() in a fresh child process (pool), its result handed back. If the waiting thread is interrupted (Ctrl-C,
    an exit, a timeout), the child is killed rather than waited for."""
    p = pool(lower)
    try:
        result = p.submit(work).result(timeout=timeout)
    except BaseException:
        kill(p)
        raise
    p.shutdown(wait=True)
    return result


#: How long the CPUs are watched to tell how busy they are now (``cpus_busy``).
SAMPLE_SECONDS = 0.25


def _cpu_ticks() -> tuple[int, int] | None:
    """(busy, total) clock ticks of all CPUs since boot (Linux /proc/stat), None where there is no /proc/stat."""
    try:
        with open("/proc/stat") as f:
            fields = [int(v) for v in f.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    total = sum(fields[:8])  # guest time is already counted in user time
    return total - idle, total


def _own_ticks() -> int:
    """Clock ticks this process (all its threads) has used: user + system."""
    t = os.times()
    return round((t.user + t.system) * os.sysconf("SC_CLK_TCK"))


def cpus_busy(usable: int, seconds: float = SAMPLE_SECONDS) -> float:
    """How many CPUs other processes keep busy *now*: the machine's busy share over a short window (/proc/stat), less
    this process's own use, in CPUs. The 1-minute load average lags: right after a busy spell it still counts
    CPUs that are free (an idle machine trained single-threaded), so it is only the fallback where /proc/stat is not
    readable."""
    first, own = _cpu_ticks(), _own_ticks()
    if first is None:
        try:
            return float(os.getloadavg()[0])
        except OSError:
            return 0.0
    time.sleep(seconds)
    second, own_after = _cpu_ticks(), _own_ticks()
    if second is None or second[1] <= first[1]:
        return 0.0
    cpus = os.cpu_count() or usable
    share = max(0, (second[0] - first[0]) - (own_after - own)) / (second[1] - first[1])
    return share * cpus


def native_threads() -> int:
    """Threads for native pools: one per CPU this process may use that other processes leave free now
    (``cpus_busy``, rounded to whole CPUs), at least one."""
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(usable, usable - round(cpus_busy(usable))))


@contextmanager
def capped_threads(limit: int | None = None) -> Iterator[int]:
    """Native thread pools (OpenMP, BLAS) limited to `limit` (default native_threads()) inside the block."""
    from threadpoolctl import threadpool_limits

    n = limit or native_threads()
    with threadpool_limits(limits=n):
        yield n

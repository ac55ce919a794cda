"""Child processes that end with their parent, and native thread pools sized to the CPUs that are free.

- A child process (the server's chart renderer, its training and figures) watches its parent and exits as soon as
  the parent is gone, however it went (SIGTERM, SIGINT, even SIGKILL): a server's training child once trained on for
  90 minutes after the server was stopped.
- A pool whose waiting thread is interrupted kills its workers instead of waiting for their work (``in_child``).
- Native thread pools (OpenMP in the trees, BLAS) are capped to the CPUs free (``native_threads``): on a busy
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


def _start(parent: int, lower: bool) -> None:
    """A worker's initializer: it ends with its parent, and (lower) runs at low priority."""
    from mlsalary import config

    exit_with_parent(parent)
    if lower:
        config.lower_priority()


def pool(lower: bool = True) -> ProcessPoolExecutor:
    """A pool of one spawned worker that ends with this process (and runs at low priority unless not `lower`)."""
    import multiprocessing

    return ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"), initializer=_start,
                               initargs=(os.getpid(), lower))  # fmt: skip


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


def native_threads() -> int:
    """Threads for native pools: one per CPU this process may use that the machine's load leaves free (the 1-minute
    load average, whole CPUs), at least one."""
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    try:
        busy = os.getloadavg()[0]
    except OSError:
        busy = 0.0
    return max(1, min(usable, usable - int(busy)))


@contextmanager
def capped_threads(limit: int | None = None) -> Iterator[int]:
    """Native thread pools (OpenMP, BLAS) limited to `limit` (default native_threads()) inside the block."""
    from threadpoolctl import threadpool_limits

    n = limit or native_threads()
    with threadpool_limits(limits=n):
        yield n

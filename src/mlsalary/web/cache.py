"""Answers that depend only on the database (the figures, their charts, the sources): computed once per state of
the database file (its path and modification time), shared by the API and the pages.

What is cached lives as long as the server, so after each fill the garbage collector is told to leave it alone
(gc.freeze): a full collection of a heap holding the figures stalls every request waiting behind it
(benchmarks/serve.py measures the effect; the README has the figures).
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from mlsalary.figures.claims import Verdict
    from mlsalary.figures.model import Figure

T = TypeVar("T")
_CACHE: dict[str, tuple[tuple[Any, ...], Any]] = {}
_LOCKS: dict[str, threading.Lock] = {}  # one a key: a slow answer (the figures) never holds up a quick one
_LOCKS_LOCK = threading.Lock()


def _state() -> tuple[Any, ...]:
    """The database's identity: the version file the home's link points at (store.aside), and its mtime."""
    from mlsalary import config

    p = config.db_path()
    if not p.is_file():
        return (str(p), None)
    return (str(p.resolve()), p.stat().st_mtime_ns)


def cached(key: str, make: Callable[[], T]) -> T:
    """make(), computed again only when the database changes; one computation at a time for each key (make may
    itself use other keys). While a new state's answer is being computed (after a pull, by the server's watcher
    or another request), other requests get the previous state's answer at once instead of waiting for it."""
    stamp = _state()
    hit = _CACHE.get(key)
    if hit is not None and hit[0] == stamp:
        return hit[1]
    with _LOCKS_LOCK:
        lock = _LOCKS.setdefault(key, threading.Lock())
    if hit is not None and not lock.acquire(blocking=False):
        return hit[1]  # the previous state's answer, while the new one is computed
    if hit is not None:
        lock.release()
    with lock:
        hit = _CACHE.get(key)
        if hit is None or hit[0] != stamp:
            hit = (stamp, make())
            _CACHE[key] = hit
            settle()
    return hit[1]


def stamp() -> tuple[Any, ...]:
    """The database state the cache keys on (for the server's watcher)."""
    return _state()


def settle() -> None:
    """Collect the garbage once, then freeze what is left out of the collector's reach."""
    gc.collect()
    gc.freeze()


def figures() -> list[Figure]:
    """The figures of the database as it is (for the API and the pages alike)."""
    from mlsalary.figures.compute import compute_all

    return cached("figures", compute_all)


def verdicts() -> list[Verdict]:
    """The claims checked against those figures."""
    from mlsalary.figures.claims import check

    return cached("claims", lambda: check(figures()))

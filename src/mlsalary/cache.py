"""Answers that depend only on the database (the figures, their charts, the sources, the disclosure pattern, the
postings the nearest-group ladder climbs): computed once per state of the database (stamp()), shared by the API,
the pages, the estimate and the start card. It knows no answer itself: each caller names its key and its maker
(the web's figures and verdicts: web.pages.figures), so nothing below the web layer imports the web layer.

What is cached lives as long as the server, so after each fill the garbage collector is told to leave it alone
(gc.freeze): a full collection of a heap holding the figures stalls every request waiting behind it
(benchmarks/serve.py measures the effect; the README has the figures).
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any, TypeVar

T = TypeVar("T")
_CACHE: dict[str, tuple[tuple[Any, ...], Any]] = {}
_LOCKS: dict[str, threading.Lock] = {}  # one a key: a slow answer (the figures) never holds up a quick one
_LOCKS_LOCK = threading.Lock()
#: True while a web request is served (web.app sets it): a request never recomputes an answer the cache already
#: holds for an older state of the database — it gets that answer, and the server's watcher computes the new one.
in_request: ContextVar[bool] = ContextVar("in_request", default=False)


def stamp() -> tuple[Any, ...]:
    """The database's identity: the home's link, the version file it points at (store.aside), and its mtime."""
    from mlsalary import config

    p = config.db_path()
    if not p.is_file():
        return (str(p), None, None)
    return (str(p), str(p.resolve()), p.stat().st_mtime_ns)


def same_home(a: tuple[Any, ...], b: tuple[Any, ...]) -> bool:
    """Whether two states are of the same database (its home's link), one older than the other."""
    return a[0] == b[0]


_UPDATING = object()
#: Each key's maker (the first one given), so the watcher can recompute every key after a pull (refresh()).
_MAKERS: dict[str, Callable[[], Any]] = {}
#: The keys each key's maker asked for while it computed (the figures' JSON needs the figures), found as they run;
#: a key whose maker never ran in this process (its answer was put: the figures' sections) has unknown needs.
_NEEDS: dict[str, set[str]] = {}
_RAN: set[str] = set()
_COMPUTING: ContextVar[tuple[str, ...]] = ContextVar("computing", default=())


def _get(key: str, make: Callable[[], Any], stale_ok: bool) -> Any:
    _MAKERS.setdefault(key, make)
    for outer in _COMPUTING.get():
        _NEEDS.setdefault(outer, set()).add(key)
    state = stamp()
    hit = _CACHE.get(key)
    if hit is not None and hit[0] == state:
        return hit[1]
    if hit is not None and not same_home(hit[0], state):
        hit = None  # another database altogether (tests, or MLSALARY_HOME changed): never its answers
    if hit is not None and in_request.get():  # the watcher (web.pages.watch) computes the new state's answer
        return hit[1] if stale_ok else _UPDATING
    with _LOCKS_LOCK:
        lock = _LOCKS.setdefault(key, threading.Lock())
    if hit is not None and stale_ok:
        if not lock.acquire(blocking=False):
            return hit[1]  # the previous state's answer, while the new one is computed
    else:
        lock.acquire()
    try:
        hit = _CACHE.get(key)
        if hit is None or hit[0] != state:
            token = _COMPUTING.set((*_COMPUTING.get(), key))
            try:
                hit = (state, make())
            finally:
                _COMPUTING.reset(token)
            _RAN.add(key)
            _CACHE[key] = hit
            settle()
    finally:
        lock.release()
    return hit[1]


def needs(key: str, other: str) -> bool:
    """Whether computing `key` asks for `other`, directly or through other keys."""
    seen, todo = set(), [key]
    while todo:
        k = todo.pop()
        if k == other:
            return True
        if k not in seen:
            seen.add(k)
            todo.extend(_NEEDS.get(k, ()))
    return False


def refresh(unless_needing: str | None = None) -> list[str]:
    """Compute, for the database as it is, every key ever asked for whose answer is of an older state (outside a
    request: the server's watcher calls this after a pull) — except those needing `unless_needing` (e.g. the
    figures, computed elsewhere first), and those whose needs are unknown (their maker never ran here: computing them
    could compute the figures in the server's process). Returns the keys computed. A failure is left for requests to
    report."""
    import contextlib

    from mlsalary.errors import MlsalaryError

    done = []
    state = stamp()
    for key, make in list(_MAKERS.items()):
        if unless_needing is not None and (key not in _RAN or needs(key, unless_needing)):
            continue
        hit = _CACHE.get(key)
        if hit is None or hit[0] != state:
            with contextlib.suppress(MlsalaryError):
                _get(key, make, stale_ok=False)
                done.append(key)
    return done


def cached(key: str, make: Callable[[], T]) -> T:
    """make(), computed again only when the database changes; one computation at a time for each key (make may
    itself use other keys). While a new state's answer is being computed (after a pull, by the server's watcher
    or another request), other requests get the previous state's answer at once instead of waiting for it."""
    value: T = _get(key, make, stale_ok=True)
    return value


def fresh(key: str, make: Callable[[], T]) -> T | None:
    """As cached(), but never the previous state's answer: None inside a web request while the new state's answer
    is not computed yet (for answers an old state must not decide: the disclosure pattern)."""
    value = _get(key, make, stale_ok=False)
    return None if value is _UPDATING else value


def put(key: str, state: tuple[Any, ...], value: Any) -> None:
    """Hold `value` as `key`'s answer for the database state `state` (computed elsewhere: web.pages.compute_aside)."""
    _CACHE[key] = (state, value)


def settle() -> None:
    """Collect the garbage once, then freeze what is left out of the collector's reach."""
    gc.collect()
    gc.freeze()

"""The home's pull lock: one pull writes a home at a time; another waits for it (up to MLSALARY_PULL_WAIT seconds,
then a message naming the other pull's process), and a server's watcher asks whether one is running."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from mlsalary import config
from mlsalary.errors import StoreError

_LOCK_DEPTH: ContextVar[int] = ContextVar("pull_lock_depth", default=0)


def pull_wait() -> float:
    """How long a pull waits for another to finish (MLSALARY_PULL_WAIT seconds, default 600)."""
    return config.setting("MLSALARY_PULL_WAIT")


@contextmanager
def pull_lock(wait: float | None = None, on_wait: Any = None) -> Iterator[None]:
    """Hold the home's pull lock (re-entrant within a process's pull). Another pull holding it is waited for up to
    `wait` seconds (pull_wait()); `on_wait(message)` is told once when waiting starts. StoreError after that."""
    import fcntl
    import time

    if _LOCK_DEPTH.get():
        token = _LOCK_DEPTH.set(_LOCK_DEPTH.get() + 1)
        try:
            yield
        finally:
            _LOCK_DEPTH.reset(token)
        return
    home = config.home()
    lock_path = _lock_path()
    try:
        home.mkdir(parents=True, exist_ok=True)
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as e:
        raise StoreError(f"cannot use the lock file {lock_path}: {e.strerror}; check the folder's permissions") from e
    try:
        limit = pull_wait() if wait is None else wait
        deadline, told = time.monotonic() + limit, False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                holder = _lock_holder(fd)
                if time.monotonic() >= deadline:
                    raise StoreError(
                        f"another `mlsalary data pull`{holder} is still writing {home} after {limit:g} s of waiting; "
                        "let it finish and pull again (MLSALARY_PULL_WAIT sets the wait)"
                    ) from None
                if not told and on_wait is not None:
                    on_wait(f"waiting for another `mlsalary data pull`{holder} to finish (up to {limit:g} s)")
                    told = True
                time.sleep(0.1)
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        token = _LOCK_DEPTH.set(1)
        try:
            yield
        finally:
            _LOCK_DEPTH.reset(token)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def pull_running() -> bool:
    """Whether a pull holds the home's lock now (for a server's watcher: warm when the pull is done)."""
    import fcntl

    try:
        fd = os.open(_lock_path(), os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # closing drops the shared lock, if taken
    return False


def _lock_path() -> Path:
    return config.home() / "pull.lock"


def _lock_holder(fd: int) -> str:
    try:
        pid = os.pread(fd, 32, 0).decode().strip()
    except OSError:
        return ""
    return f" (process {pid})" if pid.isdigit() else ""

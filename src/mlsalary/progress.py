"""Progress on the steps that take time, as plain lines a terminal and a log file show alike.

A command that may run long turns reporting on (``reporting()``: the CLI's pull, train, evaluate, backtest, estimate,
figures and claims); its work is cut into named steps (``step(name)``). A step still running after ``AFTER_S``
seconds says so on standard error — ``[  12 s] fitting the model…`` with the time since the command began — then every
``EVERY_S`` seconds while it runs, and how long it took when it ends. A step that ends sooner prints nothing, so a quick
answer (or a one-line error) stays one line; without reporting on (the web app, the Python API), steps are silent.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

#: A step that runs longer than this says so.
AFTER_S = 3.0
#: While it runs, it says so again this often.
EVERY_S = 30.0


class _Reporter:
    def __init__(self, write: Callable[[str], None]) -> None:
        self.start = time.monotonic()
        self.write = write
        self.lock = threading.Lock()

    def line(self, text: str) -> None:
        with self.lock:
            self.write(f"[{time.monotonic() - self.start:5.0f} s] {text}")


_ON: ContextVar[_Reporter | None] = ContextVar("mlsalary_progress", default=None)


def _stderr(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


@contextmanager
def reporting(write: Callable[[str], None] = _stderr) -> Iterator[None]:
    """Steps inside the block report when they run long (module docstring)."""
    token = _ON.set(_Reporter(write))
    try:
        yield
    finally:
        _ON.reset(token)


@contextmanager
def step(name: str) -> Iterator[None]:
    """A named step of the work: said when it has run AFTER_S seconds, every EVERY_S seconds after, and at its end."""
    reporter = _ON.get()
    if reporter is None:
        yield
        return
    began = time.monotonic()
    done = threading.Event()
    said = threading.Event()

    def watch() -> None:
        if done.wait(AFTER_S):
            return
        said.set()
        reporter.line(f"{name}…")
        while not done.wait(EVERY_S):
            reporter.line(f"{name}: still running, {time.monotonic() - began:.0f} s so far")

    watcher = threading.Thread(target=watch, daemon=True, name="progress")
    watcher.start()
    try:
        yield
    finally:
        done.set()
        watcher.join()
        if said.is_set():
            reporter.line(f"{name}: done in {time.monotonic() - began:.1f} s")

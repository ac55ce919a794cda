"""Progress on the steps that take time, as plain lines a terminal and a log file show alike.

A command that may run long turns reporting on (``reporting()``: the CLI's pull, train, evaluate, backtest, estimate,
figures and claims); its work is cut into named steps (``step(name)``). The rule is the log's, not a step's: while a
step runs, the log is never quiet for longer than ``AFTER_S`` seconds — the step running says so on standard error
(``[  12 s] fitting the model…``, with the time since the command began), then that it is still running every
``EVERY_S`` seconds of quiet, and how long it took when it ends. A run of short steps is covered too (each one quiet
alone, together long), which a timer per step missed (a logged `make run` was once silent for 52 minutes, and then
for 11 s at a time while training). A step that ends before the log has been quiet that long prints nothing, so a
quick answer (or a one-line error) stays one line; without reporting on (the web app, the Python API), steps are
silent.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

#: The longest the log stays quiet while a step runs: then the step says so. Under the 3 s a log may stay quiet
#: (starting the command, and a busy machine's scheduling, come on top).
AFTER_S = 2.0
#: Once it has said so, it says it is still running after this long a quiet again.
EVERY_S = 2.0
#: How often the watcher looks.
LOOK_S = 0.1


class _Step:
    def __init__(self, name: str) -> None:
        self.name, self.began, self.said = name, time.monotonic(), False


class _Reporter:
    """The lines of one command, and a watcher that speaks for the innermost step running when the log is quiet."""

    def __init__(self, write: Callable[[str], None]) -> None:
        self.start = self.last = time.monotonic()
        self.write = write
        self.lock = threading.Lock()
        self.running: list[_Step] = []
        self.stop = threading.Event()
        self.watcher = threading.Thread(target=self._watch, daemon=True, name="progress")
        self.watcher.start()

    def line(self, text: str) -> None:
        with self.lock:
            self._line(text)

    def _line(self, text: str) -> None:
        self.last = time.monotonic()
        self.write(f"[{self.last - self.start:5.0f} s] {text}")

    def _watch(self) -> None:
        while not self.stop.wait(LOOK_S):
            with self.lock:
                if not self.running:
                    continue
                current, now = self.running[-1], time.monotonic()
                if not current.said and now - self.last >= AFTER_S:  # the log's quiet, whichever step it spans
                    current.said = True
                    self._line(f"{current.name}…")
                elif current.said and now - self.last >= EVERY_S:
                    self._line(f"{_short(current.name)}: still running, {now - current.began:.0f} s so far")

    def enter(self, name: str) -> _Step:
        with self.lock:
            s = _Step(name)
            self.running.append(s)
            if AFTER_S <= 0:  # every step said, however short (a test's setting)
                s.said = True
                self._line(f"{name}…")
            return s

    def leave(self, s: _Step) -> None:
        with self.lock:
            self.running.remove(s)
            if s.said:
                self._line(f"{s.name}: done in {time.monotonic() - s.began:.1f} s")

    def close(self) -> None:
        self.stop.set()
        self.watcher.join()


_ON: ContextVar[_Reporter | None] = ContextVar("mlsalary_progress", default=None)


def _short(name: str) -> str:
    """A step's name up to its first clause ("fitting the pay model on 49,664 rows: five quantiles, …" is said in
    full once; its "still running" lines need only the first part)."""
    for mark in (": ", ", ", "…"):
        name = name.split(mark, 1)[0]
    return name


def _stderr(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


@contextmanager
def reporting(write: Callable[[str], None] = _stderr) -> Iterator[None]:
    """Steps inside the block report when the log has been quiet (module docstring)."""
    reporter = _Reporter(write)
    token = _ON.set(reporter)
    try:
        yield
    finally:
        _ON.reset(token)
        reporter.close()


@contextmanager
def step(name: str) -> Iterator[None]:
    """A named step of the work: said when the log has been quiet AFTER_S seconds while it runs, again after every
    EVERY_S seconds of quiet, and at its end if it was said."""
    reporter = _ON.get()
    if reporter is None:
        yield
        return
    s = reporter.enter(name)
    try:
        yield
    finally:
        reporter.leave(s)

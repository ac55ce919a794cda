"""A pull's parts made by a reader thread while the store writes the ones before (``Ahead``).

The reader of the next part (pyarrow's CSV parser and compute kernels) and DuckDB's insert of this one both release the
GIL, so on two cores they overlap: 2,000,000 generated LCA filings, the two codes interleaved in one hour, load in
13.1-13.7 s against 18.3-18.6 s one after the other, peak memory about 1.1 GB either way (benchmarks/lca.py, later: 13.9
s, 1,086 MB). The two hand each other nothing but parts: the reader's state (a source's cases seen, its caches) stays in
its generator, and every write stays in the caller's transaction, so a failed, refused or interrupted pull still leaves
the previous data intact (store.ingest).
"""

from __future__ import annotations

import contextvars
import queue
import threading
from collections.abc import Iterable, Iterator
from typing import Any

#: Parts made and waiting while the store writes one, unless a source declares more (SourceMeta.parts_ahead): one is
#: enough when the two take turns, and each more is memory (aijobs.net at 10x: 994 MB peak with one, 1,061 MB with
#: 4, 1,132 MB with 16, the time alike: its second pass makes parts faster than they are written, so they would only
#: wait).
AHEAD_PARTS = 1


class Ahead:
    """A source's parts, made by a reader thread while the caller writes the ones before (at most AHEAD_PARTS
    waiting, or `waiting`: a few small parts may all be made ahead). The reader runs in a copy of the caller's context
    (its progress steps report as the caller's). A reader's error is raised where the part it was making would have
    come; close() — on the caller's error, a refusal or Ctrl-C — stops the reader after the part it is making and
    closes the parts' generator in the reader's thread, so its files are closed before the pull reports."""

    _END = object()

    def __init__(self, parts: Iterable[Any], waiting: int = AHEAD_PARTS, name: str = "pull-reader") -> None:
        self._parts = iter(parts)
        self._queue: queue.Queue[tuple[Any, BaseException | None]] = queue.Queue(waiting)
        self._stop = threading.Event()
        context = contextvars.copy_context()
        self._thread = threading.Thread(target=context.run, args=(self._read,), daemon=True, name=name)
        self._thread.start()

    def _read(self) -> None:
        try:
            for part in self._parts:
                if not self._put((part, None)):
                    break
            else:
                self._put((self._END, None))
        except BaseException as e:  # handed to the caller, raised there
            self._put((None, e))
        finally:
            close = getattr(self._parts, "close", None)
            if close is not None:
                close()

    def _put(self, item: tuple[Any, BaseException | None]) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    def __iter__(self) -> Iterator[Any]:
        while True:
            part, error = self._queue.get()
            if error is not None:
                raise error
            if part is self._END:
                return
            yield part

    def close(self) -> None:
        self._stop.set()
        self._thread.join()

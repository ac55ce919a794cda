"""Shared by the benchmark scripts."""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable
from typing import Any


def fresh_store_from_mirror() -> None:
    """Point mlsalary at a new empty home, offline, reading the mirror (which must be set)."""
    if not os.environ.get("MLSALARY_MIRROR"):
        raise SystemExit("set MLSALARY_MIRROR to the shared data folder (e.g. ../shared/data)")
    os.environ["MLSALARY_OFFLINE"] = "1"
    os.environ["MLSALARY_HOME"] = tempfile.mkdtemp(prefix="mlsalary-bench-")


def best_of(n: int, fn: Callable[[], Any]) -> tuple[float, Any]:
    """The fastest of n runs of fn (seconds) and the last result."""
    best, result = float("inf"), None
    for _ in range(n):
        t = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t)
    return best, result

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


def run_child(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, peak resident MB) of one command in its own process, at this process's priority, its output
    discarded (it must succeed). The memory is the child's own (wait4's rusage), not the largest child so far."""
    import subprocess

    with tempfile.TemporaryFile() as log:
        t = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=log)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - t
        proc.returncode = os.waitstatus_to_exitcode(status)
        log.seek(0)
        err = log.read().decode(errors="replace")
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd[:4])}… failed ({proc.returncode}): {err[-500:]}")
    return seconds, usage.ru_maxrss / 1024


def best_of(n: int, fn: Callable[[], Any]) -> tuple[float, Any]:
    """The fastest of n runs of fn (seconds) and the last result."""
    best, result = float("inf"), None
    for _ in range(n):
        t = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t)
    return best, result


def supported_profiles(meta: dict[str, Any], count: int, seed: int = 0) -> list[dict[str, Any]]:
    """Real estimate profiles: role x level x country groups of ML roles the trained model's data supports (at least
    the privacy floor of records), each with a random work arrangement; seeded."""
    import numpy as np

    from mlsalary import schema, stats

    rng = np.random.default_rng(seed)
    supported = [(r, lv, c) for r, lv, c, n in meta["support"] if n >= stats.PRIVACY_FLOOR and r in schema.ML_ROLES]
    return [
        {"role": r, "level": lv, "country": c, "remote": str(rng.choice(schema.REMOTE))}
        for r, lv, c in (supported[i] for i in rng.integers(0, len(supported), count))
    ]

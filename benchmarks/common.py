"""Shared by the benchmark scripts."""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
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


def pull_cmd(source: str, path: Path) -> tuple[list[str], dict[str, str]]:
    """`mlsalary data pull SOURCE --from PATH` into a fresh home, offline, without the mirror."""
    import sys

    home = tempfile.mkdtemp(prefix=f"mlsalary-bench-{source}-")
    env = {**os.environ, "MLSALARY_HOME": home, "MLSALARY_OFFLINE": "1"}
    env.pop("MLSALARY_MIRROR", None)
    return [str(Path(sys.executable).with_name("mlsalary")), "data", "pull", source, "--from", str(path)], env


def read_csv_cmd(path: Path) -> tuple[list[str], dict[str, str]]:
    """Plain pandas reading the same file, the baseline."""
    import sys

    code = f"import pandas; pandas.read_csv({str(path)!r}, low_memory=False)"
    return [sys.executable, "-c", code], dict(os.environ)


def ingest_against_read(source: str, path: Path, repeat: int) -> tuple[float, float, float]:
    """The pull of `path` against pandas reading it, each in its own process, interleaved (A, B, A, B …), at one
    priority; prints both sides' best time and peak memory, and returns (best ingest s, best read s, ingest peak MB)."""
    sides: dict[str, Callable[[], tuple[list[str], dict[str, str]]]] = {
        "mlsalary ingest": lambda: pull_cmd(source, path), "pandas read_csv": lambda: read_csv_cmd(path)}
    runs: dict[str, list[tuple[float, float]]] = {k: [] for k in sides}
    for _ in range(repeat):
        for name, make in sides.items():
            runs[name].append(run_child(*make()))
    for name, r in runs.items():
        print(f"{name:<16} best {min(s for s, _ in r):7.1f} s   peak {max(m for _, m in r):7,.0f} MB   "
              f"({', '.join(f'{s:.1f} s' for s, _ in r)})")  # fmt: skip
    return (min(s for s, _ in runs["mlsalary ingest"]), min(s for s, _ in runs["pandas read_csv"]),
            max(m for _, m in runs["mlsalary ingest"]))  # fmt: skip

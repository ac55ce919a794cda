"""Training time as a user pays it: a new process that trains and saves the pay model (imports, reading the store,
fitting, calibrating, exporting), on an idle machine and beside two busy processes at the same priority, against the
same training held to one native thread — the sides interleaved (tool, one thread, tool, one thread …).

    MLSALARY_MIRROR=../shared/data python benchmarks/train.py [--rounds 2]

Pulls the mirror into a temporary store first (not timed). Targets (issue 24): idle, at most 30 s; under load, at
most twice the one-thread time under the same load (native thread pools capped, so contention cannot make training
slower than one thread). Prints every run, the median of each side, and the ratios.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

from common import fresh_store_from_mirror

TOOL = "from mlsalary.model.train import train; train(save=True)"
ONE_THREAD = ("import mlsalary.children as c; c.native_threads = lambda: 1; "
              "from mlsalary.model.train import train; train(save=True)")  # fmt: skip
HOG = "while True: pass"


def run(code: str) -> float:
    t = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--rounds", type=int, default=2, help="interleaved rounds of each side and condition")
    args = ap.parse_args()
    fresh_store_from_mirror()
    from mlsalary import api

    api.pull()
    times: dict[tuple[str, str], list[float]] = {}
    for r in range(args.rounds):
        for load in ("idle", "loaded"):
            hogs = [subprocess.Popen([sys.executable, "-c", HOG]) for _ in range(2)] if load == "loaded" else []
            try:
                for side, code in (("tool", TOOL), ("one thread", ONE_THREAD)):
                    t = run(code)
                    times.setdefault((load, side), []).append(t)
                    print(f"round {r + 1}, {load}, {side}: {t:.1f} s", flush=True)
            finally:
                for h in hogs:
                    h.kill()
                    h.wait()
    med = {k: statistics.median(v) for k, v in times.items()}
    print()
    for (load, side), m in sorted(med.items()):
        print(f"{load:7s} {side:11s} median {m:6.1f} s  ({len(times[(load, side)])} runs)")
    idle = med[("idle", "tool")]
    ratio = med[("loaded", "tool")] / med[("loaded", "one thread")]
    print(f"idle: {idle:.1f} s (target <= 30 s: {'met' if idle <= 30 else 'not met'}); "
          f"idle vs one thread: {idle / med[('idle', 'one thread')]:.2f}")
    print(f"under load: {med[('loaded', 'tool')]:.1f} s, {ratio:.2f}x the one-thread time under the same load "
          f"(target <= 2: {'met' if ratio <= 2 else 'not met'})")


if __name__ == "__main__":
    main()

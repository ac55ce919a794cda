"""Estimate speed: a cold `mlsalary estimate` (a new process, saved model), and the in-process estimate latency
(p50, p99 over 1,000 profiles), against a bare scikit-learn `predict` of the same model on one row — in one run.

    MLSALARY_MIRROR=../shared/data python benchmarks/estimate.py

Pulls the mirror into a temporary store and trains the model (timed once, against one uncalibrated fit). Targets:
training <= 30 s, cold <= 0.5 s, in-process p50 <= 5 ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

from common import best_of, fresh_store_from_mirror, run_child, supported_profiles


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--profiles", type=int, default=1_000, help="in-process estimates to time")
    args = ap.parse_args()
    fresh_store_from_mirror()

    from mlsalary import api
    from mlsalary.errors import MlsalaryError
    from mlsalary.model.estimate import estimate
    from mlsalary.model.estimator import PayQuantileModel
    from mlsalary.model.train import fit, train, training_data

    if any(o.status != "loaded" for o in api.pull()):
        print("not every source loaded", file=sys.stderr)
    t0 = time.perf_counter()
    model_meta = train(save=True).meta
    t_train = time.perf_counter() - t0

    exe = Path(sys.executable).with_name("mlsalary")
    # Cold first calls over several supported profiles, interleaved (each a new process, best of 3): the US senior ML
    # engineer, and the thinnest supported profile of each of the four countries abroad whose thinnest is thinnest (a
    # non-US profile reads its country's postings for the market figure) — drawn from the trained model's support, so
    # a change of the data or of the rules cannot leave an unsupported profile here.
    from mlsalary import stats

    thinnest: dict[str, tuple[int, str, str]] = {}
    for role, level, country, n in model_meta["support"]:
        if country != "US" and n >= stats.PRIVACY_FLOOR:
            thinnest[country] = min(thinnest.get(country, (n, role, level)), (n, role, level))
    abroad = sorted((n, role, level, country) for country, (n, role, level) in thinnest.items())[:4]
    cold_profiles = [("ml_engineer", "senior", "US"), *((r, lv, c) for _, r, lv, c in abroad)]
    colds: dict[tuple[str, str, str], list[float]] = {p: [] for p in cold_profiles}
    for _ in range(3):
        for role, level, country in cold_profiles:
            cmd = [str(exe), "estimate", "--role", role, "--level", level, "--country", country, "--json"]
            colds[(role, level, country)].append(run_child(cmd, dict(os.environ))[0])
    t_cold = min(colds[cold_profiles[0]])

    profiles = supported_profiles(model_meta, args.profiles)
    estimate(role="ml_engineer", level="senior", country="US")  # warm: the saved model is loaded once per process
    latencies, refused = [], 0
    for p in profiles:
        t = time.perf_counter()
        try:
            estimate(**p)
        except MlsalaryError:
            refused += 1  # a profile without support is refused: that is an answer too
        latencies.append(time.perf_counter() - t)
    ms = sorted(x * 1000 for x in latencies)

    obs, skills = training_data()
    model, _, x = fit(obs, skills)
    row = x.head(1)
    bare: PayQuantileModel = model
    bare.predict(row)
    t_bare = statistics.median(best_of(1, lambda: bare.models_[2].predict(row))[0] for _ in range(200))

    import numpy as np

    t_fit, _ = best_of(1, lambda: PayQuantileModel(calibrate=False).fit(x, np.log(obs["amount_usd"].to_numpy())))
    print(f"training (`mlsalary model train`: calibration fits, final fit, export): {t_train:.1f} s (target <= 30 s);"
          f" one uncalibrated fit {t_fit:.1f} s, ratio {t_train / t_fit:.2f}")  # fmt: skip
    print(f"cold `mlsalary estimate` (new process, saved model): {t_cold:.2f} s (target <= 0.5 s)")
    for p, times in colds.items():
        print(f"  cold {' '.join(p)}: {min(times):.2f} s, ratio to the US one {min(times) / t_cold:.2f}")
    worst = max(colds, key=lambda p: min(colds[p]))
    print(f"  worst first call: {' '.join(worst)}, {min(colds[worst]) / t_cold:.2f}x the US one (target <= 1.2)")
    p50, p99 = ms[len(ms) // 2], ms[int(len(ms) * 0.99)]
    print(
        f"in-process estimate over {len(profiles):,} profiles: p50 {p50:.2f} ms, p99 {p99:.2f} ms (target p50 <= 5 ms)"
    )
    groups = len({(p["role"], p["level"], p["country"]) for p in profiles})
    print(f"  (drawn at random from {groups} supported ML role x level x country groups; {refused} refused)")
    print(f"baseline, bare scikit-learn predict of the median model on one row: {t_bare * 1000:.2f} ms")
    print(f"ratio in-process p50 / bare predict: {p50 / (t_bare * 1000):.2f}")


if __name__ == "__main__":
    main()

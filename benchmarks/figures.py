"""Figure speed: mlsalary computing all the figures and the claims from the store, against plain pandas computing the
same headline numbers (medians, ratios, shares — without intervals, suppression or provenance), in the same run.

    MLSALARY_MIRROR=../shared/data python benchmarks/figures.py [--repeat 3]

Pulls the mirror into a temporary store first (not timed). Prints both times (best of N, the two interleaved), their
ratio, and how many headline values the two computations agree on (within 0.5%).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

import numpy as np
import pandas as pd

from common import best_of, fresh_store_from_mirror
from mlsalary.figures.measure import KAGGLE_FULL_TIME_FLOOR_USD

# ------------------------------------------------------------------------------ the plain-pandas baseline

ML = ["ml_engineer", "research_scientist", "applied_scientist", "mlops_engineer", "ai_engineer"]


def band_median(df: pd.DataFrame) -> float:
    """Grouped-data median of pay bands (log-linear within the band, as the figures interpolate)."""
    bands = df.groupby(["amount_low_usd", "amount_high_usd"], dropna=False).size().sort_index()
    cum = bands.cumsum().to_numpy()
    i = int(np.searchsorted(cum, len(df) / 2))
    (lo, hi), before = bands.index[i], (cum[i - 1] if i else 0)
    share = (len(df) / 2 - before) / bands.iloc[i]
    return float(lo * ((hi + 1) / lo) ** share if lo > 0 else lo + (hi + 1 - lo) * share)


def baseline(obs: pd.DataFrame, skills: pd.DataFrame, oews: pd.DataFrame) -> dict[str, float]:
    # obs is the store's units view: one row per posting (its midpoint) or respondent.
    a = obs[(obs.source == "aijobs") & (obs.dup_rank == 1) & (obs.employment_type == "full_time")]
    y = 2024 if (a.year == 2025).sum() < 0.5 * (a.year == 2024).sum() else 2025
    us = a[(a.company_country == "US") & (a.role == "ml_engineer")]
    cur = us[us.year == y]
    lvl = cur.groupby("level").amount_usd.median()
    # A thin latest year is pooled with the year before (every group of the figure alike), as the figures do.
    thin = us[us.year.isin([y - 1, y])] if (cur.level == "entry").sum() < 30 else cur
    pooled = thin.groupby("level").amount_usd.median()
    k = obs[(obs.source == "kaggle-survey") & (obs.employee_country == "US") & obs.role.isin([*ML, "data_scientist"])
            & (obs.amount_low_usd >= KAGGLE_FULL_TIME_FLOOR_USD)]  # the figures' full-time filter, as declared
    so = obs[(obs.source == "stackoverflow") & (obs.employee_country == "US") & (obs.employment_type == "full_time")]
    has = {s: set(skills.obs_id[skills.skill == s]) for s in ("python", "spark", "pytorch", "tensorflow")}
    o = oews[(oews.area_type == "national") & (oews.soc_2018_code == "15-2051")].set_index("year").annual_median
    metro = oews[(oews.area_type == "metro") & (oews.soc_2018_code == "15-2051") & (oews.year == oews.year.max())]
    state = oews[(oews.area_type == "state") & (oews.soc_2018_code == "15-2051") & (oews.year == oews.year.max())]
    mlp = a[a.role.isin(ML)]

    def gap(x: float, base: float) -> float:
        return (x / base - 1) * 100

    def kgap(mask_a: pd.Series, mask_b: pd.Series) -> float:
        return gap(band_median(k[mask_a]), band_median(k[mask_b]))

    pt, tf = k.obs_id.isin(has["pytorch"]), k.obs_id.isin(has["tensorflow"])
    out = {
        "entry-us-ml-median": pooled.get("entry", np.nan),
        "mid-us-ml-median": lvl.get("mid", np.nan),
        "senior-us-ml-median": lvl.get("senior", np.nan),
        "entry-to-mid-jump": gap(pooled["mid"], pooled["entry"]),
        "mid-to-senior-jump": gap(lvl["senior"], lvl["mid"]),
        "entry-spread": float(np.diff(np.quantile(thin[thin.level == "entry"].amount_usd, [0.1, 0.9]))[0]),
        "non-us-ml-median": a[(a.role == "ml_engineer") & (a.company_country != "US") & (a.year == y)]
        .amount_usd.median(),
        "oews-data-scientists-national": o.loc[o.index.max()],
        "top-paying-metro": metro.annual_median.max(),
        "state-spread": state.annual_median.max() / state.annual_median.min(),
        "country-comparison": mlp[(mlp.company_country == "US") & mlp.year.isin([y - 1, y])].amount_usd.median(),
        "remote-gap": gap(
            cur[cur.remote == "remote"].amount_usd.median(), cur[cur.remote == "onsite"].amount_usd.median()
        ),
        "industry-tech-median": band_median(k[k.industry == "tech_software"]),
        "finance-vs-tech": kgap(k.industry == "finance", k.industry == "tech_software"),
        "pytorch-vs-tensorflow": kgap(pt & ~tf, tf & ~pt),
        # (the skill premiums are pooled within role with inverse-variance weights: no plain-median counterpart)
        "spark-users-median": so[so.obs_id.isin(has["spark"])].amount_usd.median(),
        "large-vs-small": kgap(k.company_size == "large", k.company_size == "small"),
        "yoy-ml-median": gap(cur.amount_usd.median(), us[us.year == y - 1].amount_usd.median()),
        "entry-share-trend": float((mlp[mlp.year == y].level == "entry").mean() * 100),
        "genai-share-trend": float(((mlp[mlp.year == y].specialization == "genai_llm")
                                    | (mlp[mlp.year == y].role == "ai_engineer")).mean() * 100),
    }  # fmt: skip
    return {key: float(v) for key, v in out.items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3, help="runs per measurement; the best is kept")
    args = ap.parse_args()
    fresh_store_from_mirror()

    from mlsalary import api
    from mlsalary.figures.claims import check
    from mlsalary.figures.compute import compute_all
    from mlsalary.figures.data import load

    outcomes = api.pull()
    if any(o.status != "loaded" for o in outcomes):
        print("not every source loaded: " + "; ".join(o.message for o in outcomes if o.message), file=sys.stderr)

    def ours() -> list[Any]:
        figs = compute_all(load())
        check(figs)
        return figs

    def plain() -> dict[str, float]:
        d = load()  # the same read of the store
        return baseline(d.obs, d.skills, d.oews)

    t_ours, t_plain = float("inf"), float("inf")
    for _ in range(args.repeat):  # interleaved, A, B, A, B: a machine that slows down slows both sides
        t, figs = best_of(1, ours)
        t_ours = min(t_ours, t)
        t, values = best_of(1, plain)
        t_plain = min(t_plain, t)
    ok = {f.id: f.value for f in figs if f.status == "ok"}
    common = [k for k in values if k in ok and ok[k] is not None]
    agree = sum(abs(values[k] - ok[k]) <= 0.005 * max(abs(ok[k]), 1.0) for k in common)
    print(f"mlsalary: {len(figs)} figures ({len(ok)} shown) + {len(check(figs))} claims: {t_ours:.2f} s")
    print(f"plain pandas: {len(values)} headline numbers, no intervals or suppression: {t_plain:.2f} s")
    print(f"ratio mlsalary / plain pandas: {t_ours / t_plain:.2f} (best of {args.repeat}, interleaved; lower: better)")
    print(f"headline values that agree within 0.5%: {agree} of {len(common)}")
    for k in common:
        if abs(values[k] - ok[k]) > 0.005 * max(abs(ok[k]), 1.0):
            print(f"  differs: {k}: mlsalary {ok[k]:,.2f}, plain {values[k]:,.2f}")
    cold(args.repeat)


def cold(repeat: int) -> None:
    """What a user pays at the command line, each a new process, interleaved: `mlsalary figures --json` as the first
    call after a pull (nothing kept: it computes), the same call again (it reads what the first kept:
    figures.memo), and a bare `python -c "import duckdb, pandas"`."""
    import os
    from pathlib import Path

    from common import run_child
    from mlsalary.figures import memo

    exe = str(Path(sys.executable).with_name("mlsalary"))
    env = dict(os.environ)
    sides = {
        "figures --json, first after a pull": [exe, "figures", "--json"],
        "figures --json, again": [exe, "figures", "--json"],
        "import duckdb, pandas": [sys.executable, "-c", "import duckdb, pandas"],
    }
    times: dict[str, list[float]] = {k: [] for k in sides}
    for _ in range(repeat):
        for name, cmd in sides.items():
            if name.endswith("after a pull"):
                for kept in memo.folder().glob("*"):
                    kept.unlink()
            times[name].append(run_child(cmd, env)[0])
    base = min(times["import duckdb, pandas"])
    for name, t in times.items():
        print(f"cold {name}: {min(t):.2f} s, {min(t) / base:.2f}x the bare import (target <= 1.5x)")


if __name__ == "__main__":
    main()

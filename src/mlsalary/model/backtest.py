"""The backtest: the estimate as a user would have had it at each vintage of the data, scored on what came next.

The rule, written before it was run (and not changed after):

- **Origins.** Every aijobs.net snapshot in the store's history (the dates the postings were first published:
  vintage's ``snapshot`` rule) that has a later one. At an origin, everything is as of its date (vintage.at): the
  postings of that snapshot and every other source published by then.
- **Trained on.** The model exactly as ``model train`` makes it at that vintage: the same features, the same
  calibration rule (model/estimator.py calibration_plan, with its named fallback when no year-ahead view can be
  formed), the same native-thread cap.
- **Scored on.** The machine-learning postings first published in the next snapshot, each once (a re-listing of a
  posting already published is not new), with a point pay: what the model never saw.
- **Reported.** Per origin and pooled over every test posting: coverage of the 50% and 80% ranges, mean pinball loss
  over the five quantiles, median absolute % error, mean 80% width in dollars — for the model and the two baselines
  (model/evaluate.py), and the model's pinball loss minus each baseline's with its paired 95% interval (added after the
  first runs: it reports, it decides nothing); the model's coverage by segment (US employers / elsewhere; each level).
  An origin whose model cannot be trained (fewer than 100 training rows) or that has no test posting is listed with the
  reason and left out of the pool: never silently.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any

from mlsalary import schema
from mlsalary.model.evaluate import BASELINES, metrics, predictions, segments, versus

if TYPE_CHECKING:
    import pandas as pd


def origins() -> list[tuple[date, date]]:
    """(origin, next snapshot) pairs from the store's aijobs.net history, oldest first."""
    from mlsalary import store

    with store.read_only() as con:
        dates = [d for (d,) in con.execute("SELECT DISTINCT published_on FROM observations WHERE source = 'aijobs' "
                                           "ORDER BY 1").fetchall()]  # fmt: skip
    return list(itertools.pairwise(dates))


def test_postings(first_seen: date) -> pd.DataFrame:
    """The machine-learning postings first published on `first_seen`, each once, with a point pay — read at that
    vintage, where a re-listing of an earlier posting is not a first listing."""
    from mlsalary import store, vintage
    from mlsalary.disclosure import OWN_CURRENCY

    roles = ", ".join(f"'{r}'" for r in schema.ML_ROLES)
    with vintage.at(first_seen), store.read_only() as con:
        return con.execute(
            "SELECT * FROM units WHERE source = 'aijobs' AND dup_rank = 1 AND amount_usd IS NOT NULL "
            f"AND {OWN_CURRENCY} AND role IN ({roles}) AND published_on = ? ORDER BY obs_id", [first_seen]
        ).df()


def backtest(progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """The backtest report (the JSON of `mlsalary model backtest --json`)."""
    import numpy as np
    import pandas as pd

    from mlsalary import vintage
    from mlsalary.errors import InsufficientData
    from mlsalary.model.train import training_data

    pairs = origins()
    if not pairs:
        raise InsufficientData("the store holds one aijobs.net snapshot, so there is nothing to backtest: pull aijobs "
                               "from a folder holding its dated snapshots (salaries_YYYY-MM-DD.csv), e.g. "
                               '"mlsalary data pull aijobs --from DIR"')  # fmt: skip
    report: list[dict[str, Any]] = []
    pooled: dict[str, list[Any]] = {"y": [], "model": [], **{b: [] for b in BASELINES}}
    tests: list[pd.DataFrame] = []
    for origin, nxt in pairs:
        if progress:
            progress(f"origin {origin.isoformat()}: training as of it, testing on the postings first seen "
                     f"{nxt.isoformat()}")  # fmt: skip
        with vintage.at(origin):
            train, skills = training_data()
        test = test_postings(nxt)
        entry: dict[str, Any] = {"origin": origin.isoformat(), "tested_on": nxt.isoformat(), "n_train": len(train),
                                 "n_test": len(test)}  # fmt: skip
        if len(train) < 100 or len(test) == 0:
            why = (f"{len(train)} training rows, fewer than the model's 100" if len(train) < 100
                   else "no machine-learning posting first seen in the next snapshot")  # fmt: skip
            report.append(entry | {"scored": False, "why": why})
            continue
        p = predictions(train, test, skills)  # the test postings carry no skills (aijobs.net lists none)
        entry |= {
            "scored": True,
            "test_years": sorted(int(y) for y in test["year"].unique()),
            "calibration": p["calibration"],
            "calibration_fallback": p["calibration_fallback"],
            "model": metrics(p["model"], p["y"]),
            "baselines": {b: metrics(p[b], p["y"]) for b in BASELINES},
            "versus": {b: versus(p["model"], p[b], p["y"]) for b in BASELINES},
            "segments": segments(p["model"], p["y"], test),
        }
        report.append(entry)
        for k in pooled:
            pooled[k].append(p[k])
        tests.append(test)
    if not tests:
        raise InsufficientData("no origin could be scored: " + "; ".join(f"{e['origin']}: {e['why']}" for e in report))
    y = np.concatenate(pooled["y"])
    q = np.concatenate(pooled["model"])
    everything = pd.concat(tests, ignore_index=True)
    return {
        "rule": (__doc__ or "").split("The rule, written before it was run (and not changed after):")[1].strip(),
        "origins": report,
        "pooled": {
            "origins": sum(1 for e in report if e["scored"]),
            "n_test": len(y),
            "model": metrics(q, y),
            "baselines": {b: metrics(np.concatenate(pooled[b]), y) for b in BASELINES},
            "versus": {b: versus(q, np.concatenate(pooled[b]), y) for b in BASELINES},
            "segments": segments(q, y, everything),
        },
    }

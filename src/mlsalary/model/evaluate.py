"""Measuring the estimate on data the model never saw, against two baselines.

Default: a temporal split — train on the years before the latest full year of aijobs.net, test on that year's
machine-learning rows (one row per duplicate group). With a test file (aijobs.net layout), the model is trained on
everything loaded and tested on the file's ML postings that are not among the loaded aijobs.net listings (exact
match on every column, counting multiplicity against every listing, re-listings included).

Metrics, on log annual pay unless said: pinball loss per quantile; mean absolute error of the median; median
absolute % error of the median in dollars; empirical coverage of the 50% (p25-p75) and 80% (p10-p90) intervals; mean
80% interval width in dollars. Baselines: group quantiles by level x company country (falling back to level, then
to all rows, below 30 training rows), and the same gradient-boosting quantile model without calibration.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlsalary import schema
from mlsalary.model.compact import QUANTILES
from mlsalary.model.estimator import PayQuantileModel
from mlsalary.model.features import categorize, training_frame
from mlsalary.model.train import fit, training_data

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    import pandas as pd

#: Columns that identify an aijobs.net row exactly (to keep a test file's rows out of the training data).
MATCH_COLUMNS = ("year", "level", "employment_type", "job_title_raw", "amount_local", "currency", "amount_usd",
                 "employee_country", "remote", "company_country", "company_size")  # fmt: skip


def metrics(q: npt.NDArray[np.float64], y: npt.NDArray[np.float64]) -> dict[str, Any]:
    import numpy as np

    by_quantile = np.ascontiguousarray(_pinball(q, y).T)  # a row per quantile, summed as one array each
    pinball = {str(tau): float(np.mean(by_quantile[j])) for j, tau in enumerate(QUANTILES)}
    return {
        "coverage_50": float(np.mean((y >= q[:, 1]) & (y <= q[:, 3]))),
        "coverage_80": float(np.mean((y >= q[:, 0]) & (y <= q[:, 4]))),
        "pinball": pinball,
        "pinball_mean": float(np.mean(list(pinball.values()))),
        "mae_log": float(np.mean(np.abs(y - q[:, 2]))),
        "median_abs_pct_error": float(np.median(np.abs(np.exp(q[:, 2] - y) - 1)) * 100),
        "width_80": float(np.mean(np.exp(q[:, 4]) - np.exp(q[:, 0]))),
    }


def group_quantiles(train: pd.DataFrame, test: pd.DataFrame, min_n: int = 30) -> npt.NDArray[np.float64]:
    """Baseline: empirical log-pay quantiles of the test row's level x company country in the training data."""
    import numpy as np

    logy = np.log(train["amount_usd"].to_numpy())
    overall = np.quantile(logy, QUANTILES)
    tables: list[dict[Any, npt.NDArray[np.float64]]] = []
    for keys in (["level", "company_country"], ["level"]):
        grouped = train.assign(_l=logy).groupby(keys, dropna=False)["_l"]
        tables.append({k: np.quantile(v, QUANTILES) for k, v in grouped if len(v) >= min_n})
    out = np.empty((len(test), len(QUANTILES)))
    for i, (level, country) in enumerate(zip(test["level"], test["company_country"], strict=True)):
        out[i] = tables[0].get((level, country), tables[1].get((level,), tables[1].get(level, overall)))
    return out


def evaluate(test_data: Path | None = None) -> dict[str, Any]:
    """The evaluation report (the JSON of `mlsalary model evaluate --json`)."""
    from mlsalary.errors import InsufficientData
    from mlsalary.figures.data import latest_full_year

    obs, skills = training_data()
    if test_data is None:
        year = latest_full_year(obs[obs["source"] == "aijobs"])
        if year is None:
            raise InsufficientData('no aijobs rows to evaluate on: run "mlsalary data pull aijobs"')
        train = obs[obs["year"] < year]
        test = obs[(obs["source"] == "aijobs") & (obs["year"] == year) & obs["role"].isin(schema.ML_ROLES)]
        split = f"temporal: trained on years before {year}, tested on {year} (aijobs.net ML roles, one per group)"
    else:
        from mlsalary import store

        with store.read_only() as con:  # every listing, re-listings included: each copy seen counts once
            listed = con.sql("SELECT * FROM units WHERE source = 'aijobs'").df()
        train, test, split = obs, _file_rows(test_data, listed), f"test file {test_data.name}, rows not in training"
    if len(test) == 0:
        raise InsufficientData("no test rows with a machine-learning role: nothing to evaluate")
    p = predictions(train, test, skills)
    return {
        "n_test": len(test),
        "n_train": len(train),
        "split": split,
        "calibration": p["calibration"],
        "calibration_fallback": p["calibration_fallback"],
        "model": metrics(p["model"], p["y"]),
        "segments": segments(p["model"], p["y"], test),
        "baselines": {name: metrics(p[name], p["y"]) for name in BASELINES},
        "versus": {name: versus(p["model"], p[name], p["y"]) for name in BASELINES},
    }


#: The two baselines every evaluation reports beside the model.
BASELINES = ("group_quantiles", "gbm_uncalibrated")


def versus(q: npt.NDArray[np.float64], base: npt.NDArray[np.float64], y: npt.NDArray[np.float64]) -> dict[str, Any]:
    """The model's mean pinball loss minus a baseline's on the same postings (metrics' pinball_mean of each, one
    minus the other), with its 95% interval: paired, from each posting's difference, by the normal approximation.
    The postings are taken as independent; those of one employer are not, so the interval is if anything too
    narrow. An interval that holds 0 does not make the two equal: the data cannot tell them apart."""
    import numpy as np

    from mlsalary.stats.intervals import z_of

    d = _pinball(q, y).mean(axis=1) - _pinball(base, y).mean(axis=1)
    mean = float(np.mean(d))
    half = z_of() * float(np.std(d, ddof=1)) / len(d) ** 0.5 if len(d) > 1 else float("nan")
    return {"difference": mean, "ci_low": mean - half, "ci_high": mean + half, "n": len(d)}


def _pinball(q: npt.NDArray[np.float64], y: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Each row's pinball loss (rows) at each quantile (columns): metrics averages it by quantile, versus by row."""
    import numpy as np

    taus = np.asarray(QUANTILES)
    d = y[:, None] - q
    return np.maximum(taus * d, (taus - 1) * d)


def predictions(train: pd.DataFrame, test: pd.DataFrame, skills: pd.DataFrame) -> dict[str, Any]:
    """The model trained on `train` (calibrated by its rule) and the two baselines, predicting `test`: log-pay
    quantiles of each (``model``, ``group_quantiles``, ``gbm_uncalibrated``), the truth ``y`` (log pay) and how the
    model was calibrated."""
    import numpy as np

    from mlsalary import children

    model, cats, x_train = fit(train, skills)
    x_test = categorize(training_frame(test, skills), cats)
    from mlsalary.progress import step

    with children.capped_threads() as free, step("fitting the baseline: the same model, uncalibrated"):
        raw = PayQuantileModel(calibrate=False, n_jobs=free).fit(x_train, np.log(train["amount_usd"].to_numpy()))
    return {
        "y": np.log(test["amount_usd"].to_numpy()),
        "model": model.predict_quantiles(x_test),
        "group_quantiles": group_quantiles(train, test),
        "gbm_uncalibrated": raw.predict_quantiles(x_test, calibrated=False),
        "calibration": model.calibration_,
        "calibration_fallback": model.calibration_fallback_,
    }


def segments(q: npt.NDArray[np.float64], y: npt.NDArray[np.float64], test: pd.DataFrame) -> dict[str, Any]:
    """The model's coverage and 80% width by segment (US employers / elsewhere; each level), with n; a segment of
    fewer than the minimum n gets its n only."""
    from mlsalary import stats

    us = (test["company_country"] == "US").to_numpy()
    masks = {"US": us, "elsewhere": ~us, **{lv: (test["level"] == lv).to_numpy() for lv in schema.LEVELS}}
    out: dict[str, Any] = {}
    for name, m in masks.items():
        n = int(m.sum())
        if n < stats.min_n():
            out[name] = {"n": n if n >= stats.PRIVACY_FLOOR else None}
            continue
        full = metrics(q[m], y[m])
        out[name] = {"n": n, **{k: full[k] for k in ("coverage_50", "coverage_80", "width_80")}}
    return out


def _file_rows(path: Path, listed: pd.DataFrame) -> pd.DataFrame:
    """The ML postings of an aijobs-format file minus those already listed in the loaded aijobs data, counting
    multiplicity against every listing (re-listings included: the model learnt from one copy of a re-listed posting,
    so a copy in the test file is not unseen)."""
    from mlsalary.errors import InsufficientData
    from mlsalary.sources import FetchedFile, aijobs, retrieve, textfile

    if not path.exists():
        raise InsufficientData(f"test data {path} does not exist: pass an aijobs.net-format CSV")
    from mlsalary.store import units_of

    textfile.require_regular(path, aijobs.META.name)  # a regular file of a sane size, before it is hashed
    parsed = aijobs.parse([FetchedFile(path, retrieve.sha256_of(path), f"user:{path}")]).observations
    if parsed is None or parsed.empty:
        raise InsufficientData(f"{path.name} holds no usable rows")
    rows = units_of(parsed)  # one per posting, at its midpoint, as the model was trained
    from mlsalary.disclosure import own_currency

    rows = rows[rows["role"].isin(schema.ML_ROLES) & rows["amount_usd"].notna() & own_currency(rows)].copy()
    seen = listed[listed["source"] == "aijobs"]

    def key(df: pd.DataFrame) -> pd.Series:
        typed = df[list(MATCH_COLUMNS)].astype({"year": "int64", "amount_local": "float64", "amount_usd": "float64"})
        return typed.astype(str).agg("|".join, axis=1)

    budget = key(seen).value_counts().to_dict()
    keep = []
    for k in key(rows):
        if budget.get(k, 0) > 0:
            budget[k] -= 1
            keep.append(False)
        else:
            keep.append(True)
    return rows[keep].assign(obs_id=lambda d: "test:" + d["obs_id"])

"""Training, saving and loading the pay model.

A trained model is saved (joblib) in MLSALARY_HOME/model/ with its version, the fingerprint of the data it was
trained on (the loaded sources' file checksums and row counts), the categories it knows and a support table (how
many training rows each role x level x country has). Training is deterministic (fixed seeds); estimating never
retrains, except that `estimate` trains a model first when none is saved or the data changed, and says so.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlsalary import config
from mlsalary.model.estimator import _newest_full_year
from mlsalary.model.features import CATEGORICAL, TRAINING_SOURCES, categorize, training_frame

if TYPE_CHECKING:
    import pandas as pd

    from mlsalary.model.estimator import PayQuantileModel

MODEL_VERSION = "1"
MODEL_FILE = "pay_model.joblib"


@dataclass
class TrainedModel:
    model: PayQuantileModel
    categories: dict[str, list[str]]
    support: dict[tuple[str, str, str], int]  # (role, level, company_country) -> training rows
    version: str
    fingerprint: str
    trained_at: str
    latest_year: int
    n_rows: int

    @property
    def model_version(self) -> str:
        return f"{self.version}-{self.fingerprint[:12]}"


def model_path() -> Path:
    return config.home() / "model" / MODEL_FILE


def training_data(years_before: int | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(observations, skills) the model learns from: point pay of the training sources, one row per duplicate group."""
    from mlsalary import store

    names = ", ".join(f"'{s}'" for s in TRAINING_SOURCES)
    where = f"source IN ({names}) AND dup_rank = 1 AND amount_usd IS NOT NULL"
    if years_before is not None:
        where += f" AND year < {int(years_before)}"
    with store.read_only() as con:
        obs = con.sql(f"SELECT * FROM observations WHERE {where} ORDER BY obs_id").df()
        skills = con.sql(f"SELECT obs_id, skill FROM skills WHERE source IN ({names})").df()
    return obs, skills


def fingerprint() -> str:
    """A digest of what the store holds for the training sources (file checksums and row counts)."""
    from mlsalary import store

    with store.read_only() as con:
        rows = con.execute(
            "SELECT name, sha256, rows_loaded FROM sources WHERE name IN "
            f"({', '.join(repr(s) for s in TRAINING_SOURCES)}) ORDER BY name"
        ).fetchall()
    text = json.dumps([MODEL_VERSION, [[r[0], list(r[1]), r[2]] for r in rows]])
    return hashlib.sha256(text.encode()).hexdigest()


def categories_of(x: pd.DataFrame) -> dict[str, list[str]]:
    return {c: sorted(str(v) for v in x[c].dropna().unique()) for c in CATEGORICAL}


def fit(obs: pd.DataFrame, skills: pd.DataFrame) -> tuple[PayQuantileModel, dict[str, list[str]]]:
    """Fit the calibrated model on observations; returns it and the categories it was trained with."""
    import numpy as np

    from mlsalary.errors import InsufficientData
    from mlsalary.model.estimator import PayQuantileModel

    if len(obs) < 100:
        raise InsufficientData(
            f"only {len(obs)} rows with point pay to learn from: pull aijobs (and stackoverflow) first, "
            'e.g. "mlsalary data pull aijobs"'
        )
    x = training_frame(obs, skills)
    cats = categories_of(x)
    model = PayQuantileModel().fit(categorize(x, cats), np.log(obs["amount_usd"].to_numpy()))
    return model, cats


def train(save: bool = True) -> TrainedModel:
    """Train on everything loaded and (by default) save it."""
    obs, skills = training_data()
    model, cats = fit(obs, skills)
    support = {
        (str(r), str(lv), str(c)): int(n)
        for r, lv, c, n in obs.groupby(["role", "level", "company_country"])
        .size()
        .reset_index()
        .itertuples(index=False)
    }
    trained = TrainedModel(
        model=model,
        categories=cats,
        support=support,
        version=MODEL_VERSION,
        fingerprint=fingerprint(),
        trained_at=datetime.now(UTC).isoformat(timespec="seconds"),
        latest_year=int(_newest_full_year(obs["year"].to_numpy(dtype="float64"))),
        n_rows=len(obs),
    )
    if save:
        import joblib

        path = model_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".part")
        joblib.dump(trained, tmp)
        tmp.replace(path)
    return trained


def load() -> TrainedModel | None:
    """The saved model, or None when there is none, it is of another version, or the data changed since."""
    import joblib

    path = model_path()
    if not path.is_file():
        return None
    try:
        trained: TrainedModel = joblib.load(path)
    except Exception:  # a damaged or foreign file: train again
        return None
    if trained.version != MODEL_VERSION or trained.fingerprint != fingerprint():
        return None
    return trained


def load_or_train() -> tuple[TrainedModel, bool]:
    """(model, trained_now): the saved model, or a new one trained and saved when there is none usable."""
    trained = load()
    if trained is not None:
        return trained, False
    return train(save=True), True


def describe(t: TrainedModel) -> dict[str, Any]:
    return {
        "model_version": t.model_version,
        "trained_at": t.trained_at,
        "rows": t.n_rows,
        "latest_year": t.latest_year,
        "calibration": t.model.calibration_,
        "calibration_rows": t.model.calibration_n_,
        "offsets_log": t.model.offsets_,
        "path": str(model_path()),
    }

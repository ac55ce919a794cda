"""Training and saving the pay model.

A trained model is saved in MLSALARY_HOME/model/ (model/compact.py: numpy arrays + JSON) with its version, the
fingerprint of the data it was trained on (the loaded sources' file checksums and row counts), the categories it
knows and a support table (how many training rows each role x level x country has). Training is deterministic
(fixed seeds); estimating never retrains, except that `estimate` trains a model first when none is saved or the data
changed, and says so (model/saved.py).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from mlsalary.model.features import (
    CATEGORICAL,
    MIXED,
    TRAINING_SOURCES,
    categorize,
    population_key,
    training_frame,
    training_where,
)

if TYPE_CHECKING:
    import pandas as pd

    from mlsalary.model.compact import CompactModel
    from mlsalary.model.estimator import PayQuantileModel


def training_data() -> tuple[pd.DataFrame, pd.DataFrame]:
    """(units, skills) the model learns from: point pay of the training sources, one per posting (its midpoint) or
    respondent, the first of each duplicate group (training_where)."""
    from mlsalary import store

    names = ", ".join(f"'{s}'" for s in TRAINING_SOURCES)
    with store.read_only() as con:
        obs = con.sql(f"SELECT * FROM units WHERE {training_where()} ORDER BY obs_id").df()
        skills = con.sql(f"SELECT obs_id, skill FROM skills WHERE source IN ({names})").df()
    return obs, skills


def categories_of(x: pd.DataFrame) -> dict[str, list[str]]:
    return {c: sorted(str(v) for v in x[c].dropna().unique()) for c in CATEGORICAL}


def _too_few(n: int) -> str:
    """Why a model cannot be trained on `n` rows: its sources not pulled — or, in a vintage, held but not yet public
    by its date (a pull would not help)."""
    from mlsalary import store, vintage

    if vintage.current() is not None:
        with store.read_only() as con:
            hidden = {s: d for s, d in vintage.unpublished(con).items() if s in TRAINING_SOURCES}
        if hidden:
            return f"only {n} rows with point pay to learn from: {vintage.not_yet_public(hidden)}"
    return (f"only {n} rows with point pay to learn from: pull aijobs (and stackoverflow) first, e.g. "
            '"mlsalary data pull aijobs"')


def fit(obs: pd.DataFrame, skills: pd.DataFrame) -> tuple[PayQuantileModel, dict[str, list[str]], pd.DataFrame]:
    """Fit the calibrated model on observations; returns it, the categories it was trained with and its inputs."""
    import numpy as np

    from mlsalary.errors import InsufficientData
    from mlsalary.model.estimator import PayQuantileModel

    if len(obs) < 100:
        raise InsufficientData(_too_few(len(obs)))
    from mlsalary import children

    x = training_frame(obs, skills)
    cats = categories_of(x)
    x = categorize(x, cats)
    # The trees' native threads, and the child processes the fits are spread over, to the CPUs free now: on a busy
    # machine no spinning against other processes (one CPU free: one thread, in this process).
    from mlsalary.progress import step

    with children.capped_threads() as free:
        where = f"{free} processes" if free > 1 else "one process (no second CPU free)"
        with step(f"fitting the pay model on {len(obs):,} rows: five quantiles, calibrated across years, in {where}"):
            model = PayQuantileModel(n_jobs=free).fit(x, np.log(obs["amount_usd"].to_numpy()))
    return model, cats, x


def train(save: bool = True) -> CompactModel:
    """Train on everything loaded, export the compact form (checked against scikit-learn) and (by default) save it."""
    from mlsalary.model import compact as compact_
    from mlsalary.model.saved import MODEL_VERSION, fingerprint, model_path
    from mlsalary.progress import step

    with step("reading the training data"):
        obs, skills = training_data()
    model, _, x = fit(obs, skills)
    support = obs.groupby(["role", "level", "company_country"]).size().reset_index(name="n")
    from mlsalary import store

    names = ", ".join(f"'{s}'" for s in TRAINING_SOURCES)
    with store.read_only() as con:
        dated = con.execute(f"SELECT name, data_as_of FROM sources WHERE name IN ({names}) ORDER BY name").fetchall()
    from mlsalary import vintage

    as_of = vintage.current()
    meta = {
        "version": MODEL_VERSION,
        "as_of": None if as_of is None else as_of.isoformat(),
        "fingerprint": fingerprint(),
        "population": population_key(),
        "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "latest_year": estimate_year(obs),
        "rows": len(obs),
        "calibration": model.calibration_,
        "calibration_rows": model.calibration_n_,
        "calibration_fallback": model.calibration_fallback_,
        "support": [[str(r), str(lv), str(c), int(n)] for r, lv, c, n in support.itertuples(index=False)],
        "data_as_of": {name: d.isoformat() for name, d in dated if d is not None},
        "mix": mix_table(obs),
        "groups": group_medians(obs),
        "skill_evidence": skill_evidence(obs, skills),
    }
    with step("exporting the model and checking it against scikit-learn's predictions"):
        compact = compact_.export(model, x, meta)
    if save:
        compact_.save(compact, model_path())
    return compact


def estimate_year(obs: pd.DataFrame) -> int | None:
    """The year the estimate speaks for: the newest full year of its population (aijobs.net postings), found among
    their own rows — a survey whose one year runs past them does not move it; the training rows' own when there are
    no postings."""
    from mlsalary.stats.periods import latest_full_year

    postings = obs.loc[obs["source"] == "aijobs", "year"]
    return latest_full_year((postings if len(postings) else obs["year"]).tolist())


def mix_table(obs: pd.DataFrame) -> list[list[Any]]:
    """[role, level, country, remote, company_size, specialization, postings] of the estimate's population (aijobs.net
    postings as every surface counts them — full-time, one per posting —, the newest full year and the year before):
    what a blank field is averaged over."""
    from mlsalary import disclosure
    from mlsalary.stats.periods import latest_full_year

    aij = disclosure.counted(obs)
    year = latest_full_year(aij["year"].tolist())
    if year is not None:
        aij = aij[aij["year"].isin([year - 1, year])]
    keys = ["role", "level", "company_country", *MIXED]
    counts = aij.groupby(keys, dropna=True).size().reset_index(name="n")
    return [[*(str(v) for v in row[:-1]), int(row[-1])] for row in counts.itertuples(index=False)]


def group_medians(obs: pd.DataFrame) -> list[list[Any]]:
    """[role, level, country, year, n, median, ci_low, ci_high] of every role x level x country group of the estimate's
    population (aijobs.net postings of the newest full year, counted as explore and the figures count them) that they
    can show (n >= the minimum n): what the estimate's median is checked against."""
    from mlsalary import disclosure, stats
    from mlsalary.stats.periods import latest_full_year

    aij = disclosure.counted(obs)
    year = latest_full_year(aij["year"].tolist())
    out: list[list[Any]] = []
    for (role, level, country), grp in aij[aij["year"] == year].groupby(["role", "level", "company_country"]):
        if len(grp) < stats.min_n():
            continue
        e = stats.quantile(grp["amount_usd"].to_numpy(), 0.5)
        out.append([str(role), str(level), str(country), int(year or 0), len(grp), e.value, e.ci_low, e.ci_high])
    return out


def skill_evidence(obs: pd.DataFrame, skills: pd.DataFrame) -> list[dict[str, Any]]:
    """Skill premiums where the data can tell: among Stack Overflow respondents (the only source here that records
    skills) working full time, of one role, level and country, the median pay of those who use a skill against those
    who do not (a ratio of medians with its 95% interval), for groups of at least the minimum n on both sides. Level
    is held as the skill figures hold it: users of Python or an AI library are less experienced, and across levels
    their gap is their experience."""
    from mlsalary import stats
    from mlsalary.model.features import SKILL_FLAGS

    so = obs[(obs["source"] == "stackoverflow") & (obs["employment_type"] == "full_time")]  # as the skill figures
    flags = {k: so["obs_id"].isin(set(skills.loc[skills["skill"] == k, "obs_id"])).to_numpy() for k in SKILL_FLAGS}
    so = so.assign(**{f"_has_{k}": v for k, v in flags.items()})
    out: list[dict[str, Any]] = []
    for (role, level, country), grp in so.groupby(["role", "level", "employee_country"]):  # where people live
        for skill in SKILL_FLAGS:
            has = grp[f"_has_{skill}"].to_numpy()
            a, b = grp.loc[has, "amount_usd"].to_numpy(), grp.loc[~has, "amount_usd"].to_numpy()
            if min(len(a), len(b)) < stats.min_n():
                continue
            r = stats.ratio(stats.quantile(a, 0.5), stats.quantile(b, 0.5))
            if r.value is None or r.ci_low is None or r.ci_high is None:
                continue
            years = sorted(int(y) for y in grp["year"].unique())
            out.append({"role": str(role), "level": str(level), "country": str(country), "skill": skill,
                        "n_with": len(a),
                        "n_without": len(b), "effect_pct": (r.value - 1) * 100, "ci_low_pct": (r.ci_low - 1) * 100,
                        "ci_high_pct": (r.ci_high - 1) * 100, "years": years})  # fmt: skip
    return out


def describe(compact: CompactModel) -> dict[str, Any]:
    from mlsalary.model.saved import model_path, model_version

    m = compact.meta
    return {
        "model_version": model_version(compact),
        "as_of": m.get("as_of"),
        "trained_at": m["trained_at"],
        "rows": m["rows"],
        "latest_year": m["latest_year"],
        "calibration": m["calibration"],
        "calibration_rows": m["calibration_rows"],
        "calibration_fallback": m.get("calibration_fallback"),
        "offsets_log": compact.offsets,
        "path": str(model_path()) + ".npz",
    }

"""The model's inputs: which observation columns it learns from, and how a user's profile becomes one row.

Categorical inputs (pandas categories, handled natively by the gradient-boosting trees): role, specialization,
level, company country, employee country, remote, company size, industry, education, source. Numeric: year, whether
the worker lives outside the employer's country, and skill flags (python, pytorch, tensorflow, spark). A source that
lacks a field leaves it missing (NaN), so its effect is learned only from the sources that have it — the model does
not invent an effect for a field a row never carried.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mlsalary import schema
from mlsalary.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

CATEGORICAL = (
    "role",
    "specialization",
    "level",
    "company_country",
    "employee_country",
    "remote",
    "company_size",
    "industry",
    "education",
    "source",
)
SKILL_FLAGS = ("python", "pytorch", "tensorflow", "spark")
NUMERIC = ("year", "abroad", *(f"skill_{s}" for s in SKILL_FLAGS))
#: Point-pay sources the model learns from. Kaggle's pay bands are interval-censored: quantile regression needs a
#: point target, and a band's midpoint would be a made-up value, so the bands serve the figures, not the model.
TRAINING_SOURCES = ("aijobs", "stackoverflow")

#: Profile fields the estimate's population (aijobs.net postings) always carries: one a user leaves blank is averaged
#: over its distribution among the matching postings (model/estimate.py Mix), never sent down a missing-value branch.
MIXED = ("remote", "company_size", "specialization")
#: The profile every explanation is measured against: a US mid-level ML engineer, remote work, employer size and
#: specialization as the matching postings have them (MIXED).
REFERENCE = {"role": "ml_engineer", "level": "mid", "country": "US"}


class ProfileError(InputError):
    """A profile value the model does not know."""


def training_where() -> str:
    """The rows the model learns from, over the units view: point pay of the training sources, the first of each
    duplicate group, and postings as every surface counts them (abroad, only those stated in the country's own
    currency: disclosure.OWN_CURRENCY)."""
    from mlsalary.disclosure import OWN_CURRENCY

    names = ", ".join(f"'{s}'" for s in TRAINING_SOURCES)
    return (f"source IN ({names}) AND dup_rank = 1 AND amount_usd IS NOT NULL "
            f"AND (source <> 'aijobs' OR {OWN_CURRENCY})")  # fmt: skip


def population_key() -> str:
    """A short hash of training_where(): saved with a model, so that a model trained on other rows (before a rule of
    who counts changed) is trained again (model.saved.current)."""
    import hashlib

    return hashlib.sha256(training_where().encode()).hexdigest()[:16]


def training_frame(obs: pd.DataFrame, skills: pd.DataFrame) -> pd.DataFrame:
    """Observations (point pay, one row per duplicate group) -> the model's input columns."""
    import numpy as np
    import pandas as pd

    x = pd.DataFrame({c: obs[c] for c in CATEGORICAL}, index=obs.index)
    x["year"] = obs["year"].astype("float64")
    abroad = (obs["employee_country"] != obs["company_country"]).astype("float64")
    x["abroad"] = abroad.where(obs["company_country"].notna() & obs["employee_country"].notna(), np.nan)
    has_skills = obs["source"] == "stackoverflow"
    for s in SKILL_FLAGS:
        ids = set(skills.loc[skills["skill"] == s, "obs_id"])
        flag = obs["obs_id"].isin(ids).astype("float64")
        x[f"skill_{s}"] = flag.where(has_skills, np.nan)
    return x


def categorize(x: pd.DataFrame, categories: dict[str, list[str]]) -> pd.DataFrame:
    """Cast the categorical columns to the training categories (unknown values become missing)."""
    import pandas as pd

    out = x.copy()
    for c in CATEGORICAL:
        known = out[c].where(out[c].isin(categories[c]))  # a value unseen in training is unknown (missing)
        out[c] = pd.Categorical(known, categories=categories[c])
    return out


#: The profile's fields that take one of the schema's values, and those values.
PROFILE_CHOICES: dict[str, tuple[str, ...]] = {
    "role": schema.ROLES, "specialization": schema.SPECIALIZATIONS, "level": schema.LEVELS,
    "remote": schema.REMOTE, "company_size": schema.COMPANY_SIZES, "industry": schema.INDUSTRIES,
    "education": schema.EDUCATION_LEVELS,
}  # fmt: skip


def check_choices(profile: dict[str, Any]) -> None:
    """A ProfileError naming the first field whose value is not one of its schema's values (absent fields pass)."""
    for field, allowed in PROFILE_CHOICES.items():
        value = profile.get(field)
        if value is not None and str(value) not in allowed:
            raise ProfileError(f"unknown {field.replace('_', ' ')} {value!r}: choose one of {', '.join(allowed)}",
                               field)  # fmt: skip


def profile_values(profile: dict[str, Any], categories: dict[str, list[str]], year: int) -> dict[str, Any]:
    """A user's profile -> the model's input values (plain Python). Raises ProfileError naming the field and the
    valid values."""
    from mlsalary.normalize import geo

    check_choices(profile)

    def pick(field: str) -> Any:
        value = profile.get(field)
        return None if value is None else str(value)

    country = profile.get("country")
    iso = geo.require_iso2(country) if country else None
    if iso and iso not in categories["company_country"]:
        raise ProfileError(
            f"no training data for country {iso}: choose one of {', '.join(sorted(categories['company_country']))}",
            "country",
        )
    values: dict[str, Any] = {
        "role": pick("role"),
        "specialization": pick("specialization"),
        "level": pick("level"),
        "company_country": iso,
        "employee_country": iso,
        "remote": pick("remote"),
        "company_size": pick("company_size"),
        "industry": pick("industry"),
        "education": pick("education"),
        "source": "aijobs",
        "year": float(year),
        "abroad": 0.0 if iso else None,
    }
    for s in SKILL_FLAGS:
        # Skills are known only for survey respondents: an estimate for a posting never sets them (estimate.py shows
        # what the data says about each skill beside the range instead).
        values[f"skill_{s}"] = None
    return values

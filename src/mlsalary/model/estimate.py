"""A personal pay estimate: the calibrated range for a profile, what moves it, and how much data stands behind it.

- **Range**: p10, p25, p50, p75, p90 of annual pay in US dollars for the latest year the model has learned, on
  the aijobs.net scale (posted ranges and self-reports).
- **Support**: the training records with the same role, level and country. Fewer than 5: no estimate (the reason is
  given). Fewer than 30: the profile is flagged as outside the data's support and its range is widened by
  sqrt(30 / n) around the median (a documented heuristic: thin data, wider range). No silent extrapolation.
- **Contributions**: the change in the median when one input is set back to the reference profile (a US mid-level
  ML engineer at a large employer, on-site) — counterfactual predictions, not coefficients.
- **Metro** (US only): BLS's published median for data scientists in that metro relative to the national median
  (OEWS, latest year) scales the whole range.
"""

from __future__ import annotations

import math
from typing import Any

from mlsalary import stats
from mlsalary.errors import InsufficientData
from mlsalary.model.features import REFERENCE, ProfileError, profile_values
from mlsalary.model.saved import load_or_train, model_version
from mlsalary.normalize import geo, levels

QUANTILE_KEYS = ("p10", "p25", "p50", "p75", "p90")
FIELDS = tuple(REFERENCE)  # the inputs measured against the reference profile


def _profile(
    role: str,
    level: str | None,
    country: str,
    years_experience: float | None,
    **optional: Any,
) -> dict[str, Any]:
    from mlsalary import schema

    if role not in schema.ROLES:
        raise ProfileError(f"unknown role {role!r}: choose one of {', '.join(schema.ROLES)}", "role")
    if years_experience is not None and years_experience < 0:
        raise ProfileError(f"years of experience must be 0 or more, not {years_experience:g}", "years_experience")
    if level is None:
        level = levels.level_from_years(years_experience)
    if level is None:
        raise ProfileError("give a level (entry, mid, senior, executive) or years of experience", "level")
    return {"role": role, "level": level, "country": country, **{k: v for k, v in optional.items() if v}}


def metro_factor(metro: str) -> tuple[float, str]:
    """BLS's published data-scientist median in a metro / the national median (OEWS, latest year)."""
    from mlsalary import wages

    local = wages.lookup("15-2051", metro)
    national = wages.lookup("15-2051", "national", local["year"])
    if not local.get("annual_median") or not national.get("annual_median"):
        raise InsufficientData(f"BLS publishes no data-scientist median for {local['area']}")
    return local["annual_median"] / national["annual_median"], str(local["area"])


def estimate(
    role: str,
    level: str | None = None,
    country: str = "US",
    years_experience: float | None = None,
    metro: str | None = None,
    remote: str | None = None,
    company_size: str | None = None,
    industry: str | None = None,
    education: str | None = None,
    specialization: str | None = None,
    skills: list[str] | None = None,
) -> dict[str, Any]:
    """The estimate for a profile (the JSON of `mlsalary estimate --json`)."""
    import numpy as np

    optional = {"remote": remote, "company_size": company_size, "industry": industry, "education": education,
                "specialization": specialization, "skills": skills}  # fmt: skip
    profile = _profile(role, level, country, years_experience, **optional)
    iso = geo.require_iso2(country)
    if metro and iso != "US":
        raise ProfileError(f"--metro is for US metros only; the country is {country}", "metro")
    model, trained_now = load_or_train()
    year = int(model.meta["latest_year"])
    # The profile and its counterfactuals (one input set back to the reference, or left out), in one pass.
    changes: list[tuple[str, Any, Any, dict[str, Any]]] = []
    for field in FIELDS:
        if field in profile and profile[field] != REFERENCE[field]:
            if field == "country" and iso == REFERENCE["country"]:
                continue
            changes.append((field, REFERENCE[field], profile[field], {**profile, field: REFERENCE[field]}))
    for field in ("industry", "education", "specialization", "skills"):
        if field in profile:
            shown = ", ".join(profile[field]) if field == "skills" else profile[field]
            changes.append((field, None, shown, {k: v for k, v in profile.items() if k != field}))
    rows = [profile_values(p, model.categories, year) for p in (profile, *(c[3] for c in changes))]
    all_q = model.quantiles(model.encode(rows))
    q = np.exp(all_q[0])
    counters = [float(math.exp(v)) for v in all_q[1:, 2]]
    support_n = model.support().get((profile["role"], profile["level"], str(iso)), 0)
    notes = ["No model was saved, or the data changed since: a model was trained now."] if trained_now else []
    if support_n < stats.PRIVACY_FLOOR:
        raise InsufficientData(
            f"fewer than {stats.PRIVACY_FLOOR} training records for a {profile['level']} {profile['role']} in "
            f"{iso}: too few for an honest range; try a neighbouring level or role, or another country"
        )
    in_support = support_n >= stats.min_n()
    base = float(q[2])
    if not in_support:
        widen = math.sqrt(stats.min_n() / support_n)
        q = q[2] * np.exp((np.log(q) - np.log(q[2])) * widen)
        notes.append(
            f"Outside the data's support: only {support_n} similar records (fewer than {stats.min_n()}); "
            f"the range is widened by {widen:.2f}x around the median."
        )
    contributions = [
        {"feature": f, "from": a, "to": b, "effect_usd": round(base - m)}
        for (f, a, b, _), m in zip(changes, counters, strict=True)
    ]
    if metro:
        factor, area = metro_factor(metro)
        contributions.append({"feature": "metro", "from": "national", "to": area,
                              "effect_usd": round(float(q[2]) * (factor - 1))})  # fmt: skip
        q = q * factor
        notes.append(f"Scaled by BLS's data-scientist median in {area} relative to the US ({factor:.2f}x).")
    return {
        "currency": "USD",
        "year": year,
        **{k: round(float(v)) for k, v in zip(QUANTILE_KEYS, q, strict=True)},
        "support_n": support_n,
        "in_support": in_support,
        "contributions": contributions,
        "model_version": model_version(model),
        "reference": REFERENCE,
        "data": data_age(model.meta.get("data_as_of", {})),
        "notes": notes,
    }


def data_age(as_of: dict[str, str]) -> list[dict[str, Any]]:
    """The model's training sources with the date their data is as of, its age in months and any stale warning."""
    from mlsalary import age

    return [{"source": name, **age.of_source(name, d)} for name, d in sorted(as_of.items())]

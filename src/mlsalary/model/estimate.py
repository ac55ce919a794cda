"""A personal pay estimate: the calibrated range for a profile, what moves it, and how much data stands behind it.

- **Range**: p10, p25, p50, p75, p90 of annual pay in US dollars for the latest year the model has learned, on
  the scale of aijobs.net postings (one value per posting: its posted range's midpoint).
- **Support**: the training records with the same role, level and country. Fewer than 5: no estimate (the reason is
  given). Fewer than 30: the profile is flagged as outside the data's support and its range is widened by
  sqrt(30 / n) around the median (a documented heuristic: thin data, wider range). No silent extrapolation.
- **A blank field means "any"**: remote work, company size and specialization left blank are averaged over their
  distribution among the matching postings (``Mix``), never sent down a missing-value branch.
- **Contributions**: a path from the reference profile (a US mid-level ML engineer, other fields "any") to the
  user's, one field at a time; each step's change of the median is that field's effect, and they add up to
  p50 - reference_p50. Counterfactual predictions, not coefficients.
- **Skills** never move the range; each skill given gets the evidence the data has for the same role, level and
  country (``skill_note``).
- **Metro** (US only): the city's pay factor scales the whole range — measured on H-1B filings of the role by
  worksite, else data scientists' filings, else BLS's data-scientist ratio, named (mlsalary.cities: the rule); the
  answer's ``city_factor`` says which, with its interval and n.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from mlsalary import disclosure, stats
from mlsalary.errors import InsufficientData
from mlsalary.model.features import MIXED, REFERENCE, ProfileError, check_choices, profile_values
from mlsalary.model.saved import current, load_or_train, model_version
from mlsalary.normalize import geo, levels

QUANTILE_KEYS = ("p10", "p25", "p50", "p75", "p90")


def _profile(
    role: str,
    level: str | None,
    country: str,
    years_experience: float | None,
    **optional: Any,
) -> dict[str, Any]:
    check_choices({"role": role})
    if years_experience is not None and not 0 <= years_experience <= 60:  # NaN fails this too
        raise ProfileError(f"years of experience must be a number from 0 to 60, not {years_experience:g}",
                           "years_experience")  # fmt: skip
    if level is None:
        level = levels.level_from_years(years_experience)
    if level is None:
        raise ProfileError("give a level (entry, mid, senior, executive) or years of experience", "level")
    profile = {"role": role, "level": level, "country": country, **{k: v for k, v in optional.items() if v}}
    check_choices(profile)  # before any model is loaded or trained
    return profile


def metro_factor(metro: str, role: str) -> dict[str, Any]:
    """The US metro's pay factor for a role: measured on H-1B filings of the role (else data scientists'), else BLS's
    data-scientist ratio, named (mlsalary.cities: the rule). One factor for the estimate, the start card, the offer's
    market position and its negotiation."""
    from mlsalary import cities

    return cities.factor(metro, role)


def _a(word: str) -> str:
    """The word with its article: "an entry", "a mid"."""
    return f"{'an' if word[:1].lower() in 'aeiou' else 'a'} {word}"


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
    currency: str = "USD",
    on_train: Callable[[], None] | None = None,
) -> dict[str, Any]:
    """The estimate for a profile (the JSON of `mlsalary estimate --json`); every field is checked before a model is
    loaded or trained (`on_train()` is told when one must be trained first). The quantiles are in `currency`,
    converted from US dollars at the estimate year's average ECB rate (`conversion`), and so are the reference
    median and each contribution's `effect`; `usd`, `reference_p50_usd` and `effect_usd` keep the dollars."""
    import numpy as np

    from mlsalary.normalize import money

    currency = money.require_currency(currency)

    optional = {"remote": remote, "company_size": company_size, "industry": industry, "education": education,
                "specialization": specialization}  # fmt: skip
    profile = _profile(role, level, country, years_experience, **optional)
    iso = geo.require_iso2(country)
    profile["country"] = iso
    if metro and iso != "US":
        raise ProfileError(f"a metro is for US metros only; the country is {country}", "metro")
    given_skills = check_skills(skills)
    scale = metro_factor(metro, role) if metro else None
    if on_train is not None and current() is None:
        on_train()
    model, trained_now = load_or_train()
    year = int(model.meta["latest_year"])
    mix = Mix.of(model)
    # The path from the reference profile to the user's, one field at a time: each step's change of the median is
    # that field's contribution, and the steps add up to (answer - reference answer).
    path, steps = [dict(REFERENCE)], []
    for field in PATH:
        before, after = path[-1].get(field), profile.get(field)
        if before == after:
            continue
        nxt = {k: v for k, v in path[-1].items() if k != field}
        if after is not None:
            nxt[field] = after
        path.append(nxt)
        steps.append((field, before, after if after is not None else "any"))
    expanded = [mix.expand(p) for p in path]
    rows = [profile_values(v, model.categories, year) for rows_, _ in expanded for v in rows_]
    all_q = model.quantiles(model.encode(rows))
    qs, at = [], 0
    for rows_, weights in expanded:  # Vincent averaging: the weighted mean of each quantile over the mix
        w = np.asarray(weights, dtype="float64")
        qs.append((all_q[at:at + len(rows_)] * w[:, None]).sum(axis=0) / w.sum())
        at += len(rows_)
    q = np.exp(qs[-1])
    medians = [round(float(math.exp(x[2]))) for x in qs]
    degrees = None
    if profile.get("education"):  # the same profile with each degree: master's vs PhD beside the one given
        degrees = {}
        for degree in dict.fromkeys((*DEGREES, profile["education"])):
            rows_, weights = mix.expand({**path[-1], "education": degree})
            dq = model.quantiles(model.encode([profile_values(v, model.categories, year) for v in rows_]))
            w = np.asarray(weights, dtype="float64")
            degrees[degree] = float(math.exp(float((dq[:, 2] * w).sum() / w.sum())))
    support_n = model.support().get((profile["role"], profile["level"], str(iso)), 0)
    notes = ["No model was saved, or the data changed since: a model was trained now."] if trained_now else []
    if support_n < stats.PRIVACY_FLOOR:
        raise InsufficientData(
            f"fewer than {stats.PRIVACY_FLOOR} training records for {_a(profile['level'])} "
            f"{profile['role'].replace('_', ' ')} in "
            f"{iso}: too few for an honest range; try a neighbouring level or role, or another country"
        )
    in_support = support_n >= stats.min_n()
    if not in_support:
        widen = math.sqrt(stats.min_n() / support_n)
        q = q[2] * np.exp((np.log(q) - np.log(q[2])) * widen)
        notes.append(
            f"Outside the data's support: fewer than {stats.min_n()} similar records; the range is widened by "
            f"{widen:.2f}x around the median."
        )
    contributions: list[dict[str, Any]] = [
        {"feature": f, "from": a, "to": b, "effect_usd": medians[i + 1] - medians[i]}
        for i, (f, a, b) in enumerate(steps)
    ]
    evidence = model.meta.get("skill_evidence", [])
    group = group_check(profile, round(float(q[2])), model.meta.get("groups", []))
    if group and group["agrees"] is False:
        notes.append(
            f"The model's median differs from the median of this group's own (about {group['n']:,}) postings of "
            f"{group['year']} (${group['median']:,.0f}, 95% interval ${group['ci_low']:,.0f}-"
            f"${group['ci_high']:,.0f}): the model also learns from neighbouring groups and years, which pulls a "
            "group toward them."
        )
    averaged = mix.basis(profile)
    if averaged:
        notes.append(averaged)
    if scale:  # resolved before the model was loaded or trained: a place that is not a metro fails first
        unscaled = round(float(q[2]))
        q = q * scale["value"]
        contributions.append({"feature": "metro", "from": "national", "to": scale["metro"],
                              "effect_usd": round(float(q[2])) - unscaled})  # fmt: skip
        notes.append(f"Scaled by the city's pay factor: {scale['text']}.")
    if degrees is not None:
        factor = scale["value"] if scale else 1.0
        degrees = {k: round(v * factor) for k, v in degrees.items()}
    usd = {k: round(float(v)) for k, v in zip(QUANTILE_KEYS, q, strict=True)}
    if not metro:
        usd["p50"] = medians[-1]  # the path's own rounding, so the contributions add up to the cent
    conv = money.conversion(currency, year)
    out = {k: round(v * conv["per_usd"]) for k, v in usd.items()}
    step_from: int = medians[0]  # each step in the answer's currency: the difference of its two ends, each converted
    for c in contributions:  # and rounded as the medians are, so the effects still add up to p50 - reference_p50
        step_to = step_from + c["effect_usd"]
        c["effect"] = round(step_to * conv["per_usd"]) - round(step_from * conv["per_usd"])
        step_from = step_to
    degree_answer = None
    if degrees is not None:
        by = {k: round(v * conv["per_usd"]) for k, v in degrees.items()}
        degree_answer = {"median_by_degree": by, "median_by_degree_usd": degrees, "figures": list(EDUCATION_FIGURES)}
        notes.append(education_note(by, currency))
    if currency != "USD":
        notes.append(f"In {currency}: {conv['text']}; the model and its data are in USD.")
    nearest = None
    if not in_support:  # the same rule as the start card and explore: name the nearest group that has data
        from mlsalary.groups import market

        near = market(profile["role"], profile["level"], str(iso), conv["per_usd"])
        if near["available"]:
            q = near["quantiles"]
            years_ = f"{near['years'][0]}–{near['years'][-1]}" if len(near["years"]) > 1 else str(near["years"][0])
            nearest = {k: near[k] for k in ("group", "n", "years", "exact")} | {"p50": q["p50"]["value"],
                                                                                "p10": q["p10"]["value"],
                                                                                "p90": q["p90"]["value"]}  # fmt: skip
            notes.append(f"What the postings say: {near['group']}, {years_}: median {q['p50']['value']:,} "
                         f"{currency} (8 in 10 between {q['p10']['value']:,} and {q['p90']['value']:,}), "
                         f"n about {near['n']:,}.")  # fmt: skip
    return {
        "currency": currency,
        "year": year,
        **out,
        "support_n": disclosure.published(support_n),  # as every count is printed (mlsalary.disclosure)
        "in_support": in_support,
        "reference_p50": round(medians[0] * conv["per_usd"]),  # in `currency`, as p10 ... p90
        "group": group,
        "contributions": contributions,
        "skills": [skill_note(sk, profile["role"], str(profile["level"]), str(iso), evidence) for sk in given_skills],
        "model_version": model_version(model),
        "as_of": model.meta.get("as_of"),  # the vintage the model was trained at (--as-of); None: all data pulled
        "conversion": conv,
        "usd": usd,
        "reference_p50_usd": medians[0],
        "nearest": nearest,  # outside the data's support: the nearest group of postings that has data
        "city_factor": scale,  # a US metro's pay factor and its basis (mlsalary.cities), or None
        "education": degree_answer,  # the profile's median with each degree; why it may differ from the figures
        "counts": disclosure.COUNTS_NOTE,
        "reference": REFERENCE,
        "data": data_age(model.meta.get("data_as_of", {})),
        "notes": notes,
    }


#: The figures on education the estimate's education step is set beside (figures/work.py), and the degrees they
#: compare, shown for every profile that gives one (with the one given, if another).
EDUCATION_FIGURES = ("education-early-career", "education-experienced")
DEGREES = ("bachelor", "master", "doctorate")


def education_note(by_degree: dict[str, int], currency: str) -> str:
    """What the estimate says about degrees, and why it need not agree with the education figures."""
    medians = ", ".join(f"{k.replace('_', ' ')} {v:,}" for k, v in by_degree.items())
    return (f"Education, for this profile, the median by degree: {medians} {currency}. Postings do not record "
            "degrees: the model learns them from survey respondents (Stack Overflow, Kaggle) with role, level, "
            "country and the other fields held fixed. The education figures (" + ", ".join(EDUCATION_FIGURES) + ") "
            "compare US Kaggle respondents at one level within role, nothing else held fixed: another population and "
            "another comparison, so the two can disagree.")  # fmt: skip


def group_check(profile: dict[str, Any], median: int, groups: list[list[Any]]) -> dict[str, Any] | None:
    """The profile's role x level x country group as the figures and explore show it (its postings' median and 95%
    interval, newest full year), and whether the estimate's median lies inside that interval — judged for a profile
    that names nothing else (None otherwise)."""
    for role, level, country, year, n, med, lo, hi in groups:
        if (role, level, country) == (profile["role"], profile["level"], profile["country"]):
            bare = not any(profile.get(f) for f in PATH[3:])
            agrees = (lo is not None and hi is not None and lo <= median <= hi) if bare else None
            return {"year": year, "n": disclosure.published(n), "median": med, "ci_low": lo, "ci_high": hi,
                    "agrees": agrees}  # fmt: skip
    return None


#: The order in which the path from the reference profile reaches the user's (see estimate()).
PATH = ("role", "level", "country", "remote", "company_size", "specialization", "industry", "education")


class Mix:
    """What a blank field means: the distribution of remote work, company size and specialization among the
    estimate's population (aijobs.net postings of the latest two years) with the same role, level and country —
    relaxed to the same role and level, then role, then all postings, when that group has none."""

    LEVELS = (((0, 1, 2), "role, level and country"), ((0, 1), "role and level"), ((0,), "role"), ((), "all postings"))
    _cache: dict[str, Mix] = {}  # noqa: RUF012  (one per model version, built once per process)

    def __init__(self, table: list[list[Any]]) -> None:
        self.index: dict[tuple[Any, ...], list[list[Any]]] = {}
        for row in table:
            for keys, _ in self.LEVELS:
                self.index.setdefault((keys, *(row[k] for k in keys)), []).append(row)

    @classmethod
    def of(cls, model: Any) -> Mix:
        key = model_version(model)
        if key not in cls._cache:
            cls._cache.clear()
            cls._cache[key] = cls(model.meta.get("mix", []))
        return cls._cache[key]

    def matches(self, p: dict[str, Any]) -> tuple[list[list[Any]], str]:
        given = [(i + 3, p[f]) for i, f in enumerate(MIXED) if p.get(f) is not None]
        want = (p.get("role"), p.get("level"), p.get("country"))
        for keys, label in self.LEVELS:
            rows = self.index.get((keys, *(want[k] for k in keys)), [])
            found = [r for r in rows if all(r[k] == v for k, v in given)] if given else rows
            if found:
                return found, label
        return [], ""

    def expand(self, p: dict[str, Any]) -> tuple[list[dict[str, Any]], list[float]]:
        """The profile as weighted rows: every blank mixed field filled with each value the matching postings have."""
        free = [f for f in MIXED if p.get(f) is None]
        found, _ = self.matches(p) if free else ([], "")
        if not found:
            return [p], [1.0]
        weights: dict[tuple[str, ...], float] = {}
        for r in found:
            key = tuple(r[3 + MIXED.index(f)] for f in free)
            weights[key] = weights.get(key, 0.0) + float(r[-1])
        rows = [{**p, **dict(zip(free, key, strict=True))} for key in weights]
        return rows, list(weights.values())

    def basis(self, p: dict[str, Any]) -> str:
        free = [f for f in MIXED if p.get(f) is None]
        found, label = self.matches(p)
        if not free or not found:
            return ""
        n = sum(int(r[-1]) for r in found)
        fields = ", ".join(f.replace("_", " ") for f in free)
        return (f"Not given, so averaged over the matching postings ({disclosure.count_text(n)}: same {label}, "
                "full-time, latest two years): "
                f"{fields}.")  # fmt: skip



def check_skills(skills: list[str] | None) -> list[str]:
    """Skills as given (repeatable, or comma lists), checked against the ones the data records."""
    from mlsalary.model.features import SKILL_FLAGS

    out = [s.strip().lower() for item in skills or [] for s in str(item).split(",") if s.strip()]
    unknown = [s for s in out if s not in SKILL_FLAGS]
    if unknown:
        raise ProfileError(f"unknown skill {unknown[0]!r}: the data records {', '.join(SKILL_FLAGS)}", "skills")
    return list(dict.fromkeys(out))


def skill_note(skill: str, role: str, level: str, country: str, evidence: list[dict[str, Any]]) -> dict[str, Any]:
    """What the data can say about a skill for this role, level and country — never applied to the range: skills
    are known only for Stack Overflow's respondents, so an effect is shown only within the same role, level and
    country (as the skill figures hold role and level), with its interval and population."""
    for e in evidence:
        if (e["skill"], e["role"], e["level"], e["country"]) == (skill, role, level, country):
            years = "–".join(str(y) for y in sorted({e["years"][0], e["years"][-1]}))
            return {"skill": skill, "known": True, "effect_pct": round(e["effect_pct"], 1),
                    "ci_low_pct": round(e["ci_low_pct"], 1), "ci_high_pct": round(e["ci_high_pct"], 1),
                    "population": f"Stack Overflow respondents, {role} in {country}, {years}, {level} level: "
                                  f"{e['n_with']:,} use {skill}, {e['n_without']:,} do not",
                    "applied": False}  # fmt: skip
    return {"skill": skill, "known": False, "applied": False,
            "reason": f"the data cannot tell: only Stack Overflow's survey records skills, and it has fewer than "
                      f"{stats.min_n()} {level} {role} respondents in {country} with or without {skill}"}  # fmt: skip


def data_age(as_of: dict[str, str]) -> list[dict[str, Any]]:
    """The model's training sources with the date their data is as of, its age in months and any stale warning."""
    from mlsalary import age

    return [{"source": name, **age.of_source(name, d)} for name, d in sorted(as_of.items())]

"""What a figure is and what measuring one gives: a figure's declaration (FigureDef), a measure's result (Out)
and its refusals (TooThin, MissingYears), the caveats several figures share, and the builders every topic uses (a
median, a gap, a comparison within strata, OEWS's published values with their sampling error). No number is typed
here: every value comes out of the data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mlsalary import disclosure, schema, stats
from mlsalary import sources as registry
from mlsalary.figures.data import PAY_COLUMNS, Data, estimate, group
from mlsalary.figures.model import Group

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class FigureDef:
    id: str
    topic: str
    question: str
    value_unit: str  # what the value is in: usd, percent, share, ratio
    sources: tuple[str, ...]
    definition: str
    compute: Callable[[Data], Out]
    duplicate_policy: str | None = None
    caveats: tuple[str, ...] = ()
    chart: str = ""
    #: What one counted record is (schema.COUNT_UNITS); empty: the count unit its sources declare
    #: (SourceMeta.count_unit: postings for aijobs.net, respondents for surveys, published aggregate for OEWS).
    #: The figure's data is bound to it (figures.data.Data.bind): n, suppression and intervals count these.
    count_unit: str = ""
    #: For a yes-no or trend question, the direction it asks about: +1 (more, rising), -1 (less, shrinking), 0 (about
    #: the same?); None for "how much" and "which" questions. The headline answers it with the verdict rule
    #: (stats.verdict) on the figure's interval — on the change within the era for a share's trend.
    asks: int | None = None
    #: What a how-much or which figure's headline says (figures.headline), a template: {value} (the figure's value),
    #: {top} and {bottom} (the first and last shown groups of its breakdown), {groups} (every group with its value,
    #: interval and n); empty: "its question: {value}". Yes-no and trend questions are answered by the verdict rule.
    says: str = ""
    #: What a comparison holds fixed within its population (names in STRATA): it is measured within each combination
    #: of their values and pooled (``within``; a share's change: trends.share_by_year). The measure reads them from
    #: here through its data (``Data.strata``), so the declaration is what is computed; empty: nothing held within.
    strata: tuple[str, ...] = ()

    @property
    def unit(self) -> str:
        if self.count_unit:
            return self.count_unit
        from mlsalary import sources

        units = {sources.meta(s).count_unit for s in self.sources}
        if len(units) != 1:
            raise ValueError(f"figure {self.id}: its sources count different units ({', '.join(sorted(units))})")
        return units.pop()


#: The strata a comparison may hold fixed (FigureDef.strata): how each is said, and each row's stratum.
STRATA: dict[str, tuple[str, Callable[[pd.DataFrame], Any]]] = {
    "role": ("role", lambda df: df["role"]),
    "level": ("level", lambda df: df["level"]),
    "year": ("year", lambda df: df["year"]),
    "metro": ("metro", lambda df: df["metro"]),
    "company_country": ("employer country", lambda df: df["company_country"]),
    "employer_region": ("employer country (US or elsewhere)",
                        lambda df: (df["company_country"] == "US").map({True: "US", False: "elsewhere"})),
}  # fmt: skip
#: The columns a stratum reads, where they are not its own name (within narrows its rows to what it reads).
STRATUM_COLUMNS = {"employer_region": ("company_country",)}


def reads(strata: tuple[str, ...]) -> list[str]:
    """The columns ``within`` reads for these strata: theirs, the pay an estimate reads, the year."""
    return list(dict.fromkeys([*(c for s in strata for c in STRATUM_COLUMNS.get(s, (s,))), *PAY_COLUMNS, "year"]))


def said(strata: tuple[str, ...] | list[str]) -> str:
    """Strata as a reader is told them: ("role", "level") -> "role and level"; none: "mix" (nothing held)."""
    words = [STRATA[s][0] for s in strata] or ["mix"]
    return " and ".join(words) if len(words) < 3 else ", ".join(words[:-1]) + " and " + words[-1]


def stratum_of(df: pd.DataFrame, strata: tuple[str, ...]) -> pd.Series:
    """Each row's stratum: the values of the declared strata, joined ("ml_engineer, senior"); no strata: one stratum
    of every row (nothing held fixed)."""
    import pandas as pd

    if not strata:
        return pd.Series("all", index=df.index)
    unknown = [s for s in strata if s not in STRATA]
    if unknown:
        raise ValueError(f"unknown strata {unknown}: one of {', '.join(STRATA)}")
    parts = [STRATA[s][1](df).astype(str) for s in strata]
    key = parts[0]
    for p in parts[1:]:
        key = key + ", " + p
    return key


LATEST_US_ML = (
    "US-based full-time ML engineers (aijobs.net postings, latest full year, pooled with the year before when a "
    "group is thin; one value per distinct posting: its posted range's midpoint)"
)
ONE = "one_per_group"
AIJ, OEWS, KAG, SO = ("aijobs",), ("oews",), ("kaggle-survey",), ("stackoverflow",)


AIJOBS_CAVEAT = (
    "aijobs.net: almost all records are employers' posted salary ranges (two rows each), a few single values; "
    "each posting counts once, at its range's midpoint, and a posting listed again counts once. A selected sample, "
    "not a random one: employers who post a range on an AI job board, more often in pay-transparency states, "
    "high-paying metros and senior roles — its medians sit above BLS's for the same occupations."
)


OEWS_CAVEAT = (
    "BLS OEWS: base wages only (no bonus or stock), employees only, top-coded at the published cap; "
    "the relative standard error BLS publishes is of the mean wage. Every employer of the occupation, surveyed: "
    "beside aijobs.net's posted ranges (a selected sample of employers posting on an AI job board) it is lower."
)


OEWS_TREND_CAVEAT = "BLS warns that OEWS estimates are not designed for comparisons over time."


#: Kaggle asks no employment type. A US answer whose whole pay band lies below this is not full-time work (a
#: full-time year at the federal minimum wage is $7.25 x 2,080 h = $15,080, inside the $15,000-19,999 band): it is a
#: student's stipend, part-time work or a misreading, and is left out of every Kaggle figure.
KAGGLE_FULL_TIME_FLOOR_USD = 20_000


KAGGLE_CAVEAT = (
    "Kaggle survey: pay in USD bands (interval-censored); respondents choose to take the survey; "
    "levels come from years of coding; answers below a full-time salary's band "
    f"(${KAGGLE_FULL_TIME_FLOOR_USD:,}) are left out."
)


SO_CAVEAT = "Stack Overflow survey: self-reported pay of developers who chose to answer; implausible pay quarantined."


NO_STOCK = "Base or self-reported annual pay; no open source here separates bonus and stock."


#: n_min of a published aggregate: never suppressed (BLS applies its own release rules).
PUBLISHED = 10**9


PRACTITIONERS = ("ml_engineer", "research_scientist", "applied_scientist", "mlops_engineer", "ai_engineer")


KAGGLE_ROLES = (*schema.ML_ROLES, "data_scientist")


HUBS = {
    "San Francisco": "San Francisco-Oakland",
    "San Jose": "San Jose-Sunnyvale-Santa Clara",
    "Seattle": "Seattle-Tacoma-Bellevue",
    "New York": "New York-Newark-Jersey City",
}


COUNTRIES = {"US": "United States", "GB": "United Kingdom", "DE": "Germany", "CA": "Canada", "IN": "India"}


@dataclass
class Out:
    """A computed headline: either an estimate or a ratio (as a % gap when `percent`), with its breakdown."""

    stat: stats.Estimate | stats.Ratio | None
    n_min: int  # the smallest group behind the headline (what suppression looks at)
    n: int  # all records behind the headline
    years: list[int]
    groups: list[Group] = field(default_factory=list)
    percent: bool = False
    caveats: list[str] = field(default_factory=list)
    rse: float | None = None
    method: str = ""
    group_unit: str = "usd"  # the unit of the breakdown's values
    extra: dict[str, float | None] = field(default_factory=dict)
    compared: list[tuple[str, int]] = field(default_factory=list)  # a comparison's groups and their n
    held_fixed: str = ""  # what the comparison's population holds fixed (US, full-time, one year, ...), in words
    strata: tuple[str, ...] = ()  # what it was held within (FigureDef.strata), when it was
    raw: stats.Ratio | None = None  # a held-fixed comparison's unadjusted gap (same population, nothing held), a ratio


class TooThin(LookupError):
    """The comparable groups a figure needs are too thin: it is suppressed with this reason, never answered with a
    confounded number. `years`: the years it looked at (its period is still said)."""

    def __init__(self, reason: str, years: list[int] | None = None) -> None:
        super().__init__(reason)
        self.years = years or []


def years_of(df: pd.DataFrame) -> list[int]:
    return sorted(int(y) for y in df["year"].unique())


def median_out(df: pd.DataFrame, groups: list[Group] | None = None, q: float = 0.5) -> Out:
    e = estimate(df, q)
    return Out(e, e.n, e.n, years_of(df), groups or [], method=e.method)


def gap_out(a: pd.DataFrame, b: pd.DataFrame, groups: list[Group] | None = None, *, labels: tuple[str, str]) -> Out:
    """(median of a) / (median of b) - 1, as a percent; the breakdown is `groups`, or both medians under `labels`
    (which also name the compared groups)."""
    ea, eb = estimate(a), estimate(b)
    r = stats.ratio(ea, eb)
    rows = groups if groups is not None else [group(labels[0], ea), group(labels[1], eb)]
    return Out(
        r, min(ea.n, eb.n), ea.n + eb.n, sorted(set(years_of(a)) | set(years_of(b))), rows, True, method=r.method,
        compared=[(labels[0], ea.n), (labels[1], eb.n)],
    )


def _count(n: int) -> str:
    """A count as it may be published: below the privacy floor, only that it is."""
    return f"{n:,}" if n >= stats.PRIVACY_FLOOR else f"fewer than {stats.PRIVACY_FLOOR}"


def within(
    df: pd.DataFrame, strata: tuple[str, ...], a: pd.Series, b: pd.Series, labels: tuple[str, str], held: str,
    real: bool = False,
) -> Out:
    """The gap a / b - 1 *within* each stratum (a role, say: the declared strata, FigureDef.strata), pooled: the
    inverse-variance weighted mean of the strata's log ratios of medians (each with its Price-Bonett interval), so
    who is in each group cannot make the gap. A stratum counts when both of its sides have a bounded median
    interval; the figure is suppressed (TooThin) unless each side adds up to the minimum n over the strata used. The
    breakdown has each stratum's gap."""
    import math

    z = stats.intervals.z_of()
    rows, logs, weights, used_a, used_b = [], [], [], 0, 0
    sources_: list[Any] = list(df["source"].dropna().unique()) if "source" in df.columns else []
    units = {registry.meta(str(src)).count_unit for src in sources_}

    def shown(n: int) -> str:  # postings and filings are printed rounded (mlsalary.disclosure), respondents as they are
        if units & set(disclosure.ROUNDED_UNITS):
            return disclosure.count_text(n, "").rstrip()
        return f"{n:,}"

    if isinstance(strata, str):
        raise TypeError(f"strata are a tuple of names (FigureDef.strata), not {strata!r}")
    by = said(strata)
    # Only what the strata, the estimates and the years read: each stratum's rows are then taken from a few columns,
    # not all of them (a third of the figures' compute went to taking text columns no stratum reads).
    df = df[[c for c in reads(strata) if c in df.columns]]
    for value, part in df.groupby(stratum_of(df, strata), sort=True):
        ea, eb = estimate(part[a.loc[part.index]], real=real), estimate(part[b.loc[part.index]], real=real)
        r = stats.ratio(ea, eb)
        if min(ea.n, eb.n) < stats.PRIVACY_FLOOR:
            continue
        rows.append(group(str(value), as_percent(r), n_min=min(ea.n, eb.n), note=f"{shown(ea.n)} vs {shown(eb.n)}"))
        if r.value is None or r.ci_low is None or r.ci_high is None:
            continue
        se = (math.log(r.ci_high) - math.log(r.ci_low)) / (2 * z)
        if se <= 0:
            continue
        logs.append(math.log(r.value))
        weights.append(1 / se**2)
        used_a, used_b = used_a + ea.n, used_b + eb.n
    if min(used_a, used_b) < stats.min_n():
        raise TooThin(f"held fixed: {held}, the same {by}. Too few comparable records: {_count(used_a)} "
                      f"({labels[0]}) and {_count(used_b)} ({labels[1]}) in the strata ({by}) where both sides can "
                      f"be measured, fewer than {stats.min_n()} on a side", years_of(df))  # fmt: skip
    mean = sum(w * x for w, x in zip(weights, logs, strict=True)) / sum(weights)
    half = z / math.sqrt(sum(weights))
    ratio = stats.Ratio(math.exp(mean), math.exp(mean - half), math.exp(mean + half), used_a + used_b,
                        f"within each {by}: inverse-variance weighted mean of the log ratios of "
                        "medians (Price-Bonett intervals per stratum)")  # fmt: skip
    raw = stats.ratio(estimate(df[a.loc[df.index]], real=real),  # the same rows, nothing held fixed
                      estimate(df[b.loc[df.index]], real=real))
    return Out(ratio, min(used_a, used_b), used_a + used_b, years_of(df), rows, True, method=ratio.method,
               group_unit="percent", compared=[(labels[0], used_a), (labels[1], used_b)], held_fixed=held, raw=raw,
               strata=tuple(strata))


def within_sides(df: pd.DataFrame, strata: tuple[str, ...], a: pd.Series, b: pd.Series, labels: tuple[str, str],
                 held: str) -> Out:  # fmt: skip
    """``within``, its breakdown the two sides' own medians (nothing held) and then each stratum's gap."""
    out = within(df, strata, a, b, labels, held)
    out.groups = [group(labels[0], estimate(df[a.loc[df.index]])), group(labels[1], estimate(df[b.loc[df.index]])),
                  *stratum_rows(out.groups, strata)]  # fmt: skip
    return out


def stratum_rows(groups: list[Group], strata: tuple[str, ...]) -> list[Group]:
    """``within``'s per-stratum rows as a breakdown names them beside other rows: "at senior level" for a level,
    "within ml_engineer, senior" otherwise."""
    import dataclasses

    if tuple(strata) == ("level",):
        return [dataclasses.replace(g, label=f"at {g.label} level") for g in groups]
    return [dataclasses.replace(g, label=f"within {g.label}") for g in groups]


def levels_breakdown(df: pd.DataFrame) -> list[Group]:
    return [group(level, estimate(df[df["level"] == level])) for level in schema.LEVELS]


def at_levels(*names: str) -> Callable[[pd.DataFrame], list[pd.DataFrame]]:
    return lambda df: [df[df["level"] == n] for n in names]


RSE_METHOD = (
    "approximate 95% interval from BLS's relative standard error of the mean wage (BLS publishes none for "
    "percentiles): value x exp(+/-1.96 RSE), combined on the log scale for ratios"
)


def published(value: float | None, where: str, rse: float | None = None) -> stats.Estimate:
    """A published median; its interval approximated from the RSE BLS publishes (see RSE_METHOD)."""
    lo, hi = rse_interval(value, rse)
    return stats.Estimate(value, lo, hi, 0, f"published by BLS ({where}); {RSE_METHOD}")


def published_out(r: dict[Any, Any] | Any, median: float | None, where: str, rows: list[Group], method: str,
                  caveats: list[str] | None = None) -> Out:
    """One OEWS row's published median as a figure's result: its RSE interval, its year, its employment as n."""
    rse = float_or_none(r["wage_rse"])
    return Out(published(median, where, rse), PUBLISHED, int(float_or_none(r["employment"]) or 0), [int(r["year"])],
               rows, rse=rse, caveats=caveats or [], method=method)  # fmt: skip


def rse_interval(value: float | None, rse: float | None, z: float = 1.96) -> tuple[float | None, float | None]:
    import math

    if value is None or rse is None or value <= 0:
        return None, None
    half = z * rse / 100
    return value * math.exp(-half), value * math.exp(half)


def ratio_rse(*rses: float | None) -> float | None:
    """The relative standard error (percent) of a ratio or product of independent published figures."""
    import math

    if any(r is None for r in rses):
        return None
    return math.sqrt(sum((r or 0.0) ** 2 for r in rses))


def float_or_none(x: object) -> float | None:
    """A published value as a float (None when it is missing or not a number)."""
    try:
        v = float(x)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if v != v else v


def published_row(r: dict[Any, Any]) -> Group:
    return Group(str(r["area_name"]), float_or_none(r["median"]), None, None, None, "ok", "published")


def as_percent(r: stats.Ratio) -> stats.Ratio:
    """A ratio of medians (and its interval) as a percent change."""

    def p(x: float | None) -> float | None:
        return None if x is None else (x - 1) * 100

    return stats.Ratio(p(r.value), p(r.ci_low), p(r.ci_high), r.n, r.method)


class MissingYears(LookupError):
    """A figure that compares years has only one of them loaded: its source is missing, not its answer zero."""

    def __init__(self, what: str, remedy: str) -> None:
        super().__init__(what)
        self.remedy = remedy


LCA_CAVEAT = ("H-1B filings: base pay an employer offered in a visa filing (no bonus, no stock; a filing, not a hire), "
              "only at employers who sponsor visas.")  # fmt: skip

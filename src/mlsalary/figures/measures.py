"""How each headline figure is computed from the loaded data: populations, statistics and breakdowns.

Every function takes the loaded data (figures.data.Data) and returns an ``Out``: the headline statistic (an estimate
or a ratio of medians) and its breakdown. ``figures.compute`` applies suppression; ``figures.catalogue`` declares
which function answers which question. No number is typed here: every value comes out of the data.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mlsalary import disclosure, schema, stats
from mlsalary import sources as registry
from mlsalary.figures.data import Data, estimate, group, latest_full_year
from mlsalary.figures.model import Group
from mlsalary.normalize import money

if TYPE_CHECKING:
    import pandas as pd

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
    held_fixed: str = ""  # what a comparison holds fixed, and how
    raw: stats.Ratio | None = None  # a held-fixed comparison's unadjusted gap (same population, nothing held), a ratio


class TooThin(LookupError):
    """The comparable groups a figure needs are too thin: it is suppressed with this reason, never answered with a
    confounded number."""


# --------------------------------------------------------------------------------------------- populations


def aijobs(d: Data, roles: tuple[str, ...] = ("ml_engineer",), country: str | None = "US") -> pd.DataFrame:
    """aijobs.net full-time records of the given roles, in the unit and duplicate policy the figure declares (cut
    once per bound data: several figures ask for the same population)."""
    def make() -> pd.DataFrame:
        df = d.source("aijobs")
        df = df[(df["employment_type"] == "full_time") & df["role"].isin(roles)]
        return df[df["company_country"] == country] if country else df

    return d.cut(("aijobs", *roles, str(country)), make)


def latest(df: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    year = latest_full_year(df)
    if year is None:
        raise LookupError("no rows")
    return df[df["year"] == year], year


def latest_or_pooled(
    df: pd.DataFrame, parts: Callable[[pd.DataFrame], list[pd.DataFrame]]
) -> tuple[pd.DataFrame, list[str]]:
    """The latest full year, or — when the smallest of the groups `parts` picks from it is below the minimum n — the
    latest two years pooled, as a statistics office would, with a caveat saying so (never a switch to counting
    rows). Every group of the figure is then pooled alike."""
    frame, year = latest(df)
    smallest = min(len(p) for p in parts(frame))
    if smallest >= stats.min_n():
        return frame, []
    pooled = df[df["year"].isin([year - 1, year])]
    return pooled, [  # no count: a postings figure prints none under the minimum n (mlsalary.disclosure)
        f"{year} alone has a group of fewer than {stats.min_n()} records: {year - 1} and {year} are pooled."
    ]




def kaggle_us(d: Data) -> pd.DataFrame:
    """US Kaggle respondents in ML roles and data science whose pay band could be a full-time salary."""
    df = d.source("kaggle-survey")
    df = df[(df["employee_country"] == "US") & df["role"].isin(KAGGLE_ROLES)]
    return df[df["amount_low_usd"] >= KAGGLE_FULL_TIME_FLOOR_USD]


def so_us(d: Data) -> pd.DataFrame:
    df = d.source("stackoverflow")
    return df[(df["employee_country"] == "US") & (df["employment_type"] == "full_time")]


def with_skill(d: Data, df: pd.DataFrame, *skills: str) -> pd.Series:
    """Whether each record reports any of the skills."""
    ids = set(d.skills.loc[d.skills["skill"].isin(skills), "obs_id"])
    return df["obs_id"].isin(ids)


def years_of(df: pd.DataFrame) -> list[int]:
    return sorted(int(y) for y in df["year"].unique())


# --------------------------------------------------------------------------------------------- builders


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
    df: pd.DataFrame, by: str, a: pd.Series, b: pd.Series, labels: tuple[str, str], held: str, real: bool = False
) -> Out:
    """The gap a / b - 1 *within* each value of `by` (a role, say), pooled: the inverse-variance weighted mean of the
    strata's log ratios of medians (each with its Price-Bonett interval), so who is in each group cannot make the
    gap. A stratum counts when both of its sides have a bounded median interval; the figure is suppressed (TooThin)
    unless each side adds up to the minimum n over the strata used. The breakdown has each stratum's gap."""
    import math

    z = stats.intervals.z_of()
    rows, logs, weights, used_a, used_b = [], [], [], 0, 0
    sources_: list[Any] = list(df["source"].dropna().unique()) if "source" in df.columns else []
    units = {registry.meta(str(src)).count_unit for src in sources_}

    def shown(n: int) -> str:  # postings and filings are printed rounded (mlsalary.disclosure), respondents as they are
        if units & set(disclosure.ROUNDED_UNITS):
            c = disclosure.published(n)
            return f"fewer than {stats.PRIVACY_FLOOR}" if c is None else f"about {c:,}"
        return f"{n:,}"

    for value, part in df.groupby(by, sort=True):
        ea, eb = estimate(part[a.loc[part.index]], real=real), estimate(part[b.loc[part.index]], real=real)
        r = stats.ratio(ea, eb)
        if min(ea.n, eb.n) < stats.PRIVACY_FLOOR:
            continue
        rows.append(group(str(value), _pct(r), n_min=min(ea.n, eb.n), note=f"{shown(ea.n)} vs {shown(eb.n)}"))
        if r.value is None or r.ci_low is None or r.ci_high is None:
            continue
        se = (math.log(r.ci_high) - math.log(r.ci_low)) / (2 * z)
        if se <= 0:
            continue
        logs.append(math.log(r.value))
        weights.append(1 / se**2)
        used_a, used_b = used_a + ea.n, used_b + eb.n
    if min(used_a, used_b) < stats.min_n():
        raise TooThin(f"held fixed: {held}. Too few comparable records: {_count(used_a)} ({labels[0]}) and "
                      f"{_count(used_b)} "
                      f"({labels[1]}) in the {by.replace('_', ' ')}s where both sides can be measured, fewer than "
                      f"{stats.min_n()} on a side")  # fmt: skip
    mean = sum(w * x for w, x in zip(weights, logs, strict=True)) / sum(weights)
    half = z / math.sqrt(sum(weights))
    ratio = stats.Ratio(math.exp(mean), math.exp(mean - half), math.exp(mean + half), used_a + used_b,
                        f"within each {by.replace('_', ' ')}: inverse-variance weighted mean of the log ratios of "
                        "medians (Price-Bonett intervals per stratum)")  # fmt: skip
    raw = stats.ratio(estimate(df[a.loc[df.index]], real=real),  # the same rows, nothing held fixed
                      estimate(df[b.loc[df.index]], real=real))
    return Out(ratio, min(used_a, used_b), used_a + used_b, years_of(df), rows, True, method=ratio.method,
               group_unit="percent", compared=[(labels[0], used_a), (labels[1], used_b)], held_fixed=held, raw=raw)


def levels_breakdown(df: pd.DataFrame) -> list[Group]:
    return [group(level, estimate(df[df["level"] == level])) for level in schema.LEVELS]


# --------------------------------------------------------------------------------------------- levels


def at_levels(*names: str) -> Callable[[pd.DataFrame], list[pd.DataFrame]]:
    return lambda df: [df[df["level"] == n] for n in names]


def level_median(level: str) -> Callable[[Data], Out]:
    def compute(d: Data) -> Out:
        df, notes = latest_or_pooled(aijobs(d), at_levels(level))
        out = median_out(df[df["level"] == level], levels_breakdown(df))
        out.caveats += notes
        return out

    return compute


def level_jump(lower: str, upper: str) -> Callable[[Data], Out]:
    def compute(d: Data) -> Out:
        df, notes = latest_or_pooled(aijobs(d), at_levels(lower, upper))
        out = gap_out(df[df["level"] == upper], df[df["level"] == lower], levels_breakdown(df), labels=(upper, lower))
        out.held_fixed = "US, full-time ML engineers, the same year(s)"
        out.caveats += notes
        return out

    return compute


def entry_spread(d: Data) -> Out:
    df, notes = latest_or_pooled(aijobs(d), at_levels("entry"))
    entry = df[df["level"] == "entry"]
    p10, p90 = estimate(entry, 0.1), estimate(entry, 0.9)
    value = None if p10.value is None or p90.value is None else p90.value - p10.value
    lo = None if p90.ci_low is None or p10.ci_high is None else p90.ci_low - p10.ci_high
    hi = None if p90.ci_high is None or p10.ci_low is None else p90.ci_high - p10.ci_low
    spread = stats.Estimate(value, lo, hi, p10.n, "p90 - p10; interval from the two order-statistic intervals")
    if value is not None and (lo is None or hi is None):
        floor = stats.intervals.TAIL_FLOOR
        notes = [*notes, OPEN_SIDE.format(side="lower" if lo is None else "upper",
                                           n=disclosure.count_text(p10.n, "records"), few=floor - 1, floor=floor)]
    return Out(spread, p10.n, p10.n, years_of(entry), [group("p10", p10), group("p90", p90)], method=spread.method,
               caveats=notes)  # fmt: skip


#: A caveat for an interval left open on one side by the disclosure rule (stats.intervals.TAIL_FLOOR).
OPEN_SIDE = ("the interval's {side} end is not bounded: with {n}, bounding it would print one of the {few} "
             "most extreme postings' pay (no published bound has fewer than {floor} records beyond it)")


def own_currency(df: pd.DataFrame) -> pd.Series:
    """The postings whose pay is stated in the employer country's own currency, by the one rule every non-US figure
    uses: a posting abroad stated in US dollars is aijobs.net's labelling, not that pay (US postings all count)."""
    return (df["company_country"] == "US") | (df["currency"] != "USD")


def outside_us(d: Data) -> Out:
    """Outside the US only postings stated in a currency other than the US dollar count (the rule of
    country-comparison): most postings abroad stated in US dollars are Canadian and are aijobs.net's labelling, not
    the pay; how many are left out is said."""
    df, _ = latest(aijobs(d, country=None))
    everywhere = df[df["company_country"] != "US"]
    abroad = everywhere[own_currency(everywhere)]
    top = abroad["company_country"].value_counts().head(8).index
    rows = [group(c, estimate(abroad[abroad["company_country"] == c])) for c in top]
    out = median_out(abroad, rows)
    dollars = everywhere.loc[~own_currency(everywhere), "company_country"].value_counts()
    first = int(dollars.iloc[0]) if len(dollars) else 0
    most = (f" (most of them at employers in {dollars.index[0]})"
            if first > dollars.sum() / 2 and disclosure.published(first) is not None else "")  # fmt: skip
    out.caveats.append(
        f"Only postings stated in the country's own currency count ({disclosure.count_text(len(abroad))}); "
        f"{disclosure.count_text(int(dollars.sum()))} abroad stated in US dollars are left out{most}: aijobs.net's "
        "labelling, not the pay, and they lifted the median."
    )
    out.held_fixed = "postings stated in the employer country's own currency"
    return out


# --------------------------------------------------------------------------------------------- location (OEWS)


def oews_rows(d: Data, soc: str, area_type: str = "national", year: int | None = None) -> pd.DataFrame:
    o = d.oews
    o = o[(o["soc_2018_code"] == soc) & (o["area_type"] == area_type)]
    return o[o["year"] == (year or int(o["year"].max()))] if len(o) else o


RSE_METHOD = (
    "approximate 95% interval from BLS's relative standard error of the mean wage (BLS publishes none for "
    "percentiles): value x exp(+/-1.96 RSE), combined on the log scale for ratios"
)


def published(value: float | None, where: str, rse: float | None = None) -> stats.Estimate:
    """A published median; its interval approximated from the RSE BLS publishes (see RSE_METHOD)."""
    lo, hi = rse_interval(value, rse)
    return stats.Estimate(value, lo, hi, 0, f"published by BLS ({where}); {RSE_METHOD}")


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


def oews_national(soc: str) -> Callable[[Data], Out]:
    def compute(d: Data) -> Out:
        row = oews_rows(d, soc).iloc[0]
        history = d.oews[(d.oews["soc_2018_code"] == soc) & (d.oews["area_type"] == "national")].sort_values("year")
        rows = [
            Group(str(r["year"]), _num(r["annual_median"]), None, None, None, "ok",
                  "published" if r["occupation_code"] == soc else
                  f"published for the broader {r['occupation_code']}: {soc} was part of it that year",
                  mark="" if r["occupation_code"] == soc else f"broader occupation ({r['occupation_code']})")
            for r in history.to_dict("records")
        ]  # fmt: skip
        e = published(_num(row["annual_median"]), "national", _num(row["wage_rse"]))
        return Out(
            e,
            PUBLISHED,
            int(_num(row["employment"]) or 0),
            [int(row["year"])],
            rows,
            rse=_num(row["wage_rse"]),
            method="BLS OEWS published median, not re-estimated",
        )

    return compute


def _num(x: object) -> float | None:
    try:
        v = float(x)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if v != v else v


def published_row(r: dict[Any, Any]) -> Group:
    return Group(str(r["area_name"]), _num(r["median"]), None, None, None, "ok", "published")


def top_metro(d: Data) -> Out:
    metros = oews_rows(d, "15-2051", "metro").copy()
    metros["median"] = metros["annual_median"].map(_num)
    metros = metros[metros["median"].notna()].sort_values("median", ascending=False)
    top = metros.iloc[0]
    rows = [published_row(r) for r in metros.head(10).to_dict("records")]
    e = published(top["median"], top["area_name"], _num(top["wage_rse"]))
    return Out(
        e,
        PUBLISHED,
        int(_num(top["employment"]) or 0),
        [int(top["year"])],
        rows,
        rse=_num(top["wage_rse"]),
        caveats=[f"Top-paying metro: {top['area_name']}."],
        method="BLS OEWS published metro medians",
    )


def hub_premium(d: Data) -> Out:
    nat = oews_rows(d, "15-2051").iloc[0]
    national, national_rse = _num(nat["annual_median"]), _num(nat["wage_rse"])
    metros = oews_rows(d, "15-2051", "metro")
    rows, ratios, variances, weights = [], [], [], []
    for hub, name in HUBS.items():
        m = metros[metros["area_name"].str.startswith(name)]
        med = _num(m.iloc[0]["annual_median"]) if len(m) else None
        rse = ratio_rse(_num(m.iloc[0]["wage_rse"]) if len(m) else None, national_rse)
        if med is None or national is None or rse is None:
            rows.append(Group(hub, None, None, None, None, "suppressed", "not published"))
            continue
        r = med / national
        lo, hi = rse_interval(r, rse)
        ratios.append(r)
        variances.append((r * rse / 100) ** 2)
        weights.append(_num(m.iloc[0]["employment"]) or 0.0)
        rows.append(Group(hub, (r - 1) * 100, (lo - 1) * 100, (hi - 1) * 100, None, "ok",  # type: ignore[operator]
                          f"median {med:,.0f} vs national {national:,.0f}"))  # fmt: skip
    if not weights:
        raise LookupError("no hub published")
    total = sum(weights)
    mean = sum(r * w for r, w in zip(ratios, weights, strict=True)) / total
    sd = sum(v * w**2 for v, w in zip(variances, weights, strict=True)) ** 0.5 / total
    e = stats.Estimate(mean, mean - 1.96 * sd, mean + 1.96 * sd, 0,
                       f"employment-weighted mean of the hubs' published medians / national; {RSE_METHOD}")  # fmt: skip
    return Out(e, PUBLISHED, int(total), [int(metros["year"].max())], rows, percent=True, method=e.method,
               group_unit="percent")  # fmt: skip


def state_spread(d: Data) -> Out:
    st = oews_rows(d, "15-2051", "state").copy()
    st["median"] = st["annual_median"].map(_num)
    st = st[st["median"].notna()].sort_values("median", ascending=False)
    hi, lo = st.iloc[0], st.iloc[-1]
    rows = [published_row(r) for r in st.to_dict("records")]
    value = hi["median"] / lo["median"]
    ci = rse_interval(value, ratio_rse(_num(hi["wage_rse"]), _num(lo["wage_rse"])))
    e = stats.Estimate(value, ci[0], ci[1], 0, f"ratio of published state medians; {RSE_METHOD}")
    return Out(
        e,
        PUBLISHED,
        len(st),
        [int(hi["year"])],
        rows,
        caveats=[f"Highest: {hi['area_name']}; lowest: {lo['area_name']}."],
        method=e.method,
    )


def countries(d: Data) -> Out:
    _, year = latest(aijobs(d, PRACTITIONERS, country=None))
    pool = aijobs(d, PRACTITIONERS, country=None)
    pool = pool[pool["year"].isin([year - 1, year])]
    us = estimate(pool[pool["company_country"] == "US"])
    rows = []
    for code, name in COUNTRIES.items():
        sub = pool[pool["company_country"] == code]
        sub = sub[own_currency(sub)]
        e = estimate(sub)
        ppp = None
        if e.value is not None and code != "US":  # the median of the pay as stated, in the country's own currency
            local = stats.quantile(sub["amount_local"].to_numpy(), 0.5).value
            ppp = None if local is None else money.local_to_international(local, code)
        rows.append(group(name, e, note=f"PPP: {ppp:,.0f} international $" if ppp else ""))
    return Out(
        us,
        us.n,
        us.n,  # the headline is the US median: its n (each country's own n is in its row)
        [year - 1, year],
        rows,
        method=us.method,
        caveats=[
            f"PPP: the median of each country's pay in its own currency ({year - 1}–{year}) divided by the World Bank "
            f"conversion factor of {money.ppp_year()}, the latest published here — prices have moved since, so the "
            "PPP figures are approximate; " + money.PPP_ATTRIBUTION,
            "Outside the US only postings stated in the country's own currency count: most Canadian postings, for "
            "one, are stated in US dollars, a labelling artefact that lifted Canada's median.",
        ],
    )


# --------------------------------------------------------------------------------------------- remote


def remote_gap(d: Data) -> Out:
    def parts(df: pd.DataFrame) -> list[pd.DataFrame]:
        return [df[df["remote"] == "remote"], df[df["remote"] == "onsite"]]

    df, notes = latest_or_pooled(aijobs(d), parts)
    remote, onsite = parts(df)
    out = gap_out(remote, onsite, labels=("remote", "on-site"))
    out.caveats += notes
    return out


def last_two(df: pd.DataFrame) -> pd.DataFrame:
    """The latest two full years (for comparisons whose smaller group is thin in one year)."""
    _, year = latest(df)
    return df[df["year"].isin([year - 1, year])]


def abroad_gap(d: Data) -> Out:
    df = last_two(aijobs(d, PRACTITIONERS, country=None))
    outside = df["employee_country"] != df["company_country"]
    return gap_out(df[outside], df[~outside], labels=("lives outside employer's country", "same country"))


# --------------------------------------------------------------------------------------------- industry


def industry_rows(df: pd.DataFrame) -> list[Group]:
    """The industries ML figures compare: the taxonomy's first six (tech to retail/e-commerce)."""
    return [group(i, estimate(df[df["industry"] == i])) for i in schema.INDUSTRIES[:6]]


def industry_tech(d: Data) -> Out:
    df = kaggle_us(d)
    return median_out(df[df["industry"] == "tech_software"], industry_rows(df))


def finance_vs_tech(d: Data) -> Out:
    """Finance vs tech/software within role and level: the two industries' respondents differ in both (the raw gap
    mixes them in), so the gap is pooled over role x level strata, the unadjusted gap beside it."""
    df = kaggle_us(d)
    fin, tech = df["industry"] == "finance", df["industry"] == "tech_software"
    both = df[(fin | tech) & df["level"].notna()]
    both = both.assign(stratum=both["role"].astype(str) + ", " + both["level"].astype(str))
    out = within(both, "stratum", fin, tech, ("finance", "tech/software"),
                 "US ML practitioners and data scientists, full-time pay band (Kaggle 2021-2022), the same role and "
                 "level")  # fmt: skip
    out.groups = [*industry_rows(df), *(dataclasses.replace(g, label=f"within {g.label}") for g in out.groups)]
    return out


#: Employers that are not businesses: universities, government, and "other" (where non-profits fall). Among them ML
#: in production is rare and pay is set differently, so a comparison of ML use across all employers measures them.
NOT_BUSINESSES = ("education_academia", "government", "other")


def ml_centrality_gap(d: Data) -> Out:
    """ML in production vs no ML, among comparable employers: businesses only (not academia, government or
    non-profits), within each role."""
    df = kaggle_us(d)
    df = df[df["industry"].notna() & ~df["industry"].isin(NOT_BUSINESSES)]
    prod = df["ml_centrality"].isin(["production_established", "production_recent"])
    none = df["ml_centrality"] == "none"
    return within(df[prod | none], "role", prod, none, ("ML in production", "no ML"),
                  "US, full-time pay band, businesses only (no academia, government or non-profits), same role")


# --------------------------------------------------------------------------------------------- specialization


def role_ladder(d: Data) -> Out:
    """Research and applied scientists vs ML engineers; the breakdown has every ML role and the NLP / computer-vision
    / distributed-systems / unspecialized titles (the latest two full years for those: specialized titles are rare)."""
    df, year = latest(aijobs(d, PRACTITIONERS))
    rows = [group(r, estimate(df[df["role"] == r])) for r in PRACTITIONERS]
    two = aijobs(d, PRACTITIONERS)
    two = two[two["year"].isin([year - 1, year])]
    labels = {"nlp": "title names NLP", "computer_vision": "title names computer vision",
              "distributed_systems": "title names distributed systems", "none": "no specialization"}  # fmt: skip
    rows += [
        group(label, estimate(two[two["specialization"] == s]), note=f"{year - 1}-{year}")
        for s, label in labels.items()
    ]
    scientists, engineers = scientist_titles(df), df["role"] == "ml_engineer"
    # Level held fixed: scientist postings are more often entry and mid level than ML engineers' (the raw gap mixes
    # that in); the breakdown keeps every role and the specialized titles, then the gap at each level.
    out = within(df[scientists | engineers], "level", scientists, engineers,
                 ("research and applied scientists", "ML engineers"),
                 "US, full-time, the same year, the same level; scientist titles only (no 'Research Engineer')")
    out.groups = [*rows, *(dataclasses.replace(g, label=f"at {g.label} level") for g in out.groups)]
    return out


def scientist_titles(df: pd.DataFrame) -> pd.Series:
    """Research and applied scientists by title: the roles, less the titles that name an engineer ("Research
    Engineer" maps to research_scientist, but is an engineering job)."""
    return df["role"].isin(["research_scientist", "applied_scientist"]) & ~df["job_title_raw"].fillna("").str.contains(
        "engineer", case=False)


def genai(df: pd.DataFrame) -> pd.Series:
    """GenAI titles: titles naming generative AI, LLMs or prompts (specialization genai_llm, normalize.titles) or
    "AI Engineer" roles (AI engineer, developer, architect…: the role ai_engineer), which is what employers call
    most generative-AI jobs."""
    return (df["specialization"] == "genai_llm") | (df["role"] == "ai_engineer")


def genai_premium(d: Data) -> Out:
    def parts(df: pd.DataFrame) -> list[pd.DataFrame]:
        g = genai(df)
        return [df[g], df[~g]]

    df, notes = latest_or_pooled(aijobs(d, PRACTITIONERS), parts)
    g, other = parts(df)
    out = gap_out(g, other, labels=("GenAI titles (incl. AI Engineer)", "other ML titles"))
    out.caveats += notes
    out.held_fixed = "US, full-time postings, the same year(s)"
    return out


# --------------------------------------------------------------------------------------------- skills


def pytorch_vs_tensorflow(d: Data) -> Out:
    df = kaggle_us(d)
    pt, tf = with_skill(d, df, "pytorch"), with_skill(d, df, "tensorflow")
    return gap_out(df[pt & ~tf], df[tf & ~pt], labels=("PyTorch, not TensorFlow", "TensorFlow, not PyTorch"))


#: The deep-learning frameworks (Kaggle) and the AI/ML libraries (Stack Overflow) that count as an "AI skill".
DL_FRAMEWORKS = ("pytorch", "tensorflow", "keras", "jax", "fastai", "pytorch_lightning")
AI_SKILLS = ("pytorch", "tensorflow", "scikit_learn", "hugging_face", "keras", "opencv", "cuda")


def dl_framework_premium(d: Data) -> Out:
    """Kaggle: users of a deep-learning framework vs those who use none, within each role."""
    df = kaggle_us(d)
    has = with_skill(d, df, *DL_FRAMEWORKS)
    return within(df, "role", has, ~has, ("uses a deep-learning framework", "uses none"),
                  "US, full-time pay band, same role (Kaggle)")


def skill_premium(skill: str) -> Callable[[Data], Out]:
    def compute(d: Data) -> Out:
        df = so_us(d)
        has = with_skill(d, df, skill)
        return within(df, "role", has, ~has, (f"uses {skill}", f"does not use {skill}"),
                      "US, full-time, same developer role (Stack Overflow)")

    return compute


def ai_skill_count(d: Data, df: pd.DataFrame) -> pd.Series:
    s = d.skills[d.skills["skill"].isin(AI_SKILLS)].groupby("obs_id")["skill"].nunique()
    return df["obs_id"].map(s).fillna(0)


def ai_skill_premium(d: Data) -> Out:
    """Stack Overflow: developers who use an AI/ML library vs those who use none, across roles (as the published
    across-jobs claims compare), with one library and two or more apart."""
    df = so_us(d)
    k = ai_skill_count(d, df)
    none = df[k == 0]
    rows = [group("no AI library", estimate(none)), group("one AI library", estimate(df[k == 1])),
            group("two or more", estimate(df[k >= 2]))]  # fmt: skip
    out = gap_out(df[k >= 1], none, rows, labels=("uses an AI library", "uses none"))
    out.held_fixed = "US, full-time; across developer roles (not within a role)"
    return out


def ai_skill_within_role(d: Data) -> Out:
    df = so_us(d)
    k = ai_skill_count(d, df)
    return within(df, "role", k >= 1, k == 0, ("uses an AI library", "uses none"),
                  "US, full-time, same developer role (Stack Overflow)")


# --------------------------------------------------------------------------------------------- education


def education_gap(level: str, better: str) -> Callable[[Data], Out]:
    def compute(d: Data) -> Out:
        df = kaggle_us(d)
        df = df[df["level"] == level]
        rows = [group(e, estimate(df[df["education"] == e])) for e in ("bachelor", "master", "doctorate")]
        pair = df[df["education"].isin([better, "bachelor"])]
        # Role held fixed too: degrees sort people into roles (more PhDs among research scientists), so the gap is
        # pooled over roles, the unadjusted gap beside it.
        out = within(pair, "role", pair["education"] == better, pair["education"] == "bachelor",
                     (better, "bachelor"), f"US, the same level ({level}), full-time pay band (Kaggle), the same role")
        out.groups = [*rows, *(dataclasses.replace(g, label=f"within {g.label}") for g in out.groups)]
        return out

    return compute


# --------------------------------------------------------------------------------------------- company size


def size_gap(d: Data) -> Out:
    df = kaggle_us(d)
    rows = [group(s, estimate(df[df["company_size"] == s])) for s in schema.COMPANY_SIZES]
    out = gap_out(df[df["company_size"] == "large"], df[df["company_size"] == "small"], rows,
                  labels=("large employers", "small employers"))
    out.held_fixed = "US ML practitioners and data scientists, full-time pay band (Kaggle)"
    return out


# --------------------------------------------------------------------------------------------- trends


def yoy(d: Data) -> Out:
    """The change of the median from one year to the next with level held fixed (the entry share of the postings
    changes from year to year: the raw change mixes that in), nominal, and in real terms beside it."""
    df = aijobs(d)
    _, year = latest(df)
    two = df[df["year"].isin([year - 1, year])]
    this, prev = two["year"] == year, two["year"] == year - 1
    labels, held = (str(year), str(year - 1)), "US, full-time ML engineers, the same level"
    out = within(two, "level", this, prev, labels, held)
    real = _pct(within(two, "level", this, prev, labels, held, real=True).stat)  # type: ignore[arg-type]
    if stats.visibility(out.n_min) == "shown":
        out.extra = {"real_change": real.value, "real_change_ci_low": real.ci_low, "real_change_ci_high": real.ci_high}
    return out


def _pct(r: stats.Ratio) -> stats.Ratio:
    def p(x: float | None) -> float | None:
        return None if x is None else (x - 1) * 100

    return stats.Ratio(p(r.value), p(r.ci_low), p(r.ci_high), r.n, r.method)


class MissingYears(LookupError):
    """A figure that compares years has only one of them loaded: its source is missing, not its answer zero."""

    def __init__(self, what: str, remedy: str) -> None:
        super().__init__(what)
        self.remedy = remedy


def oews_real_change(d: Data) -> Out:
    hist = d.oews[(d.oews["soc_2018_code"] == "15-2051") & (d.oews["area_type"] == "national")]
    hist = hist[(hist["occupation_code"] == "15-2051") & (hist["year"] >= 2021)].sort_values("year")
    if hist["year"].nunique() < 2:
        raise MissingYears("only one OEWS year is loaded",
                           "mlsalary data pull oews (the national history May 2014-May 2024 needs the network, or "
                           "--from a folder with BLS's national_M20YY_dl.xlsx files)")  # fmt: skip
    first, last = hist.iloc[0], hist.iloc[-1]
    base = money.cpi_base_year()
    f0, f1 = money.real_factor(int(first["year"]), base), money.real_factor(int(last["year"]), base)
    if f0 is None or f1 is None:
        raise LookupError("no CPI-U for those years")
    real_ratio = _num(last["annual_median"]) * f1 / (_num(first["annual_median"]) * f0)  # type: ignore[operator]
    ci = rse_interval(real_ratio, ratio_rse(_num(first["wage_rse"]), _num(last["wage_rse"])))
    # Drawn as the headline says: each year's published median in constant dollars of the base year
    rows = []
    for r in hist.to_dict("records"):
        f = money.real_factor(int(r["year"]), base)
        nominal = _num(r["annual_median"])
        real = nominal * f if nominal is not None and f is not None else None
        rows.append(Group(str(r["year"]), real, None, None, None, "ok" if real is not None else "suppressed",
                          f"constant {base} dollars; published (nominal) ${nominal:,.0f}" if nominal else ""))
    e = stats.Estimate(real_ratio, ci[0], ci[1], 0,
                       f"change of published medians in constant {base} dollars (CPI-U); {RSE_METHOD}")  # fmt: skip
    return Out(e, PUBLISHED, 0, [int(first["year"]), int(last["year"])], rows, percent=True, method=e.method)


#: aijobs.net changed what it collects: until 2021 its rows were mostly self-reported salaries, later mostly
#: employers' posted ranges (docs/methodology.md gives the shares by year). The posting era starts with the first
#: year in which more than this share of the postings are posted ranges; a trend is measured within it, and the
#: years before are marked on its chart.
POSTING_ERA_SHARE = 0.5
BEFORE_ERA = "before the posting era"
BEFORE_ERA_NOTE = "mostly self-reported salaries, not posted ranges: not comparable with the posting era"


def posting_era(df: pd.DataFrame) -> int | None:
    """The first year whose postings are mostly posted ranges (POSTING_ERA_SHARE), from the data."""
    ranged = df.assign(ranged=df["range_low_usd"].notna()).groupby("year")["ranged"].mean()
    era = [int(y) for y, share in zip(ranged.index, ranged.to_numpy(), strict=True) if share > POSTING_ERA_SHARE]
    return min(era) if era else None


#: Strata a share's change may be held within: a name and each row's stratum.
Strata = tuple[str, Callable[["pd.DataFrame"], Any]]
#: US employers and the rest: their postings' level mix differs, and the rest's share of postings changes by year.
US_OR_ELSEWHERE: Strata = ("employer country (US or elsewhere)",
                           lambda df: (df["company_country"] == "US").map({True: "US", False: "elsewhere"}))


def share_by_year(predicate: Callable[[pd.DataFrame], pd.Series],
                  strata: Strata | None = None) -> Callable[[Data], Out]:  # fmt: skip
    """A share of postings by year; the headline is the latest full year's share, and the change is measured within
    the posting era only (its first year to the latest, with Newcombe's interval of a difference of shares). With
    `strata`, the change is measured within each stratum and pooled with the latest year's mix as weights (the
    interval from the strata's Newcombe intervals as normal errors), the unadjusted change beside it."""
    def compute(d: Data) -> Out:
        df = aijobs(d, PRACTITIONERS, country=None)
        _, year = latest(df)
        df = df[df["year"] <= year]  # a thin, partial newest year is left out
        era = posting_era(df)
        rows = []
        for y in sorted(df["year"].unique()):
            sub = df[df["year"] == y]
            part = int(predicate(sub).sum())
            share = 100 * part / len(sub) if len(sub) else None
            vis = stats.visibility(len(sub))
            if vis == "shown" and not disclosure.share_allowed(part, len(sub)):  # a share of a count is a count
                vis = "suppressed"
            rows.append(
                Group(
                    str(int(y)),
                    share if vis == "shown" else None,
                    None,
                    None,
                    len(sub) if vis != "hidden" else None,
                    "ok" if vis == "shown" else "suppressed",
                    BEFORE_ERA_NOTE if era is not None and y < era else "",
                    mark=BEFORE_ERA if era is not None and y < era else "",
                )
            )
        cur = df[df["year"] == year]
        k, n = int(predicate(cur).sum()), len(cur)
        if not disclosure.share_allowed(k, n):
            raise TooThin(f"fewer than {stats.PRIVACY_FLOOR} postings of {year} are in the share, or out of it: "
                          "a share of them would give their number away")  # fmt: skip
        lo, hi = _wilson(k, n)
        e = stats.Estimate(100 * k / n if n else None, lo, hi, n, "share with a Wilson score interval")
        out = Out(e, n, n, [int(y) for y in sorted(df["year"].unique())], rows, method=e.method, group_unit="share")
        first = df[df["year"] == era] if era is not None and era < year else df.iloc[0:0]
        k0, n0 = int(predicate(first).sum()), len(first)
        if era is not None and n0 and disclosure.share_allowed(k0, n0):  # the era's first year's share is printed too
            change, c_lo, c_hi = _newcombe(k, n, k0, n0)
            out.extra = {"era_start": float(era), "change_pp": change, "change_ci_low": c_lo, "change_ci_high": c_hi,
                         "era_start_share": 100 * k0 / n0 if n0 else None}  # fmt: skip
            out.held_fixed = f"the posting era only ({era}-{year}): the same kind of record throughout"
            if strata is not None:
                held = _share_change_within(first, cur, predicate, strata, era, year)
                if held is not None:
                    (change_s, lo_s, hi_s), said = held
                    out.extra |= {"change_pp": change_s, "change_ci_low": lo_s, "change_ci_high": hi_s,
                                  "change_pp_unadjusted": change, "change_unadjusted_ci_low": c_lo,
                                  "change_unadjusted_ci_high": c_hi}  # fmt: skip
                    out.held_fixed += f"; the same {strata[0]}"
                    out.caveats.append(said)
            out.caveats.append(f"aijobs.net's records before {era} are mostly self-reported salaries, from {era} on "
                               f"employers' posted ranges: the change is measured from {era} on, and the earlier "
                               "years are marked on the chart")  # fmt: skip
        return out

    return compute


def _share_change_within(first: pd.DataFrame, cur: pd.DataFrame, predicate: Callable[[pd.DataFrame], pd.Series],
                         strata: Strata, era: int, year: int) -> tuple[tuple[float, float, float], str] | None:
    """The change of a share within each stratum, pooled with the latest year's mix as weights; None unless every
    stratum has postings in both years and its shares may be printed (disclosure.share_allowed)."""
    import math

    name, of = strata
    z = stats.intervals.z_of()
    a, b = first.assign(_s=of(first)), cur.assign(_s=of(cur))
    parts, said = [], []
    for value in sorted(set(b["_s"])):
        s0, s1 = a[a["_s"] == value], b[b["_s"] == value]
        k0, n0, k1, n1 = int(predicate(s0).sum()), len(s0), int(predicate(s1).sum()), len(s1)
        if not (disclosure.share_allowed(k0, n0) and disclosure.share_allowed(k1, n1)):
            return None
        d, lo, hi = _newcombe(k1, n1, k0, n0)
        if d is None or lo is None or hi is None:
            return None
        parts.append((n1, d, (hi - lo) / (2 * z)))
        said.append(f"{value} {100 * k0 / n0:.1f}% ({era}) to {100 * k1 / n1:.1f}% ({year}), {d:+.1f} points "
                    f"({lo:+.1f} to {hi:+.1f})")  # fmt: skip
    total = sum(n for n, _, _ in parts)
    change = sum(n / total * d for n, d, _ in parts)
    se = math.sqrt(sum((n / total * e) ** 2 for n, _, e in parts))
    text = (f"The change is measured within each {name} and pooled with {year}'s mix as weights: " + "; ".join(said)
            + ". The unadjusted change mixes in how the strata's own shares of the postings moved.")
    return (change, change - z * se, change + z * se), text


def _newcombe(k1: int, n1: int, k0: int, n0: int) -> tuple[float | None, float | None, float | None]:
    """p1 - p0 in percentage points with Newcombe's hybrid score interval (from the two Wilson intervals)."""
    if not n1 or not n0:
        return None, None, None
    p1, p0 = 100 * k1 / n1, 100 * k0 / n0
    l1, u1 = _wilson(k1, n1)
    l0, u0 = _wilson(k0, n0)
    assert l1 is not None and u1 is not None and l0 is not None and u0 is not None
    d = p1 - p0
    return d, d - ((p1 - l1) ** 2 + (u0 - p0) ** 2) ** 0.5, d + ((u1 - p1) ** 2 + (p0 - l0) ** 2) ** 0.5


def _wilson(k: int, n: int) -> tuple[float | None, float | None]:
    """95% Wilson score interval of a share, in percent."""
    if n == 0:
        return None, None
    from scipy.stats import binomtest

    ci = binomtest(k, n).proportion_ci(confidence_level=stats.intervals.LEVEL, method="wilson")
    return 100 * float(ci.low), 100 * float(ci.high)


# --------------------------------------------------------------------------------------------- negotiation


def negotiation_room(d: Data) -> Out:
    """The room employers advertise: the median width (maximum / minimum - 1) of the salary ranges posted for one
    narrow profile, in percent, with a seeded BCa bootstrap interval (2,000 resamples, seed 0: reproducible). The
    spread between postings — (p75 - p25) / median of their midpoints — is a different thing (it mixes employers
    and jobs) and is shown beside it, never added to it."""
    import numpy as np

    def narrow(df: pd.DataFrame) -> list[pd.DataFrame]:
        return [df[(df["level"] == "senior") & (df["company_size"] == "medium") & df["range_low_usd"].notna()]]

    df, notes = latest_or_pooled(aijobs(d), narrow)
    (ranges,) = narrow(df)
    every = df[(df["level"] == "senior") & (df["company_size"] == "medium")]
    width = (ranges["range_high_usd"] / ranges["range_low_usd"] - 1).to_numpy() * 100
    value, lo, hi = _bootstrap(width, lambda v, axis=-1: np.median(v, axis=axis))
    method = "median posted width (max / min - 1); seeded BCa bootstrap interval (2,000 resamples)"
    e = stats.Estimate(value, lo, hi, len(width), method)
    mids = every["amount_usd"].dropna().to_numpy()
    between, b_lo, b_hi = _bootstrap(mids, _iqr_share)
    rows = [
        group("width of one posted range (median)", e, note=disclosure.count_text(len(width), "posted ranges")),
        group("spread between postings (IQR / median)", stats.Estimate(between, b_lo, b_hi, len(mids), ""),
              note=f"{disclosure.count_text(len(mids))}, midpoints"),
    ]  # fmt: skip
    out = Out(e, len(width), len(width), years_of(ranges), rows, method=e.method, caveats=notes, group_unit="share")
    if stats.visibility(len(mids)) == "shown":
        out.extra = {"between_postings_spread": between, "between_postings_ci_low": b_lo,
                     "between_postings_ci_high": b_hi}  # fmt: skip
    return out


def _iqr_share(v: Any, axis: int = -1) -> Any:
    import numpy as np

    q25, q50, q75 = np.quantile(v, [0.25, 0.5, 0.75], axis=axis)
    return (q75 - q25) / q50 * 100


def _bootstrap(x: Any, statistic: Callable[..., Any]) -> tuple[float | None, float | None, float | None]:
    """A statistic of one sample with its seeded BCa bootstrap interval (none below the minimum n)."""
    import numpy as np
    from scipy.stats import bootstrap

    if not len(x):
        return None, None, None
    value = float(statistic(x))
    if len(x) < stats.min_n():
        return value, None, None
    res = bootstrap((x,), statistic, n_resamples=2_000, method="BCa", random_state=np.random.default_rng(0))
    return value, float(res.confidence_interval.low), float(res.confidence_interval.high)


# --------------------------------------------------------------------------------------------- employers (H-1B LCA)

LCA_CAVEAT = ("H-1B filings: base pay an employer offered in a visa filing (no bonus, no stock; a filing, not a hire), "
              "only at employers who sponsor visas.")  # fmt: skip
#: An employer counts in a comparison cell with at least this many filings (the privacy floor).
EMPLOYER_MIN_FILINGS = stats.PRIVACY_FLOOR


def worksite_metros(d: Data) -> Any:
    """The OEWS metro (name) of each LCA filing's worksite: its city is one of the metro's principal cities or a
    place an alias leads to, in one of its states; None otherwise."""
    import pandas as pd

    from mlsalary import wages

    metros = d.oews[d.oews["area_type"] == "metro"][["area_code", "area_name"]].drop_duplicates()
    if metros.empty:
        raise LookupError("no OEWS metros loaded")
    where: dict[tuple[str, str], str] = {}
    for code, name in metros.itertuples(index=False):
        cities, states = wages.metro_places(str(code), str(name))
        for c in cities:
            for s in states:
                where.setdefault((c, s), str(name))
    lca = d.source("lca")
    keys = list(zip(lca["worksite_city"].fillna(""), lca["worksite_state"].fillna(""), strict=True))
    return pd.Series([where.get(k) for k in keys], index=lca.index, dtype=object)


def employer_spread(d: Data) -> Out:
    """The share of the variation in (log) offered base among data scientists in the same metro and year that lies
    between employers (employers with >= 5 filings in the cell; cells with >= 2 such employers): 1 - within / total
    sum of squares, pooled over cells. 95% interval: a bootstrap over employers within cells (seeded)."""
    import numpy as np

    df = d.source("lca").assign(metro=worksite_metros(d))
    df = df[(df["role"] == "data_scientist") & df["metro"].notna() & df["amount_usd"].notna()]
    year = latest_full_year(df)
    if year is None:
        raise LookupError("no filings")
    df = df[df["year"].isin([year - 1, year])].assign(y=lambda f: np.log(f["amount_usd"]))
    size = df.groupby(["metro", "year", "employer_key"])["y"].transform("size")
    df = df[size >= EMPLOYER_MIN_FILINGS]
    employers = df.groupby(["metro", "year"])["employer_key"].transform("nunique")
    df = df[employers >= 2]
    if df.empty:
        raise LookupError("no comparable employers")
    # Each cell as its employers' sufficient statistics (filings n, sum s and sum of squares q of log pay): the
    # share and its bootstrap (employers drawn with replacement within each cell) are sums over them.
    def stats_of(frame: Any) -> list[tuple[Any, Any, Any]]:
        out = []
        for _, part in frame.assign(y2=frame["y"] ** 2).groupby(["metro", "year"]):
            g = part.groupby("employer_key")
            out.append((g.size().to_numpy(float), g["y"].sum().to_numpy(), g["y2"].sum().to_numpy()))
        return out

    def share_of(cells_: list[tuple[Any, Any, Any]], draws: Any = None) -> Any:
        total = within = 0.0
        for i, (n, s_, q) in enumerate(cells_):
            if draws is not None:
                n, s_, q = n[draws[i]], s_[draws[i]], q[draws[i]]
            n_all, s_all, q_all = n.sum(-1), s_.sum(-1), q.sum(-1)
            total = total + q_all - s_all**2 / n_all
            within = within + (q - s_**2 / n).sum(-1)
        return 1 - within / total

    cells = stats_of(df)
    value = float(share_of(cells))
    rng = np.random.default_rng(0)
    draws = [rng.integers(0, len(c[0]), (400, len(c[0]))) for c in cells]
    boots = share_of(cells, draws)
    q_lo, q_hi = (float(x) for x in np.percentile(boots, [2.5, 97.5]))
    # the basic (reverse-percentile) interval: resampling few employers per cell biases the share down, and the
    # basic interval corrects that first-order bias where the plain percentile interval would inherit it
    lo, hi = max(0.0, 2 * value - q_hi), min(1.0, 2 * value - q_lo)
    est = stats.Estimate(value * 100, lo * 100, hi * 100, len(df), "between-employer share of variance; basic "
                         "bootstrap interval over employers within metro x year cells (400 draws, seeded)")  # fmt: skip
    by_metro = df.groupby("metro")
    rows = []
    for metro, part in sorted(by_metro, key=lambda mp: -len(mp[1]))[:8]:
        n = len(part)
        shown = stats.visibility(n) == "shown"
        rows.append(Group(str(metro), float(share_of(stats_of(part))) * 100 if shown else None, None,
                          None, n if n >= stats.PRIVACY_FLOOR else None, "ok" if shown else "suppressed",
                          f"{part['employer_key'].nunique()} employers"))  # fmt: skip
    return Out(est, len(df), len(df), sorted({int(y) for y in df["year"]}), rows, method=est.method,
               group_unit="share")  # fmt: skip


def ml_intensity_gap(d: Data) -> Out:
    """ML-role filings (ML, AI and MLOps engineers, research and applied scientists) at employers whose filings are
    mostly ML roles vs at the others, each filing's base relative to the median of its own role, year and metro
    (cells of >= 5 filings): median relative pay at ML-intensive employers / at the others - 1."""
    lca = d.source("lca").assign(metro=worksite_metros(d))
    intensity = lca.assign(ml=lca["role"].isin(schema.ML_ROLES)).groupby("employer_key")["ml"].mean()
    df = lca[lca["role"].isin(schema.ML_ROLES) & lca["metro"].notna() & lca["amount_usd"].notna()]
    cell = df.groupby(["role", "year", "metro"])["amount_usd"]
    df = df.assign(rel=df["amount_usd"] / cell.transform("median"), cell_n=cell.transform("size"))
    df = df[df["cell_n"] >= EMPLOYER_MIN_FILINGS]
    heavy = df["employer_key"].map(intensity).to_numpy() >= 0.5
    a, b = df[heavy], df[~heavy]
    ea, eb = stats.quantile(a["rel"].to_numpy(), 0.5), stats.quantile(b["rel"].to_numpy(), 0.5)
    r = stats.ratio(ea, eb)
    rows = [group("mostly ML roles (>= 50% of their filings)", ea), group("other employers", eb)]
    return Out(r, min(ea.n, eb.n), ea.n + eb.n, sorted({int(y) for y in df["year"]}), rows, True, method=r.method,
               group_unit="ratio", compared=[("at ML-intensive employers", ea.n), ("at the others", eb.n)],
               held_fixed="the same role, year and metro (each filing relative to its cell's median)")  # fmt: skip

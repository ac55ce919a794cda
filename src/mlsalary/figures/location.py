"""Figures on where, each declared beside its measure: OEWS national and metro pay, tech hubs, states, countries
(each in its own currency), remote work and working from abroad.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from mlsalary import stats
from mlsalary.figures.data import Data, estimate, group
from mlsalary.figures.measure import (
    AIJ,
    AIJOBS_CAVEAT,
    COUNTRIES,
    HUBS,
    LATEST_US_ML,
    OEWS,
    OEWS_CAVEAT,
    ONE,
    PRACTITIONERS,
    PUBLISHED,
    RSE_METHOD,
    FigureDef,
    Out,
    float_or_none,
    published_out,
    published_row,
    ratio_rse,
    rse_interval,
    within_sides,
)
from mlsalary.figures.model import Group
from mlsalary.figures.populations import (
    aijobs,
    last_two,
    latest,
    latest_or_pooled,
    oews_rows,
    own_currency,
)
from mlsalary.normalize import money

if TYPE_CHECKING:
    import pandas as pd


def oews_national(soc: str) -> Callable[[Data], Out]:
    def compute(d: Data) -> Out:
        row = oews_rows(d, soc).iloc[0]
        history = d.oews[(d.oews["soc_2018_code"] == soc) & (d.oews["area_type"] == "national")].sort_values("year")
        rows = [
            Group(str(r["year"]), float_or_none(r["annual_median"]), None, None, None, "ok",
                  "published" if r["occupation_code"] == soc else
                  f"published for the broader {r['occupation_code']}: {soc} was part of it that year",
                  mark="" if r["occupation_code"] == soc else f"broader occupation ({r['occupation_code']})")
            for r in history.to_dict("records")
        ]  # fmt: skip
        return published_out(row, float_or_none(row["annual_median"]), "national", rows,
                             "BLS OEWS published median, not re-estimated")  # fmt: skip

    return compute


def top_metro(d: Data) -> Out:
    metros = oews_rows(d, "15-2051", "metro").copy()
    metros["median"] = metros["annual_median"].map(float_or_none)
    metros = metros[metros["median"].notna()].sort_values("median", ascending=False)
    top = metros.iloc[0]
    rows = [published_row(r) for r in metros.head(10).to_dict("records")]
    return published_out(top, top["median"], top["area_name"], rows, "BLS OEWS published metro medians",
                         caveats=[f"Top-paying metro: {top['area_name']}."])  # fmt: skip


def hub_premium(d: Data) -> Out:
    nat = oews_rows(d, "15-2051").iloc[0]
    national, national_rse = float_or_none(nat["annual_median"]), float_or_none(nat["wage_rse"])
    metros = oews_rows(d, "15-2051", "metro")
    rows, ratios, variances, weights = [], [], [], []
    for hub, name in HUBS.items():
        m = metros[metros["area_name"].str.startswith(name)]
        med = float_or_none(m.iloc[0]["annual_median"]) if len(m) else None
        rse = ratio_rse(float_or_none(m.iloc[0]["wage_rse"]) if len(m) else None, national_rse)
        if med is None or national is None or rse is None:
            rows.append(Group(hub, None, None, None, None, "suppressed", "not published"))
            continue
        r = med / national
        lo, hi = rse_interval(r, rse)
        ratios.append(r)
        variances.append((r * rse / 100) ** 2)
        weights.append(float_or_none(m.iloc[0]["employment"]) or 0.0)
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
    st["median"] = st["annual_median"].map(float_or_none)
    st = st[st["median"].notna()].sort_values("median", ascending=False)
    hi, lo = st.iloc[0], st.iloc[-1]
    rows = [published_row(r) for r in st.to_dict("records")]
    value = hi["median"] / lo["median"]
    ci = rse_interval(value, ratio_rse(float_or_none(hi["wage_rse"]), float_or_none(lo["wage_rse"])))
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


def remote_gap(d: Data) -> Out:
    """Remote vs on-site within level (remote postings' level mix is their own)."""
    def parts(df: pd.DataFrame) -> list[pd.DataFrame]:
        return [df[df["remote"] == "remote"], df[df["remote"] == "onsite"]]

    df, notes = latest_or_pooled(aijobs(d), parts)
    df = df[df["remote"].isin(["remote", "onsite"])]
    out = within_sides(df, d.strata, df["remote"] == "remote", df["remote"] == "onsite", ("remote", "on-site"),
                       "US, full-time ML engineers, the same year(s)")  # fmt: skip
    out.caveats += notes
    return out


def abroad_gap(d: Data) -> Out:
    """Living outside the employer's country vs inside it, within employer country and level (who lives abroad
    differs by both)."""
    df = last_two(aijobs(d, PRACTITIONERS, country=None))
    outside = df["employee_country"] != df["company_country"]
    return within_sides(df, d.strata, outside, ~outside, ("lives outside employer's country", "same country"),
                        "full-time ML practitioners, the latest two full years")  # fmt: skip


#: This topic's figures, in the order the report shows them (figures.catalogue gathers every topic's).
FIGURES: tuple[FigureDef, ...] = (
    FigureDef(
        "oews-data-scientists-national",
        "location",
        "What does BLS publish as the US median for data scientists?",
        "usd",
        OEWS,
        "OEWS national median annual wage, SOC 15-2051 data scientists, latest release.",
        oews_national("15-2051"),
        None,
        (OEWS_CAVEAT,),
        "trend",
        says="BLS's published US median wage for data scientists: {value}",
    ),
    FigureDef(
        "oews-research-scientists-national",
        "location",
        "What does BLS publish as the US median for computer and information research scientists?",
        "usd",
        OEWS,
        "OEWS national median annual wage, SOC 15-1221, latest release.",
        oews_national("15-1221"),
        None,
        (OEWS_CAVEAT,),
        "trend",
        says="BLS's published US median wage for computer and information research scientists: {value}",
    ),
    FigureDef(
        "top-paying-metro",
        "location",
        "Which US metro pays data scientists the most?",
        "usd",
        OEWS,
        "Highest published OEWS metro median, SOC 15-2051, latest release (top 10 shown).",
        top_metro,
        None,
        (OEWS_CAVEAT,),
        "bars",
        says='{top} pays data scientists the most: median {value}',
    ),
    FigureDef(
        "tech-hub-premium",
        "location",
        "How much more do tech hubs pay than the US as a whole?",
        "percent",
        OEWS,
        "Employment-weighted mean of (hub median / national median - 1) for San Francisco, San Jose, "
        "Seattle and New York, SOC 15-2051, latest OEWS release.",
        hub_premium,
        None,
        (OEWS_CAVEAT,),
        "bars",
        says='San Francisco, San Jose, Seattle and New York pay data scientists more than the US median by {value}',
    ),
    FigureDef(
        "state-spread",
        "location",
        "How far apart are the highest- and lowest-paying states?",
        "ratio",
        OEWS,
        "Highest / lowest published state median, SOC 15-2051, latest OEWS release.",
        state_spread,
        None,
        (OEWS_CAVEAT,),
        "bars",
        says='{top} pays data scientists {value} what {bottom} does',
    ),
    FigureDef(
        "country-comparison",
        "location",
        "How does US ML pay compare with the UK, Germany, Canada and India, nominally and in purchasing power?",
        "usd",
        AIJ,
        "Median annual pay (USD) of full-time ML "
        "practitioners by employer country (aijobs.net, the latest two full years; outside the US only postings "
        "stated in the country's own currency), with each country's median in PPP international dollars.",
        countries,
        ONE,
        (AIJOBS_CAVEAT,),
        "bars",
        says='Median by employer country: {groups}',
    ),
    FigureDef(
        "remote-gap",
        "remote",
        "Do remote ML engineers earn less than on-site ones?",
        "percent",
        AIJ,
        f"Median remote pay / median on-site pay - 1, {LATEST_US_ML}.",
        remote_gap,
        ONE,
        (AIJOBS_CAVEAT,),
        "bars",
        asks=-1,
        strata=("level",),
    ),
    FigureDef(
        "abroad-gap",
        "remote",
        "Do people living outside their employer's country earn less?",
        "percent",
        AIJ,
        "Median pay of ML practitioners living outside their employer's country / inside it - 1 (aijobs.net, "
        "latest two full years, all countries).",
        abroad_gap,
        ONE,
        (AIJOBS_CAVEAT,),
        "bars",
        asks=-1,
        strata=("company_country", "level"),
    ),
)

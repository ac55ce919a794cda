"""Figures on change over time, each declared beside its measure: year over year within level, OEWS's real change,
and shares by year within the posting era (held within US employers and the rest).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from mlsalary import disclosure, stats
from mlsalary.figures.data import Data
from mlsalary.figures.measure import (
    AIJ,
    AIJOBS_CAVEAT,
    OEWS,
    OEWS_CAVEAT,
    OEWS_TREND_CAVEAT,
    ONE,
    PRACTITIONERS,
    PUBLISHED,
    RSE_METHOD,
    FigureDef,
    MissingYears,
    Out,
    TooThin,
    as_percent,
    float_or_none,
    ratio_rse,
    rse_interval,
    said,
    stratum_of,
    within,
)
from mlsalary.figures.model import Group
from mlsalary.figures.populations import (
    BEFORE_ERA,
    BEFORE_ERA_NOTE,
    aijobs,
    genai,
    latest,
    posting_era,
)
from mlsalary.normalize import money

if TYPE_CHECKING:
    import pandas as pd


def yoy(d: Data) -> Out:
    """The change of the median from one year to the next with level held fixed (the entry share of the postings
    changes from year to year: the raw change mixes that in), nominal, and in real terms beside it."""
    df = aijobs(d)
    _, year = latest(df)
    two = df[df["year"].isin([year - 1, year])]
    this, prev = two["year"] == year, two["year"] == year - 1
    labels, held = (str(year), str(year - 1)), "US, full-time ML engineers"
    out = within(two, d.strata, this, prev, labels, held)
    real = as_percent(within(two, d.strata, this, prev, labels, held, real=True).stat)  # type: ignore[arg-type]
    if stats.visibility(out.n_min) == "shown":
        out.extra = {"real_change": real.value, "real_change_ci_low": real.ci_low, "real_change_ci_high": real.ci_high}
    return out


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
    real_ratio = float_or_none(last["annual_median"]) * f1 / (float_or_none(first["annual_median"]) * f0)  # type: ignore[operator]
    ci = rse_interval(real_ratio, ratio_rse(float_or_none(first["wage_rse"]), float_or_none(last["wage_rse"])))
    # Drawn as the headline says: each year's published median in constant dollars of the base year
    rows = []
    for r in hist.to_dict("records"):
        f = money.real_factor(int(r["year"]), base)
        nominal = float_or_none(r["annual_median"])
        real = nominal * f if nominal is not None and f is not None else None
        rows.append(Group(str(r["year"]), real, None, None, None, "ok" if real is not None else "suppressed",
                          f"constant {base} dollars; published (nominal) ${nominal:,.0f}" if nominal else ""))
    e = stats.Estimate(real_ratio, ci[0], ci[1], 0,
                       f"change of published medians in constant {base} dollars (CPI-U); {RSE_METHOD}")  # fmt: skip
    return Out(e, PUBLISHED, 0, [int(first["year"]), int(last["year"])], rows, percent=True, method=e.method)


def share_by_year(predicate: Callable[[pd.DataFrame], pd.Series]) -> Callable[[Data], Out]:
    """A share of postings by year; the headline is the latest full year's share, and the change is measured within
    the posting era only (its first year to the latest, with Newcombe's interval of a difference of shares). With
    declared strata (FigureDef.strata), the change is measured within each stratum and pooled with the latest year's
    mix as weights (the interval from the strata's Newcombe intervals as normal errors), the unadjusted change beside
    it."""
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
            if d.strata:
                held = _share_change_within(first, cur, predicate, d.strata, era, year)
                if held is not None:
                    (change_s, lo_s, hi_s), said = held
                    out.extra |= {"change_pp": change_s, "change_ci_low": lo_s, "change_ci_high": hi_s,
                                  "change_pp_unadjusted": change, "change_unadjusted_ci_low": c_lo,
                                  "change_unadjusted_ci_high": c_hi}  # fmt: skip
                    out.strata = d.strata
                    out.caveats.append(said)
            out.caveats.append(f"aijobs.net's records before {era} are mostly self-reported salaries, from {era} on "
                               f"employers' posted ranges: the change is measured from {era} on, and the earlier "
                               "years are marked on the chart")  # fmt: skip
        return out

    return compute


def _share_change_within(first: pd.DataFrame, cur: pd.DataFrame, predicate: Callable[[pd.DataFrame], pd.Series],
                         strata: tuple[str, ...], era: int, year: int) -> tuple[tuple[float, float, float], str] | None:
    """The change of a share within each stratum, pooled with the latest year's mix as weights; None unless every
    stratum has at least the privacy floor of postings in and out of the share in both years. A stratum's own shares
    are printed only where they may be (disclosure.share_allowed: a share of a known whole is a count), else its
    change alone."""
    import math

    name = said(strata)
    z = stats.intervals.z_of()
    a, b = first.assign(_s=stratum_of(first, strata)), cur.assign(_s=stratum_of(cur, strata))
    parts, told = [], []
    for value in sorted(set(b["_s"])):
        s0, s1 = a[a["_s"] == value], b[b["_s"] == value]
        k0, n0, k1, n1 = int(predicate(s0).sum()), len(s0), int(predicate(s1).sum()), len(s1)
        if min(k0, n0 - k0, k1, n1 - k1) < stats.PRIVACY_FLOOR:
            return None
        d, lo, hi = _newcombe(k1, n1, k0, n0)
        if d is None or lo is None or hi is None:
            return None
        parts.append((n1, d, (hi - lo) / (2 * z)))
        if disclosure.share_allowed(k0, n0) and disclosure.share_allowed(k1, n1):
            told.append(f"{value} {100 * k0 / n0:.1f}% ({era}) to {100 * k1 / n1:.1f}% ({year}), {d:+.1f} points "
                        f"({lo:+.1f} to {hi:+.1f})")  # fmt: skip
        else:  # the change alone: its two shares would print a count under the floor
            told.append(f"{value} {d:+.1f} points ({lo:+.1f} to {hi:+.1f}; its shares are not printed: fewer than "
                        f"{disclosure.floor()} postings in or out of one)")  # fmt: skip
    total = sum(n for n, _, _ in parts)
    change = sum(n / total * d for n, d, _ in parts)
    se = math.sqrt(sum((n / total * e) ** 2 for n, _, e in parts))
    text = (f"The change is measured within each {name} and pooled with {year}'s mix as weights: " + "; ".join(told)
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
    from mlsalary.stats.resampling import wilson

    low, high = wilson(k, n)
    return 100 * low, 100 * high


#: This topic's figures, in the order the report shows them (figures.catalogue gathers every topic's).
FIGURES: tuple[FigureDef, ...] = (
    FigureDef(
        "yoy-ml-median",
        "trends",
        "How did the US ML-engineer median change over the last year?",
        "percent",
        AIJ,
        "Median pay in the latest full year / the year before - 1, US full-time ML engineers "
        "(aijobs.net), nominal; the real change (CPI-U) in the breakdown.",
        yoy,
        ONE,
        (AIJOBS_CAVEAT, "The mix of postings (more posted ranges in later years) changes over time too."),
        "trend",
        asks=1,
        strata=("level",),
    ),
    FigureDef(
        "oews-ds-real-change",
        "trends",
        "How has the data-scientist median moved since 2021, after inflation?",
        "percent",
        OEWS,
        "Change of the OEWS national median for SOC 15-2051 from May 2021 to "
        "the latest release, in constant dollars (CPI-U).",
        oews_real_change,
        None,
        (OEWS_CAVEAT, OEWS_TREND_CAVEAT),
        "trend",
        asks=1,
    ),
    FigureDef(
        "entry-share-trend",
        "trends",
        "Is the entry-level share of ML jobs shrinking?",
        "share",
        AIJ,
        "Share of entry-level postings among full-time ML practitioner postings (aijobs.net, all countries), latest "
        "full year, with every year; the change is measured within the posting era (the years whose postings are "
        "mostly posted ranges), within US employers and elsewhere, pooled with the latest year's mix.",
        share_by_year(lambda df: df["level"] == "entry"),
        ONE,
        (AIJOBS_CAVEAT,),
        "trend",
        asks=-1,
        strata=("employer_region",),
    ),
    FigureDef(
        "genai-share-trend",
        "trends",
        "Are GenAI-titled roles growing?",
        "share",
        AIJ,
        "Share of GenAI-titled postings (naming generative AI, LLMs or prompts, or an AI Engineer title) among "
        "full-time ML practitioner postings (aijobs.net, all countries), latest full year, with every year; the "
        "change is measured within the posting era.",
        share_by_year(genai),
        ONE,
        (AIJOBS_CAVEAT,),
        "trend",
        asks=1,
    ),
)

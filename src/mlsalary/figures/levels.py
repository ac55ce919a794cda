"""Figures on pay by level, each declared beside its measure: the US ML-engineer median at each level, the jumps
between levels, the spread of entry-level pay, and the median outside the US (postings in their country's own
currency).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from mlsalary import disclosure, schema, stats
from mlsalary.figures.data import Data, estimate, group
from mlsalary.figures.measure import (
    AIJ,
    AIJOBS_CAVEAT,
    LATEST_US_ML,
    NO_STOCK,
    ONE,
    FigureDef,
    Out,
    at_levels,
    gap_out,
    levels_breakdown,
    median_out,
    years_of,
)
from mlsalary.figures.populations import (
    aijobs,
    latest,
    latest_or_pooled,
    own_currency,
)

if TYPE_CHECKING:
    import pandas as pd


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


def outside_us(d: Data) -> Out:
    """Outside the US only postings stated in the country's own currency count (disclosure.OWN_CURRENCY, the rule
    of every surface): most postings abroad stated in US dollars are Canadian and are aijobs.net's labelling, not the
    pay; how many are left out is said."""
    df, _ = latest(aijobs(d, country=None))
    everywhere = df[df["company_country"] != "US"]
    abroad = everywhere[own_currency(everywhere)]
    top = abroad["company_country"].value_counts().head(8).index
    rows = [group(c, estimate(abroad[abroad["company_country"] == c])) for c in top]
    out = median_out(abroad, rows)
    out.caveats.append(left_out(everywhere))
    out.held_fixed = "postings stated in the employer country's own currency"
    return out


def left_out(everywhere: pd.DataFrame) -> str:
    """What the own-currency rule leaves out of postings abroad, as the caveat says it: how many count, how many are
    stated in US dollars (and where most of those are) and how many in a third currency — counts as printed."""
    counted = own_currency(everywhere)
    left = everywhere[~counted]
    dollars = left.loc[left["currency"] == "USD", "company_country"].value_counts()
    first = int(dollars.iloc[0]) if len(dollars) else 0
    most = (f", most of them at employers in {dollars.index[0]}"
            if first > dollars.sum() / 2 and disclosure.published(first) is not None else "")  # fmt: skip
    others = len(left) - int(dollars.sum())
    return (
        f"Only postings stated in the country's own currency count ({disclosure.count_text(int(counted.sum()))}); "
        f"{disclosure.count_text(len(left))} abroad stated in another are left out ("
        + (f"{disclosure.count_text(int(dollars.sum()))} in US dollars{most}; {disclosure.count_text(others)} in a "
           "third currency" if others else f"all in US dollars{most}")
        + "): the US-dollar ones are aijobs.net's labelling, not the pay, and they lifted the median."
    )  # fmt: skip


#: This topic's figures, in the order the report shows them (figures.catalogue gathers every topic's).
FIGURES: tuple[FigureDef, ...] = (
    *(
        FigureDef(
            f"{lvl}-us-ml-median",
            "levels",
            f"What does a US machine learning engineer earn at {lvl} level?",
            "usd",
            AIJ,
            f"Median annual pay, {lvl} level, of {LATEST_US_ML}.",
            level_median(lvl),
            ONE,
            (AIJOBS_CAVEAT, NO_STOCK),
            "ladder",
            says=f"Median posted pay of US {lvl}-level ML engineers: {{value}}",
        )
        for lvl in schema.LEVELS
    ),
    FigureDef(
        "entry-to-mid-jump",
        "levels",
        "How much more does a mid-level ML engineer earn than an entry-level one?",
        "percent",
        AIJ,
        f"Median mid-level pay / median entry-level pay - 1, {LATEST_US_ML}.",
        level_jump("entry", "mid"),
        ONE,
        (AIJOBS_CAVEAT,),
        "ladder",
        says="Mid-level US ML engineers' median pay is above entry level's by {value}",
    ),
    FigureDef(
        "mid-to-senior-jump",
        "levels",
        "How much more does a senior ML engineer earn than a mid-level one?",
        "percent",
        AIJ,
        f"Median senior pay / median mid-level pay - 1, {LATEST_US_ML}.",
        level_jump("mid", "senior"),
        ONE,
        (AIJOBS_CAVEAT,),
        "ladder",
        says="Senior US ML engineers' median pay is above mid level's by {value}",
    ),
    FigureDef(
        "entry-spread",
        "levels",
        "How widely does entry-level ML engineer pay vary?",
        "usd",
        AIJ,
        f"90th minus 10th percentile of entry-level pay, {LATEST_US_ML}.",
        entry_spread,
        ONE,
        (AIJOBS_CAVEAT,),
        "bars",
        says="The 90th minus the 10th percentile of US entry-level ML engineers' posted pay: {value}",
    ),
    FigureDef(
        "non-us-ml-median",
        "levels",
        "What do ML engineers earn outside the US?",
        "usd",
        AIJ,
        "Median annual pay (USD) of full-time ML engineers at employers outside the US (aijobs.net, latest "
        "full year; only postings stated in the country's own currency), with the largest countries.",
        outside_us,
        ONE,
        (AIJOBS_CAVEAT,),
        "bars",
        says='Median pay of ML engineers at employers outside the US: {value}',
    ),
)

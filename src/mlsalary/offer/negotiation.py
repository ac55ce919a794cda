"""Negotiation from evidence: where the offer sits in the market, and the room comparable employers advertise.

- **Where the offer sits**: the market position's own placement — the personal estimate for the offer's profile
  (offer/market.py: its median, its p90 and the offer's percentile among its quantiles, in the offer's currency,
  scaled by the city's pay factor when the profile names a US metro). One median and one percentile per profile:
  the start card, the estimate, the market position and negotiation print the same.
- **The room employers advertise**: the median width of the posted ranges of the comparable postings — the
  full-time aijobs.net postings (one per distinct posting) with the offer's role, level and employer country, of the
  newest full year, pooled with the year before when that year has fewer than the minimum n; fewer still: no ask.
  An employer whose posted range is centred on the offer can go to the top of that range: for a range of width w
  (max / min - 1) the top is 2(1 + w) / (2 + w) times its midpoint.

The ask depends on where the offer sits (the rule, in order):
1. at or above the market's 90th percentile: **no ask** — the market shows no room above it;
2. else the top of a typical range centred on the offer, **capped** at the market's 90th percentile;
3. and **at least the market median** when the offer sits below it (an offer below market asks for the market).
The basis says which of these decided.

It says nothing about bonus, sign-on or equity: no open data covers them.
"""

from __future__ import annotations

from typing import Any

from mlsalary import disclosure, stats

#: The percentile of comparable midpoints an ask never passes (and at or above which there is none).
HIGH = 90


def comparable(role: str, level: str, country: str) -> tuple[Any, list[int]]:
    """(the comparable postings as a frame: amount_usd midpoints and range ends, the years they come from)."""
    from mlsalary import store
    from mlsalary.disclosure import POPULATION
    from mlsalary.stats.periods import latest_full_year

    df = store.query(f"SELECT year, amount_usd, range_low_usd, range_high_usd FROM units WHERE {POPULATION} "
                     "AND role = ? AND level = ? AND company_country = ?", [role, level, country])  # fmt: skip
    year = latest_full_year(df["year"].tolist())
    if year is None:
        return df, []
    latest = df[df["year"] == year]
    if len(latest) >= stats.min_n():
        return latest, [year]
    return df[df["year"].isin([year - 1, year])], [year - 1, year]


def negotiate(base: float, market: dict[str, Any], role: str, level: str, country: str,
              currency: str = "USD") -> dict[str, Any]:  # fmt: skip
    """The target ask for a base salary and the evidence behind it (or why there is none). `base` and `market` (the
    market position's placement: ``median``, ``p90``, ``percentile`` — None beyond p10..p90 —, ``where``) are in
    `currency`; the comparable postings give the room, a ratio, whatever their currency."""
    import numpy as np

    df, years = comparable(role, level, country)
    n = len(df)
    group = f"{level} {role.replace('_', ' ')} postings at employers in {country}"
    when = "–".join(str(y) for y in years) if years else "no year"
    limits = "no open data on bonus, sign-on or equity: the data cannot say how much room they have"
    median, high = float(market["median"]), float(market["p90"])
    placed = (f"your base is at {market['where']} of the market for your profile (the estimate: median "
              f"{median:,.0f} {currency}, 90th percentile {high:,.0f})")  # fmt: skip
    where = {"offer_percentile": None if market["percentile"] is None else round(market["percentile"], 1),
             "median": round(median), f"p{HIGH}": round(high), "currency": currency}  # fmt: skip
    ranges = df[df["range_low_usd"].notna()]
    if len(ranges) < stats.min_n():  # counts as every surface prints them (mlsalary.disclosure): none under 30
        return {"target_ask": None, "basis": "no ask: too few comparable posted ranges to measure the room",
                "room_base": None, "component_with_most_room": None,
                "evidence": f"{placed}; {disclosure.count_text(len(ranges), 'comparable')} posted ranges of {group} "
                            f"({when})",
                "comparable": {"n": disclosure.published(n), "ranges": disclosure.published(len(ranges)),
                               "years": years, **where},
                "limits": limits}  # fmt: skip
    width = float(np.median(ranges["range_high_usd"] / ranges["range_low_usd"] - 1))
    top = 2 * (1 + width) / (2 + width)
    centred = base * top
    range_top = f"the top of a typical comparable posted range centred on your offer (+{(top - 1) * 100:.1f}%)"
    target: float | None
    if base >= high:
        target, basis = None, (f"no ask: your base is at or above the market's {HIGH}th percentile "
                               f"({high:,.0f} {currency}): it shows no room above it")  # fmt: skip
    elif centred > high:
        target, basis = high, f"the market's {HIGH}th percentile ({range_top} would pass it)"
    elif centred < median:
        target, basis = median, f"the market median: your offer sits below it ({range_top} falls short of it)"
    else:
        target, basis = centred, range_top
    return {
        "target_ask": None if target is None else round(target),
        "basis": basis,
        "room_base": None if target is None else round(target - base),
        "component_with_most_room": "base",
        "evidence": (f"{placed}; the median posted range of {disclosure.count_text(len(ranges), 'comparable')} "
                     f"{group} ({when}) is {width * 100:.1f}% wide (max / min - 1)"),
        "comparable": {"n": disclosure.published(n), "years": years, "ranges": disclosure.published(len(ranges)),
                       "median_width_pct": round(width * 100, 1), **where},
        "limits": limits + "; the room is what employers advertise, not what candidates obtained",
    }  # fmt: skip

"""Negotiation from evidence: what comparable employers advertise.

Comparable postings are the full-time aijobs.net postings (one per distinct posting) with the offer's role, level and
employer country, of the newest full year — pooled with the year before when that year has fewer than the minimum n,
and no ask at all below it. Two pieces of evidence:

- **where the offer sits** among the comparable postings' midpoints (scaled by the city's pay factor when the offer
  names a US metro — the market estimate's own factor, mlsalary.cities);
- **the room employers advertise**: the median width of the comparable posted ranges. An employer whose posted range
  is centred on the offer can go to the top of that range: for a range of width w (max / min - 1) the top is
  2(1 + w) / (2 + w) times its midpoint.

The ask depends on where the offer sits (the rule, in order):
1. at or above the 90th percentile of the comparable midpoints: **no ask** — the postings show no room above it;
2. else the top of a typical range centred on the offer, **capped** at that 90th percentile (what the best-paying
   tenth of comparable employers post as their midpoint);
3. and **at least the comparable median** when the offer sits below it (an offer below market asks for the market).
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


def negotiate(base: float, role: str, level: str, country: str, metro_factor: float = 1.0,
              scaled_by: str = "", currency: str = "USD", per_usd: float = 1.0) -> dict[str, Any]:  # fmt: skip
    """The target ask for a base salary and the evidence behind it (or why there is none). `base` is in `currency`;
    the comparable postings (USD) are converted into it at `per_usd` units per dollar; `metro_factor` scales them to a
    US city, `scaled_by` says what that factor is (mlsalary.cities' text)."""
    import numpy as np

    df, years = comparable(role, level, country)
    n = len(df)
    group = f"{level} {role.replace('_', ' ')} postings at employers in {country}"
    when = "–".join(str(y) for y in years) if years else "no year"
    limits = "no open data on bonus, sign-on or equity: the data cannot say how much room they have"
    if n < stats.min_n():  # counts as every surface prints them: rounded, none under 5 (mlsalary.disclosure)
        return {"target_ask": None, "basis": "no ask: too few comparable postings for an honest one",
                "room_base": None, "component_with_most_room": None,
                "evidence": f"{disclosure.count_text(n, 'comparable')} {group} ({when}), fewer than {stats.min_n()}",
                "comparable": {"n": disclosure.published(n), "years": years}, "limits": limits}  # fmt: skip
    mids = df["amount_usd"].to_numpy() * metro_factor * per_usd
    ranges = df[df["range_low_usd"].notna()]
    width = float(np.median(ranges["range_high_usd"] / ranges["range_low_usd"] - 1)) if len(ranges) else 0.0
    top = 2 * (1 + width) / (2 + width)
    percentile = float((mids < base).mean() * 100 + (mids == base).mean() * 50)
    median, high = float(np.median(mids)), float(np.quantile(mids, HIGH / 100))
    centred = base * top
    range_top = f"the top of a typical comparable posted range centred on your offer (+{(top - 1) * 100:.1f}%)"
    target: float | None
    if base >= high:
        target, basis = None, (f"no ask: your base is at or above the {HIGH}th percentile of comparable postings' "
                               f"midpoints ({high:,.0f} {currency}): they show no room above it")  # fmt: skip
    elif centred > high:
        target, basis = high, f"the {HIGH}th percentile of comparable postings' midpoints ({range_top} would pass it)"
    elif centred < median:
        target, basis = median, (f"the median of comparable postings' midpoints: your offer sits below it "
                                 f"({range_top} falls short of it)")  # fmt: skip
    else:
        target, basis = centred, range_top
    where = f" (scaled by the city's pay factor, {scaled_by})" if scaled_by else ""
    return {
        "target_ask": None if target is None else round(target),
        "basis": basis,
        "room_base": None if target is None else round(target - base),
        "component_with_most_room": "base",
        "evidence": (
            f"{disclosure.count_text(n, 'comparable')} {group} ({when}): your base is at percentile "
            f"{percentile:.0f} of their midpoints{where} (median {np.median(mids):,.0f} {currency}); the median "
            f"posted range of {disclosure.count_text(len(ranges), 'ranges')} is {width * 100:.1f}% wide (max / min - 1)"
        ),
        "comparable": {"n": disclosure.published(n), "years": years, "ranges": disclosure.published(len(ranges)),
                       "offer_percentile": round(percentile, 1),
                       "median_midpoint": round(median), f"p{HIGH}_midpoint": round(high), "currency": currency,
                       "median_width_pct": round(width * 100, 1)},
        "limits": limits + "; the room is what employers advertise, not what candidates obtained",
    }  # fmt: skip

"""Explore: pay quantiles of one filtered group of aijobs.net postings (one value per distinct full-time posting:
its range's midpoint), for the explore page and /api/v1/explore — counted as the figures count (their population:
full-time, one per posting).

The suppression rules of the figures hold: no numbers below the minimum n (30), and no count either. Every count
printed goes through mlsalary.disclosure (rounded to the nearest 10, none under the minimum n, so that no group of 1-4
can be worked out by subtracting groups shown), and no quantile or bound is printed with fewer than 5 postings beyond
it. The page's distribution chart is a histogram whose bins too small for a count are left out, whose counts are
rounded as every count is, and whose edges are rounded (``bins``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mlsalary.errors import InputError
from mlsalary.stats.suppress import PRIVACY_FLOOR

if TYPE_CHECKING:
    from mlsalary.disclosure import Pattern

#: The filters, each with the schema constant listing its allowed values (None: checked otherwise).
FILTERS: dict[str, str | None] = {
    "role": "ROLES",
    "level": "LEVELS",
    "country": None,
    "remote": "REMOTE",
    "company_size": "COMPANY_SIZES",
    "year": None,
}
YEARS = (1990, 2100)  # the years a filter may name (the API's schema says the same)
QUANTILES = (("p10", 0.1), ("p25", 0.25), ("median", 0.5), ("p75", 0.75), ("p90", 0.9))
NOTE = ("aijobs.net annual pay (USD): one value per distinct full-time posting (its posted range's midpoint); "
        "95% intervals; the years are the first and last with at least 5 of the group's postings")
UPDATING = "the data was just updated and its privacy checks are being computed: ask again in a few seconds"
TAIL_NOTE = (f"a quantile or bound with fewer than {PRIVACY_FLOOR} postings beyond it is not shown (it would be one "
             "posting's pay)")


def choices(field: str) -> tuple[str, ...]:
    from mlsalary import schema

    name = FILTERS[field]
    return tuple(getattr(schema, name)) if name else ()


def _normalized(filters: dict[str, Any]) -> dict[str, Any]:
    """The filters given, checked (a 422 naming the field) and in the store's terms: the year a number, the country
    its ISO code."""
    from mlsalary.normalize import geo

    key: dict[str, Any] = {}
    for field, value in filters.items():
        if value is None or value == "":
            continue
        if field not in FILTERS:
            raise InputError(f"unknown filter {field!r}: use {', '.join(FILTERS)}", field)
        allowed = choices(field)
        if allowed and value not in allowed:
            raise InputError(f"{field}: unknown value {value!r}: choose one of {', '.join(allowed)}", field)
        key[field] = _year(value) if field == "year" else geo.require_iso2(str(value)) if field == "country" else value
    return key


def _where(key: dict[str, Any]) -> tuple[list[str], list[Any]]:
    """The SQL condition selecting the group of normalized filters, in explore's population."""
    from mlsalary.disclosure import DIMENSIONS, POPULATION

    return [POPULATION, *(f"{DIMENSIONS[f]} = ?" for f in key)], list(key.values())


def _year(value: Any) -> int:
    text = str(value).strip()
    if not text.isdigit() or not YEARS[0] <= int(text) <= YEARS[1]:
        raise InputError(f"year: {value!r} is not a year from {YEARS[0]} to {YEARS[1]}: give one like 2024", "year")
    return int(text)


def explore(filters: dict[str, Any], histogram: bool = False, currency: str = "USD") -> dict[str, Any]:
    """The quantiles (with 95% intervals) of annual pay in the group the filters select, in `currency` (converted
    from US dollars at the average ECB rate of the group's latest year: `conversion`)."""
    from mlsalary import disclosure, stats, store
    from mlsalary.normalize import money

    currency = money.require_currency(currency)
    key = _normalized(filters)
    base: dict[str, Any] = {"filters": {k: v for k, v in filters.items() if v not in (None, "")}, "unit": "postings",
                            "duplicate_policy": "one_per_group", "employment": "full_time", "years": [],
                            "quantiles": [], "currency": currency, "conversion": None,
                            "counts": disclosure.COUNTS_NOTE}  # fmt: skip
    pattern = disclosure.pattern()
    if pattern is None:  # before any query: a pull just swapped the data in
        return {**base, "n": None, "status": "updating", "note": UPDATING}
    where, params = _where(key)
    df = store.query("SELECT amount_usd, year FROM units WHERE " + " AND ".join(where), params)
    pay = df["amount_usd"].to_numpy()
    n = len(pay)
    if disclosure.published(n) is None:  # one answer below the minimum n: no numbers and no count (mlsalary.disclosure)
        return {**base, "n": None, "status": "suppressed", "note": f"{disclosure.count_text(n, 'records')}: no numbers",
                "nearest": nearest(filters, pattern)}  # fmt: skip
    # The years printed are those with at least 5 of the group's postings: the first and last year with any would
    # tell a year of 1-4 postings from an empty one (beside the rounded counts, that gave hundreds of groups away).
    per_year = df["year"].value_counts()
    shown_years = sorted(per_year.index[per_year >= stats.PRIVACY_FLOOR].astype(int).tolist())
    years = [shown_years[0], shown_years[-1]] if shown_years else []
    conv = money.conversion(currency, min(years[1] if years else money.latest_rate_year(), money.latest_rate_year()))
    k = conv["per_usd"]
    rows = []
    for name, q in QUANTILES:
        e = stats.quantile(pay, q)
        values = {"value": e.value, "ci_low": e.ci_low, "ci_high": e.ci_high}
        rows.append({"statistic": name, **{f: None if v is None else v * k for f, v in values.items()}})
    note = NOTE if currency == "USD" else NOTE.replace("(USD)", f"in {currency} ({conv['text']})")
    if any(v is None for r in rows for v in (r["value"], r["ci_low"], r["ci_high"])):
        note += f"; {TAIL_NOTE}"
    out = {**base, "n": disclosure.published(n), "status": "ok", "years": years, "quantiles": rows, "note": note,
           "conversion": conv}  # fmt: skip
    if histogram:
        out["histogram"] = bins(pay * k)
    return out


#: The filters a thin group lets go of, one more at a time, to find the nearest group that has data (the country
#: and the role are kept: another place's or job's pay does not stand in for this one's).
RELAX = ("remote", "company_size", "year", "level")


def nearest(filters: dict[str, Any], pattern: Pattern) -> dict[str, Any] | None:
    """The nearest group with at least the minimum n: the filters with RELAX's dropped in turn, and its n as every
    count is printed (the pattern knows every group's n: no query)."""
    from mlsalary import disclosure, stats

    current = {k: v for k, v in filters.items() if v not in (None, "")}
    for field in RELAX:
        if field not in current:
            continue
        current = {k: v for k, v in current.items() if k != field}
        n, _ = pattern.status(_normalized(current))
        if n >= stats.min_n():
            dropped = [f for f in RELAX if f in filters and f not in current]
            return {"filters": current, "n": disclosure.published(n), "dropped": dropped}
    return None


def bins(pay: Any, count: int = 20) -> list[dict[str, float | None]]:
    """Equal-width bins between the 1st and 99th percentiles — never beyond the 5th smallest and 5th largest value —
    with those edges rounded out to a thousand (so no edge is one record's pay). A bin's count is printed as every
    count is (mlsalary.disclosure.published): a bin too small for a count is dropped, so there are at most as many
    bins as twice the smallest count would fill (fewer than two: nothing to draw)."""
    import numpy as np

    from mlsalary.disclosure import floor, published
    from mlsalary.stats import PRIVACY_FLOOR

    x = np.sort(np.asarray(pay, dtype="float64"))
    count = min(count, len(x) // (2 * floor()))
    if count < 2:
        return []
    p1, p99 = np.percentile(x, [1, 99])
    lo = float(np.floor(max(p1, x[PRIVACY_FLOOR - 1]) / 1000) * 1000)
    hi = float(np.ceil(min(p99, x[-PRIVACY_FLOOR]) / 1000) * 1000)
    if hi <= lo:
        return []
    counts, edges = np.histogram(x[(x >= lo) & (x <= hi)], bins=count, range=(lo, hi))
    shown = [published(int(c)) for c in counts]
    return [{"low": float(edges[i]), "high": float(edges[i + 1]), "count": k}
            for i, k in enumerate(shown) if k is not None]  # fmt: skip

"""A US city's pay factor, measured on data of the kind it scales — one rule for the start card, the estimate, the
offer's market position and its negotiation.

aijobs.net postings say where the employer is (a country), not the city; a US city's answer is the US postings'
answer times the city's factor. The rule, written before it was measured:

1. **H-1B filings of the profile's role** (source ``lca``: base pay offered, by worksite; a filing listed again
   counts once): the median of the metro's filings over the median of every US filing of that role in the same
   years, in constant dollars; its 95% interval from the two medians' intervals (stats.compare.ratio, Price &
   Bonett); n = the metro's filings. Used when the metro has at least the minimum n (stats.min_n) of them.
2. Else **data scientists' filings** by the same rule (the role with the most filings), named as such.
3. Else **BLS's data-scientist ratio**: OEWS's published metro median over its national median — a ratio of all
   data scientists' base wages, not measured on ML pay, named as BLS's, with no interval.

The first step that can be formed is used and named (``basis``); none is chosen silently.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any

#: The role of the second step: the one with the most H-1B filings.
FALLBACK_ROLE = "data_scientist"
BLS_OCCUPATION = "15-2051"


def factor(metro: str, role: str) -> dict[str, Any]:
    """The metro's factor for `role` (the rule above): value, ci_low, ci_high, n, the metro's name, the basis and a
    sentence saying what it is."""
    from mlsalary import cache, wages

    code, name = wages.metro(metro)
    return dict(_factor(code, name, role, cache.stamp()))


@lru_cache(maxsize=256)
def _factor(code: str, name: str, role: str, _state: Any) -> tuple[tuple[str, Any], ...]:
    for r in dict.fromkeys((role, FALLBACK_ROLE)):
        measured = _measured(code, name, r)
        if measured is not None:
            if r != role:
                measured["text"] += f"; too few filings for {_plural(role)} there"
            return tuple(measured.items())
    return tuple(_bls(code, name, role).items())


def _measured(code: str, name: str, role: str) -> dict[str, Any] | None:
    import numpy as np

    from mlsalary import disclosure, employers, stats
    from mlsalary.errors import InsufficientData

    try:
        employers.loaded()
    except InsufficientData:
        return None
    where, params, _ = employers.filters(role, name, None)
    local = employers.columns("year, amount_usd_real", where, params)
    n = len(local["year"])
    if n < stats.min_n():
        return None
    years = sorted(int(y) for y in set(local["year"].tolist()))
    us = employers.columns("amount_usd_real", ["role = ?", f"year IN ({', '.join('?' for _ in years)})"],
                           [role, *years])  # fmt: skip
    # NULL constant dollars (a year without a CPI factor) come masked: NaN, which the quantile leaves out
    a = stats.quantile(np.ma.asarray(local["amount_usd_real"], dtype="float64").filled(np.nan), 0.5)
    b = stats.quantile(np.ma.asarray(us["amount_usd_real"], dtype="float64").filled(np.nan), 0.5)
    r = stats.ratio(a, b)
    if r.value is None or not math.isfinite(r.value):
        return None
    span = f"{years[0]}–{years[-1]}" if len(years) > 1 else str(years[0])
    who = _plural(role)
    return {
        "value": r.value, "ci_low": r.ci_low, "ci_high": r.ci_high, "n": disclosure.published(n),
        "metro": name, "basis": "lca", "role": role, "years": years,
        "text": f"{name}: {r.value:.2f}x the US, measured on {disclosure.count_text(n, 'H-1B filings')} for "
                f"{who} there ({span}, base pay offered, constant dollars; the US median of the same role and years)",
    }  # fmt: skip


def _bls(code: str, name: str, role: str) -> dict[str, Any]:
    from mlsalary import wages
    from mlsalary.errors import InsufficientData, MlsalaryError

    why = f"no pay factor for {name}: too few H-1B filings there and BLS publishes no data-scientist median for it"
    try:
        local = wages.lookup(BLS_OCCUPATION, code)
        national = wages.lookup(BLS_OCCUPATION, "national", local["year"])
    except MlsalaryError:
        raise InsufficientData(why) from None
    if not local.get("annual_median") or not national.get("annual_median"):
        raise InsufficientData(why)
    value = local["annual_median"] / national["annual_median"]
    return {
        "value": value, "ci_low": None, "ci_high": None, "n": None, "metro": str(local["area"]), "basis": "oews",
        "role": None, "years": [int(local["year"])],
        "text": f"{local['area']}: {value:.2f}x the US, BLS's published ratio for all data scientists "
                f"({local['release']}; not measured on ML pay: too few H-1B filings for {_plural(role)} "
                "or data scientists there)",
    }  # fmt: skip


def _plural(role: str) -> str:
    return role.replace("_", " ").replace("ml ", "ML ") + "s"

"""Comparable groups of postings: the pay of the group a question names — or, when it is too thin, of the nearest
group that has data, named. The start card (start.py) and the estimate (model/estimate.py) answer thin places with
this one rule.

The group: aijobs.net postings of the role, level and employer country (one value per distinct posting, its
midpoint; full-time, as the figures count), in the latest full year, or the latest two pooled when the latest has
fewer than the minimum n (the figures' rule). The ladder when it is too thin: the same role at all levels, then all
ML roles at the level, then all ML roles at all levels (pooling up to three years) — always in the same country:
another place's pay never stands in. Each quantile has its 95% interval.
"""

from __future__ import annotations

import contextlib
from contextvars import ContextVar
from typing import Any

from mlsalary import schema, stats

QUANTILES = (("p10", 0.1), ("p25", 0.25), ("p50", 0.5), ("p75", 0.75), ("p90", 0.9))


#: While a group is found (_market_usd): the connection its reads share, opened by the first (a cold estimate of a
#: thin profile read twice, each read opening the database: 0.09-0.14 s against 0.06 s on one connection).
_SHARED: ContextVar[_Shared | None] = ContextVar("groups_connection", default=None)


class _Shared:
    """A connection opened on first use and closed with the stack."""

    def __init__(self, stack: contextlib.ExitStack) -> None:
        self.stack = stack
        self.con: Any = None

    def connection(self) -> Any:
        from mlsalary import store

        if self.con is None:
            self.con = self.stack.enter_context(store.read_only())
        return self.con


def _read(sql: str, params: list[Any]) -> dict[str, Any]:
    """A query's columns as numpy arrays (NULL as None), without pandas: a cold estimate of a thin profile reads its
    country's postings, and importing pandas cost it more than the query."""
    import numpy as np

    from mlsalary import store

    shared = _SHARED.get()
    if shared is None:
        with store.read_only() as con:
            cols = con.execute(sql, params).fetchnumpy()
    else:
        cols = shared.connection().execute(sql, params).fetchnumpy()
    out = {}
    for k, v in cols.items():
        if isinstance(v, np.ma.MaskedArray) and v.dtype == object:
            data = v.data.astype(object)
            data[np.ma.getmaskarray(v)] = None
            v = data
        elif isinstance(v, np.ma.MaskedArray):
            v = v.filled(np.nan)
        out[k] = np.asarray(v)
    return out


def _country_postings(country: str) -> dict[str, Any]:
    """A country's distinct full-time aijobs.net postings with pay (role, level, year, pay), read once per state of
    the database: the first country asked reads only its own rows (a cold estimate pays one small query); a second
    country reads every posting once and both are cut from that (a server answering many countries pays no query
    per country)."""
    from mlsalary import cache
    from mlsalary.disclosure import POPULATION

    sql = (f"SELECT role, level, year, amount_usd, company_country FROM units WHERE {POPULATION} "
           "AND amount_usd IS NOT NULL")  # fmt: skip
    asked: set[str] = cache.cached("groups:countries", set)
    if asked and country not in asked:
        every = cache.cached("groups:postings", lambda: _read(sql, []))
        pick = every["company_country"] == country
        return {k: v[pick] for k, v in every.items()}
    asked.add(country)
    return cache.cached(f"groups:postings:{country}", lambda: _read(sql + " AND company_country = ?", [country]))


def _latest_year() -> int | None:
    """The postings' latest full year as a whole (stats.periods.latest_full_year over every posting's year)."""
    import numpy as np

    from mlsalary import cache
    from mlsalary.disclosure import POPULATION
    from mlsalary.stats.periods import latest_full_year

    def find() -> int | None:
        c = _read(f"SELECT year, count(*) AS n FROM units WHERE {POPULATION} AND amount_usd IS NOT NULL GROUP BY 1",
                  [])  # fmt: skip
        return latest_full_year(np.repeat(c["year"], c["n"]).tolist())

    return cache.cached("groups:latest", find)


def _postings(roles: tuple[str, ...], level: str | None, country: str) -> dict[str, Any]:
    import numpy as np

    d = _country_postings(country)
    keep = np.isin(d["role"], list(roles))
    if level:
        keep &= d["level"] == level
    return {"amount_usd": d["amount_usd"][keep], "year": d["year"][keep]}


def _recent(df: dict[str, Any], spans: tuple[int, ...]) -> tuple[dict[str, Any], list[int]]:
    """The latest full year's rows or, while they are fewer than the minimum n, the latest `span` years pooled (the
    figures pool two; the last, widest group three). The latest full year is the postings' as a whole, the same for
    every group: a group's own would print which years it has postings in (a year with one posting, say)."""
    import numpy as np

    year = _latest_year()
    if year is None or len(df["year"]) == 0:
        return {"amount_usd": df["amount_usd"][:0], "year": df["year"][:0]}, []
    for span in spans:
        years = list(range(year - span + 1, year + 1))
        pick = np.isin(df["year"], years)
        rows = {"amount_usd": df["amount_usd"][pick], "year": df["year"][pick]}
        if len(rows["year"]) >= stats.min_n():
            break
    return rows, years


def group_label(roles: tuple[str, ...], level: str | None, country: str) -> str:
    """A group as every surface names it: 'senior ML engineers at employers in the United States'."""
    import pycountry

    who = ("ML roles (ML, AI and MLOps engineers, research and applied scientists)" if len(roles) > 1
           else f"{roles[0].replace('_', ' ').replace('ml ', 'ML ').replace('ai ', 'AI ')}s")  # fmt: skip
    rec = pycountry.countries.get(alpha_2=country)
    where = getattr(rec, "common_name", None) or getattr(rec, "name", country)
    return f"{level + ' ' if level else ''}{who} at employers in {where}" + ("" if level else ", all levels")


def market(role: str, level: str, country: str, per_usd: float) -> dict[str, Any]:
    """The postings' quantiles for the group, or the nearest group in the same country that has data (named), or
    why there is none. Another country's postings never stand in for this one's. The group's answer (in USD) is
    found once per state of the database and role, level and country (an estimate runs on the server's event loop);
    only the currency is applied per call."""
    from mlsalary import cache

    found = cache.cached(f"groups:market:{role}:{level}:{country}", lambda: _market_usd(role, level, country))
    if not found["available"]:
        return dict(found)

    def money(x: float | None) -> int | None:
        return None if x is None else round(x * per_usd)

    quantiles = {key: {k: money(v) for k, v in q.items()} for key, q in found["quantiles"].items()}
    return {**found, "quantiles": quantiles}


def _market_usd(role: str, level: str, country: str) -> dict[str, Any]:
    """market() in USD, its reads on one connection, opened only if one is needed."""
    with contextlib.ExitStack() as stack:
        token = _SHARED.set(_Shared(stack))
        try:
            return _climb(role, level, country)
        finally:
            _SHARED.reset(token)


def _climb(role: str, level: str, country: str) -> dict[str, Any]:
    from mlsalary import disclosure

    ml = tuple(schema.ML_ROLES) if role in schema.ML_ROLES else (role,)
    candidates = [((role,), level), ((role,), None), (ml, level), (ml, None)]
    candidates = list(dict.fromkeys(candidates))
    first, asked = "", {}
    for i, (roles, lv) in enumerate(candidates):
        spans = (1, 2, 3) if i == len(candidates) - 1 else (1, 2)
        df, years = _recent(_postings(roles, lv, country), spans)
        label = group_label(roles, lv, country)
        n = len(df["year"])
        # Which postings the group counts (explore's filters: the roles summed, the years pooled), as printed.
        selection = {"roles": list(roles), "level": lv, "country": country, "years": years}
        if not first:
            first = f"{label}: {disclosure.count_text(n)}"
            asked = {"selection": selection, "n": disclosure.published(n)}
        if n < stats.min_n():
            continue
        pay = df["amount_usd"]
        q = {}
        for key, p in QUANTILES:
            e = stats.quantile(pay, p)
            if e.value is None:  # too few postings beyond it to print it (stats.intervals.TAIL_FLOOR): climb on
                break
            q[key] = {"value": e.value, "ci_low": e.ci_low, "ci_high": e.ci_high}
        if len(q) < len(QUANTILES):
            continue
        return {"available": True, "group": label, "exact": i == 0,
                "nearest_note": None if i == 0 else f"{first}, too few; the nearest group with data is {label}",
                "n": disclosure.published(n), "counts": disclosure.COUNTS_NOTE, "years": years,
                "selection": selection, "asked": asked,
                "unit": "postings (one per distinct posting, its range's midpoint; full-time)",
                "quantiles": q, "source": "aijobs"}  # fmt: skip
    enough = f"at least {stats.min_n()} postings, and {stats.intervals.TAIL_FLOOR} beyond each"
    return {"available": False, "group": first.split(":")[0], "exact": True, "n": None, "asked": asked,
            "reason": f"{first}, and no nearby group in the same country has enough to print its 10th to 90th "
                      f"percentiles ({enough})"}  # fmt: skip

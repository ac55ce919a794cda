"""Pay at a named employer, from H-1B Labor Condition Application filings (source ``lca``).

Every number here is **base pay offered in H-1B visa filings** (no bonus, no stock; a filing, not a hire), one value
per filing (a range's midpoint; a filing listed again counts once), in US dollars a year. An employer is its
``employer_key`` (the filed names normalised: sources/lca.py), so "GOOGLE LLC" and "Google Inc." are one employer.

The rules of every figure hold: no statistic for fewer than 5 filings (not even the count), no median or interval
for fewer than the minimum n (30), and a ranking lists only employers with the minimum n. A metro is matched on the
worksite's city and state: the metro's principal cities (from BLS's metro name) and the places that lead to it
(wages.METRO_ALIASES) — a worksite in a suburb that is neither is not counted in the metro.
"""

from __future__ import annotations

import difflib
from typing import Any

from mlsalary import disclosure, schema, stats
from mlsalary.errors import InputError, InsufficientData, NotFound

UNIT = "base pay offered in H-1B visa filings (no bonus, no stock; a filing, not a hire), USD a year"


#: The filings every employer page counts: one per filing listed once, with an amount.
FILINGS = "FROM units WHERE source = 'lca' AND dup_rank = 1 AND amount_usd IS NOT NULL"
COLUMNS = ("employer, employer_key, role, level, year, worksite_city, worksite_state, amount_usd, amount_usd_real, "
           "real_base_year, wage_level, range_low_usd, range_high_usd")  # fmt: skip


def filings(where: list[str], params: list[Any]) -> Any:
    from mlsalary import store

    return store.query(f"SELECT {COLUMNS} {FILINGS}" + "".join(f" AND {w}" for w in where), params)


def columns(names: str, where: list[str], params: list[Any]) -> dict[str, Any]:
    """Some columns of the same filings as numpy arrays, without pandas (a cold estimate for a city reads them)."""
    from mlsalary import store

    with store.read_only() as con:
        sql = f"SELECT {names} {FILINGS}" + "".join(f" AND {w}" for w in where)
        return dict(con.execute(sql, params).fetchnumpy())


def loaded() -> dict[str, Any]:
    from mlsalary import age, store

    with store.read_only() as con:
        row = con.execute("SELECT data_as_of FROM sources WHERE name = 'lca'").fetchone()
    if row is None:
        raise InsufficientData('H-1B filings are not loaded: run "mlsalary data pull lca"')
    return {"source": "lca", **age.of_source("lca", row[0])}


def filters(role: str | None, metro: str | None, year: int | None) -> tuple[list[str], list[Any], dict[str, Any]]:
    from mlsalary import wages

    where: list[str] = []
    params: list[Any] = []
    shown: dict[str, Any] = {}
    if role:
        if role not in schema.ROLES:
            raise InputError(f"role: unknown role {role!r}: choose one of {', '.join(schema.ROLES)}", "role")
        where.append("role = ?")
        params.append(role)
        shown["role"] = role
    if metro:
        code, name = wages.metro(metro)
        cities, states = wages.metro_places(code, name)
        where.append(f"worksite_city IN ({', '.join('?' for _ in cities)})")
        params += sorted(cities)
        where.append(f"worksite_state IN ({', '.join('?' for _ in states)})")
        params += sorted(states)
        shown["metro"] = name
    if year is not None:
        where.append("year = ?")
        params.append(int(year))
        shown["year"] = int(year)
    return where, params, shown


def _summary(pay: Any) -> dict[str, Any]:
    """n, median and its 95% interval, p25 and p75 — or only n, or nothing, by the suppression rules."""
    n = len(pay)
    shown = disclosure.published(n)  # every count of filings is printed as every count of postings is
    if shown is None:  # under the minimum n: no numbers, and no count either (mlsalary.disclosure)
        return {"n": None, "status": "suppressed", "note": f"fewer than {disclosure.floor()} filings: no numbers"}
    med = stats.quantile(pay, 0.5)
    return {"n": shown, "status": "ok", "median": med.value, "ci_low": med.ci_low, "ci_high": med.ci_high,
            "p25": stats.quantile(pay, 0.25).value, "p75": stats.quantile(pay, 0.75).value}  # fmt: skip


def resolve(name: str) -> tuple[str, list[str]]:
    """(employer key, its filed names) for what a user typed; one-line errors with suggestions otherwise."""
    from mlsalary import store
    from mlsalary.normalize import companies
    from mlsalary.normalize.companies import employer_key

    key = companies.alias(name) or employer_key(name)  # a declared alias first: "meta" is Meta Platforms
    if not key:
        raise InputError("name: give an employer's name, e.g. google", "name")
    counts = store.query("SELECT employer_key, count(*) AS n FROM observations WHERE source = 'lca' AND dup_rank = 1 "
                         "GROUP BY 1 ORDER BY n DESC, 1")  # fmt: skip
    filings = dict(zip(counts["employer_key"], counts["n"], strict=True))
    if key not in filings:  # whole words only: "META" is not CLEARMETAL, "INTEL" not INTELLIPRO
        starts = [k for k in filings if k.startswith(key + " ")]
        hits = starts or [k for k in filings if f" {key} " in f" {k} "]
        if len(hits) == 1:
            key = hits[0]
        elif hits:
            top = sorted(hits, key=lambda k: -filings[k])[:6]
            listing = "; ".join(f"{k} ({disclosure.count_text(filings[k], 'filings')})" for k in top)
            raise NotFound(f"name: {name!r} matches {len(hits)} employers ({listing}{'; …' if len(hits) > 6 else ''})"
                           ": give one of them")  # fmt: skip
        else:
            close = difflib.get_close_matches(key, list(filings), n=3, cutoff=0.75)
            hint = f"did you mean {' or '.join(close)}?" if close else "`mlsalary employers` lists employers"
            # The years loaded say why a young employer is not there (the mirror's filings end in 2019).
            with store.read_only() as con:
                first, last = con.execute("SELECT min(year), max(year) FROM observations WHERE source = 'lca'"
                                          ).fetchone() or (None, None)  # fmt: skip
            span = "" if first is None else f" ({first}–{last})"
            raise NotFound(f"name: no employer named like {name!r} in the H-1B filings loaded{span}: {hint}")
    names = store.query("SELECT employer, count(*) AS n FROM observations WHERE source = 'lca' AND employer_key = ? "
                        "GROUP BY 1 ORDER BY n DESC, 1", [key])["employer"].tolist()  # fmt: skip
    return key, names


def employer(name: str, role: str | None = None, metro: str | None = None, year: int | None = None) -> dict[str, Any]:
    """What one employer's H-1B filings offer (the JSON of `mlsalary employer NAME --json`)."""
    data = [loaded()]
    key, names = resolve(name)
    _, _, shown = filters(role, metro, year)  # checks the values
    where, params, _ = filters(None, metro, None)
    df = filings(["employer_key = ?", *where], [key, *params])
    out: dict[str, Any] = {"employer": key, "filed_as": names[:10], "filters": shown, "unit": UNIT,
                           **_view(df, role, year), "data": data}  # fmt: skip
    if out["n"] is not None:  # the series of the filings the answer is about (its role, not its year filter)
        picked = df if role is None else df[df["role"] == role]
        out["series"] = _series(picked)

    out["notes"] = [
        "Base pay offered in H-1B filings: what the employer filed for a visa worker, not what every employee earns; "
        "no bonus or stock.",
    ]
    if "level" in out["by"] and not out["by"]["level"]:
        out["notes"].append("No wage levels: the 2015-2019 copy of the filings does not carry them.")
    return out


#: The breakdowns of an employer's filings, and the filters that pick one of their groups.
BREAKDOWNS = ("role", "level", "year")
FILTERS = ("role", "year")


def _breakdown(df: Any, field: str) -> list[dict[str, Any]]:
    """One breakdown's groups that may print a count (at least the minimum n: mlsalary.disclosure)."""
    rows = [{field: value if field != "year" else int(value), **_summary(part["amount_usd"].to_numpy())}
            for value, part in df.groupby(field, dropna=True)]  # fmt: skip
    return [r for r in rows if r["n"] is not None]


def _real(part: Any) -> dict[str, Any]:
    """The median of a group in constant dollars (the store's CPI base year), with its interval — for a group whose
    nominal median is shown."""
    real = part["amount_usd_real"].dropna().to_numpy()
    bases = {int(b) for b in part["real_base_year"].dropna()}
    if len(real) != len(part) or len(bases) != 1:  # a year without a CPI average: no constant dollars
        return {"median_real": None, "real_base_year": None}
    med = stats.quantile(real, 0.5)
    return {"median_real": med.value, "ci_low_real": med.ci_low, "ci_high_real": med.ci_high,
            "real_base_year": bases.pop()}  # fmt: skip


def _series(df: Any) -> dict[str, list[dict[str, Any]]]:
    """The employer's pay over time: each year's median in nominal and constant dollars, and each year's by the
    prevailing-wage level the filings chose (I-IV; official files only), with the same suppression as any group."""
    years = []
    for y, part in df.groupby("year"):
        s = _summary(part["amount_usd"].to_numpy())
        if s["n"] is not None:
            years.append({"year": int(y), **s, **(_real(part) if s["status"] == "ok" else {})})
    levels = []
    for (y, wl), part in df.dropna(subset=["wage_level"]).groupby(["year", "wage_level"]):
        s = _summary(part["amount_usd"].to_numpy())
        if s["n"] is not None:
            levels.append({"year": int(y), "wage_level": wl, **s, **(_real(part) if s["status"] == "ok" else {})})
    return {"years": years, "wage_levels": levels}


def _view(df: Any, role: str | None = None, year: int | None = None) -> dict[str, Any]:
    """An employer's answer from its filings `df` (metro filter applied), for a role and a year or neither.

    A filter picks a group of a breakdown, and answers exactly what that breakdown shows for it: a year or role the
    breakdown (of the other filters' filings) withholds is withheld as a filter too — `?year=2019` printed 27 filings
    where the years hid 2018, and the employer's total of 28 gave 2018's one filing away. `years` lists only the years
    the breakdown shows. Every count is printed as mlsalary.disclosure prints counts (rounded to its base)."""
    picked = {"role": role, "year": year}
    for field in FILTERS:
        value = picked[field]
        if value is None:
            continue
        rest = df
        for other in FILTERS:
            if other != field and picked[other] is not None:
                rest = rest[rest[other] == picked[other]]
        cells = _breakdown(rest, field)
        if not any(c[field] == value and c["n"] is not None for c in cells):
            return {"years": [], "n": None, "status": "suppressed", "by": {},
                    "note": f"this {field} is withheld: its filings are fewer than {disclosure.floor()}"}
        df = df[df[field] == value]
    overall = _summary(df["amount_usd"].to_numpy())
    by = {field: _breakdown(df, field) for field in BREAKDOWNS}
    places = df.assign(place=df["worksite_city"].str.title() + ", " + df["worksite_state"])
    rows = [{"place": p, **_summary(part["amount_usd"].to_numpy())} for p, part in places.groupby("place")]
    by["place"] = sorted([r for r in rows if r["n"] is not None], key=lambda r: (-r["n"], r["place"]))[:10]
    years = sorted(r["year"] for r in by["year"] if r["n"] is not None) if overall["n"] else []
    return {"years": years, **overall, "by": by}


def ranking(role: str, metro: str | None = None, year: int | None = None, top: int = 20) -> dict[str, Any]:
    """Employers ranked by median offered base for a role (the JSON of `mlsalary employers --json`)."""
    if top < 1 or top > 500:
        raise InputError("top: give a number of employers from 1 to 500", "top")
    data = [loaded()]
    where, params, shown = filters(role, metro, year)
    df = filings(where, params)
    rows = []
    thin = 0
    for key, part in df.groupby("employer_key"):
        s = _summary(part["amount_usd"].to_numpy())
        if s["status"] == "ok":
            rows.append({"employer": key, **{k: s[k] for k in ("n", "median", "ci_low", "ci_high", "p25", "p75")}})
        else:
            thin += 1
    rows.sort(key=lambda r: (-r["median"], r["employer"]))
    years = sorted({int(y) for y in df["year"]}) if len(df) else []
    return {"filters": shown, "unit": UNIT, "years": years, "min_n": stats.min_n(), "employers": rows[:top],
            "ranked": len(rows), "too_few_filings": thin, "data": data,
            "notes": [f"Only employers with at least {stats.min_n()} filings are ranked; {thin:,} have "
                      "fewer."]}  # fmt: skip

"""Official US wage percentiles (BLS OEWS) for an occupation and an area, as published.

Lookups accept a SOC code ("15-2051") or words of the title ("data scientists"), and an area as "national",
"US", a BLS area code, a state name or postal abbreviation ("WA"), or words of a metro name ("Seattle"). When the
code asked for was not published in that year, its predecessor under the SOC changes is returned with a note.

A *city* question (the estimate's and offer's metro, the start page's city) is answered by a metro only: ``metro``
resolves common names and aliases (NYC, Bay Area, SF, Silicon Valley, Seattle area, Redmond …: ``METRO_ALIASES``) to
the OEWS metro, so "New York" is the New York metro, not the state; a name that matches no metro gets the nearest
metro names as suggestions. ``metros`` lists them all.
"""

from __future__ import annotations

import re
from typing import Any

from mlsalary import store
from mlsalary.errors import NotFound
from mlsalary.schema import AGGREGATE_WAGE_STATS

_NATIONAL = {"national", "us", "usa", "u.s.", "united states", "0000000", "99"}
_LOOKUP_COLUMNS = (
    "employment",
    "employment_rse",
    "wage_rse",
    *AGGREGATE_WAGE_STATS,
    "top_coded",
    "not_released",
    "top_code_usd",
    "footnotes",
    "industry",
    "release",
    "soc_note",
)
_STATS = ("annual_p10", "annual_p25", "annual_median", "annual_p75", "annual_p90")

#: Common names of US tech places -> the OEWS metro (CBSA) code they lie in. Keys are lower case, without dots.
METRO_ALIASES: dict[str, str] = {
    **dict.fromkeys(("nyc", "new york", "new york city", "manhattan", "brooklyn", "ny metro"), "0035620"),
    **dict.fromkeys(("bay area", "sf bay area", "san francisco bay area", "sf", "san francisco", "oakland",
                     "menlo park", "redwood city", "san mateo", "berkeley"), "0041860"),
    **dict.fromkeys(("silicon valley", "san jose", "palo alto", "mountain view", "sunnyvale", "cupertino",
                     "santa clara"), "0041940"),
    **dict.fromkeys(("seattle", "seattle area", "greater seattle", "redmond", "bellevue", "kirkland"), "0042660"),
    **dict.fromkeys(("la", "los angeles", "santa monica", "irvine"), "0031080"),
    **dict.fromkeys(("dc", "washington dc", "washington, dc", "dmv", "arlington va"), "0047900"),
    **dict.fromkeys(("boston", "cambridge ma", "cambridge, ma", "greater boston"), "0014460"),
    **dict.fromkeys(("austin",), "0012420"),
    **dict.fromkeys(("chicago",), "0016980"),
    **dict.fromkeys(("atlanta",), "0012060"),
    **dict.fromkeys(("denver",), "0019740"),
    **dict.fromkeys(("san diego",), "0041740"),
    **dict.fromkeys(("dallas", "fort worth", "dfw"), "0019100"),
    **dict.fromkeys(("houston",), "0026420"),
    **dict.fromkeys(("philadelphia", "philly"), "0037980"),
    **dict.fromkeys(("pittsburgh",), "0038300"),
    **dict.fromkeys(("raleigh",), "0039580"),
    **dict.fromkeys(("salt lake city", "slc"), "0041620"),
}  # fmt: skip


def _latest_area_year(con: Any) -> int:
    row = con.execute(
        "SELECT max(year) FROM aggregates WHERE source='oews' AND area_type = 'metro'"
    ).fetchone()
    if row is None or row[0] is None:
        raise NotFound('no OEWS metro data is loaded: run "mlsalary data pull oews"')
    return int(row[0])


def metros(year: int | None = None) -> list[dict[str, Any]]:
    """Every OEWS metro of a year (default: the latest with metros): code, name and the aliases that lead to it.
    Read once per state of the database (mlsalary.cache): a city question resolves its metro on every surface it
    reaches (the start card, the estimate, the city factor), and each read took 30 ms."""
    from mlsalary import cache

    return [dict(m) for m in cache.cached(f"wages:metros:{year}", lambda: _metros(year))]


def _metros(year: int | None) -> list[dict[str, Any]]:
    with store.read_only() as con:
        y = year if year is not None else _latest_area_year(con)
        rows = con.execute(
            "SELECT DISTINCT area_code, area_name FROM aggregates WHERE source='oews' AND year=? "
            "AND area_type = 'metro' ORDER BY 2",
            [y],
        ).fetchall()
    if not rows:
        raise NotFound(f"OEWS May {y} has no metro data loaded")
    aliases: dict[str, list[str]] = {}
    for alias, code in METRO_ALIASES.items():
        aliases.setdefault(code, []).append(alias)
    return [{"code": c, "name": n, "year": y, "aliases": aliases.get(c, [])} for c, n in rows]


def metro_places(code: str, name: str) -> tuple[set[str], set[str]]:
    """(cities, states) of a metro, upper case: its principal cities (from BLS's name, "Seattle-Tacoma-Bellevue, WA")
    and the places METRO_ALIASES leads to it (Redmond, Kirkland …), and its states — to match a worksite's city and
    state to the metro."""
    cities_part, _, states_part = name.rpartition(",")
    states = {s.strip().upper() for s in states_part.split("-") if s.strip()}
    cities = {c.strip().upper() for c in re.split(r"-+|/", cities_part) if c.strip()}
    for alias, c in METRO_ALIASES.items():
        if c == code:
            place = re.sub(r",?\s+[a-z]{2}$", "", alias) if re.search(r",?\s+[a-z]{2}$", alias) else alias
            cities.add(place.upper())
    return cities, states


def _key(text: str) -> str:
    return " ".join(text.lower().replace(".", "").split())


def metro(name: str, year: int | None = None, field: str = "metro") -> tuple[str, str]:
    """(OEWS area code, metro name) for a city question: an alias, a metro code, or words of a metro's name. A
    near miss is refused with the nearest names; several matches are refused with the list."""
    import difflib

    from mlsalary.errors import InputError

    all_metros = metros(year)
    by_code = {m["code"]: m["name"] for m in all_metros}
    key = _key(name)
    if key in METRO_ALIASES and METRO_ALIASES[key] in by_code:
        code = METRO_ALIASES[key]
        return code, by_code[code]
    if re.fullmatch(r"\d{7}", key) and key in by_code:
        return key, by_code[key]
    hits = [(c, n) for c, n in by_code.items() if key and key in _key(n)]
    city_state = re.fullmatch(r"(.+?)[, ]+([a-z]{2})", key)  # "Austin TX", "Portland, OR"
    if not hits and city_state:
        city, st = city_state.groups()
        parts = {c: n.rsplit(",", 1) for c, n in by_code.items()}  # "Portland-Vancouver-Hillsboro", " OR-WA"
        hits = [(c, by_code[c]) for c, (cities, states) in parts.items()
                if city in _key(cities) and st.upper() in states.strip().split("-")]  # fmt: skip
    if len(hits) == 1:
        return hits[0]
    if hits:
        listing = "; ".join(n for _, n in hits[:8])
        raise InputError(f"{field}: {name!r} matches {len(hits)} metros ({listing}): name one of them", field)
    # Near misses: against the aliases and each metro's principal cities ("San Jose-Sunnyvale-Santa Clara, CA").
    names: dict[str, str] = {alias: by_code[c] for alias, c in METRO_ALIASES.items() if c in by_code}
    for n in by_code.values():
        for city in re.split(r"[-,/]", n.rsplit(",", 1)[0]):
            names.setdefault(_key(city), n)
    # A typo ("Seatle", "Bay Aera") scores 0.85 and more; a city abroad only its letters in common ("Berlin" and
    # Burlington, 0.62), which is no suggestion at all.
    close = difflib.get_close_matches(key, list(names), n=8, cutoff=0.75)
    suggestions = list(dict.fromkeys(names[c] for c in close))[:3]
    hint = (f"did you mean {' or '.join(suggestions)}?" if suggestions
            else "the metros: mlsalary oews --list-areas, or the /metros page")  # fmt: skip
    raise InputError(f"{field}: no US metro named like {name!r}: {hint} (pay by city is known for US metros only: "
                     "for a city elsewhere, give its country)", field)  # fmt: skip


def _years(con: Any) -> list[int]:
    return [
        int(r[0]) for r in con.execute("SELECT DISTINCT year FROM aggregates WHERE source='oews' ORDER BY 1").fetchall()
    ]


def _occupation(con: Any, occupation: str, year: int) -> tuple[str, str, str | None]:
    """(code, title, note) of the occupation to report for `year`."""
    occ = occupation.strip()
    if re.fullmatch(r"\d\d-?\d{4}", occ):
        code = occ if "-" in occ else f"{occ[:2]}-{occ[2:]}"
        row = con.execute(
            "SELECT occupation_code, any_value(occupation_title) FROM aggregates WHERE source='oews' AND year=? "
            "AND occupation_code=? GROUP BY 1",
            [year, code],
        ).fetchone()
        if row:
            return row[0], row[1], None
        row = con.execute(
            "SELECT occupation_code, any_value(occupation_title), any_value(soc_note) FROM aggregates "
            "WHERE source='oews' AND year=? AND soc_2018_code=? GROUP BY 1 ORDER BY 1 LIMIT 1",
            [year, code],
        ).fetchone()
        if row:
            return row[0], row[1], f"{code} was not published for May {year}; showing {row[0]}: {row[2]}"
        raise NotFound(
            f"occupation {code} is not in OEWS May {year}; try --occupation with a title word, "
            "e.g. --occupation 'data scientists'"
        )
    rows = con.execute(
        "SELECT DISTINCT occupation_code, occupation_title FROM aggregates WHERE source='oews' AND year=? "
        "AND occupation_title ILIKE ? ORDER BY 1",
        [year, f"%{occ}%"],
    ).fetchall()
    exact = [r for r in rows if r[1].lower() == occ.lower()]
    if len(exact) == 1 or len(rows) == 1:
        code, title = (exact or rows)[0]
        return code, title, None
    if not rows:
        raise NotFound(f'no OEWS occupation title contains "{occ}" in May {year}; use a SOC code such as 15-2051')
    listing = "; ".join(f"{c} {t}" for c, t in rows[:8])
    more = f" and {len(rows) - 8} more" if len(rows) > 8 else ""
    raise NotFound(f'"{occ}" matches {len(rows)} occupations ({listing}{more}): pass one SOC code')


def _area(con: Any, area: str, year: int) -> tuple[str, str]:
    a = area.strip()
    if a.lower() in _NATIONAL:
        return "0000000", "National"
    where = "source='oews' AND year=?"
    if re.fullmatch(r"\d{7}", a):
        row = con.execute(
            f"SELECT DISTINCT area_code, area_name FROM aggregates WHERE {where} AND area_code=?", [year, a]
        ).fetchone()
        if row:
            return row[0], row[1]
    if re.fullmatch(r"[A-Za-z]{2}", a):
        import pycountry

        sub = pycountry.subdivisions.get(code=f"US-{a.upper()}")
        if sub is not None:
            a = sub.name
    alias = METRO_ALIASES.get(_key(a))
    if alias and not con.execute(f"SELECT 1 FROM aggregates WHERE {where} AND lower(area_name) = lower(?) LIMIT 1",
                                 [year, a]).fetchone():  # fmt: skip
        row = con.execute(
            f"SELECT DISTINCT area_code, area_name FROM aggregates WHERE {where} AND area_code=?", [year, alias]
        ).fetchone()
        if row:
            return row[0], row[1]
    rows = con.execute(
        f"SELECT DISTINCT area_code, area_name, area_type FROM aggregates WHERE {where} AND area_name ILIKE ? "
        "ORDER BY area_type DESC, 2",
        [year, f"%{a}%"],
    ).fetchall()
    exact = [r for r in rows if r[1].lower() == a.lower()]
    if len(exact) == 1 or len(rows) == 1:
        code, name, _ = (exact or rows)[0]
        return code, name
    if not rows:
        with_areas = [
            r[0]
            for r in con.execute(
                "SELECT year FROM aggregates WHERE source='oews' GROUP BY year HAVING count(DISTINCT area_code) > 1 "
                "ORDER BY year"
            ).fetchall()
        ]
        if year not in with_areas:
            avail = ", ".join(map(str, with_areas)) or "none"
            raise NotFound(f"OEWS May {year} is loaded for the nation only; areas are loaded for May {avail}")
        raise NotFound(f'no OEWS area named like "{a}" in May {year}; try a state, a metro name or "national"')
    listing = "; ".join(f"{n} ({c})" for c, n, _ in rows[:8])
    raise NotFound(f'"{a}" matches {len(rows)} areas ({listing}): be more specific or pass the 7-digit code')


def lookup(
    occupation: str, area: str = "national", year: int | None = None, industry: str = "000000"
) -> dict[str, Any]:
    """Published OEWS annual wage percentiles; top-coded values are None and named in ``top_coded``."""
    with store.read_only() as con:
        years = _years(con)
        if not years:
            raise NotFound('OEWS is not loaded: run "mlsalary data pull oews"')
        y = year if year is not None else years[-1]
        if y not in years:
            raise NotFound(f"OEWS May {y} is not loaded (loaded: {', '.join(map(str, years))})")
        code, title, note = _occupation(con, occupation, y)
        area_code, area_name = _area(con, area, y)
        cols = ", ".join(_LOOKUP_COLUMNS).replace("industry,", "industry_name AS industry,")
        row = con.execute(
            f"SELECT {cols} FROM aggregates WHERE source='oews' AND year=? AND occupation_code=? AND area_code=? "
            "AND industry_code=?",
            [y, code, area_code, industry],
        ).fetchone()
    if row is None:
        raise NotFound(f"BLS published no estimate for {code} {title} in {area_name}, May {y}")
    d = dict(zip(_LOOKUP_COLUMNS, row, strict=True))
    soc_note = d.pop("soc_note")
    notes = [note] if note else ([f"{code}: {soc_note}"] if soc_note else [])
    out: dict[str, Any] = {
        "occupation": code,
        "occupation_title": title,
        "area": area_name,
        "area_code": area_code,
        "industry": d.pop("industry"),
        "year": y,
        "release": d.pop("release"),
        "employment": _int(d["employment"]),
        "employment_rse": d["employment_rse"],
        "annual_mean": _int(d["annual_mean"]),
        "wage_rse": d["wage_rse"],
    }
    for s in _STATS:
        out[s] = _int(d[s])
    out["top_coded"] = list(d["top_coded"])
    out["top_code_usd"] = _int(d["top_code_usd"]) if d["top_coded"] else None
    out["not_released"] = list(d["not_released"])
    out["footnotes"] = list(d["footnotes"])
    out["notes"] = notes
    out["source"] = "BLS OEWS (base wages only: no bonus, no stock; excludes the self-employed)"
    return out


def _int(v: float | None) -> int | None:
    return None if v is None else round(v)

"""Start here: one short question (role, level or years, country, city, currency) answered at a glance — the
home page, the top of the answer a link shares, and GET /api/v1/start return this same card.

- **The market**: p10, p25, median, p75, p90 of the postings of the role, level and employer country, with 95%
  intervals — or, when that group is too thin, of the nearest group in the same country that has data, named
  (groups.market: the rule and its ladder) — never a bare refusal. For a US city, scaled by the city's pay factor
  (mlsalary.cities: measured on H-1B filings, or BLS's ratio, named), the factor the estimate uses too.
- **Your estimate**: the calibrated p10-p90 of the personal estimate for the same profile (model/estimate.py).
- **The answer** (the headline a reader quotes): one median per profile, the one the estimate, an offer's market
  position and its negotiation give — the estimate's median with its calibrated 80% range (its coverage is measured
  by the backtest). The postings above are evidence beside it: their group's own median, with its 95% interval, a
  description of those postings (the figures' and explore's number), and the card says whether the estimate's median
  lies inside that interval. For London's ML engineers by level the postings are the nearest group's, another
  population, named. No estimate for the profile (too few records): the postings' median is the answer, named.
- **Official**: for a US city, BLS's published data-scientist median in its metro (OEWS; base pay only); for the US,
  the national one.
- **Figures** that bear on the question, linked.

Amounts are converted from US dollars into the currency asked at the data year's average ECB rate, which is shown.
"""

from __future__ import annotations

from typing import Any

from mlsalary import disclosure, schema
from mlsalary.errors import InputError, MlsalaryError
from mlsalary.groups import market
from mlsalary.normalize import levels

#: Figures each card links to: the level's figure, then the place's.
LEVEL_FIGURES = {lv: f"{lv}-us-ml-median" for lv in schema.LEVELS}
PLACE_FIGURES = {"abroad": ("country-comparison", "non-us-ml-median"),
                 "metro": ("tech-hub-premium", "top-paying-metro"),
                 "us": ("remote-gap", "negotiation-room")}  # fmt: skip


def card(role: str = "ml_engineer", level: str | None = None, years_experience: float | None = None,
         country: str = "US", city: str | None = None, currency: str = "USD") -> dict[str, Any]:  # fmt: skip
    """The start card for a question (the JSON of GET /api/v1/start)."""
    from mlsalary import age, store, wages
    from mlsalary.model.estimate import estimate, metro_factor
    from mlsalary.normalize import geo, money

    if role not in schema.ROLES:
        raise InputError(f"role: unknown role {role!r}: choose one of {', '.join(schema.ROLES)}", "role")
    if level is not None and level not in schema.LEVELS:
        raise InputError(f"level: unknown level {level!r}: choose one of {', '.join(schema.LEVELS)}", "level")
    if years_experience is not None and not 0 <= years_experience <= 60:
        raise InputError("years_experience: give a number of years from 0 to 60", "years_experience")
    lv = level or levels.level_from_years(years_experience)
    if lv is None:
        raise InputError("level: give a level (entry, mid, senior, executive) or years of experience", "level")
    try:
        iso = geo.require_iso2(country)
    except MlsalaryError as e:
        raise InputError(f"country: {e}", "country") from None
    cur = money.require_currency(currency)
    metro, notes = None, []
    if city and iso == "US":
        metro = wages.metro(city, field="city")
    elif city:
        notes.append(f"{city}: pay by city is known for US metros only (H-1B filings and BLS); this is the answer "
                     f"for {iso} as a whole")  # fmt: skip
    with store.read_only() as con:
        dated = dict(con.execute("SELECT name, data_as_of FROM sources WHERE name = 'aijobs'").fetchall())
        newest = con.execute("SELECT max(year) FROM units WHERE source = 'aijobs'").fetchone()
    rate_year = min(int(newest[0]), money.latest_rate_year()) if newest and newest[0] else money.latest_rate_year()
    conv = money.conversion(cur, rate_year)
    question = {"role": role, "level": lv, "level_from": "level" if level else "years",
                "years_experience": years_experience, "country": iso, "city": metro[1] if metro else city,
                "metro": metro[0] if metro else None, "currency": cur}  # fmt: skip
    # A US city: the US postings scaled by the city's pay factor — the estimate's, the offer's and negotiation's own
    # (mlsalary.cities), so every surface answers for the place with one factor, named with its basis and n.
    scale = None
    if metro:
        try:
            scale = metro_factor(metro[0], role)
        except MlsalaryError as e:  # no filings and no BLS median for it: the card says so and answers for the US
            notes.append(f"{e}; this is the answer for the US as a whole")
    found = market(role, lv, iso, conv["per_usd"] * (scale["value"] if scale else 1.0))
    if scale and found["available"]:
        found = {**found, "city_factor": scale}
    out: dict[str, Any] = {
        "question": question,
        "conversion": conv,
        "market": found,
        "data": [{"source": "aijobs", **age.of_source("aijobs", dated.get("aijobs"))}] if dated else [],
        "notes": notes,
    }
    try:
        est = estimate(role=role, level=lv, country=iso, metro=metro[0] if metro else None, currency=cur)
        # Outside the data's support (fewer than the minimum n of similar records) the estimate still answers, its
        # range widened and said so: one median per profile on every surface (the CLI, the offer's market position
        # and negotiation give this one), the nearest group's postings beside it as evidence.
        out["estimate"] = {"available": True, **{k: est[k] for k in ("p10", "p25", "p50", "p75", "p90")},
                           "support_n": est["support_n"], "in_support": est["in_support"], "year": est["year"],
                           # whether its median lies inside the 95% interval of its group's own postings'
                           # median (the figures' and explore's; None: no such group, or a fuller profile)
                           "agrees_with_postings": est["group"]["agrees"] if est["group"] else None,
                           "notes": est["notes"]}  # fmt: skip
    except MlsalaryError as e:
        out["estimate"] = {"available": False, "reason": str(e)}
    out["official"] = _official(iso, metro, conv["per_usd"])
    out["figures"] = _figures(lv, iso, metro)
    out["answer"] = answer(out)
    out["headline"] = headline(out)
    return out


def answer(c: dict[str, Any]) -> dict[str, Any] | None:
    """The card's one median for the profile, its 80% range, and whose they are (None: nothing to answer with)."""
    from mlsalary.groups import group_label

    e, m, q = c["estimate"], c["market"], c["question"]
    if e["available"]:
        return {"median": e["p50"], "p10": e["p10"], "p90": e["p90"], "from": "estimate",
                "group": group_label((q["role"],), q["level"], q["country"])}  # fmt: skip
    if m["available"]:
        p = m["quantiles"]
        return {"median": p["p50"]["value"], "p10": p["p10"]["value"], "p90": p["p90"]["value"], "from": "postings",
                "group": m["group"]}  # fmt: skip
    return None


def _official(iso: str, metro: tuple[str, str] | None, per_usd: float) -> dict[str, Any]:
    from mlsalary import wages

    if iso != "US":
        return {"available": False, "reason": "BLS publishes US wages only"}
    try:
        r = wages.lookup("15-2051", metro[0] if metro else "national")
    except MlsalaryError as e:
        return {"available": False, "reason": str(e)}
    if r["annual_median"] is None:
        return {"available": False, "reason": f"BLS did not release a data-scientist median for {r['area']}"}
    return {"available": True, "occupation": f"{r['occupation']} {r['occupation_title']}", "area": r["area"],
            "release": r["release"], "median": round(r["annual_median"] * per_usd),
            "employment": r["employment"],
            "note": "BLS OEWS: base wages of all data scientists, not only ML, at every employer surveyed. The "
                    "postings above are a selected sample — employers who post a range on an AI job board, more "
                    "often in pay-transparency states, high-paying metros and senior roles — so they sit above BLS "
                    "for the same occupations"}  # fmt: skip


def _figures(level: str, iso: str, metro: tuple[str, str] | None) -> list[str]:
    place = "abroad" if iso != "US" else "metro" if metro else "us"
    return [LEVEL_FIGURES[level], *PLACE_FIGURES[place]]


def headline(c: dict[str, Any]) -> str:
    """One sentence a reader can quote: the card's answer, whose median it is and how many records stand behind it."""
    a, m, cur = c["answer"], c["market"], c["question"]["currency"]
    if a is None:
        return f"Too few postings to say: {m['reason']}."

    def money(x: int) -> str:
        return f"${x:,}" if cur == "USD" else f"{x:,} {cur}"

    city = m.get("city_factor") if m["available"] else None
    who = f"{a['group'][0].upper()}{a['group'][1:]}"
    if city:
        who += f", scaled to {city['metro']} by its pay factor ({city['value']:.2f}x)"
    if a["from"] == "postings":
        years = f"{m['years'][0]}–{m['years'][-1]}" if len(m["years"]) > 1 else str(m["years"][0])
        return (f"{who}: median posted pay {money(a['median'])} a year (8 in 10 between {a['p10']:,} and "
                f"{a['p90']:,}), about {m['n']:,} aijobs.net postings, {years}.")  # fmt: skip
    e = c["estimate"]
    support = disclosure.said(e["support_n"], "similar records")
    how = (f"calibrated, {support}" if e["in_support"] else
           f"outside the data's support, {support}: its range is widened")  # fmt: skip
    return (f"{who}: median {money(a['median'])} a year, 8 in 10 between {a['p10']:,} and {a['p90']:,} (the "
            f"personal estimate for this profile, {e['year']}: {how}).")

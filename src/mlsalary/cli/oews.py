"""`mlsalary oews`: what BLS publishes for an occupation and an area."""

from __future__ import annotations

from typing import Annotated

import typer

from mlsalary.cli.output import console, count, print_json, usd


def register(app: typer.Typer) -> None:
    app.command(name="oews")(oews)


def oews(
    occupation: Annotated[
        str, typer.Option("--occupation", "-o", help="SOC code (15-2051) or title words (data scientists).")
    ] = "15-2051",
    area: Annotated[
        str, typer.Option("--area", "-a", help="national, a state (Washington, WA), a metro (Seattle) or a code.")
    ] = "national",
    year: Annotated[int | None, typer.Option("--year", "-y", help="May of this year (default: latest).")] = None,
    industry: Annotated[str, typer.Option("--industry", help="OEWS industry code (000000 = all).")] = "000000",
    list_areas: Annotated[
        bool, typer.Option("--list-areas", help="List the metros (with the aliases that lead to them) and exit.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Official US wage percentiles (BLS OEWS) for an occupation and area. Base wages only: no bonus or stock.

    Example: mlsalary oews --occupation 15-2051 --area Seattle --year 2025
    """
    from mlsalary import api

    if list_areas:
        _list_areas(year, as_json)
        return
    r = api.oews(occupation, area, year, industry)
    if as_json:
        print_json(r)
        return
    from rich.table import Table

    cap = r["top_code_usd"]

    def cell(stat: str) -> str:
        if stat in r["top_coded"]:
            return f"≥ {usd(cap)} (top-coded)" if cap else "top-coded"
        if stat in r["not_released"]:
            return "not released"
        return usd(r[stat])

    t = Table(title=f"{r['occupation']} {r['occupation_title']} — {r['area']}, {r['release']}")
    t.add_column("statistic")
    t.add_column("annual wage", justify="right")
    for label, stat in (
        ("10th percentile", "annual_p10"),
        ("25th percentile", "annual_p25"),
        ("median", "annual_median"),
        ("75th percentile", "annual_p75"),
        ("90th percentile", "annual_p90"),
        ("mean", "annual_mean"),
    ):
        t.add_row(label, cell(stat))
    c = console()
    c.print(t)
    rse = f", wage RSE {r['wage_rse']}%" if r["wage_rse"] is not None else ""
    c.print(f"employment {count(r['employment'])}{rse}; industry: {r['industry']}", markup=False)
    for n in r["notes"] + r["footnotes"]:
        c.print(f"note: {n}", markup=False)
    c.print(f"source: {r['source']}", markup=False)


def _list_areas(year: int | None, as_json: bool) -> None:
    from mlsalary import wages

    rows = wages.metros(year)
    if as_json:
        print_json(rows)
        return
    from rich.table import Table

    t = Table(title=f"OEWS metros, May {rows[0]['year']} ({len(rows)}): pass a name, a word of it or an alias")
    t.add_column("code")
    t.add_column("metro")
    t.add_column("also known as")
    for r in rows:
        t.add_row(r["code"], r["name"], ", ".join(r["aliases"]))
    console().print(t)

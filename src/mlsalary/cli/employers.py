"""`mlsalary employer NAME` and `mlsalary employers`: pay at named employers, from H-1B filings."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from mlsalary import schema
from mlsalary.cli.output import console, print_json, usd


def register(app: typer.Typer) -> None:
    app.command(name="employer")(employer)
    app.command(name="employers")(employers)


ROLE_HELP = "Only this role: " + ", ".join(schema.ROLES) + "."
METRO_HELP = "Only worksites in this US metro (e.g. Seattle, NYC, Bay Area)."


def _age(r: dict[str, Any]) -> str:
    from mlsalary import age

    return "; ".join(f"{d['source']} {age.text(d)}" for d in r["data"])


def _line(r: dict[str, Any]) -> str:
    if r["status"] != "ok":
        return r["note"]
    return (f"median {usd(r['median'])} (95% interval {usd(r['ci_low'])}–{usd(r['ci_high'])}), "
            f"middle half {usd(r['p25'])}–{usd(r['p75'])}, n = {r['n']:,} filings")  # fmt: skip


def employer(
    name: Annotated[str, typer.Argument(help="The employer, e.g. google (any spelling of its filed name).")],
    role: Annotated[str | None, typer.Option("--role", help=ROLE_HELP)] = None,
    metro: Annotated[str | None, typer.Option("--metro", help=METRO_HELP)] = None,
    year: Annotated[int | None, typer.Option("--year", help="Only filings of this year.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """What an employer offers in its H-1B filings: median base with its interval, by role, level, year and place.

    Base pay offered in visa filings (no bonus, no stock; a filing, not a hire). A group of fewer than 30 filings
    gets no median and no count (a breakdown lists only groups with both); counts are rounded to the nearest 10.

    Example: mlsalary employer google --role data_scientist
    """
    from mlsalary import employers as emp

    r = emp.employer(name, role, metro, year)
    if as_json:
        print_json(r)
        return
    out = console()
    where = ", ".join(f"{k} {v}" for k, v in r["filters"].items())
    years = f"{r['years'][0]}–{r['years'][-1]}" if r["years"] else "no year"
    out.print(f"{r['employer']} (filed as {', '.join(r['filed_as'][:3])}){' — ' + where if where else ''}, {years}",
              markup=False)  # fmt: skip
    out.print(f"  {_line(r)}", markup=False)
    series = r.get("series") or {}
    for field in ("role", "level", "year", "place"):
        rows = r["by"].get(field) or []
        if not rows or (field == "year" and series.get("years")):
            continue
        out.print(f"  by {field}:", markup=False)
        for g in rows:
            label = str(g[field]).replace("_", " ")
            out.print(f"    {label}: {_line(g)}", markup=False)
    _print_series(out, series)
    out.print(f"  {r['unit']}; data: {_age(r)}", markup=False)
    for n in r["notes"]:
        out.print(f"  note: {n}", markup=False)


def _real(g: dict[str, Any]) -> str:
    if g.get("median_real") is None:
        return ""
    return f"; {usd(g['median_real'])} in {g['real_base_year']} dollars"


def _print_series(out: Any, series: dict[str, Any]) -> None:
    """Each year's median, nominal and in constant dollars, and by the wage level the filings chose."""
    if series.get("years"):
        base = next((g["real_base_year"] for g in series["years"] if g.get("real_base_year")), None)
        out.print(f"  by year (nominal{f'; constant {base} dollars' if base else ''}):", markup=False)
        for g in series["years"]:
            out.print(f"    {g['year']}: {_line(g)}{_real(g)}", markup=False)
    if series.get("wage_levels"):
        out.print("  by year and prevailing-wage level (I entry … IV fully competent, as the employer filed):",
                  markup=False)  # fmt: skip
        for g in series["wage_levels"]:
            out.print(f"    {g['year']} level {g['wage_level']}: {_line(g)}{_real(g)}", markup=False)


def employers(
    role: Annotated[str, typer.Option("--role", help=ROLE_HELP)] = "ml_engineer",
    metro: Annotated[str | None, typer.Option("--metro", help=METRO_HELP)] = None,
    year: Annotated[int | None, typer.Option("--year", help="Only filings of this year.")] = None,
    top: Annotated[int, typer.Option("--top", help="How many employers to list.")] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Employers ranked by the median base their H-1B filings offer for a role, each with n and interval.

    Only employers with at least 30 filings for the role are ranked.

    Example: mlsalary employers --role ml_engineer --top 10
    """
    from rich import box
    from rich.table import Table

    from mlsalary import employers as emp

    r = emp.ranking(role, metro, year, top)
    if as_json:
        print_json(r)
        return
    where = ", ".join(f"{k} {v}" for k, v in r["filters"].items())
    years = f"{r['years'][0]}–{r['years'][-1]}" if r["years"] else "no year"
    t = Table(title=f"Employers by median offered base — {where}, {years}", box=box.SIMPLE_HEAD,
              padding=(0, 0, 0, 1), show_edge=False)  # fmt: skip
    t.add_column("employer", overflow="fold")
    for c in ("median", "95% interval", "n"):
        t.add_column(c, justify="right", no_wrap=True)
    for e in r["employers"]:
        t.add_row(e["employer"], usd(e["median"]), f"{usd(e['ci_low'])}–{usd(e['ci_high'])}", f"{e['n']:,}")
    out = console()
    out.print(t)
    out.print(f"{r['unit']}; data: {_age(r)}", markup=False)
    for n in r["notes"]:
        out.print(f"note: {n}", markup=False)

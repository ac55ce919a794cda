"""`mlsalary figures` and `mlsalary claims`: the figures, the report, and the claim checker."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from mlsalary.cli.output import AS_OF_HELP, as_of, console, print_json


def register(app: typer.Typer) -> None:
    app.command(name="figures")(figures)
    app.command(name="claims")(claims)


def figures(
    out: Annotated[
        Path | None, typer.Option("--out", help="Write report.html, figures.md and figures.json into this folder.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as JSON.")] = False,
    figure_id: Annotated[list[str] | None, typer.Option("--id", help="Only this figure (repeatable).")] = None,
    list_ids: Annotated[bool, typer.Option("--list", help="List the figure ids and questions, and stop.")] = False,
    as_of_date: Annotated[str | None, typer.Option("--as-of", help=AS_OF_HELP)] = None,
    summary: Annotated[bool, typer.Option("--summary", help="Only each figure's answer (no table).")] = False,
) -> None:
    """The headline figures on ML pay, each with its n, 95% interval, sources, years and caveats.

    Figures whose source is not loaded are marked source_missing with the command that adds it; groups too small
    for an honest number are suppressed. The first run after a pull computes them (a few seconds) and keeps them
    beside the database; later runs on the same data read them.

    Example: mlsalary figures --out report/
    """
    if list_ids:
        from mlsalary.figures.catalogue import CATALOGUE

        for fd in CATALOGUE:
            typer.echo(f"{fd.id}\t{fd.question}")
        return
    from mlsalary.figures import memo
    from mlsalary.figures.catalogue import CATALOGUE
    from mlsalary.progress import reporting, step
    from mlsalary.report import render

    _named(list(CATALOGUE), figure_id)  # an unknown id is refused before anything is computed (seconds, after a pull)
    with reporting(), as_of(as_of_date) as vintage_date:
        every, verdicts, sources = memo.computed(_compute)
        figs = _named(every, figure_id)
        if out is not None:
            with step(f"writing the report into {out}"):
                paths = render.write(out, figs, verdicts, sources)
    if out is not None:
        typer.echo("wrote " + ", ".join(str(p) for p in paths), err=True)
    if as_json:
        payload = render.figures_json(figs)
        if vintage_date is not None:
            payload["as_of"] = vintage_date.isoformat()  # a vintage: only data published by then (mlsalary.vintage)
        print_json(payload)
        return
    from rich.table import Table

    c = console()
    if not summary:  # the summary (make run's) keeps the answers below; the table, and more, are in the report
        t = Table(title="What machine learning engineers really earn", show_lines=False)
        for col in ("#", "figure", "value", "interval", "n", "sources", "years"):
            t.add_column(col, overflow="fold")
        for i, f in enumerate(figs, start=1):
            t.add_row(str(i), f.question, render.shown(f), render.ci_text(f), "" if f.n is None else f"{f.n:,}",
                      ", ".join(f.sources), f.period or render.years_text(f.years))  # fmt: skip
        c.print(t)
    c.print("The answers:", markup=False)
    for i, f in enumerate(figs, start=1):
        c.print(f"{i}. {render.human(f.headline)}", markup=False)
    c.print(f"{render.coverage(figs)} Definitions and caveats: mlsalary figures --json or --out DIR", markup=False)
    c.print("data: " + "; ".join(render.source_text(s) for s in sources), markup=False)
    if vintage_date is not None:
        c.print(f"as of {vintage_date.isoformat()}: only the data published by then (mlsalary.vintage)", markup=False)
    for s in sources:
        if s["warning"]:
            c.print(f"warning: {s['warning']}", markup=False)
    for src, n, how in render.missing_sources(figs):
        c.print(f"{render.needing(n, src)}: {how}", markup=False)


def _compute() -> tuple[list[Any], list[Any], list[Any]]:
    """Every figure, every claim's verdict and the sources' header, from the store as it is (or as of a vintage)."""
    from mlsalary.figures.claims import check
    from mlsalary.figures.compute import compute_all
    from mlsalary.figures.data import load
    from mlsalary.progress import step
    from mlsalary.report import render

    with step("reading the store"):
        data = load()
    with step("computing the figures"):
        figs = compute_all(data)
        sources = render.sources_of(data.loaded, data.as_of)
    with step("checking the claims against them"):
        verdicts = check(figs)
    return figs, verdicts, sources


def _named(figs: list[Any], ids: list[str] | None) -> list[Any]:
    """The figures (or their declarations) named by --id, in the catalogue's order, or all; an unknown id is a
    one-line error."""
    if not ids:
        return figs
    from mlsalary.errors import NotFound

    known = {f.id for f in figs}
    unknown = [i for i in ids if i not in known]
    if unknown:
        raise NotFound(f"unknown figure {unknown[0]!r}: see `mlsalary figures --list` for the ids")
    return [f for f in figs if f.id in ids]


def claims(as_json: Annotated[bool, typer.Option("--json", help="Print the verdicts as JSON.")] = False,
           summary: Annotated[bool, typer.Option("--summary", help="Only each claim's verdict.")] = False) -> None:
    """Claims about ML pay — common ones and published ones, with their citations — each checked against the figures
    by one rule: supported, contradicted, no effect found, inconclusive, or cannot be tested with open data —
    with the numbers behind the verdict.

    Example: mlsalary claims --json
    """
    from mlsalary.figures import memo
    from mlsalary.progress import reporting
    from mlsalary.report import render

    with reporting():
        _, verdicts, _ = memo.computed(_compute)
    if as_json:
        print_json(render.claims_json(verdicts))
        return
    if summary:  # make run's: the verdicts; the numbers behind each are in the report and `mlsalary claims`
        from collections import Counter

        c = console()
        counts = Counter(v.verdict for v in verdicts)
        c.print("Claims checked: " + ", ".join(f"{n} {k}" for k, n in counts.most_common()) + ".", markup=False)
        for v in verdicts:
            c.print(f"- {v.verdict}: {v.claim}", markup=False)
        return
    from rich.table import Table

    t = Table(title="Claims about ML pay, checked", show_lines=True)
    for c in ("claim", "verdict", "the numbers"):
        t.add_column(c, overflow="fold")
    for v in verdicts:
        t.add_row(v.cited, v.verdict, render.human(v.numbers))
    console().print(t)

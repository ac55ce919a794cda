"""`mlsalary data ...`: sources, pull, status, export, sql."""

from __future__ import annotations

from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from mlsalary.cli.output import console, count, print_json

app = typer.Typer(help="Get the public data into the local store and look at it.", no_args_is_help=True)


@app.command()
def sources(as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """List every source with its licence, homepage and whether it is loaded.

    Example: mlsalary data sources
    """
    from mlsalary import api

    rows = api.list_sources()
    if as_json:
        print_json({"sources": rows})
        return
    from rich.table import Table

    t = Table(title="Sources")
    for c in ("name", "title", "licence", "homepage", "loaded"):
        t.add_column(c, no_wrap=c == "name", overflow="fold")  # an address folds; it is never cut
    for r in rows:
        loaded = f"yes ({r['version']}, {count(r['rows_loaded'])} rows)" if r["loaded"] else "no"
        t.add_row(r["name"], r["title"], r["licence"], r["homepage"], loaded)
    console().print(t)
    for r in rows:
        if r["attribution"]:
            console().print(f"{r['name']}: {r['attribution']}")


@contextmanager
def _progress(enabled: bool) -> Any:
    if not enabled:
        yield None
        return
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TransferSpeedColumn

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        console=console(stderr=True),
        transient=True,
    ) as bar:
        tasks: dict[str, Any] = {}

        def update(label: str, done: int, total: int | None) -> None:
            if label not in tasks:
                tasks[label] = bar.add_task(f"downloading {label}", total=total)
            bar.update(tasks[label], completed=done, total=total)

        yield update


@app.command()
def pull(
    source: Annotated[list[str] | None, typer.Argument(help="Sources to pull (default: all).")] = None,
    from_: Annotated[
        Path | None, typer.Option("--from", help="A folder (or one file) holding the source files.")
    ] = None,
    offline: Annotated[bool, typer.Option("--offline", help="Never use the network.")] = False,
    replace: Annotated[
        bool, typer.Option("--replace", help="Load even when a source would end up with fewer rows than it has.")
    ] = False,
) -> None:
    """Fetch sources (from --from, MLSALARY_MIRROR, the cache, their official homes or the bundled copies) and load
    them.

    Prints the row accounting of each source. A pull that would leave a source with no rows, or more than 1% fewer
    (MLSALARY_MAX_SHRINK), is refused and the previous data stays, unless --replace. Exits non-zero when a source
    failed or was refused, or nothing could be loaded; a source that is merely unavailable (offline, no network, a
    file only you can download) is reported, not failed.

    Example: mlsalary data pull aijobs oews --from ../shared/data
    """
    import sys

    from mlsalary import api, config

    config.lower_priority()  # a batch job: a server on the same machine keeps answering while it runs
    from mlsalary.progress import reporting

    with reporting(), _progress(sys.stderr.isatty()) as progress:
        outcomes = api.pull(source or None, from_path=from_, offline=offline, progress=progress, replace=replace,
                            on_wait=lambda msg: typer.echo(f"note: {msg}", err=True))
    loaded = [o for o in outcomes if o.status == "loaded"]
    if loaded:
        from rich.table import Table

        t = Table(title="Loaded")
        for c in ("source", "version", "read", "loaded", "quarantined", "duplicates"):
            t.add_column(c, justify="right" if c in ("read", "loaded", "quarantined", "duplicates") else "left")
        for o in loaded:
            r = o.record or {}
            t.add_row(
                o.source,
                r.get("version", ""),
                count(r.get("rows_read")),
                count(r.get("rows_loaded")),
                count(r.get("rows_quarantined")),
                count(r.get("rows_duplicate")),
            )
        console().print(t)
    for o in outcomes:  # one line each, never wrapped
        for note in o.notes:
            typer.echo(f"note: {note}", err=True)
        if o.status != "loaded":
            typer.echo(f"{o.status}: {o.message}", err=True)
    bad = [o.source for o in outcomes if o.status in ("failed", "refused")]
    if not loaded or bad:
        raise typer.Exit(1)


@app.command()
def status(as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """Show what is loaded: where from, the date its data is as of and its age, row accounting (read = loaded +
    quarantined), postings (ranges, singles, distinct) and quarantine reasons.

    Example: mlsalary data status --json
    """
    from mlsalary import age, api

    st = api.status()
    if as_json:
        print_json(st)
        return
    from rich import box
    from rich.table import Table

    # Numbers never wrap or get cut: the table holds the counts; each source's version, origin and age follow it.
    t = Table(title="Data status", box=box.SIMPLE_HEAD, padding=(0, 0, 0, 1), show_edge=False)
    t.add_column("source", no_wrap=True)
    t.add_column("data as of", no_wrap=True)
    for c in ("read", "loaded", "quaran-\ntined", "dupli-\ncates"):
        t.add_column(c, justify="right", no_wrap=True)
    for s in st["sources"]:
        t.add_row(s["name"], s["data_as_of"] or "unknown", count(s["rows_read"]), count(s["rows_loaded"]),
                  count(s["rows_quarantined"]), count(s["rows_duplicate"]))  # fmt: skip
    c = console()
    c.print(t)
    for s in st["sources"]:
        c.print(f"{s['name']}: {s['version']}, {age.text(s)}; from {s['origin']}", markup=False)
    for s in st["sources"]:
        p = s.get("postings")
        if p:
            c.print(f"{s['name']}: {p['postings']:,} postings ({p['ranges']:,} posted ranges, {p['singles']:,} "
                    f"single values), {p['distinct']:,} distinct (a posting listed again counts once)",
                    markup=False)  # fmt: skip
        if s["warning"]:
            c.print(f"warning: {s['warning']}", markup=False)
    for src, reasons in st["quarantine_reasons"].items():
        c.print(f"quarantined in {src}: " + ", ".join(f"{r.replace('_', ' ')} {n:,}" for r, n in reasons.items()),
                markup=False)  # fmt: skip
    if not st["sources"]:
        c.print('nothing loaded yet: run "mlsalary data pull"')


class Format(StrEnum):
    parquet = "parquet"
    csv = "csv"


class Table_(StrEnum):
    observations = "observations"
    aggregates = "aggregates"
    skills = "skills"
    quarantine = "quarantine"
    sources = "sources"


@app.command()
def export(
    format_: Annotated[Format, typer.Option("--format", help="File format.")] = Format.parquet,
    out: Annotated[Path | None, typer.Option("--out", help="Output file (default: ./mlsalary-TABLE.FORMAT).")] = None,
    table: Annotated[Table_, typer.Option("--table", help="Which table.")] = Table_.observations,
) -> None:
    """Write a table of the store to a Parquet or CSV file.

    Example: mlsalary data export --format csv --out observations.csv
    """
    from mlsalary import api

    path = out or Path(f"mlsalary-{table.value}.{format_.value}")
    n = api.export(format_.value, path, table.value)
    typer.echo(f"wrote {n:,} rows of {table.value} to {path}")


@app.command()
def sql(
    query: Annotated[str, typer.Argument(help="One SQL statement (read-only).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON records.")] = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="Print CSV.")] = False,
) -> None:
    """Run a read-only SQL query on the store (tables: observations, aggregates, skills, sources, quarantine; the
    view units holds one row per posting or respondent, as the figures count).

    Example: mlsalary data sql "SELECT role, count(*) FROM observations GROUP BY role"
    """
    from mlsalary import api

    df = api.sql(query)
    if as_json:
        print_json(df.to_dict(orient="records"))
    elif as_csv:
        typer.echo(df.to_csv(index=False), nl=False)
    else:
        from rich.table import Table

        t = Table(show_lines=False)
        for c in df.columns:
            t.add_column(str(c))
        for row in df.head(1000).itertuples(index=False):
            t.add_row(*(_cell(v) for v in row))
        c = console()
        c.print(t)
        if len(df) > 1000:
            c.print(f"(first 1,000 of {len(df):,} rows; use --csv for all)")


def _cell(v: Any) -> str:
    """A value as shown in the table: NULL (None, NaN, NaT) as an empty cell."""
    import pandas as pd

    try:
        if v is None or (not isinstance(v, list | tuple | dict) and bool(pd.isna(v))):
            return ""
    except (TypeError, ValueError):
        pass
    return str(v)

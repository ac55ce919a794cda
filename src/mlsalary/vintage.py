"""Vintages: what the tool would have said on an earlier date (``--as-of DATE``).

A store holds the data as pulled; a vintage is a view of it. Every row carries ``published_on``, the date it was
first public, set at pull time by its source's declared rule (``SourceMeta.published``, one of ``RULES``):

- ``snapshot`` (aijobs.net): the date of the earliest dated snapshot that holds the posting, found by matching the
  older snapshots beside the file read (``salaries_YYYY-MM-DD.csv``) row for row, counting multiplicity; a posting
  in no older snapshot was first public on the file's own date;
- ``year_end`` (the surveys): 31 December of the survey year — Stack Overflow and Kaggle release a year's data in
  that year's second half, so the rule keeps a year out until it was surely out;
- ``spring_after`` (OEWS): 30 April of the year after the May reference period — BLS releases each May's
  estimates in late March or April of the next year (the latest of the releases is the date kept);
- ``mid_next_year`` (H-1B LCA filings): 30 June of the year after the decision — DOL's quarterly disclosure files
  hold a calendar year's decisions by the first quarter after it.

Inside ``at(date)`` (the CLI's ``--as-of``), every read-only connection to the store sees only rows published by that
date: ``observations``, ``aggregates`` and ``skills`` are shadowed by temporary views of the same names (the stored
``units`` view reads them by name), a repeat listing is ranked again among the rows still visible (the earliest
published listing of a group is its first: copies are alike in every field, so no figure changes), and ``sources``
lists only the sources with visible rows, each with the data date of what is visible. A model trained at a vintage is
saved beside the current one (model/saved.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date
from typing import TYPE_CHECKING, Any

from mlsalary import config
from mlsalary.errors import InputError

if TYPE_CHECKING:
    import duckdb
    import pandas as pd

    from mlsalary.sources import SourceMeta

#: The rules a source may declare, from a row's year to the date it was public (``snapshot`` is set by the source).
RULES: dict[str, Callable[[int], date] | None] = {
    "snapshot": None,
    "year_end": lambda year: date(year, 12, 31),
    "spring_after": lambda year: date(year + 1, 4, 30),
    "mid_next_year": lambda year: date(year + 1, 6, 30),
}

_AS_OF: ContextVar[date | None] = ContextVar("mlsalary_as_of", default=None)


def current() -> date | None:
    """The vintage in force (None: everything pulled)."""
    return _AS_OF.get()


@contextmanager
def at(as_of: date | None) -> Iterator[date | None]:
    """Everything read from the store inside the block is as published by `as_of` (None: no vintage)."""
    token = _AS_OF.set(as_of)
    try:
        yield as_of
    finally:
        _AS_OF.reset(token)


def parse_date(text: str, field: str = "--as-of") -> date:
    """An ISO date a user typed, or a one-line error naming the field."""
    try:
        d = date.fromisoformat(text.strip())
    except ValueError:
        raise InputError(f'{field} "{text}" is not a date: give it as YYYY-MM-DD, e.g. 2024-01-01', "as_of") from None
    if d > config.today():
        raise InputError(f"{field} {d.isoformat()} is in the future: a vintage is a date the data could be seen",
                         "as_of")  # fmt: skip
    return d


def stamp(meta: SourceMeta, frame: pd.DataFrame | None) -> pd.DataFrame | None:
    """`frame` with ``published_on`` by the source's declared rule (rows that carry it already keep theirs)."""
    if frame is None or len(frame) == 0:
        return frame
    if meta.published not in RULES:
        raise ValueError(f"{meta.name}: published rule {meta.published!r} is not one of {', '.join(RULES)}")
    rule = RULES[meta.published]
    import pandas as pd

    if not isinstance(frame, pd.DataFrame):  # an Arrow table (a streaming source's part)
        return _stamp_table(meta, rule, frame)
    have = frame["published_on"] if "published_on" in frame.columns else None
    if rule is None:
        if have is None or have.isna().any():
            raise ValueError(f"{meta.name}: rows without published_on, which its rule ({meta.published}) must set")
        return frame
    by_year = {int(y): rule(int(y)) for y in frame["year"].unique()}
    made = frame["year"].map(by_year)
    return frame.assign(published_on=made if have is None else have.where(have.notna(), made))


def _stamp_table(meta: SourceMeta, rule: Any, table: Any) -> Any:
    """stamp() for an Arrow table."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    have = table.column("published_on") if "published_on" in table.column_names else None
    if rule is None:
        if have is None or have.null_count:
            raise ValueError(f"{meta.name}: rows without published_on, which its rule ({meta.published}) must set")
        return table
    years, where = np.unique(table.column("year").to_numpy(), return_inverse=True)
    made = pa.array([rule(int(y)) for y in years], type=pa.date32()).take(pa.array(where.ravel()))
    if have is None:
        return table.append_column("published_on", made)
    i = table.column_names.index("published_on")
    return table.set_column(i, "published_on", pc.coalesce(have.cast(pa.date32()), made))


def _stored(con: duckdb.DuckDBPyConnection) -> str:
    """The schema of the store's own tables on `con` — which a vintage's temporary views of the same names shadow."""
    db = con.execute("SELECT current_database()").fetchone()
    return f'"{db[0] if db else "memory"}".main'


def views(con: duckdb.DuckDBPyConnection, as_of: date) -> None:
    """Shadow the store's tables on `con` (read-only) by their rows published by `as_of` (module docstring)."""
    main = _stored(con)
    day = f"DATE '{as_of.isoformat()}'"
    con.execute(f"""
        CREATE OR REPLACE TEMP VIEW observations AS
        SELECT * REPLACE (CAST(dense_rank() OVER (
                   PARTITION BY source, source_file, dup_group
                   ORDER BY published_on, coalesce(posting_id, source_record)) AS INTEGER) AS dup_rank)
        FROM {main}.observations WHERE published_on <= {day}""")
    con.execute(f"CREATE OR REPLACE TEMP VIEW aggregates AS SELECT * FROM {main}.aggregates "
                f"WHERE published_on <= {day}")  # fmt: skip
    con.execute(f"CREATE OR REPLACE TEMP VIEW skills AS SELECT * FROM {main}.skills "
                "WHERE obs_id IN (SELECT obs_id FROM temp.observations)")  # fmt: skip
    # A published aggregate's data date is its newest visible reference period, by its source's own rule.
    from mlsalary import sources

    dated = [f"SELECT '{name}' AS source, DATE '{sources.get(name).reference_date(int(year)).isoformat()}' AS last, "
             f"{int(n)} AS n"
             for name, year, n in con.execute("SELECT source, max(year), count(*) FROM temp.aggregates "
                                              "GROUP BY source").fetchall()]  # fmt: skip
    aggregated = "".join(f" UNION ALL {q}" for q in dated)
    con.execute(f"""
        CREATE OR REPLACE TEMP VIEW sources AS
        WITH seen AS (
            SELECT source, max(published_on) AS last, count(*) AS n FROM temp.observations GROUP BY source
            {aggregated})
        SELECT s.* REPLACE (CASE WHEN seen.n = s.rows_loaded THEN s.data_as_of
                                 ELSE least(s.data_as_of, seen.last) END AS data_as_of)
        FROM {main}.sources s JOIN seen ON seen.source = s.name""")


def unpublished(con: duckdb.DuckDBPyConnection) -> dict[str, date]:
    """The sources the store holds of which the vintage in force shows nothing (none of their rows public by its
    date), each with the date its first rows were: a figure that needs one is missing it, but pulling it again would
    not help — a date no earlier than that one would. Empty outside a vintage."""
    as_of = current()
    if as_of is None:
        return {}
    main = _stored(con)
    rows = con.execute(f"""
        SELECT source, min(published_on) FROM (
            SELECT source, published_on FROM {main}.observations
            UNION ALL SELECT source, published_on FROM {main}.aggregates)
        GROUP BY source HAVING min(published_on) > ? ORDER BY source""", [as_of]).fetchall()
    return {str(name): first for name, first in rows}


def not_yet_public(first: dict[str, date]) -> str:
    """Why a figure (or a model) has nothing to stand on in a vintage that hides its sources whole: none of their
    data was public yet (the store holds it: a later --as-of, or none, answers). `first`: each source and the date
    its first rows were (unpublished)."""
    when = current()
    by = when.isoformat() if when else "the date asked"
    if len(first) == 1:
        ((name, d),) = first.items()
        return (f"nothing from {name} was public by {by}: its first data is dated {d.isoformat()}; ask as of that "
                "date or later")
    dates = ", ".join(f"{name} {d.isoformat()}" for name, d in first.items())
    return f"nothing from {' or '.join(first)} was public by {by} (first data: {dates}): ask as of a later date"


def describe(con: duckdb.DuckDBPyConnection, as_of: date) -> list[dict[str, Any]]:
    """Per source, what the vintage keeps: rows visible of rows loaded, and the data date it is as of."""
    rows = con.execute("SELECT name, data_as_of, rows_loaded FROM sources ORDER BY name").fetchall()
    out = []
    for name, d, loaded in rows:
        (n,) = con.execute("SELECT (SELECT count(*) FROM observations WHERE source = ?) + "
                           "(SELECT count(*) FROM aggregates WHERE source = ?)", [name, name]).fetchone() or (0,)
        out.append({"source": name, "data_as_of": d.isoformat() if d else None, "rows": int(n),
                    "rows_pulled": int(loaded)})  # fmt: skip
    return out

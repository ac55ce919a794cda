"""The DuckDB store: the only code that opens the database.

- ``ingest()`` replaces one source's rows in one transaction: a failure, or the process being killed, leaves the
  previous state (DuckDB commits atomically through its write-ahead log; uncommitted work is discarded on the
  next open). Re-running an ingest is idempotent.
- Reads go through ``read_only()`` connections with external access disabled, so ``data sql`` can neither write
  the database nor read or write other files.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlsalary import age, config, schema
from mlsalary.errors import StoreError

if TYPE_CHECKING:
    import duckdb
    import pandas as pd

    from mlsalary.sources import FetchedFile, ParseResult, SourceMeta


def _connect(path: Path, read_only: bool) -> duckdb.DuckDBPyConnection:
    import duckdb

    cfg: dict[str, Any] = (
        {
            "enable_external_access": "false",
            "autoinstall_known_extensions": "false",
            "autoload_known_extensions": "false",
        }
        if read_only
        else {"autoinstall_known_extensions": "false"}
    )
    try:
        return duckdb.connect(str(path), read_only=read_only, config=cfg)
    except duckdb.IOException as e:
        msg = str(e)
        if "lock" in msg.lower():
            raise StoreError(f"the database {path} is in use by another mlsalary process; wait for it to finish") from e
        raise StoreError(f"cannot open the database {path}: {msg.splitlines()[0]}") from e
    except duckdb.Error as e:
        raise StoreError(
            f"cannot open the database {path}: {str(e).splitlines()[0]}; "
            "if it is damaged, delete it and run `mlsalary data pull` again"
        ) from e


@contextmanager
def read_only(path: Path | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection; StoreError telling how to create the database when there is none."""
    p = path or config.db_path()
    if not p.is_file():
        raise StoreError(f"no database at {p}: run `mlsalary data pull` first (or set MLSALARY_HOME)")
    con = _connect(p, read_only=True)
    try:
        _check_version(con, p)
        yield con
    finally:
        con.close()


@contextmanager
def writer(path: Path | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    p = path or config.db_path()
    p.parent.mkdir(parents=True, exist_ok=True)
    con = _connect(p, read_only=False)
    try:
        for ddl in schema.all_ddl():
            con.execute(ddl)
        row = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        if row is None:
            con.execute("INSERT INTO meta VALUES ('schema_version', ?)", [str(schema.SCHEMA_VERSION)])
        else:
            _check_version(con, p)
        yield con
    finally:
        con.close()


def _check_version(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    try:
        rows = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchall()
        row = rows[0] if rows else None
    except Exception as e:  # a database file that is not ours
        raise StoreError(f"{path} is not an mlsalary database; point MLSALARY_HOME elsewhere") from e
    if row is None or int(row[0]) != schema.SCHEMA_VERSION:
        raise StoreError(
            f"{path} was made by another version of mlsalary (schema {row[0] if row else '?'}, this one "
            f"needs {schema.SCHEMA_VERSION}): delete it and run `mlsalary data pull` again"
        )


def ingest(meta: SourceMeta, files: list[FetchedFile], result: ParseResult) -> dict[str, Any]:
    """Replace `meta.name`'s rows with `result` in one transaction. Returns the source's accounting row."""
    import pandas as pd

    name = meta.name
    quarantined = len(result.quarantine)
    if result.rows_read != result.rows_loaded + quarantined:
        raise StoreError(
            f"{name}: row accounting does not add up (read {result.rows_read}, loaded {result.rows_loaded}, "
            f"quarantined {quarantined}); nothing was written — please report this"
        )
    obs = result.observations
    if obs is not None and len(obs) and meta.pay_kinds:  # the source's declaration holds its rows to it
        stray = sorted(set(obs["pay_kind"].dropna().unique()) - set(meta.pay_kinds))
        if stray:
            raise StoreError(f"{name}: rows of pay kind {', '.join(stray)}, which the source does not declare "
                             f"({', '.join(meta.pay_kinds)}); nothing was written — please report this")  # fmt: skip
    record = {
        "name": name,
        "title": meta.title,
        "licence": meta.licence,
        "homepage": meta.homepage,
        "version": result.version,
        "files": [f.path.name for f in files],
        "sha256": [f.sha256 for f in files],
        "origin": "; ".join(sorted({_origin(f.origin) for f in files})),
        "retrieved_at": datetime.now(UTC).replace(tzinfo=None),
        "data_as_of": result.data_as_of,
        "rows_read": result.rows_read,
        "rows_loaded": result.rows_loaded,
        "rows_quarantined": quarantined,
        "rows_duplicate": result.rows_duplicate,
    }
    with writer() as con:
        con.execute("BEGIN TRANSACTION")
        try:
            for table, col in (
                ("skills", "source"),
                ("observations", "source"),
                ("aggregates", "source"),
                ("quarantine", "source"),
                ("sources", "name"),
            ):
                con.execute(f"DELETE FROM {table} WHERE {col} = ?", [name])
            _insert(con, "observations", result.observations, schema.OBSERVATION_COLUMNS)
            _insert(con, "aggregates", result.aggregates, schema.AGGREGATE_COLUMNS)
            _insert(con, "skills", result.skills, schema.SKILL_COLUMNS)
            if quarantined:
                _insert_frame(con, "quarantine", result.quarantine.frame(name))
            _insert_frame(con, "sources", pd.DataFrame([record]))
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        con.execute("CHECKPOINT")
    return record


def _origin(origin: str) -> str:
    """A file's origin, with local paths shortened to their folder (one entry per folder)."""
    kind, _, where = origin.partition(":")
    if kind in {"user", "mirror", "cache"}:
        return f"{kind}:{Path(where).parent}"
    return origin


def _insert(
    con: duckdb.DuckDBPyConnection, table: str, df: pd.DataFrame | None, columns: tuple[schema.Column, ...]
) -> None:
    if df is None or df.empty:
        return
    try:
        rows = schema.to_arrow(df, columns)
    except KeyError as e:
        raise StoreError(f"internal: {table} {e.args[0]}; please report this") from e
    _insert_frame(con, table, rows)


def _insert_frame(con: duckdb.DuckDBPyConnection, table: str, df: Any) -> None:
    con.register("_incoming", df)
    try:
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM _incoming")
    finally:
        con.unregister("_incoming")


def status() -> dict[str, Any]:
    """Row accounting per loaded source (with its postings: ranges, singles, distinct ones, where the source counts
    postings), the age of its data, and quarantine reasons counted per source."""
    with read_only() as con:
        srcs = con.execute(
            "SELECT name, title, licence, version, files, sha256, origin, retrieved_at, data_as_of, rows_read, "
            "rows_loaded, rows_quarantined, rows_duplicate FROM sources ORDER BY name"
        ).fetchall()
        postings = {
            src: {"postings": int(n), "ranges": int(r), "singles": int(s), "distinct": int(d)}
            for src, n, r, s, d in con.execute(
                "SELECT source, count(*), count(*) FILTER (posting_part = 'max'), "
                "count(*) FILTER (posting_part = 'single'), count(*) FILTER (dup_rank = 1) "
                "FROM observations WHERE posting_id IS NOT NULL AND posting_part <> 'min' GROUP BY source"
            ).fetchall()
        }
        reasons = con.execute(
            "SELECT source, reason, count(*) FROM quarantine GROUP BY ALL ORDER BY 1, 3 DESC, 2"
        ).fetchall()
    keys = (
        "name",
        "title",
        "licence",
        "version",
        "files",
        "sha256",
        "origin",
        "retrieved_at",
        "data_as_of",
        "rows_read",
        "rows_loaded",
        "rows_quarantined",
        "rows_duplicate",
    )
    sources = []
    for row in srcs:
        d = dict(zip(keys, row, strict=True))
        d["retrieved_at"] = d["retrieved_at"].replace(tzinfo=UTC).isoformat().replace("+00:00", "Z")
        d["files"] = list(d["files"])
        d["sha256"] = list(d["sha256"])
        d.update(age.of_source(d["name"], d["data_as_of"]))
        if d["name"] in postings:
            d["postings"] = postings[d["name"]]
        sources.append(d)
    by_source: dict[str, dict[str, int]] = {}
    for src, reason, n in reasons:
        by_source.setdefault(src, {})[reason] = int(n)
    return {"sources": sources, "quarantine_reasons": by_source}


def units_of(rows: pd.DataFrame) -> pd.DataFrame:
    """The units (schema.UNITS_SELECT: one per posting or respondent) of observation rows that are not in the store,
    e.g. a test file's parsed rows — by the same SQL as the store's ``units`` view."""
    import duckdb

    con = duckdb.connect(":memory:", config={"enable_external_access": "false"})
    try:
        frame = schema.to_arrow(rows, schema.OBSERVATION_COLUMNS)
        con.register("observations", frame)
        extra = [c for c in rows.columns if c not in schema.column_names(schema.OBSERVATION_COLUMNS)]
        out = con.execute(schema.UNITS_SELECT + " ORDER BY source_file, source_record").df()
    finally:
        con.close()
    if extra:  # columns beyond the schema ride along by obs_id
        out = out.merge(rows[["obs_id", *extra]], on="obs_id", how="left")
    return out


def query(sql: str, params: list[Any] | None = None) -> pd.DataFrame:
    """Run one read-only SQL statement; StoreError with DuckDB's one-line reason when it fails."""
    import duckdb

    with read_only() as con:
        try:
            return con.execute(sql, params or []).df()
        except duckdb.Error as e:
            first = str(e).strip().splitlines()[0]
            raise StoreError(f"SQL failed: {first}") from e


def export(fmt: str, out: Path, table: str = "observations") -> int:
    """Write a table to parquet or csv; returns the row count."""
    import duckdb

    if table not in {"observations", "aggregates", "skills", "quarantine", "sources"}:
        raise StoreError(f"unknown table {table!r}: choose observations, aggregates, skills, quarantine or sources")
    if fmt not in {"parquet", "csv"}:
        raise StoreError(f"unknown format {fmt!r}: choose parquet or csv")
    with read_only() as con:
        try:
            df: Any = con.sql(f"SELECT * FROM {table}").to_arrow_table()
            n = df.num_rows
        except duckdb.Error as e:
            raise StoreError(f"export failed: {str(e).splitlines()[0]}") from e
    from mlsalary.files import atomic

    with atomic(out) as tmp:
        if fmt == "parquet":
            import pyarrow.parquet as pq

            pq.write_table(df, tmp)
        else:
            import pyarrow as pa
            import pyarrow.csv as pacsv

            # Lists (top_coded, files...) are written as JSON text in CSV.
            for i, f in enumerate(df.schema):
                if pa.types.is_list(f.type):
                    values = pa.array([json.dumps(v) for v in df.column(i).to_pylist()], pa.string())
                    df = df.set_column(i, f.name, values)
            pacsv.write_csv(df, tmp)
    return n

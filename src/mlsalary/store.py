"""The DuckDB store: the only code that opens the database.

- ``ingest()`` replaces one source's rows *aside*: in a new version file ``mlsalary-<time>.duckdb`` in the home (a
  copy of the live one — built row by row without the source's old rows when it has some, so no version deletes
  rows and the file keeps its size across replacing pulls), in one transaction, checkpointed and closed; the home's
  ``mlsalary.duckdb``, a symbolic link, is pointed at the new version in one atomic rename. Readers (a running
  server) never wait for a pull and never see half of one: a connection opened before the swap keeps reading the
  old version, one opened after reads the new (readers open the version file itself, so DuckDB's cache of open
  databases, keyed by path, cannot hand them the old one). A failure, or the process being killed, leaves the link
  as it was; stale versions are removed by the next pull. Re-running an ingest is idempotent.
- Pulls wait for each other (``pull_lock``, from mlsalary.pulls: an exclusive lock on ``pull.lock`` in the home, for
  up to MLSALARY_PULL_WAIT seconds, then a message naming the other pull's process).
- Errors say their real cause: a full disk is "no space left", not a failed rollback.
- Reads go through ``read_only()`` connections with external access disabled, so ``data sql`` can neither write
  the database nor read or write other files.
"""

from __future__ import annotations

import contextlib
import errno
import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from mlsalary import age, config, schema
from mlsalary.errors import StoreError
from mlsalary.pulls import pull_lock

if TYPE_CHECKING:
    import duckdb
    import pandas as pd

    from mlsalary.rowgroups import Batched
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
    con = _connect(p.resolve(), read_only=True)
    try:
        _check_version(con, p)
        from mlsalary import vintage

        as_of = vintage.current()
        if as_of is not None:  # the data as published by then: a view, the store unchanged
            vintage.views(con, as_of)
        yield con
    finally:
        con.close()


@contextmanager
def writer(path: Path | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-write connection to `path`: by default the copy being built aside by the current pull (``aside``),
    else the live database (tests and first-time creation)."""
    p = path or _TARGET.get() or config.db_path()
    p.parent.mkdir(parents=True, exist_ok=True)
    con = _connect(p, read_only=False)
    try:  # every write — a pull's copy aside and its rows alike — within the declared memory and thread caps
        con.execute(f"SET memory_limit = '{INGEST_MEMORY_MB}MB'")
        con.execute(f"SET threads = {INGEST_THREADS}")
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


_TARGET: ContextVar[Path | None] = ContextVar("store_target", default=None)
VERSION_GLOB = "mlsalary-*.duckdb"


class Version(NamedTuple):
    """The version of the database a pull writes (aside): its file, the rows of the source it replaces that the live
    version has loaded (0: none), and the live version when the version is to be built from its rows but the
    source's (_copy_without, run by the pull on the connection it writes with), else None."""

    path: Path
    previous: int
    without: Path | None = None


@contextmanager
def aside(replacing: str) -> Iterator[Version]:
    """Under the pull lock, a new version of the database to write (writer() uses it): when the live one holds rows
    of the source it is `replacing`, a version to be built row by row without them (`Version.without`: the pull's
    own connection copies them, _copy_without), else a byte copy of it — so no version ever deletes rows: DuckDB
    cannot reuse a deleted row's block in the transaction that deletes it, so replacing a source in place doubled
    its share of the file (Kaggle's: 152 to 266 MB), and byte copies carried the free blocks on (140.8 MB grew to
    216.8 MB over 72 pulls). The live link is pointed at the new version when the block ends without error, and it
    is removed otherwise."""
    import shutil
    import time

    live = config.db_path()
    with pull_lock():
        current = live.resolve() if live.is_file() else None
        was_link = live.is_symlink()
        for stale in live.parent.glob(VERSION_GLOB):  # left by a killed pull, or replaced by the last one
            if current is None or stale.name != current.name:
                _remove(stale)
        nxt = live.with_name(f"mlsalary-{time.time_ns()}.duckdb")
        try:
            live.parent.mkdir(parents=True, exist_ok=True)
            previous = _loaded(current, replacing) if current is not None else None  # checks its schema version
            if current is not None and previous is None:
                shutil.copyfile(current, nxt)
                wal = current.with_name(current.name + ".wal")
                if wal.is_file():  # committed work not yet checkpointed (a database from an older version)
                    shutil.copyfile(wal, nxt.with_name(nxt.name + ".wal"))
        except OSError as e:
            _remove(nxt)
            raise StoreError(_os_reason(e, nxt)) from e
        except StoreError:
            _remove(nxt)
            raise
        token = _TARGET.set(nxt)
        done = False
        try:
            yield Version(nxt, previous or 0, current if previous is not None else None)
            if nxt.with_name(nxt.name + ".wal").exists():
                raise StoreError(f"{nxt} was not written completely; nothing was changed — please report this")
            link = live.with_name(live.name + ".link")
            link.unlink(missing_ok=True)
            link.symlink_to(nxt.name)
            os.replace(link, live)  # the swap: one rename
            done = True
        except OSError as e:
            raise StoreError(_os_reason(e, live)) from e
        finally:
            _TARGET.reset(token)
            if not done:
                _remove(nxt)
        if current is not None and was_link and current.name.startswith("mlsalary-"):
            _remove(current)  # readers that have it open keep reading it until they close


def _loaded(db: Path, source: str) -> int | None:
    """The rows of `source` the database `db` has loaded by its accounting; None when it holds none of its rows."""
    with read_only(db) as con:
        row = con.execute("SELECT rows_loaded FROM sources WHERE name = ?", [source]).fetchone()
    return None if row is None else int(row[0])


#: The tables holding a source's rows, and the column naming the source (ingest replaces them; _copy_without
#: leaves them out of the next version).
SOURCE_TABLES = (("skills", "source"), ("observations", "source"), ("aggregates", "source"),
                 ("quarantine", "source"), ("sources", "name"))  # fmt: skip


def _copy_without(con: duckdb.DuckDBPyConnection, src: Path, source: str) -> None:
    """Into the new, empty version `con` writes (aside), `src`'s rows except `source`'s (which the pull then writes
    afresh): written row by row, with no free blocks in it; each table's copy committed on its own, before the pull's
    transaction. `src`'s schema version was checked when aside() read what it holds (_loaded). On the pull's own
    connection: one connection fewer to open, create and checkpoint per pull (replacing the mirror's H-1B copy: 0.35 s
    a pull against 0.40-0.41 s on a connection of its own, best of 4, interleaved)."""
    import duckdb

    try:
        con.execute(f"ATTACH '{_sql_text(src)}' AS previous (READ_ONLY)")
        for table, col in SOURCE_TABLES:
            con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM previous.{table} WHERE {col} <> ?", [source])
        con.execute("DETACH previous")
    except duckdb.Error as e:
        raise StoreError(_duckdb_reason(e, source)) from e


def _sql_text(path: Path) -> str:
    return str(path).replace("'", "''")


def _remove(db: Path) -> None:
    for p in (db, db.with_name(db.name + ".wal")):
        p.unlink(missing_ok=True)


def _os_reason(e: OSError, path: Path) -> str:
    """One line with an OS error's real cause, the path, and that the previous data is intact."""
    from mlsalary.files import os_cause

    return f"{os_cause(e, path, then='pull again')} (the previous data is intact)"


def _duckdb_reason(e: BaseException, name: str) -> str:
    """A DuckDB failure while writing, as one line with its real cause (looked for along the chain of errors: a full
    disk's I/O error is the cause of the "transaction is aborted" that may follow it)."""
    chain: list[BaseException] = [e]
    while chain[-1].__context__ is not None and len(chain) < 8:
        chain.append(chain[-1].__context__)
    text = " ".join(str(c) for c in chain)
    if "No space left on device" in text or "disk is full" in text.lower():
        return f"{name}: {_os_reason(OSError(errno.ENOSPC, 'No space left on device'), config.home())}"
    if "Permission denied" in text:
        return f"{name}: permission denied writing {config.home()}: check the folder's permissions " \
               "(the previous data is intact)"
    first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
    return f"{name}: the database refused the new rows ({first}); the previous data is intact"


#: A source's parts are committed to the version being built each time at least this many observations have come, at
#: a whole number of DuckDB's row groups (rowgroups.Batched: 491,520): DuckDB holds a transaction's new rows in memory
#: (2,000,000 LCA filings in one transaction: 2.3 GB resident, 1.6 GB written in whole row groups; committed in steps:
#: 1.2-1.3 GB). All or nothing still holds: a failure drops the whole version (aside()).
COMMIT_ROWS = 400_000
#: DuckDB's memory while a pull writes: it keeps the blocks it writes in memory up to its limit (by default 80% of
#: the machine's); capped, it writes them out (1,514,450 generated aijobs rows: 1,178 MB peak uncapped, 1,022 MB
#: capped — benchmarks/aijobs.py).
INGEST_MEMORY_MB = 256
#: DuckDB's threads while a pull writes: inserting Arrow batches is faster on one thread than on two on this
#: 2-core machine (360,070 LCA filings: 0.73 s against 0.95 s; 151,443 aijobs rows 0.14 against 0.24 s — insert
#: alone, benchmarks/ingest.py for whole pulls), and so is copying the store aside (the mirror's, all but one
#: source: 1.36-1.52 s against 1.54-2.11 s); one thread cannot fight a busy machine's other work. writer() sets
#: both caps on every connection that writes.
INGEST_THREADS = 1


class Refused(StoreError):
    """A pull that would lose data: nothing was changed (api.pull reports it as refused)."""


def ingest(meta: SourceMeta, files: list[FetchedFile], result: ParseResult | Iterable[ParseResult],
           refuse: Callable[[int, int], str | None] | None = None) -> dict[str, Any]:  # fmt: skip
    """Replace `meta.name`'s rows with `result` in a copy of the database built aside and swapped in (module
    docstring): all or nothing. `result` may come in parts (a source's parse_batches): each is written as it comes
    (the next made meanwhile by a reader thread: mlsalary.overlap), so a file of millions of rows never sits in
    memory whole; the accounting is checked over all of them, and `refuse(rows loaded, rows the live version had
    loaded)` — a reason not to keep them, or None — is asked before anything is swapped in (Refused: the previous
    data stays). Returns the source's accounting row."""
    import duckdb
    import pandas as pd

    from mlsalary.overlap import Ahead
    from mlsalary.rowgroups import Batched
    from mlsalary.sources import ParseResult

    name = meta.name
    total = {"read": 0, "loaded": 0, "quarantined": 0, "duplicate": 0}
    versions: dict[str, None] = {}
    data_as_of = None
    parts = Ahead([result] if isinstance(result, ParseResult) else result,  # made while the ones before are written
                  waiting=meta.parts_ahead)  # fmt: skip
    with contextlib.closing(parts), aside(replacing=name) as version, writer() as con:
        if version.without is not None:
            _copy_without(con, version.without, name)
        con.execute("BEGIN TRANSACTION")
        try:
            for table, col in SOURCE_TABLES:  # a safety net: aside() gives a version without the source's rows
                con.execute(f"DELETE FROM {table} WHERE {col} = ?", [name])
            # the version is not live yet: committing in steps holds memory down, in whole row groups (rowgroups)
            rows = Batched(con, _insert_frame, COMMIT_ROWS)
            for part in parts:
                _write_part(rows, meta, part)
                total["read"] += part.rows_read
                total["loaded"] += part.rows_loaded
                total["quarantined"] += len(part.quarantine)
                total["duplicate"] += part.rows_duplicate
                versions.update(dict.fromkeys(v for v in part.version.split(", ") if v))
                if part.data_as_of and (data_as_of is None or part.data_as_of > data_as_of):
                    data_as_of = part.data_as_of
            rows.finish()
            if total["read"] != total["loaded"] + total["quarantined"]:
                raise StoreError(f"{name}: row accounting does not add up (read {total['read']}, loaded "
                                 f"{total['loaded']}, quarantined {total['quarantined']}); nothing was written — "
                                 "please report this")  # fmt: skip
            refusal = refuse(total["loaded"], version.previous) if refuse is not None else None
            if refusal:
                raise Refused(refusal)
            record = {
                "name": name,
                "title": meta.title,
                "licence": meta.licence,
                "homepage": meta.homepage,
                "version": ", ".join(versions),
                "files": [f.path.name for f in files],
                "sha256": [f.sha256 for f in files],
                "origin": "; ".join(sorted({_origin(f.origin) for f in files})),
                "retrieved_at": datetime.now(UTC).replace(tzinfo=None),
                "data_as_of": data_as_of,
                "rows_read": total["read"],
                "rows_loaded": total["loaded"],
                "rows_quarantined": total["quarantined"],
                "rows_duplicate": total["duplicate"],
            }
            _insert_frame(con, "sources", pd.DataFrame([record]))
            con.execute("COMMIT")
            con.execute("CHECKPOINT")
        except BaseException as e:
            with contextlib.suppress(duckdb.Error):  # a failed write may have ended the transaction already
                con.execute("ROLLBACK")
            if isinstance(e, duckdb.Error):
                raise StoreError(_duckdb_reason(e, name)) from e
            if isinstance(e, OSError):
                raise StoreError(f"{name}: {_os_reason(e, config.db_path())}") from e
            raise
    return record


def _write_part(rows: Batched, meta: SourceMeta, part: ParseResult) -> None:
    """One part of a source's rows into the open transaction (in whole row groups: `rows`): stamped with their
    publication date, held to the source's declared pay kinds."""
    from mlsalary import vintage

    name = meta.name
    if part.rows_read != part.rows_loaded + len(part.quarantine):
        raise StoreError(f"{name}: row accounting does not add up (read {part.rows_read}, loaded {part.rows_loaded}, "
                         f"quarantined {len(part.quarantine)}); nothing was written — please report this")  # fmt: skip
    try:  # the date each row was first public, by the source's declared rule
        part.observations = vintage.stamp(meta, part.observations)
        part.aggregates = vintage.stamp(meta, part.aggregates)
    except ValueError as e:
        raise StoreError(f"{e}; nothing was written — please report this") from e
    obs = part.observations
    if obs is not None and len(obs) and meta.pay_kinds:  # the source's declaration holds its rows to it
        import pandas as pd

        kinds = obs["pay_kind"].dropna().tolist() if isinstance(obs, pd.DataFrame) else \
            obs.column("pay_kind").unique().to_pylist()  # fmt: skip
        stray = sorted({k for k in kinds if k is not None} - set(meta.pay_kinds))
        if stray:
            raise StoreError(f"{name}: rows of pay kind {', '.join(stray)}, which the source does not declare "
                             f"({', '.join(meta.pay_kinds)}); nothing was written — please report this")  # fmt: skip
    rows.add("observations", _typed("observations", part.observations, schema.OBSERVATION_COLUMNS))
    rows.add("aggregates", _typed("aggregates", part.aggregates, schema.AGGREGATE_COLUMNS))
    rows.add("skills", _typed("skills", part.skills, schema.SKILL_COLUMNS))
    if len(part.quarantine):
        rows.add("quarantine", part.quarantine.frame(name))


def _origin(origin: str) -> str:
    """A file's origin, with local paths shortened to their folder (one entry per folder)."""
    kind, _, where = origin.partition(":")
    if kind in {"user", "mirror", "cache"}:
        return f"{kind}:{Path(where).parent}"
    return origin


def _typed(table: str, df: pd.DataFrame | None, columns: tuple[schema.Column, ...]) -> Any:
    """The rows as an Arrow table of the table's declared columns and types (None when there are none)."""
    if df is None or len(df) == 0:
        return None
    try:
        return schema.to_arrow(df, columns)
    except KeyError as e:
        raise StoreError(f"internal: {table} {e.args[0]}; please report this") from e


def _insert_frame(con: duckdb.DuckDBPyConnection, table: str, df: Any) -> None:
    import duckdb

    con.register("_incoming", df)
    try:
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM _incoming")
    finally:  # after a failed insert the transaction is aborted and this fails too: the insert's error is the one
        with contextlib.suppress(duckdb.Error):
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

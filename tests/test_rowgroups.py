"""rowgroups.Batched: every commit of a pull writes whole row groups, every row arrives once and in order."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pytest

from mlsalary import rowgroups
from mlsalary.rowgroups import Batched


def _ints(start: int, n: int) -> pa.Table:
    return pa.table({"a": pa.array(np.arange(start, start + n), type=pa.int64())})


class _Recorder:
    """A connection that records what Batched does: ("insert", table, first value, rows) and ("COMMIT"...)."""

    def __init__(self) -> None:
        self.log: list[tuple[Any, ...]] = []

    def execute(self, sql: str) -> None:
        self.log.append((sql,))

    def insert(self, con: Any, table: str, rows: Any) -> None:
        first = rows.column("a")[0].as_py()
        self.log.append(("insert", table, first, len(rows)))


def test_commits_come_at_whole_row_groups_of_the_lead_and_other_tables_are_held(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(rowgroups, "ROW_GROUP_ROWS", 10)
    rec = _Recorder()
    rows = Batched(rec, rec.insert, commit_rows=25)  # the commit point: 30 rows of the lead (3 row groups)
    lead_at = side_at = 0
    for n_lead, n_side in ((7, 3), (13, 9), (4, 12), (25, 1), (3, 0), (1, 6)):
        rows.add("observations", _ints(lead_at, n_lead))
        lead_at += n_lead
        rows.add("quarantine", _ints(side_at, n_side))
        side_at += n_side
    before_finish = len(rec.log)
    rows.finish()
    log = rec.log
    # the lead's rows are written as they come, split where a commit falls: commits after 30 and 60 rows
    assert [e for e in log if e[0] == "insert" and e[1] == "observations"] == [
        ("insert", "observations", 0, 7), ("insert", "observations", 7, 13), ("insert", "observations", 20, 4),
        ("insert", "observations", 24, 6), ("insert", "observations", 30, 19),
        ("insert", "observations", 49, 3), ("insert", "observations", 52, 1)]  # fmt: skip
    assert rows.commits == 1 and log.count(("COMMIT",)) == 1 and log.count(("BEGIN TRANSACTION",)) == 1
    commit = log.index(("COMMIT",))
    assert log[commit - 1] == ("insert", "observations", 24, 6)  # right after the 30th row of the lead
    # the other table only in whole row groups until finish(), then its remainder; every row once, in order
    side = [e for e in log if e[0] == "insert" and e[1] == "quarantine"]
    assert side == [("insert", "quarantine", 0, 10), ("insert", "quarantine", 10, 10), ("insert", "quarantine", 20, 10),
                    ("insert", "quarantine", 30, 1)]  # fmt: skip
    assert log.index(side[-1]) >= before_finish and all(log.index(e) < before_finish for e in side[:-1])
    assert sum(e[3] for e in log if e[0] == "insert" and e[1] == "observations") == lead_at == 53
    assert sum(e[3] for e in side) == side_at == 31


def test_a_lead_part_spanning_several_commit_points_is_cut_at_each(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rowgroups, "ROW_GROUP_ROWS", 10)
    rec = _Recorder()
    rows = Batched(rec, rec.insert, commit_rows=10)
    rows.add("observations", _ints(0, 35))
    rows.add("observations", _ints(35, 5))
    rows.finish()
    assert rec.log == [("insert", "observations", 0, 10), ("COMMIT",), ("BEGIN TRANSACTION",),
                       ("insert", "observations", 10, 10), ("COMMIT",), ("BEGIN TRANSACTION",),
                       ("insert", "observations", 20, 10), ("COMMIT",), ("BEGIN TRANSACTION",),
                       ("insert", "observations", 30, 5), ("insert", "observations", 35, 5), ("COMMIT",),
                       ("BEGIN TRANSACTION",)]  # fmt: skip
    assert rows.commits == 4


def test_row_group_rows_is_duckdbs_row_group(tmp_path: Path) -> None:
    """The declared size is the library's: one row more than it starts a second row group."""
    import duckdb

    con = duckdb.connect(str(tmp_path / "x.duckdb"))
    for n, groups in ((rowgroups.ROW_GROUP_ROWS, 1), (rowgroups.ROW_GROUP_ROWS + 1, 2)):
        con.execute(f"CREATE OR REPLACE TABLE t AS SELECT range AS a FROM range({n})")
        con.execute("CHECKPOINT")
        got = con.execute("SELECT count(DISTINCT row_group_id) FROM pragma_storage_info('t')").fetchone()
        assert got == (groups,)
    con.close()


def test_a_commit_writes_whole_row_groups_and_no_rows_to_the_log(tmp_path: Path) -> None:
    """The point of it, on DuckDB itself: a pull's commits leave the quarantine's few rows per part out of the
    write-ahead log (written there, they are written twice: DuckDB checkpoints the log at 16 MB). Written as they
    came, the same rows put hundreds of kilobytes in the log."""
    import duckdb

    def wal_after(batched: bool) -> tuple[int, int, int]:
        db = tmp_path / f"{batched}.duckdb"
        con = duckdb.connect(str(db))
        con.execute("SET checkpoint_threshold = '1GB'")  # the log as the commits left it
        for t in ("observations", "quarantine"):
            con.execute(f"CREATE TABLE {t} (a BIGINT, raw VARCHAR)")
        con.execute("CHECKPOINT")

        def insert(c: Any, table: str, rows: Any) -> None:
            c.register("_incoming", rows)
            c.execute(f"INSERT INTO {table} SELECT * FROM _incoming")
            c.unregister("_incoming")

        con.execute("BEGIN TRANSACTION")
        rows = Batched(con, insert, commit_rows=rowgroups.ROW_GROUP_ROWS)
        step, side, at = 7_001, 701, 0
        while at < 2 * rowgroups.ROW_GROUP_ROWS:
            part = pa.table({"a": pa.array(np.arange(at, at + step)), "raw": pa.array(["{}"] * step)})
            q = pa.table({"a": pa.array(np.arange(at, at + side)),
                          "raw": pa.array([f'{{"CASE_NUMBER": "I-200-{i:09d}"}}' for i in range(side)])})
            if batched:
                rows.add("observations", part)
                rows.add("quarantine", q)
            else:  # each part's rows as they come, committed at the same points
                insert(con, "observations", part)
                insert(con, "quarantine", q)
                if (at + step) // rowgroups.ROW_GROUP_ROWS > at // rowgroups.ROW_GROUP_ROWS:
                    con.execute("COMMIT")
                    con.execute("BEGIN TRANSACTION")
            at += step
        wal = db.with_name(db.name + ".wal")
        logged = wal.stat().st_size if wal.exists() else 0
        rows.finish()
        con.execute("COMMIT")
        n = con.execute("SELECT (SELECT count(*) FROM observations), (SELECT count(*) FROM quarantine)").fetchone()
        con.close()
        assert n is not None
        return logged, int(n[0]), int(n[1])

    logged, n_obs, n_q = wal_after(batched=True)
    as_they_came = wal_after(batched=False)
    assert (n_obs, n_q) == as_they_came[1:] == (36 * 7_001, 36 * 701)
    assert logged < 16_384 < 200_000 < as_they_came[0]

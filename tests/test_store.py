"""The store: idempotent ingests, a killed ingest leaves the previous state, read-only SQL, export, status."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import REPO, run_cli
from mlsalary import api, config, overlap, store
from mlsalary.errors import StoreError

HEADER = (
    "work_year,experience_level,employment_type,job_title,salary,salary_currency,salary_in_usd,"
    "employee_residence,remote_ratio,company_location,company_size"
)
ROW = "2024,SE,FT,Machine Learning Engineer,{pay},USD,{pay},US,0,US,M"


def small_file(tmp_path: Path, pays: list[int], name: str = "salaries.csv") -> Path:
    p = tmp_path / name
    p.write_text("\n".join([HEADER, *(ROW.format(pay=x) for x in pays)]) + "\n")
    return p


def counts() -> tuple[int, int]:
    df = api.sql("SELECT (SELECT count(*) FROM observations) AS o, (SELECT count(*) FROM quarantine) AS q")
    return int(df["o"][0]), int(df["q"][0])


def test_reingest_replaces_a_source_rows(tmp_path: Path) -> None:
    api.pull(["aijobs"], from_path=small_file(tmp_path, [100_000, 120_000, -1]))
    assert counts() == (2, 1)
    api.pull(["aijobs"], from_path=small_file(tmp_path, [100_000, 120_000, -1]))
    assert counts() == (2, 1)  # idempotent
    (refused,) = api.pull(["aijobs"], from_path=small_file(tmp_path, [90_000]))
    assert refused.status == "refused" and counts() == (2, 1)  # fewer rows: kept, unless said
    api.pull(["aijobs"], from_path=small_file(tmp_path, [90_000]), replace=True)
    assert counts() == (1, 0)


def test_rows_of_a_pay_kind_the_source_does_not_declare_are_refused(tmp_path: Path) -> None:
    """SourceMeta.pay_kinds is read at ingest: a parse that labels its rows otherwise writes nothing."""
    import dataclasses

    from mlsalary import store
    from mlsalary.sources import FetchedFile, aijobs

    f = small_file(tmp_path, [100_000, 120_000])
    api.pull(["aijobs"], from_path=f)
    before = counts()
    result = aijobs.parse([FetchedFile(f, "x", "user")])
    result.observations = result.observations.assign(pay_kind="self_reported")
    with pytest.raises(StoreError, match="pay kind self_reported, which the source does not declare"):
        store.ingest(aijobs.META, [FetchedFile(f, "x", "user")], result)
    assert counts() == before
    declared = dataclasses.replace(aijobs.META, pay_kinds=("self_reported",))
    store.ingest(declared, [FetchedFile(f, "x", "user")], result)  # declared: taken
    assert counts() == before


def test_status_accounting_adds_up_and_has_the_documented_shape(tmp_path: Path) -> None:
    # Two postings with the same range (the second a re-listing: both its rows are duplicates), then a bad row.
    api.pull(["aijobs"], from_path=small_file(tmp_path, [120_000, 100_000, 120_000, 100_000, 0]))
    code, out, _ = run_cli("data", "status", "--json")
    st = json.loads(out)
    assert set(st) >= {"sources", "quarantine_reasons"}
    s = st["sources"][0]
    for k in ("name", "rows_read", "rows_loaded", "rows_quarantined", "rows_duplicate", "retrieved_at", "files",
              "data_as_of", "age_months", "warning", "postings"):  # fmt: skip
        assert k in s
    assert s["rows_read"] == s["rows_loaded"] + s["rows_quarantined"] == 5
    assert s["rows_duplicate"] == 2
    assert s["postings"] == {"postings": 2, "ranges": 2, "singles": 0, "distinct": 1}
    assert s["files"] == ["salaries.csv"] and len(s["sha256"][0]) == 64


@pytest.mark.usefixtures("use_loaded")
def test_real_status_adds_up() -> None:
    st = api.status()
    by = {s["name"]: s for s in st["sources"]}
    assert by["aijobs"]["rows_read"] == 151_445
    for s in st["sources"]:
        assert s["rows_read"] == s["rows_loaded"] + s["rows_quarantined"]
        n = api.sql(f"SELECT count(*) AS n FROM quarantine WHERE source = '{s['name']}'")["n"][0]
        assert n == s["rows_quarantined"] == sum(st["quarantine_reasons"].get(s["name"], {}).values())


def test_sql_is_read_only_and_cannot_touch_files(tmp_path: Path) -> None:
    api.pull(["aijobs"], from_path=small_file(tmp_path, [100_000]))
    with pytest.raises(StoreError, match="SQL failed: .*read-only"):
        api.sql("DELETE FROM observations")
    with pytest.raises(StoreError, match="SQL failed:"):
        api.sql(f"COPY observations TO '{tmp_path / 'x.csv'}'")
    assert not (tmp_path / "x.csv").exists()
    code, out, err = run_cli("data", "sql", "SELEC nonsense")
    assert code == 1 and err.startswith("error: SQL failed: Parser Error")
    assert counts() == (1, 0)


def test_sql_before_any_pull_says_what_to_do() -> None:
    code, out, err = run_cli("data", "sql", "SELECT 1")
    assert code == 1
    assert (
        err.strip()
        == f"error: no database at {config.db_path()}: run `mlsalary data pull` first (or set MLSALARY_HOME)"
    )


def test_export_parquet_and_csv_round_trip(tmp_path: Path) -> None:
    import pandas as pd

    api.pull(["aijobs"], from_path=small_file(tmp_path, [100_000, 150_000]))
    code, out, _ = run_cli("data", "export", "--format", "parquet", "--out", str(tmp_path / "o.parquet"))
    assert code == 0 and "wrote 2 rows of observations" in out
    assert sorted(pd.read_parquet(tmp_path / "o.parquet")["amount_usd"]) == [100_000, 150_000]
    code, out, _ = run_cli("data", "export", "--format", "csv", "--out", str(tmp_path / "s.csv"), "--table", "sources")
    assert code == 0
    s = pd.read_csv(tmp_path / "s.csv")
    assert json.loads(s["files"][0]) == ["salaries.csv"]
    assert not list(tmp_path.glob("*.part"))


_KILL_SCRIPT = """
import os, sys, time
from collections.abc import Iterator
from typing import Any
from pathlib import Path
from mlsalary import api, store
real = store._insert_frame
def slow(con, table, df):
    real(con, table, df)
    if table == "observations":
        Path(os.environ["READY"]).write_text("inserting")
        time.sleep(60)  # the parent kills us here, mid-transaction
store._insert_frame = slow
api.pull(["aijobs"], from_path=Path(sys.argv[1]))
"""


def test_sigkill_during_ingest_leaves_previous_database(tmp_path: Path) -> None:
    api.pull(["aijobs"], from_path=small_file(tmp_path, [100_000, 110_000, 120_000]))
    before = api.sql("SELECT * FROM observations ORDER BY obs_id")
    before_src = api.status()["sources"]

    new = small_file(tmp_path, [1_000_000 + i for i in range(5_000)], "big.csv")
    ready = tmp_path / "ready"
    env = {**os.environ, "READY": str(ready), "PYTHONPATH": str(REPO / "src")}
    proc = subprocess.Popen([sys.executable, "-c", _KILL_SCRIPT, str(new)], env=env)
    deadline = time.monotonic() + 60
    while not ready.exists():
        assert proc.poll() is None, "the ingest ended before it could be killed"
        assert time.monotonic() < deadline, "the ingest never reached the insert"
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL

    after = api.sql("SELECT * FROM observations ORDER BY obs_id")
    assert after.equals(before)
    assert api.status()["sources"] == before_src
    # ...and the database still takes writes.
    api.pull(["aijobs"], from_path=small_file(tmp_path, [90_000]), replace=True)
    assert counts() == (1, 0)


def test_database_in_use_is_a_clear_error(tmp_path: Path) -> None:
    api.pull(["aijobs"], from_path=small_file(tmp_path, [100_000]))
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb,time; c=duckdb.connect({str(config.db_path())!r}); print('ok', flush=True); time.sleep(30)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ok"
        outcomes = api.pull(["aijobs"], from_path=small_file(tmp_path, [100_000]))
        assert outcomes[0].status == "failed"
        assert "is in use by another mlsalary process" in outcomes[0].message
    finally:
        holder.kill()
        holder.wait()


def test_a_file_that_is_not_our_database(home: Path) -> None:
    home.mkdir(parents=True)
    config.db_path().write_bytes(b"this is not a database" * 100)
    code, out, err = run_cli("data", "status")
    assert code == 1 and err.startswith("error: cannot open the database")


@pytest.mark.usefixtures("use_loaded")
def test_observations_with_each_duplicate_policy() -> None:
    import mlsalary

    every = mlsalary.observations("aijobs")
    firsts = mlsalary.observations("aijobs", one_per_duplicate_group=True)
    assert len(every) == 151_443  # published rows (2 quarantined)
    assert len(firsts) == 151_443 - 53_170  # less the rows of re-listed postings
    assert every["dup_group"].nunique() == 49_664  # distinct postings
    assert (firsts["dup_rank"] == 1).all()
    postings = mlsalary.observations("aijobs", one_per_duplicate_group=True, per_unit=True)
    assert len(postings) == 49_664
    assert postings["range_low_usd"].notna().sum() == postings["posting_part"].eq("max").sum()
    pairs = postings[postings["posting_part"] == "max"]
    assert (pairs["amount_usd"] == (pairs["range_low_usd"] + pairs["range_high_usd"]) / 2).all()


def versions() -> list[str]:
    return sorted(p.name for p in config.home().glob("mlsalary-*.duckdb*"))


def test_a_pull_is_built_aside_and_swapped_in_while_readers_read(tmp_path: Path) -> None:
    """A reader that opened the database before a pull keeps its view; one opened after sees the new rows; no
    reader ever waits for, or fails on, the pull (the old design gave "in use" here)."""
    import threading

    from mlsalary import store

    api.pull(["aijobs"], from_path=small_file(tmp_path, [100_000, 110_000]))
    assert config.db_path().is_symlink() and len(versions()) == 1
    seen: list[int] = []
    errors: list[str] = []
    stop = threading.Event()

    def read() -> None:
        while not stop.is_set():
            try:
                seen.append(int(store.query("SELECT count(*) AS n FROM observations")["n"][0]))
            except Exception as e:  # any failure is what this test looks for
                errors.append(repr(e))

    with store.read_only() as held:  # a long query of a server, open across the pull
        readers = [threading.Thread(target=read) for _ in range(3)]
        for t in readers:
            t.start()
        outcomes = api.pull(["aijobs"], from_path=small_file(tmp_path, [90_000, 95_000, 99_000]), replace=True)
        time.sleep(0.3)
        stop.set()
        for t in readers:
            t.join()
        assert [o.status for o in outcomes] == ["loaded"]
        assert held.execute("SELECT count(*) FROM observations").fetchone() == (2,)  # its own version
    assert errors == []
    assert set(seen) <= {2, 3} and seen[-1] == 3 and seen == sorted(seen)  # old, then new, never half
    assert counts() == (3, 0)
    assert len(versions()) == 1  # the replaced version is gone


def test_two_pulls_wait_for_each_other_and_say_so(tmp_path: Path) -> None:
    api.pull(["aijobs"], from_path=small_file(tmp_path, [100_000]))
    ready = tmp_path / "ready"
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time\nfrom pathlib import Path\nfrom mlsalary import pulls\n"
         "with pulls.pull_lock():\n    Path(sys.argv[1]).write_text('held')\n    time.sleep(float(sys.argv[2]))\n",
         str(ready), "3"],
        env={**os.environ, "PYTHONPATH": str(REPO / "src")},
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while not ready.exists():
            assert time.monotonic() < deadline and holder.poll() is None
            time.sleep(0.05)
        os.environ["MLSALARY_PULL_WAIT"] = "0.5"
        try:
            code, _, err = run_cli("data", "pull", "aijobs", "--from", str(small_file(tmp_path, [100_000])))
        finally:
            del os.environ["MLSALARY_PULL_WAIT"]
        assert code == 1
        assert err.strip().splitlines()[-1] == (
            f"error: another `mlsalary data pull` (process {holder.pid}) is still writing {config.home()} after "
            "0.5 s of waiting; let it finish and pull again (MLSALARY_PULL_WAIT sets the wait)"
        )
        # With time to wait, the second pull waits, says so, and loads.
        code, _, err = run_cli("data", "pull", "aijobs", "--from", str(small_file(tmp_path, [100_000, 1])))
        assert code == 0, err
        assert f"note: waiting for another `mlsalary data pull` (process {holder.pid}) to finish" in err
    finally:
        holder.kill()
        holder.wait()


def test_a_full_disk_during_a_pull_says_so_and_keeps_the_data(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    """Copying the database aside, or DuckDB writing it, runs out of space: one line naming the cause (not "cannot
    rollback - no transaction is active"), the previous data stays, no version file is left behind."""
    import errno

    import duckdb

    from mlsalary import store

    api.pull(["aijobs"], from_path=small_file(tmp_path, [100_000, 110_000]))
    newer = small_file(tmp_path, [90_000, 91_000, 92_000], "newer.csv")

    def no_space(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    with monkeypatch.context() as m:
        m.setattr(store, "_copy_without", no_space)  # building the new version without the source's old rows
        (o,) = api.pull(["aijobs"], from_path=newer, replace=True)
    assert o.status == "failed" and o.message.startswith("no space left on the device holding ")
    assert o.message.endswith("free some space and pull again (the previous data is intact)")
    assert counts() == (2, 0) and len(versions()) == 1
    assert counts() == (2, 0) and len(versions()) == 1

    def full(con: object, table: str, df: object) -> None:
        raise duckdb.IOException('IO Error: Could not write file "x.duckdb": No space left on device')

    with monkeypatch.context() as m:
        m.setattr(store, "_insert_frame", full)
        (o,) = api.pull(["aijobs"], from_path=newer, replace=True)
    assert o.status == "failed"
    assert o.message == (f"aijobs: no space left on the device holding {config.home()}: free some space and pull "
                         "again (the previous data is intact)")  # fmt: skip
    assert counts() == (2, 0) and len(versions()) == 1
    code, _, err = run_cli("data", "pull", "aijobs", "--from", str(newer), "--replace")
    assert code == 0, err  # and the store still takes writes
    assert counts() == (3, 0)


def test_a_pull_writes_under_the_declared_memory_and_thread_caps(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    """DuckDB keeps the blocks a pull writes in memory up to its limit (80% of the machine's by default) and uses
    every core: ingest caps them at store.INGEST_MEMORY_MB and store.INGEST_THREADS, read back from the connection
    each part is written with."""
    seen: list[tuple[str, int]] = []
    write_part = store._write_part

    def spying(rows: Any, meta: Any, part: Any) -> None:  # rows: the part's rows go to rows.con
        seen.append(rows.con.execute("SELECT current_setting('memory_limit'), current_setting('threads')").fetchone())
        write_part(rows, meta, part)

    monkeypatch.setattr(store, "_write_part", spying)
    monkeypatch.setattr(store, "INGEST_MEMORY_MB", 300)
    monkeypatch.setattr(store, "INGEST_THREADS", 3)  # not DuckDB's default here (one per core: 2)
    f = tmp_path / "salaries.csv"
    f.write_text("\n".join([HEADER, ROW.format(pay=200_000), ROW.format(pay=150_000)]) + "\n")
    api.pull(["aijobs"], from_path=f)
    assert seen and {(m.replace(" ", ""), int(t)) for m, t in seen} == {("286.1MiB", 3)}  # 300 MB as DuckDB shows it


def _parts_of(tmp_path: Path, k: int) -> list[Any]:
    """k small aijobs parse results, each of its own file."""
    from mlsalary.sources import FetchedFile, aijobs

    return [aijobs.parse([FetchedFile(small_file(tmp_path, [100_000 + i, 120_000], f"s{i}.csv"), "x", "user")])
            for i in range(k)]  # fmt: skip


def test_a_pull_makes_the_next_part_while_it_writes_this_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """store.Ahead: the parts' reader runs in its own thread, so the next part is made while this one is written (the
    write of part i waits for part i+1 to be made: one after the other, it never would be), in the caller's context
    (its progress steps report), and every part is written."""
    import threading

    from mlsalary import progress
    from mlsalary.sources import aijobs

    results = _parts_of(tmp_path, 3)
    made = [threading.Event() for _ in results]
    written: list[int] = []
    write_part = store._write_part

    def parts() -> Iterator[Any]:
        for i, r in enumerate(results):
            with progress.step(f"making part {i}"):
                made[i].set()
            yield r

    def waiting(con: Any, meta: Any, part: Any) -> None:
        i = next(j for j, r in enumerate(results) if r is part)
        if i + 1 < len(results):
            assert made[i + 1].wait(20), f"part {i + 1} was not made while part {i} was written"
        written.append(i)
        write_part(con, meta, part)

    monkeypatch.setattr(store, "_write_part", waiting)
    monkeypatch.setattr(progress, "AFTER_S", 0)  # every step said
    lines: list[str] = []
    with progress.reporting(lines.append):
        record = store.ingest(aijobs.META, [], parts())
    assert written == [0, 1, 2] and record["rows_loaded"] == 6
    assert [ln.split("] ", 1)[1] for ln in lines if "making part" in ln and "…" in ln] == [
        f"making part {i}…" for i in range(3)
    ]


def test_a_source_read_whole_is_read_while_the_store_is_copied_aside(tmp_path: Path, monkeypatch: Any) -> None:
    """A source without parse_batches is parsed whole by the pull's reader thread, so the live version is copied
    aside meanwhile (the parse waits for the copy to begin: one after the other, it never would)."""
    import threading
    import types

    from mlsalary import sources
    from mlsalary.sources import FetchedFile, aijobs

    api.pull(["aijobs"], from_path=small_file(tmp_path, [100_000, 120_000]))
    copying, parsed_in = threading.Event(), []
    copy_without = store._copy_without

    def copy_spy(*a: Any) -> None:
        copying.set()
        copy_without(*a)

    def parse(files: list[FetchedFile]) -> Any:
        parsed_in.append(threading.current_thread().name)
        assert copying.wait(20), "the store was not copied aside while the source was parsed"
        return aijobs.parse(files)

    f = small_file(tmp_path, [90_000, 80_000], "s2.csv")
    fetched = [FetchedFile(f, sources.retrieve.sha256_of(f), f"user:{f}")]
    whole = types.SimpleNamespace(META=aijobs.META, parse=parse, fetch=lambda **_: fetched)
    monkeypatch.setattr(sources, "get", lambda name: whole)
    monkeypatch.setattr(store, "_copy_without", copy_spy)
    (outcome,) = api.pull(["aijobs"])
    assert outcome.status == "loaded", outcome.message
    assert parsed_in == ["pull-reader"] and outcome.record["rows_loaded"] == 2


def test_a_failed_write_stops_the_reader_and_closes_its_parts(tmp_path: Path) -> None:
    """When the store cannot write a part (here: rows of a pay kind the source does not declare), the reader stops
    after the part it is making, its generator is closed (its files with it) before ingest returns, no reader
    thread is left, and the previous data is intact."""
    import threading

    from mlsalary.sources import aijobs

    api.pull(["aijobs"], from_path=small_file(tmp_path, [100_000, 120_000]))
    before = counts()
    made: list[int] = []
    closed_in: list[str] = []

    def parts() -> Iterator[Any]:
        try:
            for i in range(1000):
                (r,) = _parts_of(tmp_path, 1)
                r.observations = r.observations.assign(pay_kind="self_reported")
                made.append(i)
                yield r
        finally:
            closed_in.append(threading.current_thread().name)

    with pytest.raises(StoreError, match="does not declare"):
        store.ingest(aijobs.META, [], parts())
    # closed by the reader itself, not by the garbage collector when the error is gone (pytest.raises drops it)
    assert closed_in == ["pull-reader"] and len(made) <= 2 + overlap.AHEAD_PARTS
    assert not [t for t in threading.enumerate() if t.name == "pull-reader"]
    assert counts() == before


@pytest.mark.parametrize("ahead", [1, 4])
def test_a_source_declares_how_many_parts_wait_while_the_store_writes(
    tmp_path: Path, ahead: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SourceMeta.parts_ahead drives overlap.Ahead: while the store writes the first part, the reader makes the
    declared number of parts to wait, and one more that waits for room — no more."""
    import dataclasses
    import threading

    from mlsalary.sources import aijobs

    results = _parts_of(tmp_path, 10)
    made: list[int] = []
    release = threading.Event()
    write_part = store._write_part

    def parts() -> Iterator[Any]:
        for i, r in enumerate(results):
            made.append(i)
            yield r

    def held(rows: Any, meta: Any, part: Any) -> None:
        release.wait(20)
        write_part(rows, meta, part)

    monkeypatch.setattr(store, "_write_part", held)
    box: list[Any] = []
    t = threading.Thread(target=lambda: box.append(store.ingest(dataclasses.replace(aijobs.META, parts_ahead=ahead),
                                                                [], parts())))  # fmt: skip
    t.start()
    deadline = time.monotonic() + 20
    while len(made) < 2 + ahead and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.3)  # a reader not held back would make more meanwhile
    assert len(made) == 2 + ahead  # the one being written, `ahead` waiting, one waiting for room
    release.set()
    t.join(30)
    assert box and box[0]["rows_loaded"] == 20


def test_a_reader_error_is_raised_by_ingest_and_keeps_the_data(tmp_path: Path) -> None:
    """A part that cannot be made (a file found bad half-way) is the pull's error, raised as the reader raised it;
    the parts written before it are dropped with the version being built."""
    from mlsalary.errors import SourceError
    from mlsalary.sources import aijobs

    api.pull(["aijobs"], from_path=small_file(tmp_path, [100_000, 120_000]))
    before = counts()
    (good,) = _parts_of(tmp_path, 1)

    def parts() -> Iterator[Any]:
        yield good
        raise SourceError("aijobs: s9.csv row 7: damaged half-way")

    with pytest.raises(SourceError, match="damaged half-way"):
        store.ingest(aijobs.META, [], parts())
    assert counts() == before


def test_every_connection_a_pull_writes_with_is_capped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A replacing pull first copies the store aside (store._copy_without) and then writes the source's rows, on the
    one connection it writes with, which holds the declared memory and thread caps (the copy had once run on a
    connection of its own with DuckDB's defaults)."""
    from contextlib import contextmanager

    seen: list[tuple[str, str]] = []
    writer = store.writer

    @contextmanager
    def spying(*a: Any, **k: Any) -> Any:
        with writer(*a, **k) as con:
            seen.append((caller(), con.execute("SELECT current_setting('threads')").fetchone()[0]))
            yield con

    def caller() -> str:
        import inspect

        return inspect.stack()[3].function

    copied: list[str] = []
    copy = store._copy_without

    def copying(con: Any, src: Path, source: str) -> None:
        copied.append(con.execute("SELECT current_setting('threads')").fetchone()[0])
        copy(con, src, source)

    monkeypatch.setattr(store, "writer", spying)
    monkeypatch.setattr(store, "_copy_without", copying)
    monkeypatch.setattr(store, "INGEST_THREADS", 3)  # not DuckDB's default here (one per core: 2)
    f = tmp_path / "salaries.csv"
    f.write_text("\n".join([HEADER, ROW.format(pay=200_000), ROW.format(pay=150_000)]) + "\n")
    api.pull(["aijobs"], from_path=f)
    api.pull(["aijobs"], from_path=f)
    assert [name for name, _ in seen] == ["ingest", "ingest"] and len(copied) == 1  # the second pull copied
    assert {int(t) for _, t in seen} == {int(t) for t in copied} == {3}


def test_the_store_file_keeps_its_size_across_replacing_pulls(tmp_path: Path) -> None:
    """DuckDB cannot reuse a deleted row's block in the transaction that deletes it, and each pull's version was a
    byte copy of the last followed by a DELETE: replacing a source doubled its share of the file (Kaggle's: 152 to
    266 MB), and the free blocks travelled on (140.8 MB grew to 216.8 MB over 72 replacing pulls). A replacing pull
    builds its version without the old rows: nothing is deleted, the file keeps its size."""
    big = tmp_path / "big.csv"
    titles = ["Machine Learning Engineer", "Data Scientist", "Research Scientist", "Data Engineer", "AI Engineer"]
    rows = [ROW.format(pay=50_000 + (i * 7919) % 300_000).replace("Machine Learning Engineer", f"{titles[i % 5]} {i}")
            for i in range(120_000)]  # fmt: skip
    big.write_text("\n".join([HEADER, *rows]) + "\n")
    filings = tmp_path / "h1bdata.csv"
    filings.write_text("company,title,salary,location,date,year\n" + "".join(
        f'ACME {i},DATA SCIENTIST,{100_000 + i},"NEW YORK, NY",2019-01-{1 + i % 28:02d},2019\n' for i in range(2_000)))
    api.pull(["aijobs"], from_path=big)
    api.pull(["lca"], from_path=filings)
    first = config.db_path().resolve().stat().st_size
    for source, given in [("aijobs", big), ("lca", filings)] * 3:
        api.pull([source], from_path=given, replace=True)
        size = config.db_path().resolve().stat().st_size
        assert size <= first * 1.1, (source, size, first)
    assert counts()[0] == 120_000 + 2_000 and len(versions()) == 1


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 3 MB file system (tmpfs): mounting one needs root, as CI has; elsewhere the test reports as skipped."""
    where = tmp_path / "small"
    where.mkdir()
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(where)], capture_output=True, text=True)
    if r.returncode != 0:
        if os.environ.get("CI"):
            pytest.fail(f"CI runs as root and must be able to mount a small tmpfs: {r.stderr.strip()}")
        pytest.skip(f"cannot mount a tmpfs here: {r.stderr.strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def test_a_really_full_disk_is_named_whatever_step_it_stops(small_disk: Path, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    """On a disk that really fills: DuckDB's I/O error was hidden behind "TransactionContext Error: Current
    transaction is aborted" (raised by the clean-up after it), and the OEWS cache's "No space left" was reported as
    "not a valid gzip file". Each step names the full disk now, and the previous data stays."""
    monkeypatch.setenv("MLSALARY_HOME", str(small_disk / "home"))
    api.pull(["aijobs"], from_path=small_file(tmp_path, [100_000, 110_000]))
    (o,) = api.pull(["aijobs"], replace=True)  # the bundled snapshot: about 6 MB of database
    assert o.status == "failed" and "no space left on the device holding" in o.message, o.message
    assert "transaction" not in o.message.lower()
    (o,) = api.pull(["oews"])  # the bundled database decompresses into the cache: 52 MB
    assert o.status == "failed" and "no space left on the device holding" in o.message, o.message
    assert "gzip" not in o.message
    assert counts() == (2, 0) and len(versions()) == 1


def test_a_server_answers_from_the_previous_state_while_the_new_one_is_computed(tmp_path: Path) -> None:
    """After a pull swaps in new data, the first request to see it computes the new answer; requests meanwhile get
    the previous state's answer at once (mlsalary.cache), and the server's watcher does that work outside requests."""
    import threading

    from mlsalary import cache
    from mlsalary.web import pages

    api.pull(["aijobs"], from_path=small_file(tmp_path, [100_000, 110_000]))
    n = lambda: int(api.sql("SELECT count(*) AS n FROM observations")["n"][0])  # noqa: E731
    assert cache.cached("test-count", n) == 2
    api.pull(["aijobs"], from_path=small_file(tmp_path, [90_000, 95_000, 99_000]), replace=True)
    started, release = threading.Event(), threading.Event()

    def slow() -> int:
        started.set()
        release.wait(10)
        return n()

    worker = threading.Thread(target=lambda: cache.cached("test-count", slow))
    worker.start()
    assert started.wait(10)
    assert cache.cached("test-count", n) == 2  # at once: the previous state's answer
    release.set()
    worker.join()
    assert cache.cached("test-count", n) == 3
    # The watcher warms each new state once (here with a stand-in for warm()).
    warmed: list[tuple[object, ...]] = []
    stop = threading.Event()
    real = pages.warm
    pages.warm = lambda **kw: warmed.append(cache.stamp())  # type: ignore[assignment]
    try:
        watcher = threading.Thread(target=pages.watch, kwargs={"every": 0.05, "stop": stop, "settle_s": 0.1})
        watcher.start()
        time.sleep(0.3)
        api.pull(["aijobs"], from_path=small_file(tmp_path, [90_000, 95_000, 99_000, 98_000]))
        time.sleep(0.5)
        stop.set()
        watcher.join()
    finally:
        pages.warm = real  # type: ignore[method-assign]
    assert len(warmed) == 2 and warmed[0] != warmed[1] == cache.stamp()


def test_a_request_after_a_pull_is_answered_by_the_previous_model_not_trained(tmp_path: Path) -> None:
    from mlsalary.errors import ModelNotReady
    from mlsalary.model import saved

    api.pull(["aijobs"], from_path=small_file(tmp_path, [100_000]))
    token = saved.may_train.set(False)  # as in a web request
    try:
        with pytest.raises(ModelNotReady):  # no model ever loaded for this home: a 503, never training
            saved.load_or_train()
        previous = object()
        older = (str(saved.model_path().with_suffix(".npz")), "a state before the pull")
        saved._CACHE[older] = previous  # type: ignore[assignment]
        assert saved.load_or_train() == (previous, False)  # the data changed: the previous model answers
    finally:
        saved.may_train.reset(token)
        saved._CACHE.clear()


def test_the_server_computes_new_data_in_a_child_process_as_it_would_itself(tmp_path: Path) -> None:
    """web.pages.warm(aside=True): the figures and their charts (a low-priority child process) and the disclosure
    pattern (a child at the usual priority) land in the cache for the state they were computed on, equal to what the
    server would compute."""
    from mlsalary import cache
    from mlsalary.figures.compute import compute_all
    from mlsalary.web import pages

    api.pull(["aijobs"], from_path=small_file(tmp_path, [100_000 + 1000 * i for i in range(40)]))
    pages.warm(aside=True)
    state = cache.stamp()
    held = {k: v for k, (s, v) in cache._CACHE.items() if s == state}
    assert {"figures", "sections", "disclosure"} <= set(held)
    assert [(f.id, f.status, f.value, f.n) for f in held["figures"]] == [
        (f.id, f.status, f.value, f.n) for f in compute_all()
    ]
    assert held["disclosure"].status({"role": "ml_engineer"}) == (40, "shown")


def test_after_a_pull_the_watcher_recomputes_every_cached_answer(tmp_path: Path) -> None:
    """/api/v1/sources, /sources and health's data age kept the old snapshot after warming ended (their cache key was
    never recomputed: requests get the previous state's answer, and the watcher only computed the figures). The
    watcher's warm() recomputes every key ever cached, so none is left of an older state."""
    from fastapi.testclient import TestClient

    from mlsalary import cache
    from mlsalary.web import pages
    from mlsalary.web.app import create_app

    client = TestClient(create_app(), raise_server_exceptions=False)
    urls = ("/api/v1/sources", "/api/v1/health", "/api/v1/figures", "/api/v1/claims", "/api/v1/figures.csv",
            "/api/v1/explore?role=ml_engineer", "/sources", "/figures", "/?level=senior")  # fmt: skip

    def loaded() -> tuple[int, str | None]:
        """aijobs' rows loaded (the sources API) and its data date (health)."""
        (src,) = [s for s in client.get("/api/v1/sources").json()["sources"] if s["name"] == "aijobs"]
        return src["rows_loaded"], client.get("/api/v1/health").json()["data_age"]["aijobs"]["data_as_of"]

    api.pull(["aijobs"], from_path=small_file(tmp_path, [100_000 + 1000 * i for i in range(40)]))
    for url in urls:  # every answer cached for this state
        assert client.get(url).status_code < 500, url
    assert loaded()[0] == 40
    before = loaded()
    newer = small_file(tmp_path, [90_000 + 1000 * i for i in range(45)], "newer.csv")
    api.pull(["aijobs"], from_path=newer, replace=True)
    assert loaded() == before  # a request gets the previous state's answer, and computes nothing
    pages.warm(aside=True)  # what the watcher runs once the pull has settled
    state = cache.stamp()
    stale = sorted(k for k, (s, _) in cache._CACHE.items() if s != state and cache.same_home(s, state))
    assert stale == [], stale
    assert loaded()[0] == 45
    assert client.get("/api/v1/explore?role=ml_engineer").json()["n"] == 50  # 45 postings, printed rounded (not 40)


def test_a_refresh_before_the_figures_never_runs_a_maker_whose_needs_are_unknown(tmp_path: Path) -> None:
    """An answer put from a child process (the figures' sections) has a maker that never ran in the server: its
    needs are unknown, so the refresh that comes before the figures leaves it — running it there could compute every
    figure in the server's own process."""
    from mlsalary import cache

    api.pull(["aijobs"], from_path=small_file(tmp_path, [100_000, 110_000]))
    cache.put("test-put", cache.stamp(), "answer from a child")
    cache.cached("test-put", lambda: pytest.fail("not recomputed while fresh"))  # registers its maker
    api.pull(["aijobs"], from_path=small_file(tmp_path, [90_000, 95_000, 99_000]), replace=True)
    ran: list[str] = []
    cache._MAKERS["test-put"] = lambda: ran.append("test-put") or "recomputed"
    assert "test-put" not in cache.refresh(unless_needing="figures") and ran == []
    assert "test-put" in cache.refresh() and ran == ["test-put"]


@pytest.mark.parametrize(("given", "step"), [(None, 10), ("3", 3), ("0", 0)])
def test_a_pull_lowers_its_priority_as_configured(given: str | None, step: int) -> None:
    """config.lower_priority (a pull, the server's background work) reads MLSALARY_PULL_NICE (default PULL_NICE);
    it never raises the priority of a process already lower."""
    from mlsalary import config

    assert config.PULL_NICE == 10
    env = {k: v for k, v in os.environ.items() if k != "MLSALARY_PULL_NICE"}
    if given is not None:
        env["MLSALARY_PULL_NICE"] = given
    code = ("import os; from mlsalary import config; before = os.getpriority(os.PRIO_PROCESS, 0); "
            "config.lower_priority(); print(before, os.getpriority(os.PRIO_PROCESS, 0))")  # fmt: skip
    out = subprocess.run([sys.executable, "-c", code], env={**env, "PYTHONPATH": str(REPO / "src")},
                         capture_output=True, text=True, check=True).stdout.split()  # fmt: skip
    before, after = int(out[0]), int(out[1])
    assert after == max(before, step)

"""The store: idempotent ingests, a killed ingest leaves the previous state, read-only SQL, export, status."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import REPO, run_cli
from mlsalary import api, config
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

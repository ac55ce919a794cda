"""Reading files in batches (sources.stream) and the official LCA files through it: the same rows, record numbers and
quarantine as the whole-file reader, however the batches fall; OFLC's layouts of FY2020, FY2023 and FY2025 (written
here with their own column names); a folder of quarters in one pull with progress per file and exact accounting."""

from __future__ import annotations

import csv
import gzip
import io
import json
import random
from collections import Counter
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pytest

from conftest import run_cli
from mlsalary.errors import SourceError
from mlsalary.sources import FetchedFile, lca, oflc, stream, textfile

# OFLC's column lists (FLAG system, FY2020 onwards), in file order, as the quarterly disclosure files have them: the
# columns mlsalary reads did not change, the others did (H-1B_DEPENDENT was renamed twice, the contact's address
# columns once, FEINs came in FY2025).
_COMMON_HEAD = ["CASE_NUMBER", "CASE_STATUS", "RECEIVED_DATE", "DECISION_DATE", "ORIGINAL_CERT_DATE", "VISA_CLASS",
                "JOB_TITLE", "SOC_CODE", "SOC_TITLE", "FULL_TIME_POSITION", "BEGIN_DATE", "END_DATE",
                "TOTAL_WORKER_POSITIONS", "NEW_EMPLOYMENT", "CONTINUED_EMPLOYMENT", "CHANGE_PREVIOUS_EMPLOYMENT",
                "NEW_CONCURRENT_EMPLOYMENT", "CHANGE_EMPLOYER", "AMENDED_PETITION", "EMPLOYER_NAME", "TRADE_NAME_DBA",
                "EMPLOYER_ADDRESS1", "EMPLOYER_ADDRESS2", "EMPLOYER_CITY", "EMPLOYER_STATE", "EMPLOYER_POSTAL_CODE",
                "EMPLOYER_COUNTRY", "EMPLOYER_PROVINCE", "EMPLOYER_PHONE", "EMPLOYER_PHONE_EXT",
                "NAICS_CODE"]  # fmt: skip
_POC = ["EMPLOYER_POC_LAST_NAME", "EMPLOYER_POC_FIRST_NAME", "EMPLOYER_POC_MIDDLE_NAME", "EMPLOYER_POC_JOB_TITLE"]
_POC_END = ["EMPLOYER_POC_CITY", "EMPLOYER_POC_STATE", "EMPLOYER_POC_POSTAL_CODE", "EMPLOYER_POC_COUNTRY",
            "EMPLOYER_POC_PROVINCE", "EMPLOYER_POC_PHONE", "EMPLOYER_POC_PHONE_EXT", "EMPLOYER_POC_EMAIL",
            "AGENT_REPRESENTING_EMPLOYER", "AGENT_ATTORNEY_LAST_NAME", "AGENT_ATTORNEY_FIRST_NAME",
            "AGENT_ATTORNEY_EMAIL_ADDRESS", "LAWFIRM_NAME_BUSINESS_NAME", "STATE_OF_HIGHEST_COURT",
            "NAME_OF_HIGHEST_STATE_COURT", "WORKSITE_WORKERS", "SECONDARY_ENTITY", "SECONDARY_ENTITY_BUSINESS_NAME",
            "WORKSITE_ADDRESS1", "WORKSITE_ADDRESS2", "WORKSITE_CITY", "WORKSITE_COUNTY", "WORKSITE_STATE",
            "WORKSITE_POSTAL_CODE", "WAGE_RATE_OF_PAY_FROM", "WAGE_RATE_OF_PAY_TO", "WAGE_UNIT_OF_PAY",
            "PREVAILING_WAGE", "PW_UNIT_OF_PAY", "PW_TRACKING_NUMBER", "PW_WAGE_LEVEL", "PW_OES_YEAR",
            "PW_OTHER_SOURCE", "PW_OTHER_YEAR", "PW_SURVEY_PUBLISHER", "PW_SURVEY_NAME", "TOTAL_WORKSITE_LOCATIONS",
            "AGREE_TO_LC_STATEMENT", "WILLFUL_VIOLATOR", "SUPPORT_H1B", "STATUTORY_BASIS", "APPENDIX_A_ATTACHED",
            "PUBLIC_DISCLOSURE", "PREPARER_LAST_NAME", "PREPARER_FIRST_NAME", "PREPARER_MIDDLE_INITIAL",
            "PREPARER_BUSINESS_NAME", "PREPARER_EMAIL"]  # fmt: skip
LAYOUTS = {
    "FY2020": [*_COMMON_HEAD, *_POC, "EMPLOYER_POC_ADDRESS1", "EMPLOYER_POC_ADDRESS2", *_POC_END, "H-1B_DEPENDENT"],
    "FY2023": [*_COMMON_HEAD, *_POC, "EMPLOYER_POC_ADDRESS1", "EMPLOYER_POC_ADDRESS2", *_POC_END, "H_1B_DEPENDENT"],
    "FY2025": [*_COMMON_HEAD, "EMPLOYER_FEIN", *_POC, "EMPLOYER_POC_ADDRESS1", "EMPLOYER_POC_ADDRESS2", *_POC_END,
               "LAWFIRM_BUSINESS_FEIN", "H_1B_DEPENDENT"],
}  # fmt: skip
PRIVATE = ("Doe", "janet.doe@example.com", "+1-555-0100", "12-3456789", "1600 Secret Lane", "prep@example.com")


def filing(i: int, rng: random.Random, columns: list[str], year: int = 2024) -> dict[str, str]:
    """One filing of the official layout with every column of `columns` (personal ones filled with PRIVATE values)."""
    marks = ("POC", "ATTORNEY", "PREPARER", "FEIN", "ADDRESS", "PHONE")
    personal = {c: rng.choice(PRIVATE) for c in columns if any(w in c for w in marks)}
    status = rng.choices(["Certified", "Withdrawn", "Denied", "Certified - Withdrawn"], [85, 6, 3, 6])[0]
    hourly = rng.random() < 0.1
    base = round(rng.lognormvariate(11.8, 0.3))
    row = {c: "" for c in columns} | personal | {
        "CASE_NUMBER": f"I-200-{year % 100}{i % 365:03d}-{i:06d}", "CASE_STATUS": status,
        "RECEIVED_DATE": f"{year}-01-10", "DECISION_DATE": f"1/{1 + i % 28}/{year}" if i % 2 else f"{year}-02-03",
        "VISA_CLASS": rng.choice(["H-1B", "H-1B", "H-1B", "E-3 Australian", "H-2B"]),
        "JOB_TITLE": rng.choice(["Machine Learning Engineer", "Data Scientist", "Senior Data Scientist",
                                 "Software Engineer", "Research Scientist, NLP"]),
        "SOC_CODE": "15-2051", "FULL_TIME_POSITION": "Y" if rng.random() < 0.97 else "N",
        "EMPLOYER_NAME": rng.choice(["Example AI, Inc.", "EXAMPLE AI LLC", "Facebook, Inc.", "Amazon.com Services LLC",
                                     "Tiny Models Corp"]),
        "WORKSITE_CITY": rng.choice(["Seattle", "Redmond", "New York", "Austin"]), "WORKSITE_STATE": "WA",
        "WAGE_RATE_OF_PAY_FROM": f"{base / 2080:.2f}" if hourly else (f"{base:,}" if rng.random() < 0.5 else str(base)),
        "WAGE_RATE_OF_PAY_TO": str(base + 20_000) if not hourly and rng.random() < 0.3 else "",
        "WAGE_UNIT_OF_PAY": "Hour" if hourly else "Year", "PW_WAGE_LEVEL": rng.choice(["I", "II", "III", "IV", ""]),
    }  # fmt: skip
    return {c: row[c] for c in columns}


def write_filings(path: Path, rows: list[dict[str, str]], columns: list[str]) -> None:
    if path.suffix == ".xlsx":
        from openpyxl import Workbook

        wb = Workbook(write_only=True)
        ws = wb.create_sheet()
        ws.append(columns)
        for r in rows:
            ws.append([r[c] for c in columns])
        wb.save(path)
        return
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "wt", newline="") as f:
        w = csv.writer(f)
        w.writerow(columns)
        for r in rows:
            w.writerow([r[c] for c in columns])


def filings(n: int, columns: list[str], seed: int = 0, year: int = 2024) -> list[dict[str, str]]:
    rng = random.Random(seed)
    rows = [filing(i, rng, columns, year) for i in range(1, n + 1)]
    rows += [rows[i] | {"WAGE_RATE_OF_PAY_FROM": "160000"} for i in range(0, n, 97)]  # cases filed again
    return rows


def messy_csv(rows: int = 3_000) -> bytes:
    """A CSV with what real files hold: blank and whitespace-only lines, quoted newlines and commas, rows with too
    few or too many fields, bytes that are not UTF-8 — spread over the file so they fall in many batches."""
    rng = random.Random(7)
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["A", "B", "C", "D"])
    lines = [out.getvalue().encode()]
    for i in range(rows):
        kind = rng.random()
        out = io.StringIO()
        w = csv.writer(out, lineterminator="\n")
        if kind < 0.02:
            lines.append(b"\n")
        elif kind < 0.03:
            lines.append(b"   \n")
        elif kind < 0.05:
            w.writerow([f"a{i}", f"b{i}"])
            lines.append(out.getvalue().encode())
        elif kind < 0.06:
            w.writerow([f"a{i}", "b", "c", "d", "e"])
            lines.append(out.getvalue().encode())
        elif kind < 0.07:
            lines.append(f"a{i},b\xff,c,d\n".encode("latin-1"))
        elif kind < 0.09:
            w.writerow([f"a{i}", "two\nlines", "with, comma", 'a "quote"'])
            lines.append(out.getvalue().encode())
        else:
            w.writerow([f"a{i}", f"b{i}", f"c{i}", f"d{i}"])
            lines.append(out.getvalue().encode())
    return b"".join(lines)


def whole_file(path: Path) -> tuple[list[tuple[int, str, str]], list[tuple[int, str, str]]]:
    """(good rows as (record, A, D), malformed rows as (record, reason, detail)) by the whole-file reader."""
    tab = textfile.table(textfile.read_bytes(path, "aijobs"), path, "aijobs")
    good = [(rec, r[0], r[3]) for rec, r in zip(tab.records, tab.rows, strict=True)]
    return good, [(row.record, why, detail) for row, why, detail in tab.problems()]


def batched(path: Path) -> tuple[list[tuple[int, str, str]], list[tuple[int, str, str]], int]:
    header, parts = stream.batches(path, "aijobs", ("A", "B", "D", "Z"))
    assert header == ["A", "B", "C", "D"]
    good, bad, count = [], [], 0
    for b in parts:
        count += 1
        f = b.frame
        assert set(f["Z"]) <= {""}  # a column the file lacks is empty
        good += list(zip(f["record"], f["A"], f["D"], strict=True))
        bad += [(rec, why, detail) for rec, why, detail, _ in b.problems]
    return good, bad, count


@pytest.mark.parametrize("suffix", [".csv", ".csv.gz", ".zip"])
def test_batches_give_the_rows_and_numbers_of_the_whole_file_reader(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, suffix: str
) -> None:
    data = messy_csv()
    path = tmp_path / f"messy{suffix}"
    if suffix == ".csv.gz":
        path.write_bytes(gzip.compress(data))
    elif suffix == ".zip":
        import zipfile

        with zipfile.ZipFile(path, "w") as z:
            z.writestr("messy.csv", data)
    else:
        path.write_bytes(data)
    monkeypatch.setattr(stream, "BLOCK_BYTES", 4096)  # dozens of batches: every kind of row meets a boundary
    good, bad, count = batched(path)
    want_good, want_bad = whole_file(path)
    assert count > 10
    assert sorted(bad) == sorted(want_bad) and good == want_good
    assert {why for _, why, _ in bad} == {"wrong_field_count", "not_utf8"}


def test_the_next_block_is_parsed_while_this_batch_is_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """stream.batches(read_ahead=True), as LCA's official files are read: a thread of its own parses the file's next
    block while the caller holds this batch (pyarrow's parse releases the GIL), and every row still comes once, in
    order, with its number."""
    import threading

    import pyarrow.csv as pcsv

    path = tmp_path / "rows.csv"
    path.write_text("A,B\n" + "".join(f"{i},x{i}\n" for i in range(20_000)))
    parsed: list[int] = []  # the thread that parsed each block
    second = threading.Event()
    real = pcsv.open_csv

    class Watched:
        def __init__(self, reader: Any) -> None:
            self._reader = reader

        def __iter__(self) -> Any:
            for block in self._reader:
                parsed.append(threading.get_ident())
                if len(parsed) == 2:
                    second.set()
                yield block

    monkeypatch.setattr(pcsv, "open_csv", lambda *a, **k: Watched(real(*a, **k)))
    monkeypatch.setattr(stream, "BLOCK_BYTES", 16_384)
    _, batches = stream.batches(path, "aijobs", ("A",), read_ahead=True)
    first = next(batches)
    assert second.wait(20), "the second block was not parsed while the first batch was held"
    rest = list(batches)
    records = [r for b in (first, *rest) for r in b.table.column("record").to_pylist()]
    values = [v for b in (first, *rest) for v in b.table.column("A").to_pylist()]
    assert records == list(range(1, 20_001)) and values == [str(i) for i in range(20_000)]
    assert len(parsed) == 1 + len(rest) > 10 and threading.get_ident() not in parsed


def test_official_lca_files_are_read_ahead_and_aijobs_files_are_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Which readers read ahead is a choice per source (stream.batches' docstring has the measurements)."""
    from mlsalary.sources import aijobs

    calls: list[tuple[str, bool]] = []
    real = stream.batches

    def spying(path: Path, source: str, *args: Any, **kwargs: Any) -> Any:
        calls.append((source, kwargs.get("read_ahead", False)))
        return real(path, source, *args, **kwargs)

    monkeypatch.setattr(stream, "batches", spying)
    cols = LAYOUTS["FY2025"]
    f = tmp_path / "LCA_Disclosure_Data_FY2025_Q1.csv"
    write_filings(f, filings(20, cols), cols)
    lca.parse([FetchedFile(f, "x", "user")])
    s = tmp_path / "salaries.csv"
    s.write_text("work_year,experience_level,employment_type,job_title,salary,salary_currency,salary_in_usd,"
                 "employee_residence,remote_ratio,company_location,company_size\n"
                 "2024,SE,FT,Data Scientist,150000,USD,150000,US,0,US,M\n")  # fmt: skip
    aijobs.parse([FetchedFile(s, "x", "user")])
    assert set(calls) == {("lca", True), ("aijobs", False)}


def test_bytes_that_are_not_utf8_count_only_in_the_columns_read(tmp_path: Path) -> None:
    """A column that is never read (a contact's name) cannot spoil a row; one that is read quarantines it."""
    path = tmp_path / "latin.csv"
    path.write_bytes(b"A,B\nok,fine\nstill,caf\xe9\n\xe9t\xe9,x\n")
    header, parts = stream.batches(path, "aijobs", ("A",))
    (b,) = list(parts)
    assert list(b.frame["A"]) == ["ok", "still"] and list(b.frame["record"]) == [1, 2]
    assert [(rec, why) for rec, why, _, _ in b.problems] == [(3, "not_utf8")]
    (kept,) = [k for *_, k in b.problems]  # the row as the file has it: its bytes shown, and storable as UTF-8
    assert json.loads(stream.raw_json(kept)) == {"A": "\\xe9t\\xe9"}
    stream.raw_json(kept).encode("utf-8")


def test_a_file_beyond_its_limit_is_refused_as_it_inflates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "big.csv.gz"
    path.write_bytes(gzip.compress(b"A,B,C,D\n" + b"1,2,3,4\n" * 200_000))
    monkeypatch.setattr(textfile, "limit", lambda source: 100_000)
    with pytest.raises(SourceError, match="expands beyond 100,000 bytes"):
        list(stream.batches(path, "aijobs", ("A",))[1])


def test_an_empty_file_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(b"\n\n")
    with pytest.raises(SourceError, match="empty.csv is empty"):
        stream.batches(path, "aijobs", ("A",))


def _parsed(files: list[Path]) -> tuple[list[tuple], list[tuple]]:
    r = lca.parse([FetchedFile(p, "x", "user") for p in files])
    obs = r.observations.sort_values("obs_id")
    cols = ["obs_id", "source_record", "year", "amount_usd", "amount_low_usd", "amount_high_usd", "level", "role",
            "employer_key", "worksite_city", "wage_level", "experience_basis"]  # fmt: skip
    kept = [tuple(None if v != v else v for v in row) for row in obs[cols].itertuples(index=False)]
    quarantine = list(zip(r.quarantine.files, r.quarantine.records, r.quarantine.reasons, r.quarantine.details,
                          r.quarantine.raws, strict=True))  # fmt: skip
    assert r.rows_read == r.rows_loaded + len(r.quarantine)
    return kept, quarantine


def test_lca_filings_are_the_same_however_the_batches_fall(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Repeated cases meet across batch boundaries and across files: one filing per case either way."""
    cols = LAYOUTS["FY2023"]
    q1, q2 = tmp_path / "LCA_Disclosure_Data_FY2024_Q1.csv", tmp_path / "LCA_Disclosure_Data_FY2024_Q2.csv"
    rows = filings(2_000, cols)
    write_filings(q1, rows[:1_200], cols)
    write_filings(q2, rows[1_000:], cols)  # 200 cases of Q1 filed again in Q2
    whole = _parsed([q1, q2])
    monkeypatch.setattr(stream, "BLOCK_BYTES", 16_384)
    small = _parsed([q1, q2])
    assert small == whole
    reasons = Counter(q[2] for q in whole[1])
    assert reasons["duplicate_case"] > 100 and reasons["withdrawn"] > 0 and reasons["other_visa_class"] > 0
    details = {q[2]: q[3] for q in whole[1]}
    assert details["duplicate_case"].startswith("lca: LCA_Disclosure_Data_FY2024_Q2.csv row ")
    assert "one filing per case (quarantined)" in details["duplicate_case"]
    raw = json.loads(next(q[4] for q in whole[1] if q[2] == "withdrawn"))
    assert set(raw) <= set(oflc.OFFICIAL_COLUMNS) and raw["CASE_STATUS"] in ("Withdrawn", "Certified - Withdrawn")


def test_an_amount_column_reads_the_same_whether_it_needs_the_pattern_or_not() -> None:
    """A column of plain numbers is cast directly; one holding anything else goes through the pattern: the same
    amounts either way (Arrow's cast and the pattern accept the same strings; nan and inf are no amount)."""
    import math

    import pyarrow as pa

    plain = [" 150000 ", "75.5", "", "1e3", "+5", ".5", "nan", "inf", "-inf", None]
    expected = [150000.0, 75.5, None, 1000.0, 5.0, 0.5, None, None, None, None]

    def read(values: list[str | None]) -> list[float | None]:
        return [None if math.isnan(x) else float(x) for x in oflc.money_column(pa.array(values, type=pa.string()))]

    assert read(plain) == expected
    assert read([*plain, "n/a", "1_000", "0x10", "5 5"]) == [*expected, None, None, None, None]
    assert read(["$75.00", "3,000", "$1,250.50", *plain]) == [75.0, 3000.0, 1250.5, *expected]
    assert read(["3,000", *plain]) == [3000.0, *expected] and read(["$75", *plain]) == [75.0, *expected]


def test_case_numbers_taken_are_remembered_as_a_set_of_their_texts_would() -> None:
    """oflc.Cases against a plain set of the texts, over many batches: numbers as OFLC writes them (held as integers),
    near misses of that writing and other texts (held as texts), repeats within and across batches."""
    import pyarrow as pa

    rng = random.Random(3)

    def number() -> str:
        kind = rng.random()
        if kind < 0.7:  # OFLC's writing, letters and digits at their extremes too
            letter, a, b, c = rng.choice("AIZ"), rng.randint(0, 999), rng.randint(0, 99999), rng.randint(0, 999999)
            return f"{letter}-{a:03d}-{b:05d}-{c:06d}"
        return rng.choice([f"I-200-{rng.randint(0, 99999):05d}-{rng.randint(0, 99999):05d}",  # 17 characters
                           f"i-200-24001-{rng.randint(0, 999999):06d}", f"I_200-24001-{rng.randint(0, 999999):06d}",
                           f"Ι-200-24001-{rng.randint(0, 99999):05d}",  # a Greek capital iota: 18 bytes, not OFLC's
                           f"I-200-2400A-{rng.randint(0, 999999):06d}", f"X{rng.randint(0, 10**6)}",
                           f"I-200-24001-{rng.randint(0, 99999):05d}-"])  # fmt: skip

    cases, model, made = oflc.Cases(), set(), []
    for _ in range(60):
        batch = list(dict.fromkeys([*(number() for _ in range(150)), *rng.sample(made, min(len(made), 40))]))
        before, take = cases.check(pa.array(batch, type=pa.string()))
        assert before.tolist() == [c in model for c in batch]
        chosen = np.array([c not in model and rng.random() < 0.8 for c in batch])
        take(chosen)
        model.update(c for c, m in zip(batch, chosen, strict=True) if m)
        made.extend(batch)
    assert len(model) > 5_000 and 1 < len(cases._runs) <= 14  # runs merged as they double


def test_oflc_case_numbers_are_read_as_one_integer_each() -> None:
    import pyarrow as pa

    values = ["I-200-24001-123456", "I-200-24001-123457", "A-000-00000-000000", "Z-999-99999-999999",
              "I-200-24001-12345", "I-200-2400A-123456", "i-200-24001-123456", "Ι-200-24001-12345", "", None,
              "I-200-240011123456", "I-2001240011-23456", "I 200-24001-123456"]  # fmt: skip
    for kind in (pa.string(), pa.large_string()):
        official, codes = oflc.Cases()._official(pa.array(values, type=kind))
        assert official.tolist() == [True] * 4 + [False] * 9
        assert codes.tolist() == [8 * 10**14 + 20024001123456, 8 * 10**14 + 20024001123457, 0, 26 * 10**14 - 1]


def test_a_lookup_runs_its_rule_once_per_value_across_batches() -> None:
    import pyarrow as pa

    calls: list[str] = []

    def rule(v: str) -> tuple[str | None, str]:
        calls.append(v)
        return (v.upper() or None), f"{len(v)}"

    look = oflc.Lookup(rule, 2)
    first = look(pa.chunked_array([["ab", "c", "ab"], [None, "c"]]))
    assert [a.to_pylist() for a in first] == [["AB", "C", "AB", None, "C"], ["2", "1", "2", "0", "1"]]
    second = look(pa.array(["c", "new", "", "ab"]))
    assert [a.to_pylist() for a in second] == [["C", "NEW", None, "AB"], ["1", "3", "0", "2"]]
    assert sorted(calls) == ["", "ab", "c", "new"]


@pytest.mark.parametrize(("layout", "suffix"), [("FY2020", ".csv"), ("FY2023", ".xlsx"), ("FY2025", ".csv")])
def test_each_oflc_layout_loads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, layout: str, suffix: str) -> None:
    monkeypatch.setenv("MLSALARY_HOME", str(tmp_path / "home"))
    cols = LAYOUTS[layout]
    path = tmp_path / f"LCA_Disclosure_Data_{layout}_Q1{suffix}"
    rows = filings(300, cols, year=int(layout[2:]))
    write_filings(path, rows, cols)
    code, out, err = run_cli("data", "pull", "lca", "--from", str(path))
    assert code == 0, err
    con = duckdb.connect(str(tmp_path / "home" / "mlsalary.duckdb"), read_only=True)
    try:
        read, loaded, quarantined = con.execute(
            "SELECT rows_read, rows_loaded, rows_quarantined FROM sources WHERE name = 'lca'").fetchone()
        assert read == len(rows) == loaded + quarantined
        certified = [r for r in rows if r["CASE_STATUS"] == "Certified" and r["VISA_CLASS"] != "H-2B"
                     and r["FULL_TIME_POSITION"] == "Y"]  # fmt: skip
        assert loaded == len({r["CASE_NUMBER"] for r in certified})
        years = {y for (y,) in con.execute("SELECT DISTINCT year FROM observations").fetchall()}
        assert years == {int(layout[2:])}
        keys = {k for (k,) in con.execute("SELECT DISTINCT employer_key FROM observations").fetchall()}
        assert {"META PLATFORMS", "AMAZON", "EXAMPLE AI"} <= keys
        for table in ("observations", "quarantine", "sources"):
            text = " ".join(str(v) for row in con.execute(f"SELECT * FROM {table}").fetchall() for v in row)
            assert not [p for p in PRIVATE if p in text], table
    finally:
        con.close()


def test_a_folder_of_quarters_in_one_pull(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every quarter's file, each with a progress line, and an accounting that adds up over all of them."""
    from mlsalary import progress

    monkeypatch.setenv("MLSALARY_HOME", str(tmp_path / "home"))
    folder = tmp_path / "oflc"
    folder.mkdir()
    total = 0
    for q, layout in enumerate(["FY2020", "FY2023", "FY2025"], start=1):
        cols = LAYOUTS[layout]
        rows = filings(200, cols, seed=q, year=2019 + q * 2)
        rows = [r | {"CASE_NUMBER": f"{r['CASE_NUMBER']}-{q}"} for r in rows]
        write_filings(folder / f"LCA_Disclosure_Data_{layout}_Q{q}.csv", rows, cols)
        total += len(rows)
    (folder / "notes.txt").write_text("not a data file")
    monkeypatch.setattr(progress, "AFTER_S", 0.0)
    code, out, err = run_cli("data", "pull", "lca", "--from", str(folder))
    assert code == 0, err
    for q, layout in enumerate(["FY2020", "FY2023", "FY2025"], start=1):
        assert f"lca: LCA_Disclosure_Data_{layout}_Q{q}.csv (file {q} of 3)" in err
    con = duckdb.connect(str(tmp_path / "home" / "mlsalary.duckdb"), read_only=True)
    try:
        read, loaded, quarantined, files = con.execute(
            "SELECT rows_read, rows_loaded, rows_quarantined, files FROM sources WHERE name = 'lca'").fetchone()
        assert read == total == loaded + quarantined and len(files) == 3
        (stored,) = con.execute("SELECT count(*) FROM observations WHERE source = 'lca'").fetchone()
        (held,) = con.execute("SELECT count(*) FROM quarantine WHERE source = 'lca'").fetchone()
        assert (stored, held) == (loaded, quarantined)
        assert {y for (y,) in con.execute("SELECT DISTINCT year FROM observations").fetchall()} == {2021, 2023, 2025}
    finally:
        con.close()


def test_a_pull_that_would_lose_data_is_refused_after_streaming_and_keeps_the_old(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MLSALARY_HOME", str(tmp_path / "home"))
    cols = LAYOUTS["FY2025"]
    big = tmp_path / "LCA_Disclosure_Data_FY2025_Q1.csv"
    small = tmp_path / "small" / "LCA_Disclosure_Data_FY2025_Q2.csv"
    small.parent.mkdir()
    write_filings(big, filings(400, cols), cols)
    write_filings(small, filings(40, cols, seed=3), cols)
    from mlsalary import api, store

    (first,) = api.pull(["lca"], from_path=big)
    (second,) = api.pull(["lca"], from_path=small)
    assert (first.status, second.status) == ("loaded", "refused")
    assert "nothing was changed" in second.message
    assert store.query("SELECT rows_loaded FROM sources WHERE name = 'lca'")["rows_loaded"].iloc[0] == \
        first.record["rows_loaded"]  # fmt: skip


def test_an_employers_pay_by_year_in_nominal_and_constant_dollars_and_by_wage_level(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import numpy as np

    from mlsalary.normalize import money

    monkeypatch.setenv("MLSALARY_HOME", str(tmp_path / "home"))
    folder = tmp_path / "oflc"
    folder.mkdir()
    cols = LAYOUTS["FY2025"]
    for year in (2021, 2025):
        rows = [r | {"EMPLOYER_NAME": "Example AI, Inc.", "CASE_STATUS": "Certified", "VISA_CLASS": "H-1B",
                     "FULL_TIME_POSITION": "Y", "CASE_NUMBER": f"{r['CASE_NUMBER']}-{year}"}
                for r in filings(400, cols, seed=year, year=year)]  # fmt: skip
        write_filings(folder / f"LCA_Disclosure_Data_FY{year}_Q1.csv", rows, cols)
    code, out, err = run_cli("data", "pull", "lca", "--from", str(folder))
    assert code == 0, err
    code, out, err = run_cli("employer", "example ai", "--json")
    assert code == 0, err
    series = json.loads(out)["series"]
    assert [g["year"] for g in series["years"]] == [2021, 2025]
    from mlsalary import store

    base = money.cpi_base_year()
    for g in series["years"]:
        pay = store.query("SELECT amount_usd FROM units WHERE source = 'lca' AND year = ? AND dup_rank = 1",
                          [g["year"]])["amount_usd"].to_numpy()  # fmt: skip
        assert g["median"] == pytest.approx(float(np.median(pay)))
        assert g["real_base_year"] == base
        assert g["median_real"] == pytest.approx(g["median"] * money.real_factor(g["year"], base), rel=1e-9)
    assert series["years"][0]["median_real"] > series["years"][0]["median"]  # 2021 dollars were worth more
    levels = {(g["year"], g["wage_level"]) for g in series["wage_levels"]}
    assert {(2021, "II"), (2025, "II")} <= levels and all(g["n"] >= 5 for g in series["wage_levels"])
    code, text, err = run_cli("employer", "example ai")
    assert code == 0, err
    assert f"in {base} dollars" in text and "2025 level II: median" in text


def test_a_pull_failing_after_parts_were_committed_leaves_the_previous_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Parts are committed to the version being built as they come (memory); a failure in a later file still
    changes nothing: the version is dropped, the live store is the previous one."""
    from mlsalary import api, rowgroups, store

    monkeypatch.setenv("MLSALARY_HOME", str(tmp_path / "home"))
    monkeypatch.setattr(store, "COMMIT_ROWS", 50)
    monkeypatch.setattr(rowgroups, "ROW_GROUP_ROWS", 64)  # commits at every 64 observations
    made: list[rowgroups.Batched] = []
    init = rowgroups.Batched.__init__

    def keep(self: rowgroups.Batched, *args: Any, **kwargs: Any) -> None:
        init(self, *args, **kwargs)
        made.append(self)

    monkeypatch.setattr(rowgroups.Batched, "__init__", keep)
    monkeypatch.setattr(stream, "BLOCK_BYTES", 16_384)
    cols = LAYOUTS["FY2025"]
    first = tmp_path / "LCA_Disclosure_Data_FY2025_Q1.csv"
    write_filings(first, filings(300, cols), cols)
    (ok,) = api.pull(["lca"], from_path=first)
    assert ok.status == "loaded"
    before = store.query("SELECT count(*) AS n, sum(amount_usd) AS s FROM observations WHERE source = 'lca'")
    folder = tmp_path / "later"
    folder.mkdir()
    write_filings(folder / "LCA_Disclosure_Data_FY2025_Q2.csv", filings(600, cols, seed=5), cols)
    broken = filings(600, cols, seed=6)
    for r in broken[500:]:
        r |= {"CASE_STATUS": "Certified", "VISA_CLASS": "H-1B", "FULL_TIME_POSITION": "Y", "DECISION_DATE": "",
              "RECEIVED_DATE": "", "WAGE_RATE_OF_PAY_FROM": "150000", "WAGE_UNIT_OF_PAY": "Year"}  # fmt: skip
    write_filings(folder / "LCA_Disclosure_Data_FY2025_Q3.csv", broken, cols)
    (failed,) = api.pull(["lca"], from_path=folder)
    assert failed.status == "failed" and "have no DECISION_DATE or RECEIVED_DATE" in failed.message
    assert made[-1].commits >= 5  # the parts before the failure were committed to the version being built
    after = store.query("SELECT count(*) AS n, sum(amount_usd) AS s FROM observations WHERE source = 'lca'")
    assert after.equals(before)
    assert store.query("SELECT rows_loaded FROM sources WHERE name = 'lca'")["rows_loaded"].iloc[0] == \
        ok.record["rows_loaded"]  # fmt: skip
    assert list((tmp_path / "home").glob("mlsalary-*.duckdb")) == [(tmp_path / "home" / "mlsalary.duckdb").resolve()]


def test_quarterly_files_are_found_by_oflc_names_and_read_in_time_order(tmp_path: Path) -> None:
    names = ["LCA_Disclosure_Data_FY2024_Q2.xlsx", "LCA_Dislclosure_Data_FY2026_Q3.xlsx",  # OFLC's own spelling
             "LCA_Disclosure_Data_FY2021.csv", "LCA_Disclosure_Data_FY2024_Q1.csv.gz", "h1bdata_jobs.csv",
             "LCA_Disclosure_Data_FY2024_Q1_notes.txt", "PERM_Disclosure_Data_FY2024_Q1.xlsx"]  # fmt: skip
    for n in names:
        (tmp_path / n).write_bytes(b"x")
    assert [p.name for p in lca.pick(tmp_path)] == [
        "LCA_Disclosure_Data_FY2021.csv", "LCA_Disclosure_Data_FY2024_Q1.csv.gz", "LCA_Disclosure_Data_FY2024_Q2.xlsx",
        "LCA_Dislclosure_Data_FY2026_Q3.xlsx", "h1bdata_jobs.csv"]  # fmt: skip


def test_online_every_quarter_is_downloaded_once_and_a_missing_one_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Against a local HTTP server holding two of three quarters: both are downloaded (with progress) and loaded,
    the third (404: not published) is named; the next pull takes the two from the cache and asks only for the third."""
    import dataclasses
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from mlsalary import api

    monkeypatch.setenv("MLSALARY_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("MLSALARY_MIRROR", raising=False)
    monkeypatch.delenv("MLSALARY_OFFLINE", raising=False)
    cols = LAYOUTS["FY2025"]
    served: dict[str, bytes] = {}
    for q in (1, 2):
        f = tmp_path / f"q{q}.csv"
        write_filings(f, [r | {"CASE_NUMBER": f"{r['CASE_NUMBER']}-{q}"} for r in filings(100, cols, seed=q)], cols)
        served[f"/LCA_Disclosure_Data_FY2025_Q{q}.csv"] = f.read_bytes()
    asked: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            asked.append(self.path)
            body = served.get(self.path)
            self.send_response(200 if body else 404)
            self.send_header("Content-Length", str(len(body or b"")))
            self.end_headers()
            self.wfile.write(body or b"")

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    urls = tuple(f"{base}/LCA_Disclosure_Data_FY2025_Q{q}.csv" for q in (1, 2, 3))
    monkeypatch.setattr(lca, "META", dataclasses.replace(lca.META, download_urls=urls))
    progress: list[str] = []
    try:
        (first,) = api.pull(["lca"], progress=lambda name, done, total: progress.append(name))
        (second,) = api.pull(["lca"], replace=True)
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert first.status == "loaded", first.message
    assert first.record is not None and len(first.record["files"]) == 2
    assert any("not available: LCA_Disclosure_Data_FY2025_Q3.csv" in n for n in first.notes)
    assert {"LCA_Disclosure_Data_FY2025_Q1.csv", "LCA_Disclosure_Data_FY2025_Q2.csv"} <= set(progress)
    quarter = "/LCA_Disclosure_Data_FY2025_Q{}.csv".format
    assert asked == [quarter(1), quarter(2), quarter(3), quarter(3)]  # the second pull asks only for the third
    assert second.status == "loaded" and second.record["rows_loaded"] == first.record["rows_loaded"]


def test_quarantined_rows_are_written_as_json_exactly_as_one_by_one() -> None:
    """The column-wise JSON of quarantined rows (stream.json_rows) is json.dumps's, whatever the values hold."""
    import pyarrow as pa


    values = ['plain', 'a "quoted" name', "back\\slash", "two\nlines", "tab\there", "", "café — 東京", "\x01ctl",
              "ends with \\", '"']  # fmt: skip
    table = pa.table({"A": values, "B": list(reversed(values))})
    want = [stream.raw_json({"A": a, "B": b}) for a, b in zip(values, reversed(values), strict=True)]
    out = stream.json_rows(table, ("A", "B"))
    assert out.type == pa.large_string() and out.to_pylist() == want  # Arrow text, for the store to take as it is
    assert stream.json_rows(pa.table({"A": ["x"]}), ("A",)).type == pa.large_string()  # (no control character)
    for v in values:  # each alone: a table whose cells hold only quotes, only backslashes or only a control character
        assert stream.json_rows(pa.table({"A": [v, "x"]}), ("A",)).to_pylist() == [stream.raw_json({"A": v}),
                                                                                     '{"A": "x"}']
    # Cells taken across columns row by row: rows of several chunks, an empty row, columns in the order asked, a
    # column name that needs escaping, a column asked for that is empty in every row.
    rows = [{"Q\"1": "x", "B": "", "C": "z"}, {"Q\"1": "", "B": "", "C": ""}, {"Q\"1": "", "B": "é", "C": ""},
            {"Q\"1": "a", "B": "b", "C": ""}]  # fmt: skip
    chunked = pa.Table.from_batches([pa.RecordBatch.from_pylist(rows[:2]), pa.RecordBatch.from_pylist(rows[2:])])
    order = ("C", "Q\"1", "B")
    assert stream.json_rows(chunked, order).to_pylist() == [stream.raw_json({c: r[c] for c in order}) for r in rows]
    assert stream.json_rows(chunked, order)[1].as_py() == "{}"
    assert stream.json_rows(chunked, ()).to_pylist() == ["{}"] * len(rows)
    assert all(json.loads(w) == {k: v for k, v in {"A": a, "B": b}.items() if v}
               for w, a, b in zip(want, values, reversed(values), strict=True))  # fmt: skip

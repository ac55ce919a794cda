"""aijobs.net source: the real snapshots, Kaggle's copies, and every kind of bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import run_cli
from mlsalary import api
from mlsalary.errors import SchemaError, SourceError
from mlsalary.sources import FetchedFile, aijobs

# Values that change when the mirror's snapshots are refreshed (measured on the mirror's files).
NEWEST = "salaries_2025-08-09.csv"
ROWS_2025_08_09 = 151_445
QUARANTINED_2025_08_09 = 2  # one posting's two rows: employee_residence "XK"
POSTINGS_2025_08_09 = 76_257  # 75,186 posted ranges + 1,071 single values
RANGES_2025_08_09 = 75_186
SINGLES_2025_08_09 = 1_071
DISTINCT_POSTINGS_2025_08_09 = 49_664  # after re-listed postings (same fields, same min and max) are set aside
DUPLICATE_ROWS_2025_08_09 = 53_170  # rows of re-listed postings (dup_rank > 1)
ROWS_2025_01_19 = 74_301
POSTINGS_2025_01_19 = 37_613
DUPLICATE_ROWS_2025_01_19 = 27_138
ROWS_KAGGLE_2023 = 3_755

HEADER = ",".join(aijobs.COLUMNS)
GOOD = "2024,SE,FT,Machine Learning Engineer,200000,USD,200000,US,0,US,M"


def write(tmp_path: Path, body: str | bytes, name: str = "salaries.csv") -> Path:
    p = tmp_path / name
    if isinstance(body, str):
        body = body.encode()
    p.write_bytes(body)
    return p


def parse(path: Path) -> aijobs.ParseResult:
    return aijobs.parse([FetchedFile(path, "x", "test")])


def reasons(result: aijobs.ParseResult) -> list[str]:
    return result.quarantine.reasons


# ------------------------------------------------------------------------------------------------ real data


#: Rows of the newest snapshot by the date they were first published, matched against the older snapshots in the
#: mirror (a posting is public when all its rows are). Of the older snapshots' rows, 466 of 606, 3,482 of 3,821,
#: 10,036 of 10,446 and 74,299 of 74,301 are still in the newest file.
FIRST_PUBLISHED = {"2022-06-12": 466, "2023-04-16": 2_998, "2023-12-31": 6_502, "2025-01-19": 64_332,
                   "2025-08-03": 77_145}  # fmt: skip


#: Blocks the file is read in: the newest file in one batch, and small ones (about 65 batches), so pairs,
#: re-listings and first publication are decided across batch boundaries.
BLOCKS = [64 << 20, 1 << 17]


@pytest.mark.parametrize("block", BLOCKS)
def test_newest_snapshot_is_read_and_the_older_ones_date_its_postings(mirror: Path, block: int,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(aijobs, "BLOCK_BYTES", block)
    picked = aijobs.pick(mirror / "aijobs")
    assert picked[0].name == NEWEST  # the file read; then its history, newest first
    assert [p.name for p in picked[1:]] == ["salaries_2025-01-19.csv", "salaries_2023-12-31.csv",
                                            "salaries_2023-04-16.csv", "salaries_2022-06-12.csv"]  # fmt: skip
    result = aijobs.parse([FetchedFile(p, "x", "test") for p in picked])
    obs = result.observations
    assert obs is not None
    counts = obs["published_on"].astype(str).value_counts().sort_index().to_dict()
    assert counts == FIRST_PUBLISHED
    # A posting's rows share their date; without history every row is the file's own (its final data, 2025-08-03).
    assert (obs.groupby("posting_id")["published_on"].nunique() == 1).all()
    alone = parse(picked[0]).observations
    assert alone is not None and set(alone["published_on"].astype(str)) == {"2025-08-03"}


def test_an_older_snapshot_dates_each_copy_once() -> None:
    """A row published twice in the newest file but once in an older snapshot: one copy (the lower, older one) takes
    the older date, the other the newest file's."""
    import tempfile

    header = ",".join(aijobs.COLUMNS)
    row = "2023,SE,FT,ML Engineer,150000,USD,150000,US,0,US,M"
    other = "2023,MI,FT,Data Scientist,90000,USD,90000,US,0,US,M"
    with tempfile.TemporaryDirectory() as d:
        new = Path(d) / "salaries_2024-06-01.csv"
        old = Path(d) / "salaries_2023-12-31.csv"
        gone = "2023,EN,FT,Prompt Whisperer,40000,EUR,43000,DE,100,DE,S"  # values the newest file never has
        new.write_text("\n".join([header, row, other, row]) + "\n")
        old.write_text("\n".join([header, gone, row]) + "\n")
        files = [FetchedFile(p, "x", "test") for p in aijobs.pick(Path(d))]
        obs = aijobs.parse(files).observations
    assert obs is not None
    assert obs.sort_values("source_record")["published_on"].astype(str).tolist() == [
        "2024-06-01", "2024-06-01", "2023-12-31"]  # fmt: skip


def test_an_older_snapshot_that_is_not_aijobs_is_refused_by_name(tmp_path: Path) -> None:
    """Older snapshots are read by a thread of their own while the newest file is read: its error is the pull's, one
    line naming the file and the fix, and the thread is gone."""
    import threading

    write(tmp_path, f"{HEADER}\n{GOOD}\n", "salaries_2024-06-01.csv")
    write(tmp_path, "a,b,c\n1,2,3\n", "salaries_2023-12-31.csv")
    files = [FetchedFile(p, "x", "test") for p in aijobs.pick(tmp_path)]
    with pytest.raises(SchemaError, match=r"aijobs: salaries_2023-12-31.csv: an older snapshot without the aijobs.net "
                                          r"columns .*; remove it from "):  # fmt: skip
        aijobs.parse(files)
    assert not [t for t in threading.enumerate() if t.name == "aijobs-history"]


def test_keys_are_numbered_alike_across_files_and_past_overflow() -> None:
    """postings.numbered: equal rows of several codes matrices get one number, different rows different ones, a row
    holding an unknown value (-1) none — also when the columns' values are too many to write a row as one 64-bit
    number (the key is made dense again on the way)."""
    import numpy as np

    from mlsalary.sources import postings

    rng = np.random.default_rng(7)
    for width in (5, 1 << 16):  # 65,536 ** 8 overflows 2 ** 62
        base = rng.integers(0, width, size=(400, 8), dtype=np.int32)
        base[:2] = 0
        base[1, 0] = 1  # rows 0 and 1 would be one number if 2 ** 64 wrapped round (65,536 ** 7 * 1 = 2 ** 112)
        base[2] = width - 1
        a = np.concatenate([base[:3], base[rng.integers(0, 400, 3_000)]])
        b = base[rng.integers(0, 400, 1_000)].copy()
        b[::7, 3] = -1
        ids_a, ids_b = postings.numbered(a, b)
        number: dict[tuple[int, ...], int] = {}
        for m, ids in ((a, ids_a), (b, ids_b)):
            for row, i in zip(map(tuple, m.tolist()), ids.tolist(), strict=True):
                if -1 in row:
                    assert i == -1
                else:
                    assert number.setdefault(row, i) == i  # equal rows, one number
        assert len(set(number.values())) == len(number)  # different rows, different numbers
        assert sorted(set(number.values())) == list(range(len(number)))  # counted from 0


def independent_postings(path: Path, skip: set[int]) -> tuple[int, int, int]:
    """(ranges, singles, distinct postings) counted with the csv module alone, straight from the published rule:
    a row and the next row with the same nine non-pay fields and a salary not above it are one range."""
    import csv

    with open(path, newline="") as f:
        rows = [r for i, r in enumerate(csv.DictReader(f), start=1) if i not in skip]
    keys = ["work_year", "experience_level", "employment_type", "job_title", "salary_currency",
            "employee_residence", "remote_ratio", "company_location", "company_size"]  # fmt: skip
    ranges = singles = i = 0
    seen = set()
    while i < len(rows):
        r, nxt = rows[i], rows[i + 1] if i + 1 < len(rows) else None
        if nxt and all(nxt[k] == r[k] for k in keys) and float(nxt["salary"]) <= float(r["salary"]):
            ranges += 1
            seen.add((*(r[k] for k in keys), nxt["salary"], r["salary"], nxt["salary_in_usd"], r["salary_in_usd"]))
            i += 2
        else:
            singles += 1
            seen.add((*(r[k] for k in keys), r["salary"], r["salary"], r["salary_in_usd"], r["salary_in_usd"]))
            i += 1
    return ranges, singles, len(seen)


@pytest.mark.parametrize("block", BLOCKS)
def test_real_snapshot_postings_match_an_independent_count(mirror: Path, block: int,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(aijobs, "BLOCK_BYTES", block)
    parts = list(aijobs.parse_batches([FetchedFile(mirror / "aijobs" / NEWEST, "x", "test")]))
    if block < 1 << 20:  # ranges whose max ends one batch and whose min starts the next
        assert len(parts) > 50
        assert sum(p.observations.column("posting_part")[-1].as_py() == "max" for p in parts) > 10  # type: ignore[index]
    r = aijobs.ParseResult.combine(parts)
    assert r.rows_read == ROWS_2025_08_09 == r.rows_loaded + len(r.quarantine)
    assert len(r.quarantine) == QUARANTINED_2025_08_09
    assert r.rows_duplicate == DUPLICATE_ROWS_2025_08_09
    assert r.version == "2025-08-09"
    assert str(r.data_as_of) == "2025-08-03"  # capped at aijobs.net's final data update
    df = r.observations
    assert df is not None
    firsts = df[df["posting_part"] != "min"]
    counts = df.drop_duplicates("posting_id")["posting_part"].value_counts().to_dict()
    assert (counts["max"], counts["single"]) == (RANGES_2025_08_09, SINGLES_2025_08_09)
    assert len(firsts) == POSTINGS_2025_08_09 == RANGES_2025_08_09 + SINGLES_2025_08_09
    assert int((firsts["dup_rank"] == 1).sum()) == DISTINCT_POSTINGS_2025_08_09
    skip = set(r.quarantine.records)
    assert independent_postings(mirror / "aijobs" / NEWEST, skip) == (
        RANGES_2025_08_09, SINGLES_2025_08_09, DISTINCT_POSTINGS_2025_08_09)  # fmt: skip
    # Both rows of a range carry the posting's id (its first row), the max first, and share their duplicate rank.
    pairs = df[df["posting_part"] != "single"]
    assert (pairs.groupby("posting_id")["posting_part"].agg(tuple) == ("max", "min")).all()
    assert (pairs.groupby("posting_id")["dup_rank"].nunique() == 1).all()
    assert (firsts["posting_id"] == firsts["source_record"]).all()
    assert set(pairs["pay_kind"]) == {"posted_range"}
    # A duplicate group's first posting has rank 1 and is its own group id.
    first_of_group = firsts[firsts["dup_rank"] == 1]
    assert (first_of_group["dup_group"] == first_of_group["posting_id"]).all()


def test_older_snapshot_accounting_adds_up(mirror: Path) -> None:
    r = parse(mirror / "aijobs" / "salaries_2025-01-19.csv")
    assert r.rows_read == ROWS_2025_01_19 == r.rows_loaded + len(r.quarantine)
    assert r.rows_duplicate == DUPLICATE_ROWS_2025_01_19
    df = r.observations
    assert df is not None
    assert int((df["posting_part"] != "min").sum()) == POSTINGS_2025_01_19
    assert set(df["level"]) == {"entry", "mid", "senior", "executive"}
    assert set(df["remote"]) <= {"onsite", "hybrid", "remote"}
    assert df["amount_usd"].min() > 0


def test_real_row_is_normalized(mirror: Path) -> None:
    r = parse(mirror / "aijobs" / "salaries_2025-01-19.csv")
    df = r.observations
    assert df is not None
    row = df.iloc[1]  # file row 2: 2025,MI,FT,Prompt Engineer,65000,EUR,68421,AT,0,AT,M
    assert (row.year, row.level, row.currency, row.amount_local, row.amount_usd) == (2025, "mid", "EUR", 65000, 68421)
    assert (row.role, row.specialization, row.company_country, row.remote) == (
        "ai_engineer",
        "genai_llm",
        "AT",
        "onsite",
    )
    assert row.usd_conversion == "source"
    assert row.obs_id == "aijobs:salaries_2025-01-19:2"


def test_kaggle_copy_with_blank_first_line(mirror: Path) -> None:
    r = parse(mirror / "aijobs" / "ds_salaries_kaggle_2023.csv")
    assert r.rows_read == ROWS_KAGGLE_2023 == r.rows_loaded + len(r.quarantine)


def test_kaggle_copy_with_index_column(tmp_path: Path) -> None:
    p = write(
        tmp_path, "\n," + HEADER + "\n0," + GOOD + "\n1," + GOOD.replace("US,M", "US,L") + "\n", "ds_salaries.csv"
    )
    r = parse(p)
    assert r.rows_loaded == 2
    assert r.observations is not None
    assert list(r.observations["company_size"]) == ["medium", "large"]


def test_adjacent_max_then_min_rows_form_one_posting(tmp_path: Path) -> None:
    low = GOOD.replace("200000,USD,200000", "150000,USD,150000")
    other_title = low.replace("Machine Learning Engineer", "Data Scientist")
    # max+min: a range; a min before a higher value: a single; two equal rows: a zero-width range; a different
    # title breaks a pair; three equal rows: a zero-width range, then a single.
    r = parse(write(tmp_path, "\n".join([HEADER, GOOD, low, low, GOOD, GOOD, other_title, GOOD, GOOD, GOOD])))
    df = r.observations
    assert df is not None
    assert list(df["posting_part"]) == ["max", "min", "single", "max", "min", "single", "max", "min", "single"]
    assert list(df["posting_id"]) == [1, 1, 3, 4, 4, 6, 7, 7, 9]
    assert list(df["pay_kind"][:3]) == ["posted_range", "posted_range", "reported_or_posted"]


def test_a_range_whose_other_end_is_quarantined_leaves_a_single(tmp_path: Path) -> None:
    bad_low = GOOD.replace("200000,USD,200000", "-5,USD,-5")
    low = GOOD.replace("200000,USD,200000", "150000,USD,150000")
    r = parse(write(tmp_path, "\n".join([HEADER, GOOD, bad_low, low])))
    df = r.observations
    assert df is not None
    # Row 3 is not adjacent in the file to row 1, so rows 1 and 3 do not pair across the quarantined row.
    assert list(df["posting_part"]) == ["single", "single"]
    assert r.quarantine.reasons == ["pay_not_positive"]


def test_duplicates_are_decided_per_posting(tmp_path: Path) -> None:
    low = GOOD.replace("200000,USD,200000", "150000,USD,150000")
    lower = GOOD.replace("200000,USD,200000", "120000,USD,120000")
    # posting 1 (200k-150k), posting 3 listed again (same min and max), posting 5 with another minimum, then a
    # re-listed single value.
    single = GOOD.replace("US,0,US", "US,100,US")
    r = parse(write(tmp_path, "\n".join([HEADER, GOOD, low, GOOD, low, GOOD, lower, single, single])))
    df = r.observations
    assert df is not None
    assert list(df["posting_id"]) == [1, 1, 3, 3, 5, 5, 7, 7]
    # Rows 7 and 8 are equal: by the rule they are one zero-width range, not a single listed twice.
    assert list(df["dup_group"]) == [1, 1, 1, 1, 5, 5, 7, 7]
    assert list(df["dup_rank"]) == [1, 1, 2, 2, 1, 1, 1, 1]
    assert r.rows_duplicate == 2


def test_missing_usd_is_converted_at_the_year_average_ecb_rate(tmp_path: Path) -> None:
    from mlsalary.normalize import money

    r = parse(write(tmp_path, HEADER + "\n2024,SE,FT,Data Scientist,100000,EUR,,DE,100,DE,L\n"))
    df = r.observations
    assert df is not None
    assert df.iloc[0]["usd_conversion"] == "ecb_year_average"
    assert df.iloc[0]["amount_usd"] == pytest.approx(100_000 * money.usd_per_unit("EUR", 2024))


# ------------------------------------------------------------------------------------------------ bad input


@pytest.mark.parametrize(
    ("row", "reason", "words"),
    [
        (GOOD.replace("200000,USD,200000", "-5,USD,-5"), "pay_not_positive", 'salary "-5" is not a positive amount'),
        (GOOD.replace("200000,USD,200000", "0,USD,0"), "pay_not_positive", 'salary "0" is not a positive amount'),
        (GOOD.replace("200000,USD,200000", "6000000,USD,6000000"), "implausible_pay", "outside the plausible range"),
        (GOOD.replace("200000,USD,200000", "abc,USD,1"), "salary_not_numeric", 'salary "abc" is not a number'),
        (GOOD.replace("US,0,US", "XX,0,US"), "unknown_country", 'employee_residence "XX" is not an ISO 3166-1'),
        (GOOD.replace(",US,M", ",ZZ,M"), "unknown_country", 'company_location "ZZ"'),
        (GOOD.replace("USD,200000", "QQQ,200000"), "unknown_currency", 'salary_currency "QQQ"'),
        (GOOD.replace("USD,200000", "XOF,"), "no_exchange_rate", "currency XOF has no ECB reference rate"),
        (GOOD.replace("2024,SE", "2024,ZZ"), "unknown_experience_level", 'experience_level "ZZ"'),
        (GOOD.replace(",FT,", ",XX,"), "unknown_employment_type", 'employment_type "XX"'),
        (GOOD.replace("2024,", "20x4,", 1), "bad_year", 'work_year "20x4"'),
        (GOOD.replace(",0,US,", ",150,US,"), "bad_remote_ratio", 'remote_ratio "150"'),
        (GOOD.replace(",M", ",XL"), "unknown_company_size", 'company_size "XL"'),
        (GOOD.replace("Machine Learning Engineer", ""), "missing_job_title", "job_title is empty"),
    ],
)
def test_bad_rows_are_quarantined_with_a_reason(tmp_path: Path, row: str, reason: str, words: str) -> None:
    r = parse(write(tmp_path, "\n".join([HEADER, GOOD, row, GOOD])))
    assert (r.rows_read, r.rows_loaded, len(r.quarantine)) == (3, 2, 1)
    assert reasons(r) == [reason]
    detail = r.quarantine.details[0]
    assert detail.startswith("aijobs: salaries.csv row 2: ") and detail.endswith("(quarantined)")
    assert words in detail
    assert json.loads(r.quarantine.raws[0])["job_title"] == row.split(",")[3]


def test_currency_the_converter_lacks_is_fine_when_the_source_gives_usd(tmp_path: Path) -> None:
    r = parse(write(tmp_path, HEADER + "\n2024,MI,FT,Data Scientist,50000000,CLP,55000,CL,0,CL,M\n"))
    assert r.rows_loaded == 1 and not r.quarantine


def test_truncated_file_quarantines_the_cut_row(tmp_path: Path) -> None:
    r = parse(write(tmp_path, "\n".join([HEADER, GOOD, GOOD[:25]])))
    assert (r.rows_loaded, reasons(r)) == (1, ["wrong_field_count"])
    assert "4 fields, expected 11 (truncated or malformed line)" in r.quarantine.details[0]


def test_truncated_inside_a_quoted_field(tmp_path: Path) -> None:
    r = parse(write(tmp_path, HEADER + "\n" + GOOD + '\n2024,SE,FT,"Machine Lear'))
    assert r.rows_read == 2 and r.rows_loaded == 1 and reasons(r) == ["wrong_field_count"]


def test_non_utf8_bytes_quarantine_only_their_row(tmp_path: Path) -> None:
    bad = GOOD.replace("Machine Learning Engineer", "Ing\xe9nieur").encode("latin-1")
    r = parse(write(tmp_path, HEADER.encode() + b"\n" + GOOD.encode() + b"\n" + bad + b"\n"))
    assert (r.rows_loaded, reasons(r)) == (1, ["not_utf8"])
    assert json.loads(r.quarantine.raws[0])["job_title"] == "Ing\\xe9nieur"


def test_missing_columns_is_one_clear_error(tmp_path: Path) -> None:
    p = write(tmp_path, "work_year,job_title,salary\n2024,Data Scientist,1\n")
    with pytest.raises(SchemaError, match=r"aijobs: salaries.csv: missing column\(s\) experience_level, "):
        parse(p)


def test_wrong_columns_name_the_expected_layout(tmp_path: Path) -> None:
    p = write(tmp_path, "a,b,c\n1,2,3\n")
    with pytest.raises(SchemaError, match="expected the aijobs.net layout: work_year, experience_level"):
        parse(p)


def test_empty_file(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match=r"aijobs: salaries.csv is empty"):
        parse(write(tmp_path, ""))


def test_header_only_file_loads_nothing(tmp_path: Path) -> None:
    r = parse(write(tmp_path, HEADER + "\n"))
    assert (r.rows_read, r.rows_loaded) == (0, 0)


def test_zip_that_is_not_a_zip(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match=r"salaries.zip claims to be a zip file but is not one"):
        parse(write(tmp_path, HEADER + "\n" + GOOD, "salaries.zip"))


def test_compressed_files_are_read(tmp_path: Path) -> None:
    import bz2
    import zipfile

    text = (HEADER + "\n" + GOOD + "\n").encode()
    assert parse(write(tmp_path, bz2.compress(text), "salaries.csv.bz2")).rows_loaded == 1
    z = tmp_path / "salaries.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("salaries.csv", text)
    assert parse(z).rows_loaded == 1


# ------------------------------------------------------------------------------------------------ via the CLI


def test_cli_bad_file_is_one_line_and_exit_1(tmp_path: Path) -> None:
    p = write(tmp_path, "a,b\n1,2\n")
    code, out, err = run_cli("data", "pull", "aijobs", "--from", str(p))
    assert code == 1
    assert err.strip().splitlines() == [
        "failed: aijobs: salaries.csv: missing column(s) work_year, experience_level, employment_type, job_title, "
        "salary, salary_currency, salary_in_usd, employee_residence, remote_ratio, company_location, company_size "
        "(found: a, b); expected the aijobs.net layout: work_year, experience_level, employment_type, job_title, "
        "salary, salary_currency, salary_in_usd, employee_residence, remote_ratio, company_location, company_size"
    ]
    assert "Traceback" not in out + err


def test_cli_quarantine_reasons_show_in_status(tmp_path: Path) -> None:
    rows = [HEADER, GOOD, GOOD.replace("200000,USD,200000", "-5,USD,-5"), GOOD.replace("US,0,US", "XX,0,US"), GOOD]
    p = write(tmp_path, "\n".join(rows))
    code, out, _ = run_cli("data", "pull", "aijobs", "--from", str(p))
    assert code == 0, out
    code, out, _ = run_cli("data", "status", "--json")
    st = json.loads(out)
    (src,) = st["sources"]
    assert (src["rows_read"], src["rows_loaded"], src["rows_quarantined"], src["rows_duplicate"]) == (4, 2, 2, 1)
    assert st["quarantine_reasons"] == {"aijobs": {"pay_not_positive": 1, "unknown_country": 1}}
    q = api.sql("SELECT record, reason, detail FROM quarantine ORDER BY record")
    assert list(q["record"]) == [2, 3]
    assert q["detail"][0] == 'aijobs: salaries.csv row 2: salary "-5" is not a positive amount (quarantined)'


def test_plausibility_rule_is_configurable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLSALARY_MAX_PAY_USD", "150000")
    r = parse(write(tmp_path, HEADER + "\n" + GOOD + "\n"))
    assert reasons(r) == ["implausible_pay"]
    assert "plausible range 1,000-150,000 USD" in r.quarantine.details[0]


@pytest.mark.parametrize("then", [2, 0])
def test_a_file_that_changes_between_the_two_reads_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                              then: int) -> None:  # fmt: skip
    """The file is read twice (rules over the whole file, then the rows): rows added or removed in between are
    neither given another row's posting nor dropped silently."""
    p = write(tmp_path, HEADER + "\n" + GOOD + "\n")

    class Changing(aijobs._Scan):
        def __init__(self, path: Path, dating: bool) -> None:
            super().__init__(path, dating)
            path.write_text(HEADER + "\n" + (GOOD + "\n") * then)

    monkeypatch.setattr(aijobs, "_Scan", Changing)
    with pytest.raises(SourceError, match=r"aijobs: salaries.csv changed while it was being read; pull again"):
        parse(p)


NUMBER_EDGES = ["5.", ".5", "+5", "-5", "1E5", "1e999", "-1e999", "1_000", "１２", "٣", "12", "0012", "1e-400", "-0",
                "", "1.5e+3", "nan", "inf", "NaN", "0x10", "1,000", "1.0000000000000000000000001", "2.5", "3.5", "-2.5",
                "123456789012345678901234567890", " 7", "7 ", "1e", "e5", "."]  # fmt: skip


def test_vectorised_numbers_read_as_the_rule_reads_one_value(mirror: Path) -> None:
    """postings.numbers (whole columns, in Arrow) reads exactly what postings.number reads value by value — on edge
    cases and on every pay value of the newest snapshot — and Keys' whole-number key groups values as rounding
    postings.number's value one at a time does."""
    import math

    import pyarrow as pa
    import pyarrow.csv as pv

    from mlsalary.sources import postings

    table = pv.read_csv(mirror / "aijobs" / NEWEST, convert_options=pv.ConvertOptions(
        column_types={c: pa.string() for c in ("salary", "salary_in_usd")}))  # fmt: skip
    values = NUMBER_EDGES + table.column("salary").to_pylist() + table.column("salary_in_usd").to_pylist()
    got = postings.numbers(pa.array(values, type=pa.string()))
    want = [postings.number(v) for v in values]
    assert all((w is None and math.isnan(g)) or g == w for g, w in zip(got, want, strict=True))
    assert sum(w is None for w in want) == 16  # the edge cases that are not plain finite decimals
    pay = values[len(NUMBER_EDGES):]  # every value a number: the column is cast directly, not screened first
    assert postings.numbers(pa.array(pay, type=pa.string())).tolist() == [postings.number(v) for v in pay]
    keys = postings.Keys(("n",), numbers=("n",), as_written=())
    (ids,) = postings.numbered(keys.codes(pa.table({"n": pa.array(values, type=pa.string())})))
    by_whole: dict[str, set[int]] = {}
    for v, i in zip(values, ids, strict=True):
        x = postings.number(v.strip())  # Keys strips a value first
        by_whole.setdefault("<NA>" if x is None else str(round(x)), set()).add(int(i))
    assert all(len(s) == 1 for s in by_whole.values())  # one key per whole number …
    assert len(by_whole) == len(set(ids.tolist()))  # … and a different one for each

"""Bad input as a careless or hostile user would give it: each case a regression test of a failure found by attacking
the tool (issue "Nothing lost, nothing leaked"). Failed pulls keep the data; odd values are quarantined with a reason,
never an internal error."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from conftest import run_cli
from mlsalary import api
from mlsalary.sources import FetchedFile, aijobs

HEADER = ",".join(aijobs.COLUMNS)
GOOD = "2024,SE,FT,Machine Learning Engineer,200000,USD,200000,US,0,US,M"


def rows_loaded() -> dict[str, int]:
    return {s["name"]: s["rows_loaded"] for s in api.status()["sources"]}


@pytest.fixture
def loaded(tmp_path: Path) -> Path:
    """A store holding a small aijobs file of 4 rows (two postings) and the embedded OEWS May 2025."""
    f = tmp_path / "salaries.csv"
    low = GOOD.replace("200000,USD,200000", "150000,USD,150000")
    f.write_text("\n".join([HEADER, GOOD, low, GOOD.replace(",0,", ",100,"), low.replace(",0,", ",100,")]) + "\n")
    assert run_cli("data", "pull", "aijobs", "--from", str(f))[0] == 0
    assert run_cli("data", "pull", "oews", "--offline")[0] == 0
    return f


def test_a_mistyped_from_keeps_the_data_and_fails(loaded: Path, tmp_path: Path) -> None:
    before = rows_loaded()
    code, _, err = run_cli("data", "pull", "oews", "--from", str(tmp_path / "no such dir"))
    assert code == 1
    assert f"failed: oews: --from {tmp_path / 'no such dir'} does not exist; check the path" in err
    assert rows_loaded() == before


@pytest.mark.parametrize("body", [HEADER + "\n", "\n\n" + HEADER + "\n\n"])
def test_a_header_only_file_is_refused_and_the_data_stays(loaded: Path, tmp_path: Path, body: str) -> None:
    before = rows_loaded()
    empty = tmp_path / "empty" / "salaries.csv"
    empty.parent.mkdir()
    empty.write_text(body)
    code, _, err = run_cli("data", "pull", "aijobs", "--from", str(empty))
    assert code == 1
    assert "refused: aijobs: salaries.csv holds no usable row; nothing was changed (the store keeps 4 rows)" in err
    assert rows_loaded() == before
    code, _, err = run_cli("data", "pull", "aijobs", "--from", str(empty), "--replace")  # said on purpose
    assert code == 0 and rows_loaded()["aijobs"] == 0  # emptied, as asked


def test_a_pull_that_shrinks_a_source_is_refused(loaded: Path, tmp_path: Path) -> None:
    """A truncated file over a fuller one (as OEWS May 2025 alone over the national history: 3.9% fewer rows)."""
    before = rows_loaded()
    shrunk = tmp_path / "one.csv"
    shrunk.write_text("\n".join([HEADER, GOOD]) + "\n")
    code, _, err = run_cli("data", "pull", "aijobs", "--from", str(shrunk))
    assert code == 1 and "would leave 1 rows where the store has 4 (75.0% fewer, more than 1%)" in err
    assert rows_loaded() == before
    assert run_cli("data", "pull", "aijobs", "--from", str(shrunk), "--replace")[0] == 0
    assert rows_loaded()["aijobs"] == 1


@pytest.mark.parametrize(
    ("rows", "loaded_n", "reasons"),
    [
        # a file mixing rows with and without salary_in_usd (the ECB conversion path): both load
        ([GOOD, "2024,SE,FT,Data Scientist,100000,EUR,,DE,100,DE,L"], 2, []),
        # full-width and superscript digits, an underscore separator: not plain numbers
        ([GOOD.replace("200000,USD,200000", "２００００,USD,")], 0, ["salary_not_numeric"]),
        ([GOOD.replace("200000,USD,200000", "2²,USD,")], 0, ["salary_not_numeric"]),
        ([GOOD.replace("200000,USD,200000", "1_000_000,USD,1_000_000")], 0, ["salary_not_numeric"]),
        # a salary of 1e308 with no USD amount converts to an implausible amount, not a crash
        ([GOOD.replace("200000,USD,200000", "1e308,EUR,")], 0, ["implausible_pay"]),
        ([GOOD.replace("200000,USD,200000", "1e400,USD,")], 0, ["salary_not_numeric"]),
    ],
)
def test_odd_pay_values_are_quarantined_never_a_crash(tmp_path: Path, rows: list[str], loaded_n: int,
                                                      reasons: list[str]) -> None:  # fmt: skip
    f = tmp_path / "salaries.csv"
    f.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    r = aijobs.parse([FetchedFile(f, "x", "test")])
    assert (r.rows_loaded, r.quarantine.reasons) == (loaded_n, reasons)
    assert r.rows_read == r.rows_loaded + len(r.quarantine)


def _oews_file(tmp_path: Path, rows: list[list[object]], name: str = "national_M2024_dl.xlsx") -> Path:
    from openpyxl import Workbook

    from test_oews import NATIONAL_HEADER

    wb = Workbook()
    for r in [NATIONAL_HEADER, *rows]:
        wb.active.append(r)
    p = tmp_path / name
    wb.save(p)
    return p


def test_oews_values_are_range_checked(tmp_path: Path) -> None:
    from mlsalary.sources import QuarantineRows, oews

    good = ["15-2051", "Data Scientists", "detailed", 1000, 1.5, 100000, 0.5, 50000, 70000, 90000, 120000, 150000]
    bad = [
        [*good[:9], -100000, *good[10:]],  # a negative median
        [*good[:9], 0, *good[10:]],  # zero
        [*good[:9], "1e999", *good[10:]],  # infinite once read (xlsx cannot hold inf itself)
        [*good[:9], "lots", *good[10:]],  # not a number
        [*good[:3], -5, *good[4:]],  # negative employment
    ]
    q = QuarantineRows()
    df, n = oews._parse_national(_oews_file(tmp_path, [good, *bad]), q)
    assert (n, len(df)) == (6, 1)
    assert q.reasons == ["bad_value", "implausible_pay", "bad_value", "bad_value", "bad_value"]
    assert 'A_MEDIAN "-100000.0" is not a number of 0 or more' in q.details[0]


def test_an_oews_file_from_the_future_is_refused(tmp_path: Path) -> None:
    good = ["15-2051", "Data Scientists", "detailed", 1000, 1.5, 100000, 0.5, 50000, 70000, 90000, 120000, 150000]
    p = _oews_file(tmp_path, [good], "national_M2099_dl.xlsx")
    code, _, err = run_cli("data", "pull", "oews", "--from", str(p), "--offline")
    assert code == 1
    assert err.strip() == "failed: oews: national_M2099_dl.xlsx: May 2099 has not happened yet; check the file's name"


def test_deeply_nested_toml_is_a_4xx_not_a_500(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from mlsalary.web.app import create_app

    nested = "[offer]\nbase = 100000\nx = " + "[" * 3000 + "]" * 3000 + "\n"
    why = "deep.toml: not valid TOML for an offer: arrays or tables nested too deeply"
    assert len(nested.encode()) < 64 * 1024
    with TestClient(create_app(), raise_server_exceptions=False) as client:
        r = client.post("/offer", files=[("files", ("deep.toml", nested.encode(), "text/plain"))])
        assert r.status_code == 422 and why in r.text
        r = client.post("/offer", data={"toml": nested})
        assert r.status_code == 422
    p = tmp_path / "deep.toml"
    p.write_text(nested)
    code, _, err = run_cli("offer", str(p))
    assert code == 1 and err.strip().endswith(why)


def test_a_full_disk_is_named_and_leaves_no_part_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import errno

    real = Path.write_text

    def full(self: Path, text: str, *args: object, **kwargs: object) -> int:
        real(self, text[:10], encoding="utf-8")  # a partial write, then the disk is full
        raise OSError(errno.ENOSPC, "No space left on device")

    assert run_cli("data", "pull", "oews", "--offline")[0] == 0
    monkeypatch.setattr(Path, "write_text", full)
    out = tmp_path / "report"
    code, _, err = run_cli("figures", "--out", str(out))
    assert code == 1
    assert err.strip() == f"error: cannot write {out / 'report.html'}: No space left on device"
    assert not list(out.glob("*.part")) and not (out / "report.html").exists()
    offer = tmp_path / "o.toml"
    real(offer, "[offer]\nbase = 100000\n", encoding="utf-8")
    code, _, err = run_cli("offer", str(offer), "--no-market", "--html", str(tmp_path / "o.html"))
    assert code == 1 and err.strip() == f"error: cannot write {tmp_path / 'o.html'}: No space left on device"
    assert not list(tmp_path.glob("*.part"))


@pytest.mark.parametrize("source", ["aijobs", "stackoverflow", "kaggle-survey", "oews"])
def test_a_fifo_or_device_named_like_a_source_file_is_refused_not_read(tmp_path: Path, source: str) -> None:
    import os

    names = {"aijobs": "salaries.csv", "stackoverflow": "survey_results_public_2024.csv",
             "kaggle-survey": "kaggle_survey_2022_responses.csv", "oews": "national_M2024_dl.xlsx"}  # fmt: skip
    folder = tmp_path / "from"
    folder.mkdir()
    fifo = folder / names[source]
    os.mkfifo(fifo)  # reading it would wait forever for a writer
    for given in (fifo, folder):  # the FIFO itself, or the folder holding it
        code, _, err = run_cli("data", "pull", source, "--from", str(given))
        assert code == 1
        assert err.strip() == f"failed: {source}: {fifo} is not a regular file; give the data file itself", given
    fifo.unlink()
    fifo.symlink_to("/dev/zero")  # endless zeros
    code, _, err = run_cli("data", "pull", source, "--from", str(folder))
    assert code == 1 and "is not a regular file" in err


def test_a_compression_bomb_is_refused_before_it_fills_the_memory(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    import bz2
    import zipfile

    from mlsalary.sources import textfile

    monkeypatch.setattr(textfile, "MAX_DECOMPRESSED_BYTES", 1_000_000)
    bomb = HEADER.encode() + b"\n" + b"0" * 5_000_000
    p = tmp_path / "survey_results_public.csv.bz2"
    p.write_bytes(bz2.compress(bomb))
    assert p.stat().st_size < 10_000
    with pytest.raises(Exception, match="expands beyond 1,000,000 bytes, more than a file of stackoverflow can be"):
        textfile.read_bytes(p, "stackoverflow")
    z = tmp_path / "kaggle-survey-2022.zip"
    with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as f:
        f.writestr("kaggle_survey_2022_responses.csv", bomb)
    with pytest.raises(Exception, match="expands to 5,"):
        textfile.read_bytes(z, "kaggle-survey")


#: The most a refused hostile file may make the process hold (peak resident memory).
REFUSED_UNDER_BYTES = 1 << 30


def _peak_of_pull(source: str, given: Path) -> tuple[int, str, int]:
    """(exit code, stderr, peak resident bytes) of `mlsalary data pull SOURCE --from GIVEN` in a process of its own
    (its VmHWM: ru_maxrss would carry the test process's own peak across the exec)."""
    import json
    import subprocess

    code = ("import json, sys\nfrom mlsalary.cli import main\ntry:\n    main(sys.argv[1:])\n"
            "except SystemExit as e:\n    rc = e.code\n"
            "hwm = [ln for ln in open('/proc/self/status') if ln.startswith('VmHWM:')][0].split()[1]\n"
            "sys.__stderr__.write('\\n' + json.dumps([rc, int(hwm)]))")
    r = subprocess.run([sys.executable, "-c", code, "data", "pull", source, "--from", str(given)],
                       capture_output=True, text=True, timeout=300)  # fmt: skip
    *said, last = r.stderr.strip().splitlines()
    rc, peak_kb = json.loads(last)
    return rc, "\n".join(said), peak_kb * 1024


def test_a_compressed_file_past_its_limit_is_refused_under_a_gigabyte_resident(tmp_path: Path) -> None:
    """An 8 MB bz2 of 0.94 GB of CSV passed the old 1 GiB cap and reached 8.2 GB resident: the source's own limit
    (aijobs.META.max_bytes) stops the decompression as soon as it passes it, in the flat memory of a streamed read.
    Here a 1 MB gzip whose lines run past the limit (blank lines: cheap to read, so the test is quick)."""
    import gzip

    blank = gzip.compress(b"\n" * (64 << 20), 9)
    p = tmp_path / "salaries.csv.gz"
    with open(p, "wb") as f:
        f.write(gzip.compress(HEADER.encode() + b"\n" + GOOD.encode() + b"\n"))
        for _ in range(aijobs.META.max_bytes // (64 << 20) + 2):  # concatenated members: past the limit
            f.write(blank)
    assert p.stat().st_size < 4_000_000
    rc, said, peak = _peak_of_pull("aijobs", p)
    assert rc == 1 and f"salaries.csv.gz expands beyond {aijobs.META.max_bytes:,} bytes" in said, said
    assert peak < REFUSED_UNDER_BYTES, peak


def test_an_xlsx_unpacking_to_2_gb_is_refused_under_a_gigabyte_resident(tmp_path: Path) -> None:
    """An xlsx whose sheet unpacks to 2 GB of XML aborted the process inside the xlsx reader: its parts are counted
    as they inflate, before any reader opens it."""
    import zipfile

    p = tmp_path / "national_M2024_dl.xlsx"
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as w:
            chunk = b'<row><c t="n"><v>1</v></c></row>' * 30_000
            for _ in range(2_000_000_000 // len(chunk) + 1):
                w.write(chunk)
    assert p.stat().st_size < 20_000_000
    rc, said, peak = _peak_of_pull("oews", p)
    assert rc == 1 and "unpacks to more than 67,108,864 bytes" in said, said
    assert peak < REFUSED_UNDER_BYTES, peak


def test_an_xlsx_declaring_a_vast_sheet_is_refused_before_a_reader_allocates_it(tmp_path: Path) -> None:
    import zipfile

    from mlsalary.errors import SourceError
    from mlsalary.sources import textfile

    p = tmp_path / "national_M2024_dl.xlsx"
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", '<worksheet><dimension ref="A1:XFD1048576"/><sheetData/></worksheet>')
    with pytest.raises(SourceError, match="declares a sheet of 17,179,869,184 cells"):
        textfile.xlsx_bytes(p, "oews")


def test_a_huge_sparse_file_is_refused_before_it_is_hashed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A 50 GB sparse --from file was hashed for 135 s before the size check: the size comes first now."""
    from mlsalary.sources import retrieve

    p = tmp_path / "salaries.csv"
    with open(p, "wb") as f:
        f.truncate(50 * 10**9)
    monkeypatch.setattr(retrieve, "sha256_of", lambda path: pytest.fail(f"{path} was hashed"))
    code, _, err = run_cli("data", "pull", "aijobs", "--from", str(p))
    assert code == 1 and f"salaries.csv is 50,000,000,000 bytes, more than {aijobs.META.max_bytes:,}" in err, err
    import pandas as pd

    from mlsalary.errors import SourceError
    from mlsalary.model import evaluate

    with pytest.raises(SourceError, match="50,000,000,000 bytes"):  # model evaluate --test-data's reader
        evaluate._file_rows(p, pd.DataFrame())


def test_terminal_control_never_reaches_the_terminal(tmp_path: Path) -> None:
    """An offer's company with escape codes is refused naming the field; whatever else carries them (a job title in
    the data, a file name) is printed without them."""
    from mlsalary.cli.output import safe

    evil = tmp_path / "evil.toml"
    evil.write_text('[offer]\ncompany = "Evil\\u001b[2J\\u001b]0;pwned\\u0007Co"\nbase = 100000\n')
    code, out, err = run_cli("offer", str(evil), "--no-market")
    assert code == 1 and "\x1b" not in err
    assert err.strip() == ("error: evil.toml: offer.company: contains control characters (escape codes, tabs or line "
                           "breaks): write the name as plain text")  # fmt: skip
    assert safe("a\x1b[2Jb\x1b]0;title\x07c\rd\x9be\x07f") == "abcdef"
    assert safe("\x1b[31mred\x1b[0m\tok\n") == "\x1b[31mred\x1b[0m\tok\n"  # colours, tabs and newlines stay


def test_a_field_over_16_mb_is_one_line_not_an_internal_error(tmp_path: Path) -> None:
    what, body = "a field over 16 MB", "2024,SE,FT," + "A" * (17 * 1024 * 1024) + ",200000,USD,200000,US,0,US,M\n"
    f = tmp_path / "salaries.csv"
    f.write_text(HEADER + "\n" + GOOD + "\n" + body)
    code, out, err = run_cli("data", "pull", "aijobs", "--from", str(f), "--offline")
    assert code == 1, what
    line = next(ln for ln in (out + err).splitlines() if "salaries.csv row 2 or a later one" in ln)
    assert "a row longer than 2 MB" in line and "not a CSV file of aijobs's layout" in line
    assert "internal error" not in out + err


def test_every_source_is_held_to_its_declared_file_limit(mirror: Path) -> None:
    """Conformance over every registered source: the reader's limit is the source's own declaration (under the
    ceiling), and the source's real files in the mirror fit under it, decompressed."""
    import bz2

    from mlsalary import sources
    from mlsalary.sources import textfile

    folders = {"lca": "h1b"}
    for name in sources.names():
        declared = sources.meta(name).max_bytes
        assert textfile.limit(name) == min(declared, textfile.MAX_DECOMPRESSED_BYTES), name
        for f in (mirror / folders.get(name, name)).glob("*"):
            if f.suffix == ".bz2":
                with bz2.open(f) as packed:
                    size = len(packed.read())
            else:
                size = f.stat().st_size
            assert size <= declared, (name, f.name, size, declared)

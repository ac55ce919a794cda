"""H-1B LCA filings (source lca): the official OFLC layout on files the tests write (CSV and xlsx; statuses, visa
classes, wage units, ranges, repeated cases, and personal columns that must never be stored), the mirror's
h1bdata.info copy, employer keys, and the employer commands, API and page."""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

import duckdb
import pytest
from fastapi.testclient import TestClient

from conftest import run_cli
from mlsalary import disclosure
from mlsalary.normalize import companies
from mlsalary.sources import FetchedFile, lca

# Measured on the mirror's h1b/h1bdata_data_jobs_2015-2019.csv.
H1BDATA_ROWS = 28_249
H1BDATA_QUARANTINED = 5  # locations ", KS" / ", OH" with no city
H1BDATA_DUPLICATES = 2_344  # rows identical in every field to an earlier one
FILED_NAMES, EMPLOYER_KEYS = 6_305, 6_134  # keys after the declared company groups (normalize.companies)
GOOGLE_DS_FILINGS, GOOGLE_DS_MEDIAN = 71, 137_000
APPLE_ML_FILINGS, APPLE_ML_MEDIAN = 91, 150_000  # the only employer with 30+ ML-engineer filings
#: Distinct filings of a company's entities (normalize.companies' groups), from the mirror.
COMPANY_FILINGS = {"META PLATFORMS": 1_050, "AMAZON": 1_612, "GOOGLE": 129, "ADOBE": 83, "CAPITAL ONE": 515}
MIRROR_FILING_YEARS = (2015, 2019)  # the first and last year of the mirror's filings
ADOBE_2018 = 29  # the case: ADOBE alone had 1 filing in 2018; the company (with Adobe Systems) has 29

PERSONAL = {  # columns of the official files that name or locate people; none may reach the store
    "EMPLOYER_POC_LAST_NAME": "Doe", "EMPLOYER_POC_FIRST_NAME": "Janet", "EMPLOYER_POC_EMAIL": "janet.doe@example.com",
    "EMPLOYER_POC_PHONE": "+1-555-0100", "EMPLOYER_ADDRESS1": "1600 Secret Lane", "AGENT_ATTORNEY_LAST_NAME": "Roe",
    "AGENT_ATTORNEY_EMAIL_ADDRESS": "richard.roe@lawfirm.example", "PREPARER_EMAIL": "prep@example.com",
}  # fmt: skip


def official_rows() -> list[dict[str, str]]:
    base = {"CASE_STATUS": "Certified", "RECEIVED_DATE": "2024-01-10", "DECISION_DATE": "2024-01-17",
            "VISA_CLASS": "H-1B", "JOB_TITLE": "Machine Learning Engineer", "SOC_CODE": "15-2051",
            "SOC_TITLE": "Data Scientists", "FULL_TIME_POSITION": "Y", "BEGIN_DATE": "2024-07-01",
            "EMPLOYER_NAME": "Example AI, Inc.", "NAICS_CODE": "541511", "WORKSITE_CITY": "Redmond",
            "WORKSITE_COUNTY": "King", "WORKSITE_STATE": "WA", "WORKSITE_POSTAL_CODE": "98052",
            "WAGE_RATE_OF_PAY_FROM": "150000", "WAGE_RATE_OF_PAY_TO": "", "WAGE_UNIT_OF_PAY": "Year",
            "PREVAILING_WAGE": "140000", "PW_UNIT_OF_PAY": "Year", "PW_WAGE_LEVEL": "II", **PERSONAL}  # fmt: skip
    variants = [
        {},  # 1 certified, yearly
        {"WAGE_RATE_OF_PAY_FROM": "$75.00", "WAGE_UNIT_OF_PAY": "Hour", "PW_WAGE_LEVEL": "I"},  # 2: 156,000 a year
        {"WAGE_RATE_OF_PAY_FROM": "3,000", "WAGE_UNIT_OF_PAY": "Week", "EMPLOYER_NAME": "EXAMPLE AI LLC"},  # 3
        {"WAGE_RATE_OF_PAY_FROM": "6000", "WAGE_UNIT_OF_PAY": "Bi-Weekly"},  # 4: 156,000
        {"WAGE_RATE_OF_PAY_FROM": "12500", "WAGE_UNIT_OF_PAY": "Month", "PW_WAGE_LEVEL": "IV"},  # 5: 150,000
        {"WAGE_RATE_OF_PAY_FROM": "140000", "WAGE_RATE_OF_PAY_TO": "180000"},  # 6: a range, midpoint 160,000
        {"CASE_STATUS": "Withdrawn"},  # 7
        {"CASE_STATUS": "Certified - Withdrawn"},  # 8
        {"CASE_STATUS": "Denied"},  # 9
        {"VISA_CLASS": "E-3 Australian"},  # 10: kept
        {"VISA_CLASS": "H-2B"},  # 11
        {"FULL_TIME_POSITION": "N"},  # 12
        {"WAGE_UNIT_OF_PAY": "Fortnight"},  # 13
        {"WAGE_RATE_OF_PAY_FROM": ""},  # 14
        {"WAGE_RATE_OF_PAY_FROM": "12"},  # 15: 12 USD a year
    ]
    rows = [base | v | {"CASE_NUMBER": f"I-200-24010-{i:06d}"} for i, v in enumerate(variants, start=1)]
    rows.append(rows[0] | {"WAGE_RATE_OF_PAY_FROM": "999999"})  # 16: case 1 again
    return rows


KEPT_WAGES = [150_000, 156_000, 156_000, 156_000, 150_000, 160_000, 150_000]
REASONS = {"withdrawn": 2, "denied": 1, "other_visa_class": 1, "part_time": 1, "unknown_wage_unit": 1, "no_pay": 1,
           "implausible_pay": 1, "duplicate_case": 1}  # fmt: skip


def write_official(path: Path, rows: list[dict[str, str]] | None = None) -> None:
    """`rows` (official_rows() by default) as an official CSV or xlsx file."""
    rows = official_rows() if rows is None else rows
    header = list(rows[0])
    if path.suffix == ".xlsx":
        from openpyxl import Workbook

        wb = Workbook()
        ws = wb.active
        ws.append(header)
        for r in rows:
            ws.append([float(r[h]) if h == "WAGE_RATE_OF_PAY_FROM" and r[h].isdigit() else r[h] for h in header])
        wb.save(path)
    else:
        with open(path, "w", newline="") as f:
            w = csv.DictWriter(f, header)
            w.writeheader()
            w.writerows(rows)


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_the_official_layout_rules(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"LCA_Disclosure_Data_FY2024_Q2{suffix}"
    write_official(path)
    r = lca.parse([FetchedFile(path, "x", "user")])
    assert r.rows_read == 16 == r.rows_loaded + len(r.quarantine)
    from collections import Counter

    assert Counter(r.quarantine.reasons) == REASONS
    # each row's message is its own: its row number, its reason's words, its case (messages are built per reason)
    words = {"withdrawn": '": not a certified filing', "denied": "was denied", "other_visa_class": "visa class",
             "part_time": "not a full-time position", "unknown_wage_unit": "WAGE_UNIT_OF_PAY",
             "no_pay": "WAGE_RATE_OF_PAY_FROM", "implausible_pay": "plausible range", "duplicate_case": "listed again"}
    write_official(again := tmp_path / f"LCA_Disclosure_Data_FY2024_Q3{suffix}", official_rows()[::-1])
    for q in (r.quarantine, lca.parse([FetchedFile(again, "x", "user")]).quarantine):  # rows in two orders
        for rec, why, detail, raw in zip(q.records, q.reasons, q.details, q.raws, strict=True):
            assert words[why] in detail and f" row {rec}: " in detail, (rec, why, detail)
            assert "case " not in detail or f"case {json.loads(raw)['CASE_NUMBER']} " in detail, (rec, detail)
    obs = r.observations
    assert sorted(obs["amount_usd"]) == sorted(KEPT_WAGES)
    ranged = obs[obs["amount_high_usd"].notna()]
    assert list(ranged["amount_low_usd"]) == [140_000] and list(ranged["amount_high_usd"]) == [180_000]
    assert set(obs["employer_key"]) == {"EXAMPLE AI"}  # "Example AI, Inc." and "EXAMPLE AI LLC"
    assert dict(zip(obs["wage_level"], obs["level"], strict=True)) == {"II": "mid", "I": "entry", "IV": "senior"}
    assert set(obs["role"]) == {"ml_engineer"} and set(obs["year"]) == {2024}
    assert set(obs["worksite_city"]) == {"REDMOND"} and set(obs["pay_kind"]) == {"employer_filed"}
    assert r.data_as_of.isoformat() == "2024-01-17"


def test_personal_columns_never_reach_the_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Not as columns, not as values — not even from a row missing a field, whose values no longer line up with the
    header (by position, the contact's last name would be stored as PW_WAGE_LEVEL)."""
    monkeypatch.setenv("MLSALARY_HOME", str(tmp_path / "home"))
    path = tmp_path / "LCA_Disclosure_Data_FY2024_Q2.csv"
    write_official(path)
    short = list(official_rows()[0].values())[1:]  # one field missing: every later value moves one column left
    with open(path, "a", newline="") as f:
        csv.writer(f).writerow(short)
    code, out, err = run_cli("data", "pull", "lca", "--from", str(path))
    assert code == 0, err
    con = duckdb.connect(str(tmp_path / "home" / "mlsalary.duckdb"), read_only=True)
    try:
        for table in ("observations", "quarantine", "sources", "skills"):
            cols = [r[0].upper() for r in con.execute(f"DESCRIBE {table}").fetchall()]
            assert not [c for c in cols if any(w in c for w in ("POC", "ATTORNEY", "PREPARER", "EMAIL", "PHONE",
                                                                   "ADDRESS"))], (table, cols)  # fmt: skip
            text = " ".join(str(v) for row in con.execute(f"SELECT * FROM {table}").fetchall() for v in row)
            for value in PERSONAL.values():
                assert value not in text, (table, value)
        assert con.execute("SELECT count(*) FROM quarantine WHERE source = 'lca'").fetchone()[0] == 10
        (raw,) = con.execute("SELECT raw FROM quarantine WHERE reason = 'wrong_field_count'").fetchone()
        assert raw == "{}"  # kept without its values
    finally:
        con.close()


def test_the_mirror_copy_loads_with_its_accounting(mirror: Path) -> None:
    r = lca.parse([FetchedFile(mirror / "h1b" / "h1bdata_data_jobs_2015-2019.csv", "x", "mirror")])
    assert r.rows_read == H1BDATA_ROWS == r.rows_loaded + len(r.quarantine)
    assert len(r.quarantine) == H1BDATA_QUARANTINED and set(r.quarantine.reasons) == {"bad_location"}
    assert r.rows_duplicate == H1BDATA_DUPLICATES
    # Recount the duplicates from the raw file with the csv module alone.
    with open(mirror / "h1b" / "h1bdata_data_jobs_2015-2019.csv", newline="") as f:
        rows = [tuple(row[1:]) for row in list(csv.reader(f))[1:] if not row[5].startswith(",")]
    assert len(rows) - len(set(rows)) == H1BDATA_DUPLICATES
    names = {row[1].strip() for row in rows}
    assert (len(names), len({companies.employer_key(n) for n in names})) == (FILED_NAMES, EMPLOYER_KEYS)


@pytest.mark.parametrize(
    ("filed", "key"),
    [("GOOGLE LLC", "GOOGLE"), ("Google Inc.", "GOOGLE"), ("AMAZON.COM SERVICES, INC.", "AMAZON"),
     ("AMAZONCOM SERVICES INC", "AMAZON"), ("Amazon Web Services, Inc.", "AMAZON"), ("Amazonia Corp", "AMAZONIA"),
     ("Facebook, Inc.", "META PLATFORMS"), ("Meta Platforms, Inc.", "META PLATFORMS"), ("Meta LLC", "META"),
     ("Capital One, National Association", "CAPITAL ONE"), ("Adobe Systems Incorporated", "ADOBE"),
     ("Intellipro Group Inc", "INTELLIPRO GROUP"), ("The Boston Consulting Group, Inc.", "BOSTON CONSULTING GROUP"),
     ("COLE-PARMER INSTRUMENT COMPANY LLC", "COLE PARMER INSTRUMENT"), ("AT&T SERVICES INC", "AT AND T SERVICES"),
     ("   ", None)],
)  # fmt: skip
def test_employer_keys(filed: str, key: str | None) -> None:
    assert companies.employer_key(filed) == key


@pytest.mark.usefixtures("use_loaded")
class TestEmployers:
    def test_one_employer(self) -> None:
        code, out, err = run_cli("employer", "google", "--role", "data_scientist", "--json")
        assert code == 0, err
        r = json.loads(out)
        assert r["employer"] == "GOOGLE" and set(r["filed_as"]) == {"GOOGLE LLC", "GOOGLE INC"}
        assert (r["n"], r["median"]) == (disclosure.published(GOOGLE_DS_FILINGS), GOOGLE_DS_MEDIAN)
        assert r["ci_low"] <= r["median"] <= r["ci_high"] and r["years"] and r["data"][0]["age_months"] > 0
        assert "filing, not a hire" in r["unit"]

    def test_every_count_an_employer_page_prints_is_rounded(self) -> None:
        """The pages print counts as every surface does (mlsalary.disclosure); the attack on every page of the mirror
        together is tests/test_disclosure.py::test_the_employer_pages_give_no_group_of_1_to_4_away."""
        for name in ("google", "facebook", "microsoft corporation", "apple", "uber technologies"):
            r = json.loads(run_cli("employer", name, "--json")[1])
            assert r["n"] % 10 == 0
            for rows in r["by"].values():
                assert all(g["n"] is not None and g["n"] % 10 == 0 for g in rows)
                assert all(g.get("median") is None or g["n"] >= 30 for g in rows)

    def test_a_filter_and_the_years_print_what_the_breakdown_prints(self) -> None:
        """The issue's case: "ADOBE" alone had 28 filings, 1 of them in 2018, and ?year=2019 showed 27. Adobe Systems'
        filings belong to the same company now (normalize.companies): 83, with 29 in 2018. A year listed is a year
        with a count (at least the minimum n), and a filter's group too small for one is withheld: 2018's 29 too."""
        from mlsalary import employers, store

        adobe = employers.employer("adobe")
        assert adobe["n"] == disclosure.published(COMPANY_FILINGS["ADOBE"])
        assert employers.employer("adobe", year=2018)["n"] == disclosure.published(ADOBE_2018) is None
        filings = store.query("SELECT year, role FROM units WHERE source = 'lca' AND employer_key = 'ADOBE' "
                              "AND dup_rank = 1 AND amount_usd IS NOT NULL")  # fmt: skip
        per_year = filings["year"].value_counts()
        assert adobe["years"] == sorted(int(y) for y, c in per_year.items() if c >= disclosure.floor())
        assert adobe["years"] == [] and per_year.max() == ADOBE_2018  # no year of Adobe's has 30 filings
        rare = filings["role"].value_counts()
        small = [r for r, c in rare.items() if c < disclosure.floor()]
        assert small and all(employers.employer("adobe", role=r)["n"] is None for r in small)

    def test_the_ranking(self) -> None:
        code, out, err = run_cli("employers", "--role", "ml_engineer", "--json")
        assert code == 0, err
        r = json.loads(out)
        assert [(e["employer"], e["n"], e["median"]) for e in r["employers"]] == [
            ("APPLE", disclosure.published(APPLE_ML_FILINGS), APPLE_ML_MEDIAN)
        ]
        assert all(e["n"] >= r["min_n"] == 30 for e in r["employers"]) and r["too_few_filings"] > 0

    def test_a_metro_counts_its_suburbs_named_as_aliases(self) -> None:
        r = json.loads(run_cli("employer", "microsoft corporation", "--metro", "Seattle area", "--json")[1])
        places = {g["place"] for g in r["by"]["place"]}
        assert {"Redmond, WA", "Bellevue, WA"} <= places and r["filters"]["metro"] == "Seattle-Tacoma-Bellevue, WA"

    def test_names_that_match_several_or_none(self) -> None:
        code, _, err = run_cli("employer", "capital")
        assert code == 1 and "'capital' matches" in err and "CAPITAL ONE" in err
        code, _, err = run_cli("employer", "gooogle")
        assert code == 1 and "did you mean GOOGLE" in err
        code, _, err = run_cli("employer", "anthropic")  # the loaded years say why a young employer is not there
        first, last = MIRROR_FILING_YEARS
        assert code == 1 and f"no employer named like 'anthropic' in the H-1B filings loaded ({first}–{last})" in err

    @pytest.mark.parametrize(("typed", "company"), [
        ("meta", "META PLATFORMS"), ("facebook", "META PLATFORMS"), ("meta platforms", "META PLATFORMS"),
        ("Facebook, Inc.", "META PLATFORMS"), ("amazon", "AMAZON"), ("aws", "AMAZON"),
        ("amazon web services", "AMAZON"), ("google", "GOOGLE"), ("alphabet", "GOOGLE"), ("adobe", "ADOBE"),
        ("capital one", "CAPITAL ONE")])  # fmt: skip
    def test_names_people_type_land_on_the_company(self, typed: str, company: str) -> None:
        """`employer meta` answered with an unrelated firm filed as "Meta" (Facebook has the filings), "amazon"
        asked to pick one of 11 entities: the declared groups and aliases (normalize.companies) decide."""
        from mlsalary import employers

        r = employers.employer(typed)
        assert r["employer"] == company and r["n"] == disclosure.published(COMPANY_FILINGS[company]), \
            (typed, r["employer"], r["n"])  # fmt: skip

    def test_a_short_name_never_lands_on_an_unrelated_company(self) -> None:
        """Whole words only: "intel" is Intel (not Intellipro); "meta x", "zq" and a misspelt name are no employer at
        all (a misspelling gets suggestions, never an answer)."""
        from mlsalary import employers
        from mlsalary.errors import NotFound

        assert employers.employer("intel")["employer"] == "INTEL"
        for typed in ("zq", "meta x", "facebok inc"):
            with pytest.raises(NotFound):
                employers.employer(typed)

    def test_every_company_rule_has_its_evidence(self) -> None:
        import csv
        from importlib import resources

        for name in ("employer_groups.csv", "employer_aliases.csv"):
            rows = list(csv.DictReader(resources.files("mlsalary").joinpath(f"data/{name}").open(encoding="utf-8")))
            assert rows and all(r["evidence"].strip() for r in rows), name

    def test_the_api_and_the_page_answer_as_the_cli(self) -> None:
        from mlsalary.web.app import create_app

        cli = json.loads(run_cli("employer", "google", "--role", "data_scientist", "--json")[1])
        with TestClient(create_app()) as client:
            api = client.get("/api/v1/employer", params={"name": "google", "role": "data_scientist"}).json()
            assert api == cli
            page = client.get("/employers", params={"name": "google", "role": "data_scientist"})
            assert page.status_code == 200 and f"{GOOGLE_DS_MEDIAN:,}" in page.text
            bad = client.get("/api/v1/employer", params={"name": "gooogle"})
            assert bad.status_code == 404 and "did you mean GOOGLE" in bad.text


# Measured on the mirror: the two H-1B figures.
EMPLOYER_SPREAD = (45.1, 41.8, 57.5, 1_558)  # % of the variance between employers, its interval, filings
#: ML-role filings without the plain "Research Scientist" titles that name no ML (as often biology, chemistry and
#: university labs): with them it read -2.9% (-5.3 to -0.5), 2,020 filings.
ML_INTENSITY_GAP = (-5.1, -7.3, -2.8, 1_175)  # % relative pay at ML-intensive employers, its interval, filings


@pytest.mark.parametrize(("fid", "expected"), [("employer-spread", EMPLOYER_SPREAD),
                                                ("ml-intensity-gap", ML_INTENSITY_GAP)])  # fmt: skip
def test_the_employer_figures(use_loaded: Path, fid: str, expected: tuple) -> None:
    code, out, err = run_cli("figures", "--id", fid, "--json")
    assert code == 0, err
    (f,) = json.loads(out)["figures"]
    assert f["status"] == "ok" and f["unit"] == "filings" and f["sources"] == ["lca", "oews"]
    *stats, n = expected
    assert (round(f["value"], 1), round(f["ci_low"], 1), round(f["ci_high"], 1), f["n"]) == \
        (*stats, disclosure.published(n))  # fmt: skip
    assert "not a hire" in " ".join(f["caveats"])


def test_online_the_newest_official_file_is_downloaded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Against a local HTTP server: the quarterly file is fetched with mlsalary's User-Agent, cached, and parsed."""
    import dataclasses
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from mlsalary import api

    src = tmp_path / "LCA_Disclosure_Data_FY2024_Q2.csv"
    write_official(src)
    body, agents = src.read_bytes(), []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            agents.append(self.headers.get("User-Agent", ""))
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{httpd.server_address[1]}/{src.name}"
        monkeypatch.setattr(lca, "META", dataclasses.replace(lca.META, download_urls=(url,)))
        monkeypatch.delenv("MLSALARY_MIRROR", raising=False)
        monkeypatch.delenv("MLSALARY_OFFLINE", raising=False)
        (outcome,) = api.pull(["lca"])
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert outcome.status == "loaded", outcome.message
    assert outcome.record is not None and outcome.record["rows_loaded"] == len(KEPT_WAGES)
    assert agents and agents[0].startswith("mlsalary/")


def test_another_layout_is_one_line_naming_the_missing_columns(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLSALARY_HOME", str(tmp_path / "home"))
    bad = tmp_path / "LCA_Disclosure_Data_FY2024_Q1.csv"
    bad.write_text("CASE_NUMBER,JOB_TITLE\nI-1,Data Scientist\n")
    code, _, err = run_cli("data", "pull", "lca", "--from", str(bad))
    assert code == 1
    line = next(ln for ln in err.splitlines() if "missing column(s)" in ln)
    assert "CASE_STATUS, VISA_CLASS" in line and "expected OFLC's LCA disclosure layout" in line


def test_a_case_in_an_earlier_quarter_file_is_not_counted_again(tmp_path: Path) -> None:
    q1, q2 = tmp_path / "LCA_Disclosure_Data_FY2024_Q1.csv", tmp_path / "LCA_Disclosure_Data_FY2024_Q2.csv"
    write_official(q1)
    write_official(q2)  # the same 16 cases filed again
    r = lca.parse([FetchedFile(q1, "x", "user"), FetchedFile(q2, "x", "user")])
    assert r.rows_read == 32 == r.rows_loaded + len(r.quarantine)
    assert r.rows_loaded == len(KEPT_WAGES)  # the second file adds no filing
    q2_reasons = {reason for f, reason in zip(r.quarantine.files, r.quarantine.reasons, strict=True) if f == q2.name}
    assert "duplicate_case" in q2_reasons


def test_filings_without_a_case_number_are_each_their_own(tmp_path: Path) -> None:
    """A blank CASE_NUMBER is no case to repeat: two such filings both load (one filing per case needs a case)."""
    path = tmp_path / "LCA_Disclosure_Data_FY2024_Q1.csv"
    rows = official_rows()[:2]
    write_official(path, [r | {"CASE_NUMBER": blank} for r, blank in zip(rows, ("", "  "), strict=True)])
    r = lca.parse([FetchedFile(path, "x", "user")])
    assert (r.rows_read, r.rows_loaded, len(r.quarantine)) == (2, 2, 0)


def test_a_filings_year_is_its_decision_date_or_else_the_date_received_in_either_writing(tmp_path: Path) -> None:
    """Dates as ISO or m/d/yyyy (with or without a time), mixed in one file; a filing with no decision date takes
    the date it was received."""
    path = tmp_path / "LCA_Disclosure_Data_FY2024_Q1.csv"
    dates = [("2023-12-20", "2024-01-17"), ("12/20/2022", "1/17/2023"), ("2021-05-02", ""),
             ("06/30/2020 00:00:00", ""), ("2019-03-01", "02/01/2019 12:00:00")]  # fmt: skip
    rows = [official_rows()[0] | {"CASE_NUMBER": f"I-{i}", "RECEIVED_DATE": r, "DECISION_DATE": d}
            for i, (r, d) in enumerate(dates)]  # fmt: skip
    write_official(path, rows)
    r = lca.parse([FetchedFile(path, "x", "user")])
    assert r.observations["year"].tolist() == [2024, 2023, 2021, 2020, 2019]
    write_official(path, rows[:1] + rows[2:3])  # ISO dates only
    assert lca.parse([FetchedFile(path, "x", "user")]).observations["year"].tolist() == [2024, 2021]


def test_quarantined_rows_are_ordered_by_file_and_record() -> None:
    from mlsalary.sources import QuarantineRows

    q = QuarantineRows()
    for file, rec in [("b.csv", 1), ("a.csv", 7), ("a.csv", 2), ("b.csv", 0)]:
        q.add(file, rec, "why", f"{file}:{rec}", "{}")
    q.sort()
    assert list(zip(q.files, q.records, q.details, strict=True)) == [
        ("a.csv", 2, "a.csv:2"), ("a.csv", 7, "a.csv:7"), ("b.csv", 0, "b.csv:0"), ("b.csv", 1, "b.csv:1")]
    one = QuarantineRows()
    for rec in (5, 3, 9):
        one.add("a.csv", rec, "why", str(rec), "{}")
    one.sort()
    assert (one.records, one.details) == ([3, 5, 9], ["3", "5", "9"])
    two = QuarantineRows()
    for file, rec in [("b.csv", 1), ("a.csv", 2)]:  # records in order, files not
        two.add(file, rec, "why", file, "{}")
    two.sort()
    assert two.files == ["a.csv", "b.csv"]


def test_quarantined_rows_added_as_arrow_and_one_by_one_keep_their_order() -> None:
    """A source's rejections found column-wise come as Arrow arrays, others one at a time: all are kept in the order
    added, sorted stably (two rows of one record keep the order they were found in), and handed to the store as one
    Arrow table of the quarantine table's columns."""
    import pyarrow as pa
    import pytest

    from mlsalary import schema
    from mlsalary.sources import QuarantineRows

    q = QuarantineRows()
    q.add("a.csv", 4, "malformed", "first", "{}")
    q.add_many("a.csv", pa.chunked_array([[9, 2], [4]]), pa.array(["x", "y", "z"]),
               pa.array(["d9", "d2", "second"], type=pa.large_string()), ["{9}", "{2}", "{4}"])  # fmt: skip
    q.add("a.csv", 1, "malformed", "d1", "{1}")
    other = QuarantineRows()
    other.add_many("a.csv", [4], ["w"], ["third"], ["{4b}"])
    other.add("a.csv", 3, "malformed", "d3", "{3}")
    q.extend(other)
    assert len(q) == 7 and q.details == ["first", "d9", "d2", "second", "d1", "third", "d3"]
    q.sort()
    assert (q.records, q.details) == ([1, 2, 3, 4, 4, 4, 9], ["d1", "d2", "d3", "first", "second", "third", "d9"])
    t = q.frame("lca")
    assert isinstance(t, pa.Table) and t.num_rows == 7
    # large text: one file's messages and raw rows may pass 2 GB together
    assert [t.schema.field(c).type for c in ("record", "detail", "raw")] == [pa.int64(), pa.large_string(),
                                                                             pa.large_string()]  # fmt: skip
    assert t.column_names == [line.split()[0] for line in schema.QUARANTINE_DDL.split("(", 1)[1].splitlines()
                              if line.strip() and not line.startswith(")")]  # fmt: skip
    assert set(t.column("source").to_pylist()) == {"lca"}
    assert t.column("raw").to_pylist()[:4] == ["{1}", "{2}", "{3}", "{}"]
    with pytest.raises(ValueError, match="different lengths"):
        q.add_many("a.csv", [1, 2], ["x"], ["d"], ["{}"])
    assert len(QuarantineRows().frame("lca")) == 0


def test_h1bdata_rules_run_column_by_column_with_each_reason_in_order(tmp_path: Path) -> None:
    """h1bdata.info's layout: every rule, the first failing one named, with the field's value; amounts read as the
    official files' are ("$" and "," allowed); the data's date is its last filing's, whichever way it is written."""
    f = tmp_path / "h1bdata_test.csv"
    f.write_text("\n".join([
        ",company,title,salary,location,date,year",
        '0,ACME INC,Data Scientist,"$120,000","SEATTLE, WA",2019-03-01,2019',
        '1,ACME INC,Data Scientist, 130000 ,"AUSTIN,TX",12/31/2019,2019',
        '2,ACME INC,Data Scientist,n/a,"AUSTIN, TX",2019-03-01,19x',      # no pay first, though its year is bad
        '3,ACME INC,Data Scientist,5,"AUSTIN, TX",2019-03-01,2019',
        '4,ACME INC,Data Scientist,1_000,"AUSTIN, TX",2019-03-01,2019',   # Python would read 1000; not an amount
        '5,ACME INC,Data Scientist,120000,"AUSTIN, TX",2019-03-01,1999',
        '6,ACME INC,Data Scientist,120000,"AUSTIN, TX",2019-03-01,2019x',
        '7,ACME INC,Data Scientist,120000,", KS",2019-03-01,2019',
        '8,ACME INC,Data Scientist,120000,"AUSTIN, TX",2019-12-30 00:00:00, 2019 ',
        '9,ACME INC,Data Scientist,120000,"AUSTIN, TX",2019-03-01,2999',  # a year not yet come
    ]) + "\n")  # fmt: skip
    r = lca.parse([FetchedFile(f, "x", "user")])
    q = r.quarantine
    assert r.rows_read == 10 == r.rows_loaded + len(q)
    assert list(zip(q.records, q.reasons, strict=True)) == [
        (3, "no_pay"), (4, "implausible_pay"), (5, "no_pay"), (6, "bad_year"), (7, "bad_year"), (8, "bad_location"),
        (10, "bad_year")]  # fmt: skip
    assert 'salary "n/a" is not an amount' in q.details[0] and 'salary "1_000" is not an amount' in q.details[2]
    assert "salary 5 USD is outside the plausible range" in q.details[1]
    assert 'year "1999" is not a year from 2000 to now' in q.details[3]
    assert 'year "2019x" is not a year from 2000 to now' in q.details[4]
    assert 'location ", KS" is not "CITY, ST"' in q.details[5]
    obs = r.observations
    assert obs["amount_usd"].tolist() == [120_000, 130_000, 120_000]
    assert obs["worksite_city"].tolist() == ["SEATTLE", "AUSTIN", "AUSTIN"]
    assert obs["worksite_state"].tolist() == ["WA", "TX", "TX"] and obs["year"].tolist() == [2019] * 3
    assert r.data_as_of == date(2019, 12, 31)  # the m/d/yyyy one

"""Stack Overflow Developer Survey source: the real 2024 subset, the 2023 and 2025 layouts, bad input."""

from __future__ import annotations

import bz2
import csv
import io
import json
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from conftest import run_cli
from mlsalary import api
from mlsalary.errors import SchemaError
from mlsalary.sources import FetchedFile, stackoverflow

# Values that change when the mirror's subset is refreshed.
SO_ROWS = 18_845
SO_WITH_PAY = 9_550  # rows with ConvertedCompYearly (data README)
SO_IMPLAUSIBLE = 217  # of those, outside 1,000-5,000,000 USD
SO_MAX_PAY = 6_340_564  # the largest ConvertedCompYearly in the subset
SO_FILE = "survey_results_public_2024_subset.csv.bz2"

# Columns of the official 2023 file (survey_results_public.csv, 84 columns), as documented in its schema file.
COLUMNS_2023 = (
    "ResponseId,Q120,MainBranch,Age,Employment,RemoteWork,CodingActivities,EdLevel,LearnCode,LearnCodeOnline,"
    "LearnCodeCoursesCert,YearsCode,YearsCodePro,DevType,OrgSize,PurchaseInfluence,TechList,BuyNewTool,Country,"
    "Currency,CompTotal,LanguageHaveWorkedWith,LanguageWantToWorkWith,DatabaseHaveWorkedWith,"
    "DatabaseWantToWorkWith,PlatformHaveWorkedWith,PlatformWantToWorkWith,WebframeHaveWorkedWith,"
    "WebframeWantToWorkWith,MiscTechHaveWorkedWith,MiscTechWantToWorkWith,ToolsTechHaveWorkedWith,"
    "ToolsTechWantToWorkWith,NEWCollabToolsHaveWorkedWith,NEWCollabToolsWantToWorkWith,OpSysPersonal use,"
    "OpSysProfessional use,OfficeStackAsyncHaveWorkedWith,OfficeStackAsyncWantToWorkWith,"
    "OfficeStackSyncHaveWorkedWith,OfficeStackSyncWantToWorkWith,AISearchHaveWorkedWith,AISearchWantToWorkWith,"
    "AIDevHaveWorkedWith,AIDevWantToWorkWith,NEWSOSites,SOVisitFreq,SOAccount,SOPartFreq,SOComm,SOAI,AISelect,"
    "AISent,AIAcc,AIBen,AIToolInterested in Using,AIToolCurrently Using,AIToolNot interested in Using,"
    "AINextVery different,AINextNeither different nor similar,AINextSomewhat similar,AINextVery similar,"
    "AINextSomewhat different,TBranch,ICorPM,WorkExp,Knowledge_1,Knowledge_2,Knowledge_3,Knowledge_4,"
    "Knowledge_5,Knowledge_6,Knowledge_7,Knowledge_8,Frequency_1,Frequency_2,Frequency_3,TimeSearching,"
    "TimeAnswering,ProfessionalTech,Industry,SurveyLength,SurveyEase,ConvertedCompYearly"
).split(",")
# Columns of the 2025 file used here: YearsCodePro is gone; tools moved into PlatformHaveWorkedWith.
COLUMNS_2025 = (
    "ResponseId,MainBranch,Age,EdLevel,Employment,EmploymentAddl,WorkExp,LearnCodeChoose,LearnCode,YearsCode,"
    "DevType,OrgSize,ICorPM,RemoteWork,PurchaseInfluence,Industry,Country,Currency,CompTotal,"
    "LanguageHaveWorkedWith,LanguageWantToWorkWith,DatabaseHaveWorkedWith,PlatformHaveWorkedWith,"
    "WebframeHaveWorkedWith,DevEnvsHaveWorkedWith,AIModelsHaveWorkedWith,AISelect,AISent,ConvertedCompYearly,JobSat"
).split(",")


def survey_file(tmp_path: Path, name: str, columns: list[str], rows: list[dict[str, str]]) -> Path:
    """A survey CSV in the official style: every column present, "NA" for an unanswered question."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(columns)
    for i, row in enumerate(rows, start=1):
        unknown = set(row) - set(columns)
        assert not unknown, unknown
        w.writerow([str(i) if c == "ResponseId" else row.get(c, "NA") for c in columns])
    p = tmp_path / name
    p.write_text(buf.getvalue(), encoding="utf-8")
    return p


def parse(*paths: Path) -> stackoverflow.ParseResult:
    return stackoverflow.parse([FetchedFile(p, "x", "test") for p in paths])


ML_2023 = {
    "MainBranch": "I am a developer by profession",
    "Employment": "Employed, full-time;Independent contractor, freelancer, or self-employed",
    "RemoteWork": "Hybrid (some remote, some in-person)",
    "EdLevel": "Master’s degree (M.A., M.S., M.Eng., MBA, etc.)",
    "YearsCode": "12",
    "YearsCodePro": "6",
    "DevType": "Data scientist or machine learning specialist",
    "OrgSize": "1,000 to 4,999 employees",
    "Country": "Germany",
    "Currency": "EUR European Euro",
    "CompTotal": "85000",
    "LanguageHaveWorkedWith": "Python;SQL;Bash/Shell (all shells)",
    "MiscTechHaveWorkedWith": "Torch/PyTorch;Hugging Face Transformers;Apache Spark",
    "PlatformHaveWorkedWith": "Amazon Web Services (AWS)",
    "ToolsTechHaveWorkedWith": "Docker;Kubernetes",
    "WorkExp": "7",
    "Industry": "Information Services, IT, Software Development, or other Technology",
    "ConvertedCompYearly": "91900",
}


def test_2023_layout_is_read_with_its_own_labels(tmp_path: Path) -> None:
    p = survey_file(tmp_path, "survey_results_public_2023.csv", COLUMNS_2023, [ML_2023])
    r = parse(p)
    assert r.rows_read == r.rows_loaded == 1
    row = r.observations.iloc[0].to_dict()  # type: ignore[union-attr]
    assert row["year"] == 2023
    assert row["role"] == "data_scientist"
    assert row["years_experience"] == 7.0 and row["experience_basis"] == "work_experience"
    assert row["level"] == "senior"
    assert row["employment_type"] == "full_time"
    assert row["remote"] == "hybrid"
    assert row["company_size"] == "large"
    assert row["education"] == "master"
    assert row["industry"] == "tech_software"
    assert row["employee_country"] == "DE" and row["company_country"] is None
    assert (row["amount_local"], row["currency"], row["amount_usd"]) == (85000.0, "EUR", 91900.0)
    assert row["pay_kind"] == "self_reported" and row["usd_conversion"] == "source"
    assert (row["years_coding_low"], row["years_coding_high"]) == (12.0, 12.0)
    skills = set(r.skills["skill"])  # type: ignore[index]
    assert skills == {"python", "sql", "bash", "pytorch", "hugging_face", "spark", "aws", "docker", "kubernetes"}
    assert r.notes == ["stackoverflow: read survey_results_public_2023.csv as the 2023 layout"]


def test_2023_years_code_pro_is_used_when_work_experience_is_missing(tmp_path: Path) -> None:
    row = {**ML_2023, "WorkExp": "NA", "YearsCodePro": "Less than 1 year", "YearsCode": "More than 50 years"}
    r = parse(survey_file(tmp_path, "survey_results_public_2023.csv", COLUMNS_2023, [row]))
    o = r.observations.iloc[0]  # type: ignore[union-attr]
    assert (o["years_experience"], o["experience_basis"], o["level"]) == (0.0, "years_coding_pro", "entry")
    assert o["years_coding_low"] == 50.0 and pd.isna(o["years_coding_high"])  # open-ended


def test_2025_layout_is_recognised_by_its_columns_and_labels(tmp_path: Path) -> None:
    rows = [
        {
            "EdLevel": "Other (please specify):",
            "Employment": "Employed",
            "WorkExp": "4",
            "YearsCode": "9",
            "DevType": "AI/ML engineer",
            "OrgSize": "Less than 20 employees",
            "RemoteWork": "Your choice (very flexible, you can come in when you want or just as needed)",
            "Industry": "Fintech",
            "Country": "United States of America",
            "Currency": "USD\tUnited States dollar",
            "CompTotal": "210000",
            "LanguageHaveWorkedWith": "Python;Rust",
            "PlatformHaveWorkedWith": "Docker;Google Cloud",
            "ConvertedCompYearly": "210000",
        },
        {"DevType": "Applied scientist", "WorkExp": "2", "Country": "India", "ConvertedCompYearly": "40000"},
        {"DevType": "Developer, AI apps or physical AI", "WorkExp": "12", "ConvertedCompYearly": "150000"},
        {"DevType": "Founder, technology or otherwise", "WorkExp": "20", "ConvertedCompYearly": "300000"},
    ]
    # No year in the name: the layout is recognised by columns only the 2025 survey has.
    r = parse(survey_file(tmp_path, "survey_results_public.csv", COLUMNS_2025, rows))
    df = r.observations
    assert df is not None
    assert list(df["year"]) == [2025] * 4
    assert list(df["role"]) == ["ml_engineer", "applied_scientist", "ai_engineer", "manager"]
    assert list(df["level"]) == ["mid", "entry", "senior", "executive"]
    first = df.iloc[0]
    assert (first["education"], first["company_size"]) == ("other", "small")
    assert pd.isna(first["employment_type"])  # 2025's "Employed" does not say full or part time
    assert (first["remote"], first["industry"], first["currency"]) == ("hybrid", "finance", "USD")
    assert pd.isna(df["education"].iloc[1])  # "NA": not answered
    assert set(r.skills["skill"]) == {"python", "rust", "docker", "gcp"}  # type: ignore[index]
    assert r.notes == ["stackoverflow: read survey_results_public.csv as the 2025 layout"]


def test_unknown_layout_lists_the_columns_it_lacks(tmp_path: Path) -> None:
    cols = [c for c in COLUMNS_2023 if c not in {"DevType", "ConvertedCompYearly"}]
    p = survey_file(tmp_path, "survey_results_public_2023.csv", cols, [{}])
    with pytest.raises(SchemaError) as e:
        parse(p)
    assert str(e.value) == (
        "stackoverflow: survey_results_public_2023.csv: not a known survey layout (2023, 2024, 2025): it lacks "
        "column(s) DevType, ConvertedCompYearly of the 2023 layout; pass the official survey_results_public.csv"
    )


def test_plausibility_rule_quarantines_with_the_reason_and_is_configurable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = [{**ML_2023, "ConvertedCompYearly": v} for v in ("1", "6340564", "91900", "NA", "lots")]
    p = survey_file(tmp_path, "survey_results_public_2023.csv", COLUMNS_2023, rows)
    r = parse(p)
    assert r.rows_loaded == 1 and r.rows_read == 5
    assert r.quarantine.reasons == ["implausible_pay", "implausible_pay", "no_pay", "salary_not_numeric"]
    assert r.quarantine.details[0] == (
        "stackoverflow: survey_results_public_2023.csv row 1: ConvertedCompYearly 1 USD is outside the plausible "
        "range 1,000-5,000,000 (set MLSALARY_MIN_PAY_USD / MLSALARY_MAX_PAY_USD to change the rule) (quarantined)"
    )
    assert json.loads(r.quarantine.raws[0])["ConvertedCompYearly"] == "1"
    monkeypatch.setenv("MLSALARY_MAX_PAY_USD", "10000000")
    assert parse(p).rows_loaded == 2


def test_official_zip_is_read_through_its_public_results_file(tmp_path: Path) -> None:
    csv_path = survey_file(tmp_path, "survey_results_public.csv", COLUMNS_2023, [ML_2023])
    z = tmp_path / "stack-overflow-developer-survey-2023.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("README_2023.txt", "readme")
        zf.writestr("survey_results_schema.csv", "qid,qname\nQID1,Age\n")
        zf.write(csv_path, "survey_results_public.csv")
    r = parse(z)
    assert r.rows_loaded == 1 and r.observations.iloc[0]["year"] == 2023  # type: ignore[union-attr]


def test_one_file_per_year_is_picked_from_a_folder(tmp_path: Path) -> None:
    for name in ("survey_results_public_2023.csv", "stack-overflow-developer-survey-2023.zip", "notes.txt"):
        (tmp_path / name).write_text("x")
    (tmp_path / "survey_results_public_2024_subset.csv.bz2").write_text("x")
    assert [p.name for p in stackoverflow.pick(tmp_path)] == [
        "stack-overflow-developer-survey-2023.zip",
        "survey_results_public_2024_subset.csv.bz2",
    ]


# ------------------------------------------------------------------------------------------------ real data


@pytest.fixture(scope="module")
def subset(mirror: Path) -> stackoverflow.ParseResult:
    return parse(mirror / "stackoverflow" / SO_FILE)


def test_real_subset_accounting_adds_up(subset: stackoverflow.ParseResult) -> None:
    r = subset
    assert r.rows_read == SO_ROWS
    assert r.rows_loaded + len(r.quarantine) == SO_ROWS
    assert r.quarantine.reasons.count("no_pay") == SO_ROWS - SO_WITH_PAY
    assert r.quarantine.reasons.count("implausible_pay") == SO_IMPLAUSIBLE
    assert r.rows_loaded == SO_WITH_PAY - SO_IMPLAUSIBLE
    df = r.observations
    assert df is not None
    assert df["amount_usd"].between(1_000, 5_000_000).all()
    assert df["obs_id"].is_unique
    assert r.version == "2024 survey"


def test_real_subset_skills_match_the_raw_answers(mirror: Path, subset: stackoverflow.ParseResult) -> None:
    """Respondents with pay who report Python, counted in the raw file and in the parsed skills table."""
    text = bz2.decompress((mirror / "stackoverflow" / SO_FILE).read_bytes()).decode("utf-8")
    raw = 0
    for row in csv.DictReader(io.StringIO(text)):
        pay = row["ConvertedCompYearly"]
        if pay not in ("", "NA") and 1_000 <= float(pay) <= 5_000_000:
            raw += "Python" in row["LanguageHaveWorkedWith"].split(";")
    assert (subset.skills["skill"] == "python").sum() == raw > 1000  # type: ignore[index]


def test_pull_from_the_mirror_counts_quarantine_reasons(use_loaded: Path) -> None:
    status = json.loads(run_cli("data", "status", "--json")[1])
    (src,) = [s for s in status["sources"] if s["name"] == "stackoverflow"]
    assert (src["rows_read"], src["rows_loaded"]) == (SO_ROWS, SO_WITH_PAY - SO_IMPLAUSIBLE)
    assert src["rows_read"] == src["rows_loaded"] + src["rows_quarantined"]
    assert status["quarantine_reasons"]["stackoverflow"] == {
        "no_pay": SO_ROWS - SO_WITH_PAY,
        "implausible_pay": SO_IMPLAUSIBLE,
    }
    top = api.sql(
        "SELECT max((raw::JSON->>'ConvertedCompYearly')::DOUBLE) AS m FROM quarantine WHERE source = 'stackoverflow'"
    )["m"][0]
    assert top == SO_MAX_PAY


def test_sources_show_the_odbl_attribution() -> None:
    code, out, _ = run_cli("data", "sources", "--json")
    assert code == 0
    rows = {r["name"]: r for r in json.loads(out)["sources"]}
    assert rows["stackoverflow"]["licence"] == "Open Database License (ODbL) 1.0"
    assert "made available under the Open Database License (ODbL) 1.0" in rows["stackoverflow"]["attribution"]
    text = run_cli("data", "sources")[1]
    assert "stackoverflow: Contains information from the Stack Overflow Annual Developer" in text


def test_offline_without_mirror_says_how_to_provide() -> None:
    code, _, err = run_cli("data", "pull", "stackoverflow")
    assert code == 1
    assert err.strip() == (
        'unavailable: stackoverflow: offline and not in the mirror or the cache; run "mlsalary data pull '
        'stackoverflow" online, pass the survey zip or CSV with --from, or set MLSALARY_MIRROR to a folder '
        "holding stackoverflow/"
    )

"""Kaggle ML & DS Survey source: the real 2021 and 2022 zips, a small file in the 2022 layout, bad input."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from conftest import run_cli
from mlsalary import api, schema
from mlsalary.errors import SchemaError
from mlsalary.sources import FetchedFile, kaggle

# Values that change only if Kaggle republishes the files.
ROWS_2021 = 25_973
ROWS_2022 = 23_997

# The 2022 layout: column id -> question text (the file's first two rows), for the questions the parser reads.
QUESTIONS_2022 = {
    "Duration (in seconds)": "Duration (in seconds)",
    "Q4": "In which country do you currently reside?",
    "Q8": "What is the highest level of formal education that you have attained or plan to attain within the next "
    "2 years?",
    "Q11": "For how many years have you been writing code and/or programming?",
    **{
        f"Q12_{i}": "What programming languages do you use on a regular basis? (Select all that apply) - Selected "
        f"Choice - {label}"
        for i, label in enumerate(["Python", "R", "SQL"], start=1)
    },
    "Q16": "For how many years have you used machine learning methods?",
    **{
        f"Q17_{i}": "Which of the following machine learning frameworks do you use on a regular basis? (Select all "
        f"that apply) - Selected Choice - {label}"
        for i, label in enumerate(["  Scikit-learn ", "  TensorFlow ", " Keras ", " PyTorch "], start=1)
    },
    "Q19_1": "Which categories of computer vision methods do you use on a regular basis?  (Select all that apply) - "
    "Selected Choice - General purpose image/video tools (PIL, cv2, skimage, etc)",
    "Q19_7": "Which categories of computer vision methods do you use on a regular basis? - None",
    "Q20_4": "Which of the following natural language processing (NLP) methods do you use on a regular basis?  "
    "(Select all that apply) - Selected Choice - Transformer language models (GPT-3, BERT, XLnet, etc)",
    "Q20_5": "Which of the following natural language processing (NLP) methods do you use on a regular basis? - None",
    "Q23": "Select the title most similar to your current role (or most recent title if retired): - Selected Choice",
    "Q24": "In what industry is your current employer/contract (or your most recent employer if retired)? - Selected "
    "Choice",
    "Q25": "What is the size of the company where you are employed?",
    "Q27": "Does your current employer incorporate machine learning methods into their business?",
    "Q29": "What is your current yearly compensation (approximate $USD)?",
    "Q31_1": "Which of the following cloud computing platforms do you use? (Select all that apply) - Selected Choice "
    "-  Amazon Web Services (AWS) ",
    "Q35_1": "Do you use any of the following data products (relational databases, data warehouses, data lakes, or "
    "similar)? (Select all that apply) - Selected Choice - MySQL ",
}

ML_ENGINEER = {
    "Q4": "United States of America",
    "Q8": "Doctoral degree",
    "Q11": "5-10 years",
    "Q12_1": "Python",
    "Q12_3": "SQL",
    "Q16": "3-4 years",
    "Q17_4": " PyTorch ",
    "Q19_1": "General purpose image/video tools (PIL, cv2, skimage, etc)",
    "Q20_4": "Transformer language models (GPT-3, BERT, XLnet, etc)",
    "Q23": "Machine Learning/ MLops Engineer",
    "Q24": "Computers/Technology",
    "Q25": "10,000 or more employees",
    "Q27": "We have well established ML methods (i.e., models in production for more than 2 years)",
    "Q29": "150,000-199,999",
    "Q31_1": " Amazon Web Services (AWS) ",
}


def kaggle_file(tmp_path: Path, rows: list[dict[str, str]], name: str = "kaggle_survey_2022_responses.csv",
                questions: dict[str, str] | None = None) -> Path:  # fmt: skip
    qs = questions or QUESTIONS_2022
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(list(qs))
    w.writerow(list(qs.values()))
    for row in rows:
        w.writerow([row.get(c, "100" if c.startswith("Duration") else "") for c in qs])
    p = tmp_path / name
    p.write_text(buf.getvalue(), encoding="utf-8")
    return p


def parse(*paths: Path) -> kaggle.ParseResult:
    return kaggle.parse([FetchedFile(p, "x", "test") for p in paths])


def test_2022_layout_fields_bands_and_flags(tmp_path: Path) -> None:
    rows = [
        ML_ENGINEER,
        {**ML_ENGINEER, "Q29": "$0-999"},
        {**ML_ENGINEER, "Q29": ""},
        {
            "Q4": "I do not wish to disclose my location",
            "Q8": "I prefer not to answer",
            "Q11": "3-5 years",
            "Q19_7": "None",
            "Q20_5": "None",
            "Q23": "Research Scientist",
            "Q25": "50-249 employees",
            "Q27": "I do not know",
            "Q29": ">$1,000,000",
        },
        {**ML_ENGINEER, "Q29": "about 100k"},
        {**ML_ENGINEER, "Q11": ""},  # years of coding unanswered: no level, and no basis for one
    ]
    r = parse(kaggle_file(tmp_path, rows))
    assert r.rows_read == 6
    assert r.rows_loaded == 3
    assert list(zip(r.quarantine.records, r.quarantine.reasons, strict=True)) == [
        (2, "implausible_pay"),
        (3, "no_pay"),
        (5, "unknown_pay_band"),
    ]
    assert r.quarantine.details[0] == (
        'kaggle-survey: kaggle_survey_2022_responses.csv row 2: Q29 band "$0-999" lies outside the plausible range '
        "1,000-5,000,000 USD (set MLSALARY_MIN_PAY_USD / MLSALARY_MAX_PAY_USD to change the rule) (quarantined)"
    )
    # The raw row is kept without its unanswered questions.
    answered = {k: v for k, v in ML_ENGINEER.items() if k != "Q29"}
    assert json.loads(r.quarantine.raws[1]) == {"Duration (in seconds)": "100", **answered}
    df = r.observations
    assert df is not None
    ml, rs = df.iloc[0], df.iloc[1]
    assert (ml["year"], ml["pay_kind"], ml["role"]) == (2022, "survey_band", "ml_engineer")
    assert (ml["amount_low_usd"], ml["amount_high_usd"]) == (150_000, 199_999)
    assert pd.isna(ml["amount_usd"])  # a band is never turned into a point value
    assert (ml["specialization"], ml["level"], ml["experience_basis"]) == ("multiple", "senior", "years_coding_band")
    assert (ml["education"], ml["industry"], ml["company_size"]) == ("doctorate", "tech_software", "large")
    assert (ml["ml_centrality"], ml["employee_country"]) == ("production_established", "US")
    assert (ml["years_coding_low"], ml["years_coding_high"], ml["years_ml_low"], ml["years_ml_high"]) == (5, 10, 3, 4)
    assert (rs["role"], rs["specialization"], rs["level"], rs["company_size"]) == (
        "research_scientist",
        "none",
        "mid",
        "medium",
    )
    assert rs["amount_low_usd"] == 1_000_000 and pd.isna(rs["amount_high_usd"])  # open-ended top band
    unsaid = df.iloc[2]
    assert pd.isna(unsaid["level"]) and pd.isna(unsaid["experience_basis"]) and pd.isna(unsaid["years_coding_low"])
    assert (unsaid["amount_low_usd"], unsaid["years_ml_low"], unsaid["years_ml_high"]) == (150_000, 3, 4)
    assert pd.isna(rs["education"]) and pd.isna(rs["ml_centrality"]) and pd.isna(rs["employee_country"])
    skills = r.skills
    assert skills is not None
    by_obs = skills.groupby("obs_id")["skill"].apply(set).to_dict()
    tools = {"python", "sql", "pytorch", "computer_vision", "nlp", "transformer_lm", "aws"}
    assert by_obs == {ml["obs_id"]: tools, unsaid["obs_id"]: tools}
    assert set(skills["category"]) <= set(schema.SKILL_CATEGORIES)


def test_a_file_of_another_layout_says_what_differs(tmp_path: Path) -> None:
    qs = dict(QUESTIONS_2022)
    qs["Q29"] = "What is your favourite colour?"
    del qs["Q25"]
    with pytest.raises(SchemaError) as e:
        parse(kaggle_file(tmp_path, [ML_ENGINEER], questions=qs))
    assert str(e.value) == (
        "kaggle-survey: kaggle_survey_2022_responses.csv: not the Kaggle 2022 survey layout: column Q25 "
        '(company_size) is missing; column Q29 (pay) does not ask about "compensation"; pass the official '
        "kaggle_survey_2021/2022 responses file"
    )


@pytest.mark.parametrize(
    ("label", "band"),
    [
        ("100,000-124,999", (100_000, 124_999)),
        ("$0-999", (0, 999)),
        ("$500,000-999,999", (500_000, 999_999)),
        (">$1,000,000", (1_000_000, None)),
        ("300,000-499,999", (300_000, 499_999)),
        ("lots", None),
    ],
)
def test_pay_bands(label: str, band: tuple[float, float | None] | None) -> None:
    assert kaggle.pay_band(label) == band


@pytest.mark.parametrize(
    ("label", "band"),
    [
        ("< 1 years", (0, 1)),
        ("Under 1 year", (0, 1)),
        ("1-3 years", (1, 3)),
        ("20+ years", (20, None)),
        ("20 or more years", (20, None)),
        ("I have never written code", (0, 0)),
        ("I do not use machine learning methods", (0, 0)),
        ("", (None, None)),
    ],
)
def test_years_bands(label: str, band: tuple[float | None, float | None]) -> None:
    assert kaggle.years_band(label) == band


def test_without_mirror_the_fetch_explains_the_kaggle_login() -> None:
    code, _, err = run_cli("data", "pull", "kaggle-survey")
    assert code == 1
    assert err.strip() == (
        "unavailable: kaggle-survey: not in the mirror and not given with --from; Kaggle's survey files need a "
        "Kaggle account, so mlsalary cannot download them: sign in at "
        "https://www.kaggle.com/competitions/kaggle-survey-2022/data (and .../kaggle-survey-2021/data), download "
        'the zips, and run "mlsalary data pull kaggle-survey --from <the zip or its folder>" (or set '
        "MLSALARY_MIRROR to a folder holding kaggle-survey/)"
    )


def test_sources_show_kaggles_terms() -> None:
    rows = {r["name"]: r for r in json.loads(run_cli("data", "sources", "--json")[1])["sources"]}
    assert "Kaggle's terms" in rows["kaggle-survey"]["licence"]
    assert "download them yourself with a Kaggle account" in rows["kaggle-survey"]["attribution"]


# ------------------------------------------------------------------------------------------------ real data


def test_pull_from_a_given_zip(mirror: Path) -> None:
    zip_2022 = mirror / "kaggle-survey" / "kaggle-survey-2022.zip"
    code, out, err = run_cli("data", "pull", "kaggle-survey", "--from", str(zip_2022))
    assert code == 0, err
    (src,) = api.status()["sources"]
    assert src["rows_read"] == ROWS_2022 == src["rows_loaded"] + src["rows_quarantined"]
    assert src["version"] == "2022 survey"


def test_mirror_pull_accounting(use_loaded: Path) -> None:
    status = api.status()
    (src,) = [s for s in status["sources"] if s["name"] == "kaggle-survey"]
    assert src["files"] == ["kaggle-survey-2021.zip", "kaggle-survey-2022.zip"]
    assert src["rows_read"] == ROWS_2021 + ROWS_2022 == 49_970
    assert src["rows_read"] == src["rows_loaded"] + src["rows_quarantined"]
    reasons = status["quarantine_reasons"]["kaggle-survey"]
    assert set(reasons) == {"no_pay", "implausible_pay"}
    assert sum(reasons.values()) == src["rows_quarantined"]
    per_file = api.sql(
        "SELECT source_file, count(*) AS n FROM (SELECT source_file FROM observations WHERE source = 'kaggle-survey' "
        "UNION ALL SELECT source_file FROM quarantine WHERE source = 'kaggle-survey') GROUP BY 1 ORDER BY 1"
    )
    assert list(per_file["n"]) == [ROWS_2021, ROWS_2022]


def _raw_2022_ml_pytorch(mirror: Path) -> int:
    """Respondents of the raw 2022 file with a machine-learning title who report PyTorch and a usable pay band,
    counted with the csv module, independently of the parser."""
    ml_titles = {"Machine Learning/ MLops Engineer", "Research Scientist"}
    with zipfile.ZipFile(mirror / "kaggle-survey" / "kaggle-survey-2022.zip") as z:
        rows = csv.reader(io.TextIOWrapper(z.open("kaggle_survey_2022_responses.csv"), encoding="utf-8"))
        header = next(rows)
        questions = next(rows)
        title, pay = header.index("Q23"), header.index("Q29")
        (pytorch,) = [i for i, q in enumerate(questions) if q.startswith("Which of the following machine learning "
                      "frameworks") and q.strip().endswith("PyTorch")]  # fmt: skip
        return sum(1 for r in rows if r[title] in ml_titles and r[pytorch].strip() == "PyTorch"
                   and r[pay] not in ("", "$0-999"))  # fmt: skip


def test_kaggle_2022_ml_pytorch_users_agree_between_store_and_raw_file(use_loaded: Path, mirror: Path) -> None:
    roles = ", ".join(f"'{r}'" for r in schema.ML_ROLES)
    stored = api.sql(
        "SELECT count(*) AS n FROM observations o JOIN skills s USING (obs_id) WHERE o.source = 'kaggle-survey' "
        f"AND o.year = 2022 AND o.role IN ({roles}) AND s.skill = 'pytorch'"
    )["n"][0]
    raw = _raw_2022_ml_pytorch(mirror)
    assert stored == raw
    assert raw > 300  # most of 2022's ML engineers and research scientists with pay use PyTorch

"""Every job-type, title, education and industry label in the real survey files has a decided mapping.

The tables below are the decisions. A test reads the labels present in the mirror's files and fails when one is
missing here (a new label must be decided, not silently fall to `other`), and when the code maps one differently.
"""

from __future__ import annotations

import csv
import functools
import io
import zipfile
from collections import Counter
from pathlib import Path

import pytest

from mlsalary.normalize import education, industry, labels, skills
from mlsalary.sources import kaggle, stackoverflow

SO_FILE = "survey_results_public_2024_subset.csv.bz2"

# Labels for which no role/industry in the taxonomy fits: they map to `other` and are left out of the coverage.
NO_SENSIBLE_VALUE = {
    "Other (please specify):",
    "Other:",
    "Other",
    "Student",
    "Currently not employed",
    "Designer",
    "Educator",
    "Developer Advocate",
    "Developer Relations/Advocacy",
    "Marketing or sales professional",
    "Security professional",
    "Hardware Engineer",
    "Engineer (non-software)",
    "Transportation, or Supply Chain",
    "Shipping/Transportation",
    "Non-profit/Service",
    "Hospitality/Entertainment/Sports",
}

SO_DEVTYPE = {
    "Academic researcher": "researcher",
    "Blockchain": "software_engineer",
    "Cloud infrastructure engineer": "infrastructure_engineer",
    "Data engineer": "data_engineer",
    "Data or business analyst": "data_analyst",
    "Data scientist or machine learning specialist": "data_scientist",
    "Database administrator": "infrastructure_engineer",
    "Designer": "other",
    "DevOps specialist": "infrastructure_engineer",
    "Developer Advocate": "other",
    "Developer Experience": "software_engineer",
    "Developer, AI": "ai_engineer",
    "Developer, QA or test": "software_engineer",
    "Developer, back-end": "software_engineer",
    "Developer, desktop or enterprise applications": "software_engineer",
    "Developer, embedded applications or devices": "software_engineer",
    "Developer, front-end": "software_engineer",
    "Developer, full-stack": "software_engineer",
    "Developer, game or graphics": "software_engineer",
    "Developer, mobile": "software_engineer",
    "Educator": "other",
    "Engineer, site reliability": "infrastructure_engineer",
    "Engineering manager": "manager",
    "Hardware Engineer": "other",
    "Marketing or sales professional": "other",
    "Other (please specify):": "other",
    "Product manager": "manager",
    "Project manager": "manager",
    "Research & Development role": "researcher",
    "Scientist": "researcher",
    "Security professional": "other",
    "Senior Executive (C-Suite, VP, etc.)": "manager",
    "Student": "other",
    "System administrator": "infrastructure_engineer",
}
SO_EDLEVEL = {
    "Associate degree (A.A., A.S., etc.)": "below_bachelor",
    "Bachelor’s degree (B.A., B.S., B.Eng., etc.)": "bachelor",
    "Master’s degree (M.A., M.S., M.Eng., MBA, etc.)": "master",
    "Primary/elementary school": "below_bachelor",
    "Professional degree (JD, MD, Ph.D, Ed.D, etc.)": "doctorate",
    "Secondary school (e.g. American high school, German Realschule or Gymnasium, etc.)": "below_bachelor",
    "Some college/university study without earning a degree": "below_bachelor",
    "Something else": "other",
}
SO_INDUSTRY = {
    "Banking/Financial Services": "finance",
    "Computer Systems Design and Services": "tech_software",
    "Energy": "energy",
    "Fintech": "finance",
    "Government": "government",
    "Healthcare": "healthcare_pharma",
    "Higher Education": "education_academia",
    "Insurance": "finance",
    "Internet, Telecomm or Information Services": "internet_services",
    "Manufacturing": "manufacturing_automotive",
    "Media & Advertising Services": "media_advertising",
    "Other:": "other",
    "Retail and Consumer Services": "retail_ecommerce",
    "Software Development": "tech_software",
    "Transportation, or Supply Chain": "other",
}
# The 2023 survey's industry labels (its layout test builds a file with them).
SO_INDUSTRY_2023 = {
    "Information Services, IT, Software Development, or other Technology": "tech_software",
    "Financial Services": "finance",
    "Manufacturing, Transportation, or Supply Chain": "manufacturing_automotive",
    "Retail and Consumer Services": "retail_ecommerce",
    "Healthcare": "healthcare_pharma",
    "Higher Education": "education_academia",
    "Advertising Services": "media_advertising",
    "Legal Services": "other",
    "Insurance": "finance",
    "Oil & Gas": "energy",
    "Wholesale": "retail_ecommerce",
    "Government": "government",
    "Other": "other",
}
KAGGLE_TITLE = {
    "Business Analyst": "data_analyst",
    "Currently not employed": "other",
    "DBA/Database Engineer": "infrastructure_engineer",
    "Data Administrator": "infrastructure_engineer",
    "Data Analyst": "data_analyst",
    "Data Analyst (Business, Marketing, Financial, Quantitative, etc)": "data_analyst",
    "Data Architect": "data_engineer",
    "Data Engineer": "data_engineer",
    "Data Scientist": "data_scientist",
    "Developer Advocate": "other",
    "Developer Relations/Advocacy": "other",
    "Engineer (non-software)": "other",
    "Machine Learning Engineer": "ml_engineer",
    "Machine Learning/ MLops Engineer": "ml_engineer",
    "Manager (Program, Project, Operations, Executive-level, etc)": "manager",
    "Other": "other",
    "Product Manager": "manager",
    "Program/Project Manager": "manager",
    "Research Scientist": "research_scientist",
    "Software Engineer": "software_engineer",
    "Statistician": "data_scientist",
    "Student": "other",
    "Teacher / professor": "researcher",
}
KAGGLE_EDUCATION = {
    "Bachelor’s degree": "bachelor",
    "Doctoral degree": "doctorate",
    "I prefer not to answer": None,
    "Master’s degree": "master",
    "No formal education past high school": "below_bachelor",
    "Professional doctorate": "doctorate",
    "Some college/university study without earning a bachelor’s degree": "below_bachelor",
}
KAGGLE_INDUSTRY = {
    "Academics/Education": "education_academia",
    "Accounting/Finance": "finance",
    "Broadcasting/Communications": "media_advertising",
    "Computers/Technology": "tech_software",
    "Energy/Mining": "energy",
    "Government/Public Service": "government",
    "Hospitality/Entertainment/Sports": "other",
    "Insurance/Risk Assessment": "finance",
    "Manufacturing/Fabrication": "manufacturing_automotive",
    "Marketing/CRM": "media_advertising",
    "Medical/Pharmaceutical": "healthcare_pharma",
    "Military/Security/Defense": "government",
    "Non-profit/Service": "other",
    "Online Business/Internet-based Sales": "retail_ecommerce",
    "Online Service/Internet-based Services": "internet_services",
    "Other": "other",
    "Retail/Sales": "retail_ecommerce",
    "Shipping/Transportation": "other",
}


@functools.cache
def _so_counts(mirror: Path) -> dict[str, Counter[str]]:
    import bz2

    text = bz2.decompress((mirror / "stackoverflow" / SO_FILE).read_bytes()).decode("utf-8")
    out: dict[str, Counter[str]] = {c: Counter() for c in ("DevType", "EdLevel", "Industry")}
    for r in csv.DictReader(io.StringIO(text)):
        for c, counts in out.items():
            if r[c] not in ("", "NA"):
                counts[r[c]] += 1
    return out


def _so_column_counts(mirror: Path, column: str) -> Counter[str]:
    return _so_counts(mirror)[column]


KAGGLE_COLUMNS = {2021: ("Q4", "Q5", "Q20"), 2022: ("Q8", "Q23", "Q24")}  # education, title, industry


@functools.cache
def _kaggle_counts(mirror: Path, year: int) -> dict[str, Counter[str]]:
    """Answer counts of the title, education and industry columns of one year, read once with the csv module."""
    out: dict[str, Counter[str]] = {c: Counter() for c in KAGGLE_COLUMNS[year]}
    with zipfile.ZipFile(mirror / "kaggle-survey" / f"kaggle-survey-{year}.zip") as z:
        name = next(n for n in z.namelist() if n.endswith("_responses.csv"))
        rows = csv.reader(io.TextIOWrapper(z.open(name), encoding="utf-8"))
        header = next(rows)
        next(rows)  # question texts
        where = {c: header.index(c) for c in out}
        for r in rows:
            for c, i in where.items():
                if r[i].strip():
                    out[c][r[i]] += 1
    return out


def _kaggle_column_counts(mirror: Path, columns: dict[int, str]) -> Counter[str]:
    total: Counter[str] = Counter()
    for year, column in columns.items():
        total.update(_kaggle_counts(mirror, year)[column])
    return total


def _check(found: Counter[str], decided: dict[str, str | None], mapped: dict[str, str | None]) -> float:
    """Every label found is decided and mapped as decided; returns the share of rows mapped to a value other
    than `other` among labels for which a sensible value exists."""
    assert set(found) <= set(decided), f"undecided labels: {sorted(set(found) - set(decided))}"
    assert {k: mapped[k] for k in found} == {k: decided[k] for k in found}
    sensible = {k: n for k, n in found.items() if k not in NO_SENSIBLE_VALUE and decided[k] is not None}
    good = sum(n for k, n in sensible.items() if decided[k] != "other")
    return good / sum(sensible.values())


def test_stack_overflow_job_types(mirror: Path) -> None:
    found = _so_column_counts(mirror, "DevType")
    mapped = {k: stackoverflow.DEVTYPE_ROLES[labels.key(k)] for k in found}
    assert _check(found, SO_DEVTYPE, mapped) >= 0.95  # type: ignore[arg-type]


def test_stack_overflow_education(mirror: Path) -> None:
    found = _so_column_counts(mirror, "EdLevel")
    assert _check(found, SO_EDLEVEL, {k: education.education_of(k) for k in found}) >= 0.95  # type: ignore[arg-type]


def test_stack_overflow_industry(mirror: Path) -> None:
    found = _so_column_counts(mirror, "Industry")
    assert _check(found, SO_INDUSTRY, {k: industry.industry_of(k) for k in found}) >= 0.95  # type: ignore[arg-type]


def test_kaggle_titles(mirror: Path) -> None:
    found = _kaggle_column_counts(mirror, {2021: "Q5", 2022: "Q23"})
    mapped = {k: kaggle.TITLE_ROLES[labels.key(k)] for k in found}
    assert _check(found, KAGGLE_TITLE, mapped) >= 0.95  # type: ignore[arg-type]


def test_kaggle_education(mirror: Path) -> None:
    found = _kaggle_column_counts(mirror, {2021: "Q4", 2022: "Q8"})
    assert _check(found, KAGGLE_EDUCATION, {k: education.education_of(k) for k in found}) >= 0.95


def test_kaggle_industry(mirror: Path) -> None:
    found = _kaggle_column_counts(mirror, {2021: "Q20", 2022: "Q24"})
    assert _check(found, KAGGLE_INDUSTRY, {k: industry.industry_of(k) for k in found}) >= 0.95  # type: ignore[arg-type]


@pytest.mark.parametrize(("label", "value"), sorted(SO_INDUSTRY_2023.items()))
def test_stack_overflow_2023_industry_labels(label: str, value: str) -> None:
    assert industry.industry_of(label) == value


@pytest.mark.parametrize(
    ("label", "value"),
    [
        ("Other (please specify):", "other"),  # 2025
        ("", None),
        ("Doctor of Philosophy (PhD)", "doctorate"),
    ],
)
def test_education_edge_labels(label: str, value: str | None) -> None:
    assert education.education_of(label) == value


def test_every_2025_job_type_is_decided() -> None:
    labels_2025 = [
        "AI/ML engineer", "Academic researcher", "Applied scientist", "Architect, software or solutions",
        "Cloud infrastructure engineer", "Cybersecurity or InfoSec professional", "Data engineer",
        "Data or business analyst", "Data scientist", "Database administrator or engineer",
        "DevOps engineer or professional", "Developer, AI apps or physical AI", "Developer, QA or test",
        "Developer, back-end", "Developer, desktop or enterprise applications",
        "Developer, embedded applications or devices", "Developer, front-end", "Developer, full-stack",
        "Developer, game or graphics", "Developer, mobile", "Engineering manager", "Financial analyst or engineer",
        "Founder, technology or otherwise", "Other (please specify):", "Product manager", "Project manager",
        "Retired", "Senior executive (C-suite, VP, etc.)", "Student", "Support engineer or analyst",
        "System administrator", "UX, Research Ops or UI design professional",
    ]  # fmt: skip
    undecided = [x for x in labels_2025 if labels.key(x) not in stackoverflow.DEVTYPE_ROLES]
    assert undecided == []
    role = {x: stackoverflow.DEVTYPE_ROLES[labels.key(x)] for x in labels_2025}
    assert role["AI/ML engineer"] == "ml_engineer"
    assert role["Applied scientist"] == "applied_scientist"
    assert role["Developer, AI apps or physical AI"] == "ai_engineer"
    assert role["Data scientist"] == "data_scientist"


def test_skill_labels_of_both_surveys_map_to_skill_ids() -> None:
    cases = {
        "Torch/PyTorch": "pytorch",
        " PyTorch ": "pytorch",
        "  Scikit-learn ": "scikit_learn",
        "Scikit-Learn": "scikit_learn",
        "Hugging Face Transformers": "hugging_face",
        " Huggingface ": "hugging_face",
        "Apache Spark": "spark",
        "Hadoop": "hadoop",
        "Apache Kafka": "kafka",
        " Amazon Web Services (AWS) ": "aws",
        "Google Cloud": "gcp",
        " Google Cloud Platform (GCP) ": "gcp",
        "C++": "cpp",
        "Bash/Shell (all shells)": "bash",
        "Google Cloud BigQuery ": "bigquery",
    }
    assert {label: (skills.skill_of(label) or ("?",))[0] for label in cases} == cases
    assert skills.skill_of("React") is None
    assert skills.skill_of("Other") is None
    assert skills.skill_of("Kubernetes") == ("kubernetes", "devops")

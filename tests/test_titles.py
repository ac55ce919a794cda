"""Title -> role / specialization: a table of real titles, and the coverage rule on the real aijobs data."""

from __future__ import annotations

import re

import pytest

from mlsalary.normalize import titles

# (title as it appears in the sources, role, specialization)
REAL_TITLES = [
    ("Machine Learning Engineer", "ml_engineer", "none"),
    ("ML Engineer", "ml_engineer", "none"),
    ("Sr. ML Engineer", "ml_engineer", "none"),
    ("Machine Learning Engineer 5", "ml_engineer", "none"),
    ("Lead Machine Learning Engineer", "ml_engineer", "none"),
    ("Staff Machine Learning Engineer", "ml_engineer", "none"),
    ("Principal Machine Learning Engineer", "ml_engineer", "none"),
    ("Machine Learning Software Engineer", "ml_engineer", "none"),
    ("Machine Learning Developer", "ml_engineer", "none"),
    ("Machine Learning Modeler", "ml_engineer", "none"),
    ("Machine Learning Specialist", "ml_engineer", "none"),
    ("Machine Learning Architect", "ml_engineer", "none"),
    ("Machine Learning Tech Lead", "ml_engineer", "none"),
    ("Applied Machine Learning Engineer", "ml_engineer", "none"),
    ("Deep Learning Engineer", "ml_engineer", "none"),
    ("Computer Vision Engineer", "ml_engineer", "computer_vision"),
    ("Computer Vision Software Engineer", "ml_engineer", "computer_vision"),
    ("Machine Vision Engineer", "ml_engineer", "computer_vision"),
    ("NLP Engineer", "ml_engineer", "nlp"),
    ("Machine Learning Research Engineer", "research_scientist", "none"),
    ("Research Scientist", "research_scientist", "none"),
    ("Research Engineer", "research_scientist", "none"),
    ("Machine Learning Researcher", "research_scientist", "none"),
    ("AI Researcher", "research_scientist", "none"),
    ("AI Research Scientist", "research_scientist", "none"),
    ("AI Research Engineer", "research_scientist", "none"),
    ("AI Scientist", "research_scientist", "none"),
    ("Deep Learning Researcher", "research_scientist", "none"),
    ("Principal Researcher", "research_scientist", "none"),
    ("Postdoctoral Fellow", "research_scientist", "none"),
    ("Member of Technical Staff", "research_scientist", "none"),
    ("Applied Scientist", "applied_scientist", "none"),
    ("Applied Machine Learning Scientist", "applied_scientist", "none"),
    ("Applied Research Scientist", "applied_scientist", "none"),
    ("Machine Learning Scientist", "applied_scientist", "none"),
    ("MLOps Engineer", "mlops_engineer", "distributed_systems"),
    ("Machine Learning Infrastructure Engineer", "mlops_engineer", "distributed_systems"),
    ("ML Infrastructure Engineer", "mlops_engineer", "distributed_systems"),
    ("Machine Learning Platform Engineer", "mlops_engineer", "distributed_systems"),
    ("Machine Learning Performance Engineer", "mlops_engineer", "distributed_systems"),
    ("AI Engineer", "ai_engineer", "none"),
    ("Artificial Intelligence Engineer", "ai_engineer", "none"),
    ("AI Developer", "ai_engineer", "none"),
    ("AI Software Engineer", "ai_engineer", "none"),
    ("AI Programmer", "ai_engineer", "none"),
    ("AI Architect", "ai_engineer", "none"),
    ("AI Specialist", "ai_engineer", "none"),
    ("Prompt Engineer", "ai_engineer", "genai_llm"),
    ("Chatbot Developer", "ai_engineer", "genai_llm"),
    ("GenAI Engineer", "ai_engineer", "genai_llm"),
    ("LLM Engineer", "ai_engineer", "genai_llm"),
    ("Data Scientist", "data_scientist", "none"),
    ("Lead Data Scientist", "data_scientist", "none"),
    ("Principal Data Scientist", "data_scientist", "none"),
    ("AI Data Scientist", "data_scientist", "none"),
    ("Applied Data Scientist", "data_scientist", "none"),
    ("Decision Scientist", "data_scientist", "none"),
    ("Bioinformatics Scientist", "data_scientist", "none"),
    ("Statistician", "data_scientist", "none"),
    ("Data Engineer", "data_engineer", "none"),
    ("Big Data Engineer", "data_engineer", "none"),
    ("ETL Developer", "data_engineer", "none"),
    ("Analytics Engineer", "data_engineer", "none"),
    ("Data Architect", "data_engineer", "none"),
    ("Data Analyst", "data_analyst", "none"),
    ("BI Developer", "data_analyst", "none"),
    ("Business Intelligence Engineer", "data_analyst", "none"),
    ("Power BI Developer", "data_analyst", "none"),
    ("Software Engineer", "software_engineer", "none"),
    ("Backend Engineer", "software_engineer", "none"),
    ("Site Reliability Engineer", "software_engineer", "none"),
    ("Manager", "manager", "none"),
    ("Director of Machine Learning", "manager", "none"),
    ("Head of AI", "manager", "none"),
    ("Machine Learning Manager", "manager", "none"),
    ("AI Product Manager", "manager", "none"),
    ("Engineer", "other", "none"),
    ("Consultant", "other", "none"),
    ("", "other", "none"),
]


@pytest.mark.parametrize(("title", "role", "spec"), REAL_TITLES)
def test_real_title_maps_to_role_and_specialization(title: str, role: str, spec: str) -> None:
    assert titles.map_title(title) == (role, spec)


def test_table_is_large_enough() -> None:
    assert len(REAL_TITLES) >= 60


def test_mapping_tolerates_case_punctuation_and_abbreviations() -> None:
    assert titles.map_title("machine-learning ENGINEER") == ("ml_engineer", "none")
    assert titles.map_title("Sr ML/AI Engineer (NLP)")[1] == "nlp"
    assert titles.map_title("Jr. Data Scientist, Computer Vision") == ("data_scientist", "computer_vision")
    assert titles.map_title("Reinforcement Learning Researcher") == ("research_scientist", "reinforcement_learning")
    assert titles.map_title("Recommender Systems ML Engineer") == ("ml_engineer", "recommender")


def test_other_share_counts_repeats() -> None:
    assert titles.other_share(["Engineer", "Engineer", "Data Scientist", "ML Engineer"]) == 0.5
    assert titles.other_share([]) == 0.0


@pytest.mark.usefixtures("use_loaded")
def test_ml_titles_in_real_aijobs_data_almost_never_fall_to_other() -> None:
    """Foundation issue: >= 98% of ML-related aijobs rows get a role other than `other`."""
    from mlsalary import api

    df = api.sql("SELECT job_title_raw, role FROM observations WHERE source = 'aijobs'")
    ml = df[df["job_title_raw"].str.contains(titles.ML_TITLE_PATTERN)]
    share_mapped = float((ml["role"] != "other").mean())
    assert len(ml) > 10_000
    assert share_mapped >= 0.98, ml[ml["role"] == "other"]["job_title_raw"].value_counts().head(10)


def test_ml_title_pattern_matches_the_words_of_the_rule() -> None:
    for t in ("Senior ML Engineer", "AI Engineer", "NLP Engineer", "Computer Vision Lead", "MLOps", "Scientist"):
        assert re.search(titles.ML_TITLE_PATTERN, t), t
    assert not re.search(titles.ML_TITLE_PATTERN, "Data Analyst")


@pytest.mark.parametrize(("title", "ml"), [("RESEARCH SCIENTIST II", False), ("Research Scientist I, Biology", False),
                                           ("ML Research Scientist", True), ("AI Research Scientist", True),
                                           ("Research Scientist, NLP", True), ("Deep Learning Researcher", True),
                                           ("Research Scientist in AI for Health", True)])  # fmt: skip
def test_a_research_title_names_ml_or_not(title: str, ml: bool) -> None:
    """Where titles cover every occupation (H-1B filings), a research title is an ML role only when it names ML."""
    assert titles.names_ml(title) is ml

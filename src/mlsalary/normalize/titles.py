"""Job titles -> role and specialization, by an ordered rule table.

A title is first cleaned: lower-cased, punctuation folded to spaces, abbreviations expanded (ML, AI, NLP, CV,
Sr, Jr, BI, SWE, SDE...) and seniority words (senior, lead, principal, staff, junior, head of is *not* one: it
makes a manager) removed. Then the first rule whose pattern matches decides the role; specialization is decided
independently by its own table. Titles nothing matches fall to ``other``: ``other_share`` reports how many.

The tables are data: add a rule, add a test row in tests/test_titles.py.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

# Abbreviations, applied on word boundaries to the lower-cased title, in order.
_ABBREVIATIONS: tuple[tuple[str, str], ...] = (
    (r"\bml\s*ops\b", "mlops"),
    (r"\bllm\s*ops\b", "mlops"),
    (r"\bai\s*/\s*ml\b", "artificial intelligence machine learning"),
    (r"\bml\s*/\s*ai\b", "machine learning artificial intelligence"),
    (r"\bml\b", "machine learning"),
    (r"\bai\b", "artificial intelligence"),
    (r"\bnlp\b", "natural language processing"),
    (r"\bnlu\b", "natural language processing"),
    (r"\bcv\b", "computer vision"),
    (r"\bdl\b", "deep learning"),
    (r"\brl\b", "reinforcement learning"),
    (r"\bgen\s*ai\b", "generative artificial intelligence"),
    (r"\bllms?\b", "large language model"),
    (r"\bbi\b", "business intelligence"),
    (r"\bswe\b", "software engineer"),
    (r"\bsde\b", "software development engineer"),
    (r"\bsre\b", "site reliability engineer"),
    (r"\betl\b", "extract transform load"),
    (r"\bsr\b", "senior"),
    (r"\bjr\b", "junior"),
    (r"\bmgr\b", "manager"),
    (r"\beng\b", "engineer"),
    (r"\bdev\b", "developer"),
    (r"\bfullstack\b", "full stack"),
    (r"\bdataops\b", "data operations"),
    (r"\bdevops\b", "development operations"),
)

_SENIORITY_WORDS = re.compile(
    r"\b(senior|junior|lead|principal|staff|distinguished|associate|intern|internship|trainee|graduate|"
    r"entry level|mid level|i{1,3}|iv|v|[1-9])\b"
)

# (role, pattern) — first match wins. Patterns run on the cleaned title (see clean_title).
ROLE_RULES: tuple[tuple[str, str], ...] = (
    # Management: people or product managers, heads, directors, chiefs.
    ("manager", r"\b(head of|director|vice president|vp|chief|cto|cdo|manager|management lead)\b"),
    # ML operations and ML infrastructure / platform.
    (
        "mlops_engineer",
        r"\bmlops\b|machine learning (infrastructure|platform|ops|operations|systems|deployment|"
        r"performance|reliability)|artificial intelligence (infrastructure|platform|ops)",
    ),
    # Applied scientists (before research: "applied research scientist" is applied).
    ("applied_scientist", r"\bapplied (machine learning |artificial intelligence |research )?scientist\b"),
    ("applied_scientist", r"\bmachine learning scientist\b"),
    # Research.
    (
        "research_scientist",
        r"\bresearch (scientist|engineer)\b|\bresearcher\b|\bpostdoc|\bpost doctoral|\bpostdoctoral|"
        r"\bartificial intelligence scientist\b|\bdeep learning scientist\b|member of technical\b",
    ),
    # Data scientists (before the ML/AI engineers: "AI data scientist" is a data scientist).
    (
        "data_scientist",
        r"\bdata scien|\bdecision scientist\b|\bstatistician\b|\bbioinformatic|\bcomputational biolog|"
        r"\bscientist\b|\bquantitative (researcher|research|analyst|developer)\b|\bactuar",
    ),
    # ML engineers: machine learning / deep learning / vision / language engineers and developers.
    (
        "ml_engineer",
        r"\bmachine learning\b|\bdeep learning\b|\bcomputer vision\b|\bmachine vision\b|"
        r"\bnatural language processing\b|\bspeech\b|\brecommend|\bperception\b",
    ),
    # AI engineers: AI-titled engineering, prompt and LLM work.
    (
        "ai_engineer",
        r"\bartificial intelligence\b|\bprompt engineer|\blarge language model\b|\bgenerative\b|\bchatbot\b|"
        r"\bconversational\b",
    ),
    # Data engineering.
    (
        "data_engineer",
        r"\bdata (engineer|architect|modeler|modeller|integration|infrastructure|platform|pipeline|warehouse|"
        r"developer|operations engineer)|\bbig data\b|\bextract transform load\b|\banalytics engineer|"
        r"\bdatabase (engineer|developer|administrator)\b|\bspark\b|\bdatabricks\b|\bcloud data\b|"
        r"\bdata development operations\b",
    ),
    # Analysts and BI.
    (
        "data_analyst",
        r"\banalyst\b|\bbusiness intelligence\b|\banalytics\b|\bpower bi\b|\btableau\b|\breporting\b|"
        r"\bdata visuali[sz]ation\b|\binsights?\b|\bstatistical programmer\b|\bdata (quality|governance|"
        r"management|specialist|strategist|steward)",
    ),
    # General software engineering.
    (
        "software_engineer",
        r"\bsoftware\b|\bdeveloper\b|\bprogrammer\b|\bbackend\b|\bback end\b|\bfrontend\b|\bfront end\b|"
        r"\bfull stack\b|\bsite reliability\b|\bdevelopment operations\b|\bplatform engineer\b|"
        r"\bcloud engineer\b|\binfrastructure engineer\b|\bsystems? engineer\b|\bsecurity engineer\b|"
        r"\bqa engineer\b|\bquality engineer\b|\btech(nical)? lead\b|\bsolutions? (architect|engineer)\b|"
        r"\bsoftware architect\b|\brobotics\b",
    ),
)

# Specialization rules on the cleaned title — first match wins; no match is "none".
SPECIALIZATION_RULES: tuple[tuple[str, str], ...] = (
    ("genai_llm", r"\bgenerative\b|\blarge language model\b|\bprompt\b|\bchatbot\b|\bconversational\b"),
    ("nlp", r"\bnatural language\b|\bspeech\b|\blinguist|\btext mining\b"),
    ("computer_vision", r"\bcomputer vision\b|\bmachine vision\b|\bimage\b|\bvision\b|\bperception\b"),
    ("reinforcement_learning", r"\breinforcement learning\b"),
    ("recommender", r"\brecommend|\bpersonali[sz]ation\b|\branking\b|\bsearch relevance\b"),
    (
        "distributed_systems",
        r"\bdistributed\b|\bmachine learning (infrastructure|platform|systems|performance)\b|"
        r"\bartificial intelligence (infrastructure|platform)\b|\bmlops\b",
    ),
)


def clean_title(title: str) -> str:
    """Lower-case, fold punctuation, expand abbreviations; seniority words are kept (see ``strip_seniority``)."""
    t = title.lower().replace("&", " and ")
    t = re.sub(r"[^a-z0-9/+ ]+", " ", t)
    for pattern, repl in _ABBREVIATIONS:
        t = re.sub(pattern, repl, t)
    t = t.replace("/", " ")
    return re.sub(r"\s+", " ", t).strip()


#: Words that make a research title a machine-learning one where titles cover every occupation (H-1B filings: a plain
#: "Research Scientist" there is as often a biologist or a chemist; on an AI job board it is ML).
ML_TERMS = re.compile(
    r"\bmachine learning\b|\bdeep learning\b|\bartificial intelligence\b|\bnatural language processing\b|"
    r"\bcomputer vision\b|\bmachine vision\b|\bneural\b|\breinforcement learning\b|\brobot|\bautonomous\b|"
    r"\bspeech\b|\bperception\b|\bdata scien"
)


def names_ml(title: str | None) -> bool:
    """Whether a raw job title names machine learning (ML_TERMS, on the cleaned title: "ML" reads as machine
    learning)."""
    return bool(title) and bool(ML_TERMS.search(clean_title(str(title))))


def strip_seniority(cleaned: str) -> str:
    return re.sub(r"\s+", " ", _SENIORITY_WORDS.sub(" ", cleaned)).strip()


_ROLE_RES = tuple((role, re.compile(p)) for role, p in ROLE_RULES)
_SPEC_RES = tuple((spec, re.compile(p)) for spec, p in SPECIALIZATION_RULES)


@lru_cache(maxsize=65536)
def map_title(title: str | None) -> tuple[str, str]:
    """(role, specialization) for a raw job title. Unknown or empty titles give ("other", "none")."""
    if not title or not title.strip():
        return "other", "none"
    cleaned = strip_seniority(clean_title(title))
    role = next((r for r, rx in _ROLE_RES if rx.search(cleaned)), "other")
    spec = next((s for s, rx in _SPEC_RES if rx.search(cleaned)), "none")
    return role, spec


def role_of(title: str | None) -> str:
    return map_title(title)[0]


def other_share(titles: Iterable[str | None]) -> float:
    """Share of the given titles (counting repeats) whose role falls to ``other``."""
    n = other = 0
    for t in titles:
        n += 1
        other += role_of(t) == "other"
    return other / n if n else 0.0


#: The words that make a title "ML-related" for the coverage check in the foundation issue.
ML_TITLE_PATTERN = re.compile(
    r"machine learning|\bml\b|ai engineer|artificial intelligence engineer|\bnlp\b|natural language|"
    r"computer vision|mlops|ml ops|scientist",
    re.IGNORECASE,
)

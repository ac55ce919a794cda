"""Figures on the work and the worker, each declared beside its measure: industry and how central ML is to the
employer, specialization (scientist titles, GenAI), skills, education and company size.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from mlsalary import schema
from mlsalary.figures.data import Data, estimate, group
from mlsalary.figures.measure import (
    AIJ,
    AIJOBS_CAVEAT,
    KAG,
    KAGGLE_CAVEAT,
    ONE,
    PRACTITIONERS,
    SO,
    SO_CAVEAT,
    FigureDef,
    Out,
    gap_out,
    median_out,
    stratum_rows,
    within,
    within_sides,
)
from mlsalary.figures.model import Group
from mlsalary.figures.populations import (
    aijobs,
    genai,
    kaggle_us,
    latest,
    latest_or_pooled,
    scientist_titles,
    so_us,
    with_skill,
)

if TYPE_CHECKING:
    import pandas as pd


def industry_rows(df: pd.DataFrame) -> list[Group]:
    """The industries ML figures compare: the taxonomy's first six (tech to retail/e-commerce)."""
    return [group(i, estimate(df[df["industry"] == i])) for i in schema.INDUSTRIES[:6]]


def industry_tech(d: Data) -> Out:
    df = kaggle_us(d)
    return median_out(df[df["industry"] == "tech_software"], industry_rows(df))


def finance_vs_tech(d: Data) -> Out:
    """Finance vs tech/software within role and level: the two industries' respondents differ in both (the raw gap
    mixes them in), so the gap is pooled over role x level strata, the unadjusted gap beside it."""
    df = kaggle_us(d)
    fin, tech = df["industry"] == "finance", df["industry"] == "tech_software"
    both = df[(fin | tech) & df["level"].notna()]
    out = within(both, d.strata, fin, tech, ("finance", "tech/software"),
                 "US ML practitioners and data scientists, full-time pay band (Kaggle 2021-2022)")
    out.groups = [*industry_rows(df), *stratum_rows(out.groups, d.strata)]
    return out


#: Employers that are not businesses: universities, government, and "other" (where non-profits fall). Among them ML
#: in production is rare and pay is set differently, so a comparison of ML use across all employers measures them.
NOT_BUSINESSES = ("education_academia", "government", "other")


def ml_centrality_gap(d: Data) -> Out:
    """ML in production vs no ML, among comparable employers: businesses only (not academia, government or
    non-profits), within each role."""
    df = kaggle_us(d)
    df = df[df["industry"].notna() & ~df["industry"].isin(NOT_BUSINESSES)]
    prod = df["ml_centrality"].isin(["production_established", "production_recent"])
    none = df["ml_centrality"] == "none"
    return within(df[prod | none], d.strata, prod, none, ("ML in production", "no ML"),
                  "US, full-time pay band, businesses only (no academia, government or non-profits)")


def role_ladder(d: Data) -> Out:
    """Research and applied scientists vs ML engineers; the breakdown has every ML role and the NLP / computer-vision
    / distributed-systems / unspecialized titles (the latest two full years for those: specialized titles are rare)."""
    df, year = latest(aijobs(d, PRACTITIONERS))
    rows = [group(r, estimate(df[df["role"] == r])) for r in PRACTITIONERS]
    two = aijobs(d, PRACTITIONERS)
    two = two[two["year"].isin([year - 1, year])]
    labels = {"nlp": "title names NLP", "computer_vision": "title names computer vision",
              "distributed_systems": "title names distributed systems", "none": "no specialization"}  # fmt: skip
    rows += [
        group(label, estimate(two[two["specialization"] == s]), note=f"{year - 1}-{year}")
        for s, label in labels.items()
    ]
    scientists, engineers = scientist_titles(df), df["role"] == "ml_engineer"
    # Level held fixed: scientist postings are more often entry and mid level than ML engineers' (the raw gap mixes
    # that in); the breakdown keeps every role and the specialized titles, then the gap at each level.
    out = within(df[scientists | engineers], d.strata, scientists, engineers,
                 ("research and applied scientists", "ML engineers"),
                 "US, full-time, the same year; scientist titles only (no 'Research Engineer')")
    out.groups = [*rows, *stratum_rows(out.groups, d.strata)]
    return out


def genai_premium(d: Data) -> Out:
    """GenAI titles vs other ML titles within level (GenAI titles' level mix is their own: the raw gap mixes it in)."""
    def parts(df: pd.DataFrame) -> list[pd.DataFrame]:
        g = genai(df)
        return [df[g], df[~g]]

    df, notes = latest_or_pooled(aijobs(d, PRACTITIONERS), parts)
    g = genai(df)
    out = within_sides(df, d.strata, g, ~g, ("GenAI titles (incl. AI Engineer)", "other ML titles"),
                       "US, full-time postings, the same year(s)")  # fmt: skip
    out.caveats += notes
    return out


def pytorch_vs_tensorflow(d: Data) -> Out:
    df = kaggle_us(d)
    pt, tf = with_skill(d, df, "pytorch"), with_skill(d, df, "tensorflow")
    one = df[(pt & ~tf) | (tf & ~pt)]
    return within_sides(one, d.strata, (pt & ~tf), (tf & ~pt), ("PyTorch, not TensorFlow", "TensorFlow, not PyTorch"),
                        "US ML practitioners and data scientists, full-time pay band (Kaggle)")  # fmt: skip


#: The deep-learning frameworks (Kaggle) and the AI/ML libraries (Stack Overflow) that count as an "AI skill".
DL_FRAMEWORKS = ("pytorch", "tensorflow", "keras", "jax", "fastai", "pytorch_lightning")


AI_SKILLS = ("pytorch", "tensorflow", "scikit_learn", "hugging_face", "keras", "opencv", "cuda")


def dl_framework_premium(d: Data) -> Out:
    """Kaggle: users of a deep-learning framework vs those who use none, within each role."""
    df = kaggle_us(d)
    has = with_skill(d, df, *DL_FRAMEWORKS)
    return within(df, d.strata, has, ~has, ("uses a deep-learning framework", "uses none"),
                  "US, full-time pay band (Kaggle)")


def skill_premium(skill: str) -> Callable[[Data], Out]:
    def compute(d: Data) -> Out:
        df = so_us(d)
        has = with_skill(d, df, skill)
        return within(df, d.strata, has, ~has, (f"uses {skill}", f"does not use {skill}"),
                      "US, full-time developers (Stack Overflow)")

    return compute


def ai_skill_count(d: Data, df: pd.DataFrame) -> pd.Series:
    s = d.skills[d.skills["skill"].isin(AI_SKILLS)].groupby("obs_id")["skill"].nunique()
    return df["obs_id"].map(s).fillna(0)


def ai_skill_premium(d: Data) -> Out:
    """Stack Overflow: developers who use an AI/ML library vs those who use none, across roles (as the published
    across-jobs claims compare), with one library and two or more apart."""
    df = so_us(d)
    k = ai_skill_count(d, df)
    none = df[k == 0]
    rows = [group("no AI library", estimate(none)), group("one AI library", estimate(df[k == 1])),
            group("two or more", estimate(df[k >= 2]))]  # fmt: skip
    out = gap_out(df[k >= 1], none, rows, labels=("uses an AI library", "uses none"))
    out.held_fixed = "US, full-time; across developer roles (not within a role)"
    return out


def ai_skill_within_role(d: Data) -> Out:
    df = so_us(d)
    k = ai_skill_count(d, df)
    return within(df, d.strata, k >= 1, k == 0, ("uses an AI library", "uses none"),
                  "US, full-time developers (Stack Overflow)")


#: Why the estimate's education step can disagree with the education figures (model/estimate.py says the same).
ESTIMATE_DIFFERS = ("The estimate's education step is the pay model's: learned from Stack Overflow and Kaggle "
                    "respondents with role, level, country and the other fields held fixed, on the postings' scale — "
                    "another population and another comparison, which can disagree with this one.")  # fmt: skip


def education_gap(level: str, better: str) -> Callable[[Data], Out]:
    def compute(d: Data) -> Out:
        df = kaggle_us(d)
        df = df[df["level"] == level]
        rows = [group(e, estimate(df[df["education"] == e])) for e in ("bachelor", "master", "doctorate")]
        pair = df[df["education"].isin([better, "bachelor"])]
        # Role held fixed too: degrees sort people into roles (more PhDs among research scientists), so the gap is
        # pooled over roles, the unadjusted gap beside it.
        out = within(pair, d.strata, pair["education"] == better, pair["education"] == "bachelor",
                     (better, "bachelor"), f"US, the same level ({level}), full-time pay band (Kaggle)")
        out.groups = [*rows, *stratum_rows(out.groups, d.strata)]
        return out

    return compute


def size_gap(d: Data) -> Out:
    df = kaggle_us(d)
    rows = [group(s, estimate(df[df["company_size"] == s])) for s in schema.COMPANY_SIZES]
    large, small = df["company_size"] == "large", df["company_size"] == "small"
    pair = df[(large | small) & df["level"].notna()]
    out = within_sides(pair, d.strata, large, small, ("large employers", "small employers"),
                       "US ML practitioners and data scientists, full-time pay band (Kaggle)")  # fmt: skip
    out.groups = [*rows, *out.groups[2:]]
    return out


#: This topic's figures, in the order the report shows them (figures.catalogue gathers every topic's).
FIGURES: tuple[FigureDef, ...] = (
    FigureDef(
        "industry-tech-median",
        "industry",
        "What do ML and data practitioners in tech earn?",
        "usd",
        KAG,
        "Median pay band (interval-censored) of US ML practitioners and data scientists in tech/software "
        "(Kaggle 2021-2022), with other industries.",
        industry_tech,
        None,
        (KAGGLE_CAVEAT,),
        "bars",
        says='Median pay of US ML practitioners and data scientists in tech/software: {value}',
    ),
    FigureDef(
        "finance-vs-tech",
        "industry",
        "Does finance pay ML practitioners competitively with tech?",
        "percent",
        KAG,
        "Median finance pay / median tech pay - 1, US ML practitioners and data scientists (Kaggle).",
        finance_vs_tech,
        None,
        (KAGGLE_CAVEAT,),
        "bars",
        asks=0,
        strata=("role", "level"),
    ),
    FigureDef(
        "ml-centrality-gap",
        "industry",
        "Do employers with ML in production pay more than those without ML?",
        "percent",
        KAG,
        "Median pay where models are in production / where the employer does not use ML - 1, within each role "
        "(pooled over roles, inverse-variance weighted), among US ML practitioners and data scientists at businesses "
        "(not academia, government or non-profits: there ML in production is rare and pay is set differently) "
        "(Kaggle).",
        ml_centrality_gap,
        None,
        (KAGGLE_CAVEAT,),
        "bars",
        asks=1,
        strata=("role",),
    ),
    FigureDef(
        "scientist-premium",
        "specialization",
        "Do research and applied scientists earn more than ML engineers?",
        "percent",
        AIJ,
        "Median pay of research and applied scientists (scientist titles: 'Research Engineer' is an engineer) / ML "
        "engineers - 1 (US, full-time, aijobs.net, latest full year), "
        "with every ML role, and titles naming NLP, computer vision or distributed systems against titles naming no "
        "specialization (the latest two full years).",
        role_ladder,
        ONE,
        (AIJOBS_CAVEAT,),
        "bars",
        asks=1,
        strata=("level",),
    ),
    FigureDef(
        "genai-premium",
        "specialization",
        "Do GenAI/LLM-titled roles pay a premium?",
        "percent",
        AIJ,
        "Median pay of US full-time ML practitioner postings with a GenAI title (naming generative AI, LLMs or "
        "prompts, or an AI Engineer title) / other ML titles - 1 (aijobs.net, latest full year).",
        genai_premium,
        ONE,
        (AIJOBS_CAVEAT,),
        "bars",
        asks=1,
        strata=("level",),
    ),
    FigureDef(
        "pytorch-vs-tensorflow",
        "skills",
        "Do PyTorch users earn more than TensorFlow users?",
        "percent",
        KAG,
        "Median pay of US ML practitioners and data scientists using PyTorch but not TensorFlow / TensorFlow "
        "but not PyTorch - 1 (Kaggle).",
        pytorch_vs_tensorflow,
        None,
        (KAGGLE_CAVEAT,),
        "bars",
        asks=1,
        strata=("role", "level"),
    ),
    FigureDef(
        "spark-premium",
        "skills",
        "Do big-data (Spark) skills raise pay?",
        "percent",
        SO,
        "Median pay of US full-time developers who use Apache Spark / who do not - 1, within each developer role "
        "(pooled over roles, inverse-variance weighted: who uses Spark is not what it is worth) (Stack Overflow).",
        skill_premium("spark"),
        None,
        (SO_CAVEAT,),
        "bars",
        asks=1,
        strata=("role", "level"),
    ),
    FigureDef(
        "python-premium",
        "skills",
        "Does Python raise pay?",
        "percent",
        SO,
        "Median pay of US full-time developers who use Python / who do not - 1, within each developer role "
        "(pooled over roles, inverse-variance weighted) (Stack Overflow).",
        skill_premium("python"),
        None,
        (SO_CAVEAT,),
        "bars",
        asks=1,
        strata=("role", "level"),
    ),
    FigureDef(
        "dl-framework-premium",
        "skills",
        "Do deep-learning frameworks raise pay?",
        "percent",
        KAG,
        "Median pay of US ML practitioners and data scientists who use a deep-learning framework (PyTorch, "
        "TensorFlow, Keras, JAX, fastai, Lightning) / who use none - 1, within each role (pooled over roles, "
        "inverse-variance weighted) (Kaggle).",
        dl_framework_premium,
        None,
        (KAGGLE_CAVEAT,),
        "bars",
        asks=1,
        strata=("role", "level"),
    ),
    FigureDef(
        "ai-skill-premium",
        "skills",
        "Do developers with AI skills earn more, across jobs?",
        "percent",
        SO,
        "Median pay of US full-time developers who use an AI/ML library (PyTorch, TensorFlow, scikit-learn, Hugging "
        "Face, Keras, OpenCV, CUDA) / who use none - 1, across developer roles, with one library and two or more "
        "apart (Stack Overflow).",
        ai_skill_premium,
        None,
        (SO_CAVEAT, "Across roles: the gap mixes what AI skills are worth with which jobs ask for them."),
        "bars",
        asks=1,
    ),
    FigureDef(
        "ai-skill-within-role",
        "skills",
        "Do AI skills raise pay within the same developer role?",
        "percent",
        SO,
        "Median pay of US full-time developers who use an AI/ML library / who use none - 1, within each developer "
        "role (pooled over roles, inverse-variance weighted) (Stack Overflow).",
        ai_skill_within_role,
        None,
        (SO_CAVEAT,),
        "bars",
        asks=1,
        strata=("role", "level"),
    ),
    FigureDef(
        "education-early-career",
        "education",
        "Does a master's degree raise early-career pay?",
        "percent",
        KAG,
        "Median entry-level pay with a master's / with a bachelor's - 1, US ML practitioners and data "
        "scientists (Kaggle), with PhDs.",
        education_gap("entry", "master"),
        None,
        (KAGGLE_CAVEAT, "Kaggle counts degrees planned within two years.", ESTIMATE_DIFFERS),
        "bars",
        asks=1,
        strata=("role",),
    ),
    FigureDef(
        "education-experienced",
        "education",
        "Does a PhD still pay later in a career?",
        "percent",
        KAG,
        "Median senior-level pay with a doctorate / with a bachelor's - 1, US ML practitioners and data "
        "scientists (Kaggle), with master's.",
        education_gap("senior", "doctorate"),
        None,
        (KAGGLE_CAVEAT, "Kaggle counts degrees planned within two years.", ESTIMATE_DIFFERS),
        "bars",
        asks=1,
        strata=("role",),
    ),
    FigureDef(
        "large-vs-small",
        "company_size",
        "Do large companies pay ML practitioners more than small ones?",
        "percent",
        KAG,
        "Median pay at large (250+ employees) / small (<50) employers - 1, US ML practitioners and data scientists "
        "(Kaggle 2021-2022; aijobs.net's US rows are almost all medium-size employers).",
        size_gap,
        None,
        (KAGGLE_CAVEAT,),
        "bars",
        asks=1,
        strata=("role", "level"),
    ),
)

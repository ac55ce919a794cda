"""The headline figures, declared as data: id, question, unit, sources, definition (population and statistic),
duplicate policy, caveats and chart — and the function in figures.measures that computes each from the data."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from mlsalary import schema
from mlsalary.figures.data import Data
from mlsalary.figures.measures import (
    AIJOBS_CAVEAT,
    KAGGLE_CAVEAT,
    LCA_CAVEAT,
    NO_STOCK,
    OEWS_CAVEAT,
    OEWS_TREND_CAVEAT,
    SO_CAVEAT,
    US_OR_ELSEWHERE,
    Out,
    abroad_gap,
    ai_skill_premium,
    ai_skill_within_role,
    countries,
    dl_framework_premium,
    education_gap,
    employer_spread,
    entry_spread,
    finance_vs_tech,
    genai,
    genai_premium,
    hub_premium,
    industry_tech,
    level_jump,
    level_median,
    ml_centrality_gap,
    ml_intensity_gap,
    negotiation_room,
    oews_national,
    oews_real_change,
    outside_us,
    pytorch_vs_tensorflow,
    remote_gap,
    role_ladder,
    share_by_year,
    size_gap,
    skill_premium,
    state_spread,
    top_metro,
    yoy,
)


@dataclass(frozen=True)
class FigureDef:
    id: str
    topic: str
    question: str
    value_unit: str  # what the value is in: usd, percent, share, ratio
    sources: tuple[str, ...]
    definition: str
    compute: Callable[[Data], Out]
    duplicate_policy: str | None = None
    caveats: tuple[str, ...] = ()
    chart: str = ""
    #: What one counted record is (schema.COUNT_UNITS); empty: the count unit its sources declare
    #: (SourceMeta.count_unit: postings for aijobs.net, respondents for surveys, published aggregate for OEWS).
    #: The figure's data is bound to it (figures.data.Data.bind): n, suppression and intervals count these.
    count_unit: str = ""
    #: For a yes-no or trend question, the direction it asks about: +1 (more, rising), -1 (less, shrinking), 0 (about
    #: the same?); None for "how much" and "which" questions. The headline answers it with the verdict rule
    #: (stats.verdict) on the figure's interval — on the change within the era for a share's trend.
    asks: int | None = None
    #: What a how-much or which figure's headline says (figures.headline), a template: {value} (the figure's value),
    #: {top} and {bottom} (the first and last shown groups of its breakdown), {groups} (every group with its value,
    #: interval and n); empty: "its question: {value}". Yes-no and trend questions are answered by the verdict rule.
    says: str = ""

    @property
    def unit(self) -> str:
        if self.count_unit:
            return self.count_unit
        from mlsalary import sources

        units = {sources.meta(s).count_unit for s in self.sources}
        if len(units) != 1:
            raise ValueError(f"figure {self.id}: its sources count different units ({', '.join(sorted(units))})")
        return units.pop()


# --------------------------------------------------------------------------------------------- the catalogue

LATEST_US_ML = (
    "US-based full-time ML engineers (aijobs.net postings, latest full year, pooled with the year before when a "
    "group is thin; one value per distinct posting: its posted range's midpoint)"
)
ONE = "one_per_group"
AIJ, OEWS, KAG, SO = ("aijobs",), ("oews",), ("kaggle-survey",), ("stackoverflow",)

CATALOGUE: tuple[FigureDef, ...] = (
    # levels
    *(
        FigureDef(
            f"{lvl}-us-ml-median",
            "levels",
            f"What does a US machine learning engineer earn at {lvl} level?",
            "usd",
            AIJ,
            f"Median annual pay, {lvl} level, of {LATEST_US_ML}.",
            level_median(lvl),
            ONE,
            (AIJOBS_CAVEAT, NO_STOCK),
            "ladder",
            says=f"Median posted pay of US {lvl}-level ML engineers: {{value}}",
        )
        for lvl in schema.LEVELS
    ),
    FigureDef(
        "entry-to-mid-jump",
        "levels",
        "How much more does a mid-level ML engineer earn than an entry-level one?",
        "percent",
        AIJ,
        f"Median mid-level pay / median entry-level pay - 1, {LATEST_US_ML}.",
        level_jump("entry", "mid"),
        ONE,
        (AIJOBS_CAVEAT,),
        "ladder",
        says="Mid-level US ML engineers' median pay is above entry level's by {value}",
    ),
    FigureDef(
        "mid-to-senior-jump",
        "levels",
        "How much more does a senior ML engineer earn than a mid-level one?",
        "percent",
        AIJ,
        f"Median senior pay / median mid-level pay - 1, {LATEST_US_ML}.",
        level_jump("mid", "senior"),
        ONE,
        (AIJOBS_CAVEAT,),
        "ladder",
        says="Senior US ML engineers' median pay is above mid level's by {value}",
    ),
    FigureDef(
        "entry-spread",
        "levels",
        "How widely does entry-level ML engineer pay vary?",
        "usd",
        AIJ,
        f"90th minus 10th percentile of entry-level pay, {LATEST_US_ML}.",
        entry_spread,
        ONE,
        (AIJOBS_CAVEAT,),
        "bars",
        says="The 90th minus the 10th percentile of US entry-level ML engineers' posted pay: {value}",
    ),
    FigureDef(
        "non-us-ml-median",
        "levels",
        "What do ML engineers earn outside the US?",
        "usd",
        AIJ,
        "Median annual pay (USD) of full-time ML engineers at employers outside the US (aijobs.net, latest "
        "full year; only postings stated in the country's own currency), with the largest countries.",
        outside_us,
        ONE,
        (AIJOBS_CAVEAT,),
        "bars",
        says='Median pay of ML engineers at employers outside the US: {value}',
    ),
    # location
    FigureDef(
        "oews-data-scientists-national",
        "location",
        "What does BLS publish as the US median for data scientists?",
        "usd",
        OEWS,
        "OEWS national median annual wage, SOC 15-2051 data scientists, latest release.",
        oews_national("15-2051"),
        None,
        (OEWS_CAVEAT,),
        "trend",
        says="BLS's published US median wage for data scientists: {value}",
    ),
    FigureDef(
        "oews-research-scientists-national",
        "location",
        "What does BLS publish as the US median for computer and information research scientists?",
        "usd",
        OEWS,
        "OEWS national median annual wage, SOC 15-1221, latest release.",
        oews_national("15-1221"),
        None,
        (OEWS_CAVEAT,),
        "trend",
        says="BLS's published US median wage for computer and information research scientists: {value}",
    ),
    FigureDef(
        "top-paying-metro",
        "location",
        "Which US metro pays data scientists the most?",
        "usd",
        OEWS,
        "Highest published OEWS metro median, SOC 15-2051, latest release (top 10 shown).",
        top_metro,
        None,
        (OEWS_CAVEAT,),
        "bars",
        says='{top} pays data scientists the most: median {value}',
    ),
    FigureDef(
        "tech-hub-premium",
        "location",
        "How much more do tech hubs pay than the US as a whole?",
        "percent",
        OEWS,
        "Employment-weighted mean of (hub median / national median - 1) for San Francisco, San Jose, "
        "Seattle and New York, SOC 15-2051, latest OEWS release.",
        hub_premium,
        None,
        (OEWS_CAVEAT,),
        "bars",
        says='San Francisco, San Jose, Seattle and New York pay data scientists more than the US median by {value}',
    ),
    FigureDef(
        "state-spread",
        "location",
        "How far apart are the highest- and lowest-paying states?",
        "ratio",
        OEWS,
        "Highest / lowest published state median, SOC 15-2051, latest OEWS release.",
        state_spread,
        None,
        (OEWS_CAVEAT,),
        "bars",
        says='{top} pays data scientists {value} what {bottom} does',
    ),
    FigureDef(
        "country-comparison",
        "location",
        "How does US ML pay compare with the UK, Germany, Canada and India, nominally and in purchasing power?",
        "usd",
        AIJ,
        "Median annual pay (USD) of full-time ML "
        "practitioners by employer country (aijobs.net, the latest two full years; outside the US only postings "
        "stated in the country's own currency), with each country's median in PPP international dollars.",
        countries,
        ONE,
        (AIJOBS_CAVEAT,),
        "bars",
        says='Median by employer country: {groups}',
    ),
    # remote
    FigureDef(
        "remote-gap",
        "remote",
        "Do remote ML engineers earn less than on-site ones?",
        "percent",
        AIJ,
        f"Median remote pay / median on-site pay - 1, {LATEST_US_ML}.",
        remote_gap,
        ONE,
        (AIJOBS_CAVEAT,),
        "bars",
        asks=-1,
    ),
    FigureDef(
        "abroad-gap",
        "remote",
        "Do people living outside their employer's country earn less?",
        "percent",
        AIJ,
        "Median pay of ML practitioners living outside their employer's country / inside it - 1 (aijobs.net, "
        "latest two full years, all countries).",
        abroad_gap,
        ONE,
        (AIJOBS_CAVEAT,),
        "bars",
        asks=-1,
    ),
    # industry
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
    ),
    # specialization
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
    ),
    # skills
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
    ),
    # education
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
        (KAGGLE_CAVEAT, "Kaggle counts degrees planned within two years."),
        "bars",
        asks=1,
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
        (KAGGLE_CAVEAT, "Kaggle counts degrees planned within two years."),
        "bars",
        asks=1,
    ),
    # company size
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
    ),
    FigureDef(
        "employer-spread",
        "company_size",
        "How much does pay vary between employers for the same role and metro?",
        "share",
        ("lca", "oews"),
        "Share of the variation in offered base (log) among data scientists in the same US metro and year that lies "
        "between employers: 1 - within-employer / total sum of squares, pooled over metro x year cells of the latest "
        "two years (H-1B filings; employers with 5+ filings in a cell, cells with 2+ such employers; worksites "
        "matched to BLS metros by city and state).",
        employer_spread,
        ONE,
        (LCA_CAVEAT, "A worksite in a suburb that is neither a metro's principal city nor one of its aliases is left "
         "out."),
        "bars",
        count_unit="filings",
        says="Share of the pay variation among data scientists in one metro and year that lies between employers: "
        "{value}",
    ),
    FigureDef(
        "ml-intensity-gap",
        "company_size",
        "Do employers whose filings are mostly ML roles pay ML practitioners more?",
        "percent",
        ("lca", "oews"),
        "ML-role filings (ML, AI and MLOps engineers, research and applied scientists), each relative to the median "
        "of its own role, year and metro (cells of 5+ filings): median at employers whose own filings are at least "
        "half ML roles / median at the others - 1 (H-1B filings, every year; ML intensity is measured from each "
        "employer's own filings of data job titles).",
        ml_intensity_gap,
        ONE,
        (LCA_CAVEAT, "The filings held are data job titles only: intensity is the ML share among an employer's "
         "data-job filings, not among all its staff."),
        "bars",
        count_unit="filings",
        asks=1,
    ),
    # trends
    FigureDef(
        "yoy-ml-median",
        "trends",
        "How did the US ML-engineer median change over the last year?",
        "percent",
        AIJ,
        "Median pay in the latest full year / the year before - 1, US full-time ML engineers "
        "(aijobs.net), nominal; the real change (CPI-U) in the breakdown.",
        yoy,
        ONE,
        (AIJOBS_CAVEAT, "The mix of postings (more posted ranges in later years) changes over time too."),
        "trend",
        asks=1,
    ),
    FigureDef(
        "oews-ds-real-change",
        "trends",
        "How has the data-scientist median moved since 2021, after inflation?",
        "percent",
        OEWS,
        "Change of the OEWS national median for SOC 15-2051 from May 2021 to "
        "the latest release, in constant dollars (CPI-U).",
        oews_real_change,
        None,
        (OEWS_CAVEAT, OEWS_TREND_CAVEAT),
        "trend",
        asks=1,
    ),
    FigureDef(
        "entry-share-trend",
        "trends",
        "Is the entry-level share of ML jobs shrinking?",
        "share",
        AIJ,
        "Share of entry-level postings among full-time ML practitioner postings (aijobs.net, all countries), latest "
        "full year, with every year; the change is measured within the posting era (the years whose postings are "
        "mostly posted ranges), within US employers and elsewhere, pooled with the latest year's mix.",
        share_by_year(lambda df: df["level"] == "entry", US_OR_ELSEWHERE),
        ONE,
        (AIJOBS_CAVEAT,),
        "trend",
        asks=-1,
    ),
    FigureDef(
        "genai-share-trend",
        "trends",
        "Are GenAI-titled roles growing?",
        "share",
        AIJ,
        "Share of GenAI-titled postings (naming generative AI, LLMs or prompts, or an AI Engineer title) among "
        "full-time ML practitioner postings (aijobs.net, all countries), latest full year, with every year; the "
        "change is measured within the posting era.",
        share_by_year(genai),
        ONE,
        (AIJOBS_CAVEAT,),
        "trend",
        asks=1,
    ),
    # negotiation
    FigureDef(
        "negotiation-room",
        "negotiation",
        "How much room is there to negotiate within one profile?",
        "share",
        AIJ,
        "Median width of the ranges employers post (maximum / minimum - 1) for US senior ML engineers at "
        "medium-size employers (aijobs.net, latest full year): the room an employer has already advertised. The "
        "spread between postings (interquartile range of the midpoints / their median) is shown beside it.",
        negotiation_room,
        ONE,
        (AIJOBS_CAVEAT, "The posted width is the room the employer advertised, not what candidates obtained."),
        "bars",
        says='Median width of the salary ranges employers post for US senior ML engineers: {value}',
    ),
)

#: Questions no open source here can answer, and the data that would.
UNANSWERABLE: tuple[tuple[str, str], ...] = (
    (
        "What share of total pay is stock at top firms?",
        "Needs offer or pay-stub data that splits base, bonus and stock (e.g. self-reported total-compensation "
        "breakdowns); none of the open sources here has bonus or stock components.",
    ),
    (
        "Does switching employers beat staying for raises?",
        "Needs panel data following the same people over years (e.g. payroll or longitudinal surveys); the sources "
        "here are cross-sections.",
    ),
)

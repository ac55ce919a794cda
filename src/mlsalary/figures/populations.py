"""The populations figures are measured on, one definition each: aijobs.net postings (latest full year, else the
latest two pooled), Kaggle's and Stack Overflow's US respondents, OEWS rows, a country's postings in its own
currency, the posting era, and the title predicates (scientists, GenAI).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from mlsalary import stats
from mlsalary.figures.data import Data, latest_full_year
from mlsalary.figures.measure import (
    KAGGLE_FULL_TIME_FLOOR_USD,
    KAGGLE_ROLES,
)

if TYPE_CHECKING:
    import pandas as pd


def aijobs(d: Data, roles: tuple[str, ...] = ("ml_engineer",), country: str | None = "US") -> pd.DataFrame:
    """aijobs.net full-time records of the given roles, in the unit and duplicate policy the figure declares (cut
    once per bound data: several figures ask for the same population)."""
    def make() -> pd.DataFrame:
        df = d.source("aijobs")
        df = df[(df["employment_type"] == "full_time") & df["role"].isin(roles)]
        return df[df["company_country"] == country] if country else df

    return d.cut(("aijobs", *roles, str(country)), make)


def latest(df: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    year = latest_full_year(df)
    if year is None:
        raise LookupError("no rows")
    return df[df["year"] == year], year


def latest_or_pooled(
    df: pd.DataFrame, parts: Callable[[pd.DataFrame], list[pd.DataFrame]]
) -> tuple[pd.DataFrame, list[str]]:
    """The latest full year, or — when the smallest of the groups `parts` picks from it is below the minimum n — the
    latest two years pooled, as a statistics office would, with a caveat saying so (never a switch to counting
    rows). Every group of the figure is then pooled alike."""
    frame, year = latest(df)
    smallest = min(len(p) for p in parts(frame))
    if smallest >= stats.min_n():
        return frame, []
    pooled = df[df["year"].isin([year - 1, year])]
    return pooled, [  # no count: a postings figure prints none under the minimum n (mlsalary.disclosure)
        f"{year} alone has a group of fewer than {stats.min_n()} records: {year - 1} and {year} are pooled."
    ]


def kaggle_us(d: Data) -> pd.DataFrame:
    """US Kaggle respondents in ML roles and data science whose pay band could be a full-time salary."""
    df = d.source("kaggle-survey")
    df = df[(df["employee_country"] == "US") & df["role"].isin(KAGGLE_ROLES)]
    return df[df["amount_low_usd"] >= KAGGLE_FULL_TIME_FLOOR_USD]


def so_us(d: Data) -> pd.DataFrame:
    df = d.source("stackoverflow")
    return df[(df["employee_country"] == "US") & (df["employment_type"] == "full_time")]


def with_skill(d: Data, df: pd.DataFrame, *skills: str) -> pd.Series:
    """Whether each record reports any of the skills. (Matched in Arrow: pandas' ``isin`` on Arrow text makes a
    Python object of every id it looks for — tens of thousands of respondents for Python — about a tenth of the
    figures' compute.)"""
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    ids = d.skills.loc[d.skills["skill"].isin(skills), "obs_id"]
    found = pc.is_in(pa.array(df["obs_id"]), value_set=pa.array(ids).unique())
    return pd.Series(found.to_numpy(zero_copy_only=False), index=df.index, name="obs_id")


def own_currency(df: pd.DataFrame) -> pd.Series:
    """The postings whose pay is stated in the employer country's own currency, by the one rule every non-US figure
    uses and every surface counts (disclosure.OWN_CURRENCY, inside its POPULATION): a posting abroad stated in US
    dollars is aijobs.net's labelling, not that pay (US postings all count)."""
    from mlsalary import disclosure

    return disclosure.own_currency(df)


def oews_rows(d: Data, soc: str, area_type: str = "national", year: int | None = None) -> pd.DataFrame:
    o = d.oews
    o = o[(o["soc_2018_code"] == soc) & (o["area_type"] == area_type)]
    return o[o["year"] == (year or int(o["year"].max()))] if len(o) else o


def last_two(df: pd.DataFrame) -> pd.DataFrame:
    """The latest two full years (for comparisons whose smaller group is thin in one year)."""
    _, year = latest(df)
    return df[df["year"].isin([year - 1, year])]


def scientist_titles(df: pd.DataFrame) -> pd.Series:
    """Research and applied scientists by title: the roles, less the titles that name an engineer ("Research
    Engineer" maps to research_scientist, but is an engineering job)."""
    return df["role"].isin(["research_scientist", "applied_scientist"]) & ~df["job_title_raw"].fillna("").str.contains(
        "engineer", case=False)


def genai(df: pd.DataFrame) -> pd.Series:
    """GenAI titles: titles naming generative AI, LLMs or prompts (specialization genai_llm, normalize.titles) or
    "AI Engineer" roles (AI engineer, developer, architect…: the role ai_engineer), which is what employers call
    most generative-AI jobs."""
    return (df["specialization"] == "genai_llm") | (df["role"] == "ai_engineer")


#: aijobs.net changed what it collects: until 2021 its rows were mostly self-reported salaries, later mostly
#: employers' posted ranges (docs/methodology.md gives the shares by year). The posting era starts with the first
#: year in which more than this share of the postings are posted ranges; a trend is measured within it, and the
#: years before are marked on its chart.
POSTING_ERA_SHARE = 0.5


BEFORE_ERA = "before the posting era"


BEFORE_ERA_NOTE = "mostly self-reported salaries, not posted ranges: not comparable with the posting era"


def posting_era(df: pd.DataFrame) -> int | None:
    """The first year whose postings are mostly posted ranges (POSTING_ERA_SHARE), from the data."""
    ranged = df.assign(ranged=df["range_low_usd"].notna()).groupby("year")["ranged"].mean()
    era = [int(y) for y, share in zip(ranged.index, ranged.to_numpy(), strict=True) if share > POSTING_ERA_SHARE]
    return min(era) if era else None

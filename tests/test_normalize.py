"""Pure normalizers: countries, levels, currency conversion and constant dollars."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mlsalary.normalize import geo, levels, money

# Published reference values used as test expectations.
ECB_EUR_USD_2024 = 1.0824  # ECB annual average reference rate, US dollars per euro, 2024
CPI_U_2024, CPI_U_2025 = 313.689, 321.943  # BLS CPI-U annual averages (1982-84 = 100)


@pytest.mark.parametrize(
    ("value", "iso"),
    [
        ("US", "US"),
        ("us", "US"),
        ("USA", "US"),
        ("United States of America", "US"),
        ("DEU", "DE"),
        ("Germany", "DE"),
        ("UK", "GB"),
        ("United Kingdom of Great Britain and Northern Ireland", "GB"),
        ("South Korea", "KR"),
        ("Viet Nam", "VN"),
        ("Iran, Islamic Republic of...", "IR"),
        ("India", "IN"),
    ],
)
def test_countries_to_iso2(value: str, iso: str) -> None:
    assert geo.to_iso2(value) == iso


@pytest.mark.parametrize("value", ["XX", "ZZZ", "Atlantis", "", None, "Other"])
def test_unknown_countries_are_none(value: str | None) -> None:
    assert geo.to_iso2(value) is None


def test_currency_codes() -> None:
    assert geo.is_currency("usd") and geo.is_currency("CLP")
    assert not geo.is_currency("QQQ") and not geo.is_currency("")


def test_aijobs_codes() -> None:
    assert levels.AIJOBS_LEVELS == {"EN": "entry", "MI": "mid", "SE": "senior", "EX": "executive"}
    assert levels.AIJOBS_REMOTE == {0: "onsite", 50: "hybrid", 100: "remote"}


@pytest.mark.parametrize(
    ("years", "level"),
    [
        (0, "entry"),
        (2.9, "entry"),
        (3, "mid"),
        (4.9, "mid"),
        (5, "senior"),
        (40, "senior"),
        (-1, None),
        (None, None),
        (float("nan"), None),
    ],
)
def test_level_from_years(years: float | None, level: str | None) -> None:
    assert levels.level_from_years(years) == level


@given(st.floats(min_value=0, max_value=60))
def test_level_from_years_is_monotone(years: float) -> None:
    order = ["entry", "mid", "senior"]
    assert order.index(levels.level_from_years(years)) <= order.index(levels.level_from_years(years + 1))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("low", "high", "level"),
    [
        (0, 1, "entry"),
        (1, 3, "entry"),
        (3, 5, "mid"),
        (5, 10, "senior"),
        (20, None, "senior"),
        (2, 4, None),
        (3, None, None),
        (None, 3, None),
    ],
)
def test_level_from_band(low: float | None, high: float | None, level: str | None) -> None:
    assert levels.level_from_band(low, high) == level


def test_year_average_ecb_rate_matches_the_published_average() -> None:
    assert money.usd_per_unit("EUR", 2024) == pytest.approx(ECB_EUR_USD_2024, abs=0.0005)
    assert money.usd_per_unit("USD", 1990) == 1.0
    assert money.to_usd(100, "EUR", 2024) == pytest.approx(100 * ECB_EUR_USD_2024, abs=0.05)


def test_conversion_errors_name_the_currency_and_fix() -> None:
    with pytest.raises(money.ConversionError, match=r"currency XOF has no ECB reference rate \(known: AUD, BGN"):
        money.usd_per_unit("XOF", 2024)
    with pytest.raises(money.ConversionError, match=r"no ECB rate for EUR in 1990 \(the bundled rates run 1999"):
        money.usd_per_unit("EUR", 1990)


def test_constant_dollars_from_cpi_u() -> None:
    assert money.cpi_annual(2024) == pytest.approx(CPI_U_2024)
    assert money.cpi_base_year() >= 2025
    assert money.real_factor(2024, 2025) == pytest.approx(CPI_U_2025 / CPI_U_2024)
    assert money.real_factor(2025, 2025) == 1.0
    assert money.real_factor(2999) is None


def test_cpi_u_is_read_as_the_cpi_package_reads_it() -> None:
    """money reads the cpi package's database directly (no import of the package on the way to a figure): every
    year's annual average and the base year are what the package's own get() and LATEST_YEAR give, and a first
    constant-dollar call leaves the package unimported."""
    import subprocess
    import sys
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import cpi

    assert money.cpi_base_year() == cpi.LATEST_YEAR
    for year in range(1900, cpi.LATEST_YEAR + 2):
        try:
            want: float | None = float(cpi.get(year))
        except Exception:  # CPIObjectDoesNotExist: a year the package lacks
            want = None
        assert money.cpi_annual(year) == want, year
    code = "import sys; from mlsalary.normalize import money; money.real_factor(2020); print('cpi' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout == "False\n"

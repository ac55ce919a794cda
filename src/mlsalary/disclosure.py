"""Statistical disclosure control: the one module every surface asks before it prints a count.

Two populations are published in many linked tables. **Postings** (aijobs.net; ``POPULATION``: distinct full-time
postings): explore cuts them by up to six filters (``DIMENSIONS``, 63 cross-tables), and the start card, the estimate
and the figures count the same postings again (two years pooled, five roles summed). **Filings** (H-1B LCA): every
employer page breaks an employer's filings down by year, role, level and place, for every metro and every filter.
With exact counts, no suppression pattern holds across so many linked tables at a cost worth paying: chains of
subtractions with bounds through every line of every table worked out thousands of groups of 1-4 under the earlier
complementary suppression, and withholding until none was left hid most of the groups shown (docs/security.md; the
numbers come from benchmarks/disclosure_audit.py). So counts are **rounded**, as statistics offices publish tables
(conventional rounding to a base; tau-Argus offers it beside cell suppression; the UK's ONS and Statistics NZ round
published counts). Rounding alone held on the mirror's postings by their shape, not by a guarantee: once a non-US
group counts only postings stated in its country's currency (``OWN_CURRENCY``), its country tables are thin, and the
attack worked out 36 groups of 1-4 from explore's rounded counts alone (docs/security.md has the other variants
measured: rounding to 20, or a reader who knows each count only within 9 either way, still leaves dozens). Small groups
are where the chains close, and a group too small for numbers gains little from a count. The rule, ``published``, for
every count of postings or filings on every surface:

- a group of fewer than the minimum n (``stats.min_n()``, 30 unless MLSALARY_MIN_N says otherwise, never under the
  privacy floor of 5) gets no count: "fewer than 30" — the same threshold that decides whether it has numbers, so
  whether a group has numbers says nothing its printed count does not (a separate threshold inside a rounding bin
  had told 25-29 from 30-34);
- any other count is printed rounded to the nearest ``ROUND_TO`` (half up: 30 to 34 print as 30) — explore, its
  nearest group and histogram bins, the start card, the estimate (its support, its group, the mix it averages over,
  its nearest group), the figures (their n, their groups' n, their caveats), the employer pages and the API.

Lowering MLSALARY_MIN_N lowers this floor too; the attack's result below is for the default.

A reader knows each count only within ``bounds``; what is computed — quantiles, intervals, whether a group reaches the
minimum n for numbers — uses the exact counts. The years a group prints are those with at least 5 of its records (a
first year with any would tell a year of 1-4 from an empty one), and a share is printed only when its part and the
rest could each print a count (``share_allowed``: a share of a known whole is a count). A published quantile or
interval bound has at least 5 records at or below it and 5 at or above it (``stats.intervals.TAIL_FLOOR``): no group's
minimum or maximum is printed. tests/test_disclosure.py runs the attack over every surface together and finds no
group of 1-4.

The group sizes of explore's tables (``Pattern``) are computed once per state of the database, for the nearest group
with data (no query per step).
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

#: Explore's filters (the API's names) and the units view's columns they select on.
DIMENSIONS: dict[str, str] = {
    "role": "role",
    "level": "level",
    "country": "company_country",
    "remote": "remote",
    "company_size": "company_size",
    "year": "year",
}
#: A currency is a country's own when it was legal tender there at any time since this date (ISO 4217 tender by
#: territory, from the Unicode CLDR through babel): Croatia's postings count in kuna or euros, Lithuania's in euros.
OWN_SINCE = "2015-01-01"
#: The columns POPULATION reads (`counted` registers only these of a frame).
COLUMNS = ("source", "dup_rank", "employment_type", "company_country", "currency")
# OWN_CURRENCY and POPULATION are built on first use (module __getattr__): reading CLDR costs 20 ms, which an import of
# this module on the CLI's path must not pay.
OWN_CURRENCY: str
POPULATION: str
#: Published counts of postings and filings are rounded to the nearest this many.
ROUND_TO = 10
#: The units whose counts are rounded wherever they are printed: the two populations published in linked tables
#: (survey respondents are counted exactly, in a few fixed figures; OEWS counts are BLS's own aggregates).
ROUNDED_UNITS = ("postings", "filings")
#: What a reader is told about the counts (every answer that prints one carries it).
COUNTS_NOTE = (f"counts of postings and filings are rounded to the nearest {ROUND_TO}, and a group too small for "
               "numbers (under the minimum n) gets none, so that no small group can be worked out by subtracting "
               "the groups shown")
UNKNOWN = "\x00unknown"  # a field with no value: a group no filter can select


def own_currencies() -> dict[str, tuple[str, ...]]:
    """Every country's own currencies (OWN_SINCE to the end of next year), by ISO 3166 code."""
    from datetime import date

    from babel.core import get_global
    from babel.numbers import get_territory_currencies

    since, until = date.fromisoformat(OWN_SINCE), date(date.today().year + 1, 12, 31)
    return {str(c): tuple(get_territory_currencies(c, start_date=since, end_date=until, tender=True))
            for c in sorted(get_global("territory_currencies"))}  # fmt: skip


@functools.cache
def _own_pairs() -> frozenset[str]:
    """'CC:CUR' for every country abroad and each of its own currencies: the one declaration OWN_CURRENCY's SQL and
    `own_currency` on a frame are both built from."""
    return frozenset(f"{c}:{k}" for c, ks in own_currencies().items() for k in ks if c != "US")


@functools.cache
def _own_currency() -> str:
    """Postings at US employers, and postings abroad stated in their country's own currency: most postings abroad
    stated in US dollars are aijobs.net's labelling (68 of 87 at Canadian employers in 2024-25), not that pay."""
    pairs = ", ".join(f"'{p}'" for p in sorted(_own_pairs()))
    return f"(company_country = 'US' OR company_country || ':' || currency IN ({pairs}))"


def _population() -> str:
    """Who every surface counts when it counts postings (the figures' population: one value per distinct full-time
    posting, abroad in its country's currency). Explore, the start card, the estimate (its training rows, group and
    mix), negotiation and the postings figures select from it."""
    return f"source = 'aijobs' AND dup_rank = 1 AND employment_type = 'full_time' AND {_own_currency()}"


def __getattr__(name: str) -> str:
    if name == "OWN_CURRENCY":
        return _own_currency()
    if name == "POPULATION":
        return _population()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def counted(units: pd.DataFrame) -> pd.DataFrame:
    """The rows of a frame of the units view that POPULATION selects (the same SQL, run on the frame)."""
    import duckdb

    con = duckdb.connect()
    try:
        con.register("frame", units.assign(_row=range(len(units)))[[*(c for c in COLUMNS if c in units), "_row"]])
        rows = con.sql(f"SELECT _row FROM frame WHERE {_population()}").fetchnumpy()["_row"]
    finally:
        con.close()
    return units.iloc[sorted(rows)]


def own_currency(units: pd.DataFrame) -> pd.Series:
    """Whether each row of a frame of postings is stated in its employer country's own currency (OWN_CURRENCY's rule
    from the same pairs, in pandas: a figure asks it several times, and a DuckDB connection per call cost 25 ms; a row
    without a country or currency is not)."""
    country, currency = units["company_country"], units["currency"]
    pair = country.astype("string") + ":" + currency.astype("string")
    return ((country == "US") | pair.isin(_own_pairs())).fillna(False).astype(bool)


def floor() -> int:
    """The smallest group whose count is printed: the minimum n for numbers (stats.min_n)."""
    from mlsalary import stats

    return stats.min_n()


def published(n: int | None, base: int = ROUND_TO, least: int | None = None) -> int | None:
    """The count of postings a surface may print for a group of `n`: None below the minimum n (``floor``), else `n`
    rounded half up to the nearest ROUND_TO (30 to 34 print as 30). `base`, `least`: another rounding and another
    floor, for the audit that compares (benchmarks/disclosure_audit.py)."""
    if n is None or n < (floor() if least is None else least):
        return None
    return (int(n) + base // 2) // base * base


def bounds(shown: int | None, base: int = ROUND_TO, least: int | None = None) -> tuple[int, int]:
    """What a reader learns of a group's true count from what `published` printed: the smallest and largest count
    that prints it."""
    least = floor() if least is None else least
    if shown is None:
        return 0, least - 1
    return max(least, shown - base // 2), shown + (base - 1) // 2


def count_text(n: int | None, noun: str = "postings") -> str:
    """A count of postings as a sentence prints it: "about 1,230 postings", "fewer than 30 postings"."""
    return said(published(n), noun)


def said(shown: int | None, noun: str = "postings") -> str:
    """A count `published` already printed, in words: "about 1,230 postings", "fewer than 30 postings"."""
    return f"fewer than {floor()} {noun}" if shown is None else f"about {shown:,} {noun}"


def share_allowed(part: int, whole: int) -> bool:
    """Whether a share (part of whole) may be printed: the part and the rest could each print a count (a share of a
    known whole is a count)."""
    return published(part) is not None and published(whole - part) is not None


class Pattern:
    """The size of every group explore can select (every combination of DIMENSIONS' values present), for the nearest
    group with data: `status(filters)` is (n, 'shown') or (n, 'primary') below the privacy floor. The n is exact:
    what is printed of it goes through `published`."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.cells: dict[tuple[tuple[str, Any], ...], int] = {}
        self.total = len(frame)
        self._build(frame)

    @staticmethod
    def key(filters: dict[str, Any]) -> tuple[tuple[str, Any], ...]:
        return tuple(sorted((k, v) for k, v in filters.items() if k in DIMENSIONS and v not in (None, "")))

    def status(self, filters: dict[str, Any]) -> tuple[int, str]:
        """(n, status) of the group the filters select; an empty group is (0, 'primary')."""
        from mlsalary.stats import PRIVACY_FLOOR

        key = self.key(filters)
        n = self.cells.get(key, 0) if key else self.total
        return n, "shown" if n >= PRIVACY_FLOOR else "primary"

    def _build(self, frame: pd.DataFrame) -> None:
        import itertools

        dims = list(DIMENSIONS)
        df = frame[dims].astype(object).where(frame[dims].notna(), UNKNOWN)
        for size in range(1, len(dims) + 1):
            for subset in itertools.combinations(dims, size):
                sizes = df.groupby(list(subset), sort=False).size()
                for values, n in sizes.items():
                    values = values if isinstance(values, tuple) else (values,)
                    if UNKNOWN not in values:
                        self.cells[tuple(sorted(zip(subset, values, strict=True)))] = int(n)


def pattern() -> Pattern | None:
    """The group sizes of the database as it is (computed once per state of the database, mlsalary.cache). None inside a
    web request while the server's watcher computes those of data a pull just swapped in (the request says the data
    is being updated: old sizes must not decide what new counts may show)."""
    from mlsalary import cache

    return cache.fresh("disclosure", _build)


def _build() -> Pattern:
    from mlsalary import store

    frame = store.query(f"SELECT {', '.join(DIMENSIONS.values())} FROM units WHERE {_population()}")
    frame.columns = list(DIMENSIONS)
    return Pattern(frame)

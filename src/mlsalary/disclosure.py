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
published counts). The rule, ``published``, for every count of postings or filings on every surface:

- a group of fewer than 5 (``stats.PRIVACY_FLOOR``) gets no count at all: "fewer than 5";
- any other count is printed rounded to the nearest ``ROUND_TO`` (half up: 5 to 14 print as 10) — explore, its
  nearest group and histogram bins, the start card, the estimate (its support, its group, the mix it averages over,
  its nearest group), the figures (their n, their groups' n, their caveats), the employer pages and the API.

A reader knows each count only within ``bounds``; what is computed — quantiles, intervals, whether a group reaches the
minimum n for numbers — uses the exact counts. The years a group prints are those with at least 5 of its records (a
first year with any would tell a year of 1-4 from an empty one), and a share is printed only when its part and the
rest each hold 5 (``share_allowed``: a share of a known whole is a count). A published quantile or interval bound has
at least 5 records at or below it and 5 at or above it (``stats.intervals.TAIL_FLOOR``): no group's minimum or maximum
is printed. tests/test_disclosure.py runs the attack over every surface together and finds no group of 1-4.

The group sizes of explore's tables (``Pattern``) are computed once per state of the database, for the nearest group
with data (no query per step).
"""

from __future__ import annotations

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
#: Who every surface counts when it counts postings (the figures' population: one value per distinct full-time
#: posting). Explore, the start card, the estimate's group and mix, and the postings figures select from it.
POPULATION = "source = 'aijobs' AND dup_rank = 1 AND employment_type = 'full_time'"
#: Published counts of postings and filings are rounded to the nearest this many.
ROUND_TO = 10
#: The units whose counts are rounded wherever they are printed: the two populations published in linked tables
#: (survey respondents are counted exactly, in a few fixed figures; OEWS counts are BLS's own aggregates).
ROUNDED_UNITS = ("postings", "filings")
#: What a reader is told about the counts (every answer that prints one carries it).
COUNTS_NOTE = (f"counts of postings and filings are rounded to the nearest {ROUND_TO} and a group of fewer than 5 gets "
               "none, so that no small group can be worked out by subtracting the groups shown")
UNKNOWN = "\x00unknown"  # a field with no value: a group no filter can select


def counted(units: pd.DataFrame) -> pd.DataFrame:
    """The rows of a frame of the units view that POPULATION selects (the same SQL, run on the frame)."""
    import duckdb

    con = duckdb.connect()
    try:
        con.register("frame", units)
        return con.sql(f"SELECT * FROM frame WHERE {POPULATION}").df()
    finally:
        con.close()


def published(n: int | None, base: int = ROUND_TO) -> int | None:
    """The count of postings a surface may print for a group of `n`: None below the privacy floor, else `n` rounded
    half up to the nearest ROUND_TO (5 to 14 print as 10). `base`: another rounding, for the audit that compares."""
    from mlsalary.stats import PRIVACY_FLOOR

    if n is None or n < PRIVACY_FLOOR:
        return None
    return (int(n) + base // 2) // base * base


def bounds(shown: int | None, base: int = ROUND_TO) -> tuple[int, int]:
    """What a reader learns of a group's true count from what `published` printed: the smallest and largest count
    that prints it."""
    from mlsalary.stats import PRIVACY_FLOOR

    if shown is None:
        return 0, PRIVACY_FLOOR - 1
    return max(PRIVACY_FLOOR, shown - base // 2), shown + (base - 1) // 2


def count_text(n: int | None, noun: str = "postings") -> str:
    """A count of postings as a sentence prints it: "about 1,230 postings", "fewer than 5 postings"."""
    from mlsalary.stats import PRIVACY_FLOOR

    shown = published(n)
    return f"fewer than {PRIVACY_FLOOR} {noun}" if shown is None else f"about {shown:,} {noun}"


def share_allowed(part: int, whole: int) -> bool:
    """Whether a share (part of whole) may be printed: the part and the rest each hold at least the privacy floor
    (a share of a known whole is a count)."""
    from mlsalary.stats import PRIVACY_FLOOR

    return part >= PRIVACY_FLOOR and whole - part >= PRIVACY_FLOOR


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

    frame = store.query(f"SELECT {', '.join(DIMENSIONS.values())} FROM units WHERE {POPULATION}")
    frame.columns = list(DIMENSIONS)
    return Pattern(frame)

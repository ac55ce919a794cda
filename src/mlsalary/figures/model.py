"""The record a computed figure is: value, interval, n, sources, years, definition, caveats, status."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

#: ok: a number is shown. suppressed: too few records for a number (n shown when >= the privacy floor).
#: source_missing: a source the figure needs is not loaded (`remedy` says which command adds it) — or, in a vintage
#: (--as-of), the store holds it but none of its data was public by that date: no remedy (no pull would help), and
#: the last caveat says when its first data was (vintage.not_yet_public).
STATUSES = ("ok", "suppressed", "source_missing")
#: What a figure's value is in (`value_unit`); what it counts (`unit`) is one of schema.COUNT_UNITS.
VALUE_UNITS = ("usd", "ratio", "percent", "share", "usd_range")


@dataclass(frozen=True)
class Group:
    """One row of a figure's breakdown (a level, a metro, a country, a year…), shown in tables and charts."""

    label: str
    value: float | None
    ci_low: float | None
    ci_high: float | None
    n: int | None  # None when below the privacy floor: nothing about the group is shown
    status: str
    note: str = ""
    #: Why this row is not comparable with the others, drawn on the chart ("broader occupation", "before the
    #: posting era"); empty when it is.
    mark: str = ""


@dataclass(frozen=True)
class Figure:
    # The documented keys of `mlsalary figures --json` come first, in this order; then the details.
    id: str
    question: str
    value: float | None
    ci_low: float | None
    ci_high: float | None
    n: int | None
    unit: str  # what n counts: postings, respondents or published aggregate (schema.COUNT_UNITS)
    value_unit: str  # what value is in: usd, percent, share, ratio
    sources: list[str]
    years: list[int]
    period: str  # the years in words, with a partial final year's months ("2025 (January–August; final data)")
    data_as_of: str | None  # ISO date the data is as of (the oldest of the figure's sources)
    age_months: int | None  # months from data_as_of to today
    status: str
    caveats: list[str]
    topic: str
    definition: str
    method: str
    duplicate_policy: str | None = None
    remedy: str = ""
    rse: float | None = None  # BLS's relative standard error (published aggregates), percent
    lower_bound_only: bool = False
    groups: list[Group] = field(default_factory=list)
    chart: str = ""  # "bars" | "ladder" | "trend" | "" (none)
    published: bool = False  # a published aggregate (OEWS): reported as published, n not applicable
    smallest_group: int | None = None  # n of the smallest group behind the headline (what suppression judged)
    group_unit: str = "usd"  # unit of the groups' values
    extra: dict[str, float | None] = field(default_factory=dict)  # further numbers (e.g. the real change)
    #: A comparison's groups, each with its own n (None below the privacy floor); empty for a single group.
    compared: list[dict[str, Any]] = field(default_factory=list)
    #: The strata the comparison was measured within and pooled (figures.measure.STRATA: role, level, ...), as its
    #: declaration names them (FigureDef.strata); empty when nothing is held within strata.
    held_fixed: list[str] = field(default_factory=list)
    #: What the comparison holds fixed, in words: what its population fixes (US, full-time, era, ...), then the strata.
    held_fixed_text: str = ""
    #: The same comparison with nothing held fixed (same population), when it differs from the value by more than
    #: the value's interval half-width: {"value", "ci_low", "ci_high"} in the value's unit; None otherwise.
    raw: dict[str, float | None] | None = None
    #: One sentence answering the question: the number, its group, n, years and data age; yes/no/can't tell for
    #: yes-no and trend questions (figures.headline).
    headline: str = ""
    #: For a yes-no question: the verdict rule's answer (stats.verdict) on the figure's interval.
    answer: str = ""
    quote: str = ""  # the sentence to quote: the headline itself (the key the API and the CSV have always had)

    @property
    def not_yet_public(self) -> bool:
        """source_missing in a vintage before any of its sources' data was public (STATUSES): no remedy, as no pull
        would help; its last caveat says when the first data was."""
        return self.status == "source_missing" and not self.remedy

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

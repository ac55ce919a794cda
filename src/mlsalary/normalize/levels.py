"""Seniority levels, years-of-experience bands, and the small code tables of the aijobs.net layout.

The level bands, defined once here and in docs/sources.md, for sources that give years but no level:

| level | years of professional experience |
| --- | --- |
| entry | 0 to under 3 |
| mid | 3 to under 5 |
| senior | 5 or more |

``executive`` is never inferred from years alone (Stack Overflow's "Senior executive" job type sets it). The
boundaries 3 and 5 are the edges of Kaggle's own answer bands ("1-3 years", "3-5 years", "5-10 years"), so a band
answer falls in exactly one level.
"""

from __future__ import annotations

#: aijobs.net experience_level codes.
AIJOBS_LEVELS = {"EN": "entry", "MI": "mid", "SE": "senior", "EX": "executive"}
#: aijobs.net employment_type codes.
AIJOBS_EMPLOYMENT = {"FT": "full_time", "PT": "part_time", "CT": "contract", "FL": "freelance"}
#: aijobs.net remote_ratio values (percent of work done remotely).
AIJOBS_REMOTE = {0: "onsite", 50: "hybrid", 100: "remote"}
#: aijobs.net company_size codes: S < 50 employees, M 50-250, L > 250.
AIJOBS_COMPANY_SIZE = {"S": "small", "M": "medium", "L": "large"}

#: Years of professional experience -> level. Upper bounds are exclusive: [0, 3) entry, [3, 5) mid, [5, inf) senior.
YEARS_TO_LEVEL: tuple[tuple[float, str], ...] = ((3.0, "entry"), (5.0, "mid"), (float("inf"), "senior"))


def level_from_years(years: float | None) -> str | None:
    """The level band for a number of years of experience (None for unknown or negative years)."""
    if years is None or years != years or years < 0:  # NaN check without numpy
        return None
    return next(level for bound, level in YEARS_TO_LEVEL if years < bound)


def level_from_band(low: float | None, high: float | None) -> str | None:
    """The level of a band of years [low, high] (high None = open-ended), or None when it spans two levels.

    The band's stated upper figure is taken as exclusive ("3-5 years" = [3, 5)), as the survey bands do not overlap.
    """
    if low is None or low != low:
        return None
    first = level_from_years(low)
    if high is None or high != high:
        return first if first == YEARS_TO_LEVEL[-1][1] else None
    last = level_from_years(max(low, high - 1e-9))
    return first if first == last else None

"""Seniority levels and the other small code tables of the aijobs.net layout."""

from __future__ import annotations

#: aijobs.net experience_level codes.
AIJOBS_LEVELS = {"EN": "entry", "MI": "mid", "SE": "senior", "EX": "executive"}
#: aijobs.net employment_type codes.
AIJOBS_EMPLOYMENT = {"FT": "full_time", "PT": "part_time", "CT": "contract", "FL": "freelance"}
#: aijobs.net remote_ratio values (percent of work done remotely).
AIJOBS_REMOTE = {0: "onsite", 50: "hybrid", 100: "remote"}
#: aijobs.net company_size codes: S < 50 employees, M 50-250, L > 250.
AIJOBS_COMPANY_SIZE = {"S": "small", "M": "medium", "L": "large"}

#: Years of professional experience -> level, for sources that give years but no level. Upper bounds are
#: exclusive: [0, 3) entry, [3, 7) mid, [7, inf) senior. "executive" is never inferred from years alone.
YEARS_TO_LEVEL: tuple[tuple[float, str], ...] = ((3.0, "entry"), (7.0, "mid"), (float("inf"), "senior"))


def level_from_years(years: float | None) -> str | None:
    """The level band for a number of years of experience (None for unknown or negative years)."""
    if years is None or years != years or years < 0:  # NaN check without numpy
        return None
    return next(level for bound, level in YEARS_TO_LEVEL if years < bound)

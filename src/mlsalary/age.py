"""How old data is: every source knows the date its data is as of (a snapshot's date, a release's reference date,
a survey's end of fielding); every figure, page and answer shows it with its age in months, and data older than
``config.stale_after_months()`` (default 12) carries a warning naming the fix — or saying the source has stopped
publishing and its data is final."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from mlsalary import config


def months(as_of: date, today: date | None = None) -> int:
    """Whole months from `as_of` to today (0 for a future date)."""
    t = today or config.today()
    m = (t.year - as_of.year) * 12 + (t.month - as_of.month) - (1 if t.day < as_of.day else 0)
    return max(m, 0)


def to_date(value: Any) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):  # also a pandas Timestamp
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def warning(source: str, as_of: date) -> str:
    """The stale-data warning for a source ('' while its data is younger than the threshold)."""
    from mlsalary import sources

    n, limit = months(as_of), config.stale_after_months()
    if n <= limit:
        return ""
    meta = sources.meta(source) if source in sources.names() else None
    fix = meta.refresh if meta is not None and meta.refresh else f'run "mlsalary data pull {source}" online'
    final = meta is not None and bool(meta.final_data)  # a stopped source: no threshold to meet, nothing newer
    over = "" if final else f" (more than {limit})"
    return f"{source}: data as of {as_of.isoformat()} is {n} months old{over}; {fix}"


def of_source(source: str, as_of: Any) -> dict[str, Any]:
    """{data_as_of (ISO date), age_months, final, warning} for one source's data date."""
    from mlsalary import sources

    d = to_date(as_of)
    final = bool(source in sources.names() and sources.meta(source).final_data)
    if d is None:
        return {"data_as_of": None, "age_months": None, "final": final, "warning": ""}
    return {"data_as_of": d.isoformat(), "age_months": months(d), "final": final, "warning": warning(source, d)}


def text(d: dict[str, Any]) -> str:
    """A data date as every surface prints it: 'as of 2025-08-03, 15 months old, final' ('' without a date)."""
    if not d.get("data_as_of"):
        return ""
    return f"as of {d['data_as_of']}, {d['age_months']} months old" + (", final" if d.get("final") else "")


MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")  # fmt: skip


def period(years: list[int], source: str, as_of: date | None) -> str:
    """The years a figure covers, in words: "2024–2025", and a final year that the data covers only in part
    (a postings source dated inside it) with its months: "2024–2025 (2025: January–August; final data)"."""
    from mlsalary import sources

    if not years:
        return ""
    lo, hi = min(years), max(years)
    text = str(hi) if lo == hi else f"{lo}–{hi}"
    meta = sources.meta(source) if source in sources.names() else None
    if meta is None or meta.count_unit != "postings" or as_of is None or as_of.year != hi or as_of.month == 12:
        return text
    final = "; final data" if meta.final_data else f"; data as of {as_of.isoformat()}"
    months_ = f"January–{MONTHS[as_of.month - 1]}"
    return f"{text} ({months_}{final})" if lo == hi else f"{text} ({hi}: {months_}{final})"

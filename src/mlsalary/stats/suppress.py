"""When a number may be shown.

- Below ``PRIVACY_FLOOR`` (5) records nothing about a group is shown at all — not its statistic, not its size. This
  holds everywhere (report, CLI, API, web) and cannot be lowered.
- What a count may print — so that no group of 1 to 4 can be worked out by subtracting groups shown — is
  mlsalary.disclosure's to say: counts of postings and filings are rounded on every surface.
- Below ``min_n()`` records (default 30; MLSALARY_MIN_N raises or lowers it, never below the privacy floor) a figure
  is not printed as a number: it is reported as suppressed with its n.
"""

from __future__ import annotations

PRIVACY_FLOOR = 5


def min_n() -> int:
    """The smallest n for which a statistic is printed as a number."""
    from mlsalary import config

    return max(int(config.setting("MLSALARY_MIN_N")), PRIVACY_FLOOR)


def visibility(n: int, threshold: int | None = None) -> str:
    """'hidden' (n below the privacy floor: show nothing), 'suppressed' (show n, not the number) or 'shown'."""
    if n < PRIVACY_FLOOR:
        return "hidden"
    if n < (threshold if threshold is not None else min_n()):
        return "suppressed"
    return "shown"

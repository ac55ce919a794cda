"""When a number may be shown.

- Below ``PRIVACY_FLOOR`` (5) records nothing about a group is shown at all — not its statistic, not its size. This
  holds everywhere (report, CLI, API, web) and cannot be lowered.
- Complementary suppression: a hidden remainder of 1 to 4 records — a parent's count minus its shown children's —
  gives a small group away (``exposes``); then another shown child is withheld too (employers.py for one breakdown,
  disclosure.py across explore's tables).
- Below ``min_n()`` records (default 30; MLSALARY_MIN_N raises or lowers it, never below the privacy floor) a figure
  is not printed as a number: it is reported as suppressed with its n.
"""

from __future__ import annotations

from typing import Any

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


def exposes(hidden: Any) -> Any:
    """Whether a hidden remainder of this many records (a number, or an array of them) gives a group of fewer than
    PRIVACY_FLOOR records away: 1 to 4. None hidden (0) or a floor's worth or more gives nothing away."""
    return (hidden > 0) & (hidden < PRIVACY_FLOOR)

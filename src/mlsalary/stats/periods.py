"""Which year is the latest *full* one: a snapshot taken in January holds a thin slice of the new year, which
must not stand for that year (figures) or serve as the year a model is calibrated on (estimate)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable


def latest_full_year(years: Iterable[float]) -> int | None:
    """The newest year whose rows are at least half of the year before's (None for no rows)."""
    counts = Counter(int(y) for y in years if y == y)
    for y in sorted(counts, reverse=True):
        if y - 1 not in counts or counts[y] >= 0.5 * counts[y - 1]:
            return y
    return None

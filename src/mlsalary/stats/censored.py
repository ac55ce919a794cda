"""Quantiles of pay bands (interval-censored data, e.g. Kaggle's "100,000-124,999").

The bands of a survey do not overlap, so the nonparametric maximum-likelihood estimate of the distribution (Turnbull)
puts each band's share of answers on that band. The quantile is read off the cumulative shares and placed inside
its band by linear interpolation (pay spread evenly within a band, the usual grouped-data estimate). Its interval
uses the same order-statistic ranks as point data: from the lower edge of the band holding the l-th answer to the
upper edge of the band holding the u-th — never narrower than the bands allow. A band's stated upper figure (124,999)
is taken as the edge just below the next band (125,000). When the quantile falls in the open top band (">$1,000,000")
only a lower bound is known, and the estimate says so.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

from mlsalary.stats.intervals import LEVEL, Estimate, order_statistic_ranks

if TYPE_CHECKING:
    from collections.abc import Sequence

METHOD = (
    "interval-censored bands: grouped-data quantile (Turnbull NPMLE, uniform within band) "
    "with an order-statistic band interval"
)


def band_quantile(
    lows: Sequence[float], highs: Sequence[float | None], q: float, level: float = LEVEL, step: float = 1.0
) -> Estimate:
    """The q-quantile of answers given as bands [low, high] (high None = open-ended). `step` is the unit of the
    stated upper figures (1 dollar: "100,000-124,999" ends just below 125,000)."""
    import numpy as np

    pairs = [(float(a), None if b is None or b != b else float(b)) for a, b in zip(lows, highs, strict=True)]
    pairs = [(a, b) for a, b in pairs if a == a]
    n = len(pairs)
    if n == 0:
        return Estimate(None, None, None, 0, METHOD, level)
    edges = sorted(set(pairs), key=lambda t: t[0])
    for (a1, b1), (a2, _) in itertools.pairwise(edges):
        if b1 is None or b1 + step > a2:  # an open band that is not the last, or overlapping bands
            raise ValueError(f"pay bands overlap: [{a1}, {b1}] and one starting at {a2}")
    index = {band: i for i, band in enumerate(edges)}
    counts = np.bincount([index[p] for p in pairs], minlength=len(edges))
    cum = np.cumsum(counts)

    def band_of_rank(k: int) -> tuple[float, float | None]:
        a, b = edges[int(np.searchsorted(cum, k))]
        return a, (None if b is None else b + step)

    target = q * n
    i = int(np.searchsorted(cum, target))
    i = min(i, len(edges) - 1)
    a, b = edges[i]
    before = cum[i - 1] if i > 0 else 0
    l_rank, u_rank, _ = order_statistic_ranks(n, q, level)
    ci_low = band_of_rank(l_rank)[0] if l_rank else None
    ci_high = band_of_rank(u_rank)[1] if u_rank else None
    if b is None:  # the open top band: only a lower bound
        return Estimate(a, ci_low, None, n, METHOD, level, lower_bound_only=True)
    upper = b + step
    value = a + (upper - a) * (target - before) / counts[i]
    return Estimate(float(value), ci_low, ci_high, n, METHOD, level)

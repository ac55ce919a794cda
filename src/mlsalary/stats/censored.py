"""Quantiles of pay bands (interval-censored data, e.g. Kaggle's "100,000-124,999").

The bands of a survey do not overlap, so the nonparametric maximum-likelihood estimate of the distribution (Turnbull)
puts each band's share of answers on that band. The quantile is read off the cumulative shares and placed inside
its band by log-linear interpolation (pay spread evenly on the log scale within a band — the Pareto interpolation
statistics offices use for grouped income; pay thins out across a wide band such as $150,000-199,999, and even
spreading in dollars placed its quantiles too high). Its interval
is read off the same interpolated distribution, at the cumulative positions q n -/+ z sd, where sd is the sampling
error of the interpolated count below the quantile. Answers inside a band are placed, not drawn, so that count varies
less than a point sample's binomial count: sd^2 = n (q (1 - q) - p s (1 - s)), with p the share of answers in the
quantile's band and s the quantile's place in it (the binomial ranks alone covered 97-98%). So the interval reflects
sampling error rather than the bands' width: taking the band *edges* of the l-th and u-th answers made Kaggle
comparisons 2-3 times wider than their sampling error. When one band holds half the answers or more, where the
quantile lies inside it rests on the within-band assumption alone, and the interval takes in the whole band. Sides
stay open where the order-statistic ranks are (too few answers). Validated by simulation
(tests/test_stats.py): lognormal pay put into Kaggle's bands, 200 answers, covers the true median in 93-97% of
samples. A band's stated upper figure (124,999) is taken as the edge just below the next band (125,000). When the
quantile falls in the open top band (">$1,000,000") only a lower bound is known, and the estimate says so; a bound
in the open band is open.
"""

from __future__ import annotations

import itertools
import math
from typing import TYPE_CHECKING

from mlsalary.stats.intervals import LEVEL, Estimate, order_statistic_ranks, z_of

if TYPE_CHECKING:
    from collections.abc import Sequence

METHOD = (
    "interval-censored bands: grouped-data quantile (Turnbull NPMLE, log-linear within band) "
    "with an order-statistic interval read off the same interpolated distribution"
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

    def at(position: float) -> float | None:
        """The grouped-data quantile at a cumulative position (0..n): inside its band, pay spread evenly."""
        i = min(int(np.searchsorted(cum, position)), len(edges) - 1)
        a, b = edges[i]
        if b is None:  # the open top band
            return None
        before = cum[i - 1] if i > 0 else 0
        share = (position - before) / counts[i]
        upper = b + step
        if a > 0:  # log-linear within the band (Pareto interpolation): pay thins out across a wide band
            return float(a * (upper / a) ** share)
        return float(a + (upper - a) * share)

    target = q * n
    l_rank, u_rank, _ = order_statistic_ranks(n, q, level)
    i = min(int(np.searchsorted(cum, target)), len(edges) - 1)
    if edges[i][1] is None:  # the open top band: only a lower bound
        return Estimate(edges[i][0], at(l_rank - 0.5) if l_rank else None, None, n, METHOD, level,
                        lower_bound_only=True)  # fmt: skip
    value = at(target)
    # The interval's ends, as cumulative positions: target -/+ z sd of the interpolated count below the quantile.
    # Within a band answers are placed, not drawn, so that count varies less than a point sample's binomial count:
    # n (q (1 - q) - p_band s (1 - s)), with p_band the quantile's band's share of answers and s its place in it.
    share_in = (target - (cum[i - 1] if i > 0 else 0)) / counts[i]
    p_band = counts[i] / n
    sd = math.sqrt(max(n * (q * (1 - q) - p_band * share_in * (1 - share_in)), 0.0))
    half = z_of(level) * sd
    ci_low = at(max(target - half, 0.0)) if l_rank else None
    ci_high = at(min(target + half, float(n))) if u_rank else None
    if p_band >= 0.5:  # most answers in one band: where the quantile lies inside it is the data's to tell, not ours
        a, b = edges[i]
        ci_low = min(ci_low, a) if ci_low is not None else None
        ci_high = max(ci_high, b + step) if ci_high is not None and b is not None else ci_high
    return Estimate(value, ci_low, ci_high, n, METHOD, level)

"""Comparing two groups: the ratio of their medians (or any quantile) with an interval.

Method (Price & Bonett, 2002, "Distribution-free confidence intervals for difference and ratio of medians"): each
group's quantile interval is turned into a standard error on the log scale, se = (ln hi - ln lo) / (2 z), and the
log ratio gets the interval ln(m1/m2) +/- z * sqrt(se1^2 + se2^2). It needs no resampling, works for pay bands as
well as points, and is asymmetric on the dollar scale as pay ratios should be. A percentage gap is ratio - 1.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from mlsalary.stats.intervals import LEVEL, Estimate, z_of

METHOD = "ratio of quantiles, log-scale interval from each group's order-statistic interval (Price & Bonett 2002)"


@dataclass(frozen=True)
class Ratio:
    value: float | None
    ci_low: float | None
    ci_high: float | None
    n: int  # both groups together
    method: str = METHOD
    level: float = LEVEL


def _se_log(e: Estimate, z: float) -> float | None:
    if e.value is None or e.ci_low is None or e.ci_high is None or e.ci_low <= 0 or e.value <= 0:
        return None
    return (math.log(e.ci_high) - math.log(e.ci_low)) / (2 * z)


def ratio(a: Estimate, b: Estimate, level: float = LEVEL) -> Ratio:
    """a.value / b.value with its interval; value None when either side has no value (or only a lower bound)."""
    n = a.n + b.n
    if a.value is None or b.value is None or a.lower_bound_only or b.lower_bound_only or b.value <= 0:
        return Ratio(None, None, None, n, level=level)
    z = z_of(level)
    r = a.value / b.value
    se_a, se_b = _se_log(a, z), _se_log(b, z)
    if se_a is None or se_b is None or r <= 0:
        return Ratio(r, None, None, n, level=level)
    half = z * math.sqrt(se_a**2 + se_b**2)
    return Ratio(r, r * math.exp(-half), r * math.exp(half), n, level=level)

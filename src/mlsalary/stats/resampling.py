"""A share's Wilson score interval and a statistic's BCa bootstrap interval, in numpy and the standard library.

Both are scipy's methods computed as scipy computes them (``scipy.stats.binomtest(k, n).proportion_ci(method=
"wilson")``; ``scipy.stats.bootstrap(..., method="BCa")`` with the same resamples drawn from the same generator, the
same jackknife acceleration and scipy's "mean" percentile of the statistic among its resamples) — tests compare them
with scipy's on many samples. They live here because importing scipy.stats took 0.6 to 1.0 s of the first
`mlsalary figures` after a pull, for two figures (the entry-level share's trend, negotiation room).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from statistics import NormalDist
from typing import Any

from mlsalary.stats.intervals import LEVEL, z_of


def wilson(k: int, n: int, level: float = LEVEL) -> tuple[float, float]:
    """The Wilson score interval (no continuity correction) of the share k / n, as shares (0-1)."""
    if n <= 0 or not 0 <= k <= n:
        raise ValueError(f"a share needs 0 <= k <= n and n > 0 (k={k}, n={n})")
    z = z_of(level)
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)


def bca(x: Any, statistic: Callable[..., Any], n_resamples: int, rng: Any,
        level: float = LEVEL) -> tuple[float, float]:  # fmt: skip
    """The BCa bootstrap interval of statistic(x) (statistic(v, axis=-1) reduces the last axis): `n_resamples`
    resamples drawn with `rng.integers`, the bias from where the statistic lies among them, the acceleration from the
    leave-one-out jackknife. NaN ends where BCa cannot be formed (every resample on one side of the statistic)."""
    import numpy as np

    x = np.asarray(x, dtype=float)
    n = len(x)
    theta_b = statistic(x[rng.integers(0, n, (n_resamples, n))], axis=-1)
    theta = float(statistic(x, axis=-1))
    share = (np.count_nonzero(theta_b < theta) + np.count_nonzero(theta_b <= theta)) / (2 * n_resamples)
    z0 = _ndtri(share)
    keep = ~np.eye(n, dtype=bool)  # row i leaves out observation i
    theta_i = statistic(np.broadcast_to(x, (n, n))[keep].reshape(n, n - 1), axis=-1)
    u = (n - 1) * (theta_i.mean() - theta_i)
    z_alpha = _ndtri((1 - level) / 2)
    with np.errstate(invalid="ignore", divide="ignore"):  # every leave-one-out statistic equal: no acceleration, NaN
        a = (np.sum(u**3) / n**3) / 6 / (np.sum(u**2) / n**2) ** 1.5
        ends = []
        for z in (z_alpha, -z_alpha):
            num = z0 + z
            ends.append(_ndtr(z0 + num / (1 - a * num)))
    if any(math.isnan(e) for e in ends):
        return math.nan, math.nan
    lo, hi = np.quantile(theta_b, ends)
    return float(lo), float(hi)


def _ndtri(p: float) -> float:
    if p <= 0:
        return -math.inf
    if p >= 1:
        return math.inf
    return NormalDist().inv_cdf(p)


def _ndtr(z: float) -> float:
    if math.isnan(z):
        return math.nan
    return NormalDist().cdf(z)

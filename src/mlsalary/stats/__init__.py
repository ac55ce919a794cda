"""Honest statistics, pure (no I/O): quantiles with distribution-free intervals, group comparisons, pay bands
(interval-censored), weights and suppression. See docs/methodology.md."""

from mlsalary.stats.censored import band_quantile
from mlsalary.stats.compare import Ratio, ratio
from mlsalary.stats.intervals import Estimate, quantile, weighted_quantile
from mlsalary.stats.suppress import PRIVACY_FLOOR, min_n, visibility

__all__ = [
    "PRIVACY_FLOOR",
    "Estimate",
    "Ratio",
    "band_quantile",
    "min_n",
    "quantile",
    "ratio",
    "visibility",
    "weighted_quantile",
]

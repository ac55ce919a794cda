"""The room to negotiate in a posted range, declared beside its measure: the median width of US senior postings'
ranges, against the spread between postings.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from mlsalary import disclosure, stats
from mlsalary.figures.data import Data, group
from mlsalary.figures.measure import (
    AIJ,
    AIJOBS_CAVEAT,
    ONE,
    FigureDef,
    Out,
    years_of,
)
from mlsalary.figures.populations import (
    aijobs,
    latest_or_pooled,
)

if TYPE_CHECKING:
    import pandas as pd


def negotiation_room(d: Data) -> Out:
    """The room employers advertise: the median width (maximum / minimum - 1) of the salary ranges posted for one
    narrow profile, in percent, with a seeded BCa bootstrap interval (2,000 resamples, seed 0: reproducible). The
    spread between postings — (p75 - p25) / median of their midpoints — is a different thing (it mixes employers
    and jobs) and is shown beside it, never added to it."""
    import numpy as np

    def narrow(df: pd.DataFrame) -> list[pd.DataFrame]:
        return [df[(df["level"] == "senior") & (df["company_size"] == "medium") & df["range_low_usd"].notna()]]

    df, notes = latest_or_pooled(aijobs(d), narrow)
    (ranges,) = narrow(df)
    every = df[(df["level"] == "senior") & (df["company_size"] == "medium")]
    width = (ranges["range_high_usd"] / ranges["range_low_usd"] - 1).to_numpy() * 100
    value, lo, hi = _bootstrap(width, lambda v, axis=-1: np.median(v, axis=axis))
    method = "median posted width (max / min - 1); seeded BCa bootstrap interval (2,000 resamples)"
    e = stats.Estimate(value, lo, hi, len(width), method)
    mids = every["amount_usd"].dropna().to_numpy()
    between, b_lo, b_hi = _bootstrap(mids, _iqr_share)
    rows = [
        group("width of one posted range (median)", e, note=disclosure.count_text(len(width), "posted ranges")),
        group("spread between postings (IQR / median)", stats.Estimate(between, b_lo, b_hi, len(mids), ""),
              note=f"{disclosure.count_text(len(mids))}, midpoints"),
    ]  # fmt: skip
    out = Out(e, len(width), len(width), years_of(ranges), rows, method=e.method, caveats=notes, group_unit="share")
    if stats.visibility(len(mids)) == "shown":
        out.extra = {"between_postings_spread": between, "between_postings_ci_low": b_lo,
                     "between_postings_ci_high": b_hi}  # fmt: skip
    return out


def _iqr_share(v: Any, axis: int = -1) -> Any:
    import numpy as np

    q25, q50, q75 = np.quantile(v, [0.25, 0.5, 0.75], axis=axis)
    return (q75 - q25) / q50 * 100


def _bootstrap(x: Any, statistic: Callable[..., Any]) -> tuple[float | None, float | None, float | None]:
    """A statistic of one sample with its seeded BCa bootstrap interval (none below the minimum n)."""
    import numpy as np

    from mlsalary.stats.resampling import bca

    if not len(x):
        return None, None, None
    value = float(statistic(x))
    if len(x) < stats.min_n():
        return value, None, None
    low, high = bca(x, statistic, 2_000, np.random.default_rng(0))
    return value, low, high


#: This topic's figures, in the order the report shows them (figures.catalogue gathers every topic's).
FIGURES: tuple[FigureDef, ...] = (
    FigureDef(
        "negotiation-room",
        "negotiation",
        "How much room is there to negotiate within one profile?",
        "share",
        AIJ,
        "Median width of the ranges employers post (maximum / minimum - 1) for US senior ML engineers at "
        "medium-size employers (aijobs.net, latest full year): the room an employer has already advertised. The "
        "spread between postings (interquartile range of the midpoints / their median) is shown beside it.",
        negotiation_room,
        ONE,
        (AIJOBS_CAVEAT, "The posted width is the room the employer advertised, not what candidates obtained."),
        "bars",
        says='Median width of the salary ranges employers post for US senior ML engineers: {value}',
    ),
)

"""The one verdict rule: what an interval of a difference says about a claim.

A claim is "the difference is above `size`" (direction +1: a pays more than b, by more than `size` percent) or
"below -`size`" (direction -1). With the 95% interval [low, high] of the difference (in percent):

- **supported**: the interval lies wholly on the claimed side of `size` (no difference, and the claimed size, are
  excluded);
- **no effect found**: the interval lies inside +/- `negligible` (default NEGLIGIBLE, 5%: a difference smaller than
  that is too small to matter for pay) — the data rule out any difference that matters, which is not the same as a
  difference the data merely fail to find;
- **contradicted**: the interval excludes the claim (it lies wholly below `size` on the claimed side);
- **inconclusive**: the interval takes in both no difference and the claimed size — the data cannot tell;
- **cannot be tested**: no interval (a figure missing, suppressed, or with an open side).

Several parts of one claim (`combine`) — a claim asserts every part: a part contradicted (or with no effect found,
where the part claims one) contradicts the claim, whatever the others say; otherwise a part the data cannot tell, or
cannot test, leaves the claim inconclusive at best; only a claim whose every part is supported is supported. (The
earlier rule called supported beside contradicted parts "mixed" and let untested parts drop out, so that a claim of
three parts with one tested could read "supported".)
"""

from __future__ import annotations

VERDICTS = ("supported", "contradicted", "no effect found", "inconclusive", "cannot be tested")
#: A pay difference within +/- this many percent is too small to matter ("no effect found" when the whole interval
#: lies inside it).
NEGLIGIBLE = 5.0
#: A change of pay over time is negligible within +/- this many percent *a year* of the span it covers (at most
#: NEGLIGIBLE): a one-year change within +/-1%, a four-year one within +/-4%. The level band of +/-5% called a
#: one-year real change whose interval reached +3.6% "no effect found", though +3.6% a year is not negligible.
NEGLIGIBLE_PER_YEAR = 1.0


def negligible_over(years: float) -> float:
    """The negligible band (percent) for a change over `years` years."""
    return min(NEGLIGIBLE, NEGLIGIBLE_PER_YEAR * max(1.0, years))


def judge(
    low: float | None, high: float | None, direction: int = 1, size: float = 0.0, negligible: float = NEGLIGIBLE
) -> str:
    """The verdict on "the difference is beyond `size` in `direction`" from its interval [low, high]."""
    if low is None or high is None:
        return "cannot be tested"
    if direction not in (1, -1):
        raise ValueError("direction is +1 (more) or -1 (less)")
    lo, hi = (low, high) if direction == 1 else (-high, -low)
    if lo > size:
        return "supported"
    if -negligible <= lo and hi <= negligible:
        return "no effect found"
    if hi < size:
        return "contradicted"
    return "inconclusive"


def same(low: float | None, high: float | None, negligible: float = NEGLIGIBLE) -> str:
    """The verdict on "the two are about the same (within +/- `negligible`)": supported when the interval lies inside
    that band, contradicted when it lies wholly outside it on one side, inconclusive otherwise."""
    if low is None or high is None:
        return "cannot be tested"
    if -negligible <= low and high <= negligible:
        return "supported"
    if low > negligible or high < -negligible:
        return "contradicted"
    return "inconclusive"


def exceeds(a_low: float | None, a_high: float | None, b_low: float | None, b_high: float | None) -> str:
    """The verdict on "a is larger than b" from their two intervals: supported when a's lies wholly above b's,
    contradicted when wholly below, inconclusive when they overlap."""
    if a_low is None or a_high is None or b_low is None or b_high is None:
        return "cannot be tested"
    if a_low > b_high:
        return "supported"
    if a_high < b_low:
        return "contradicted"
    return "inconclusive"


def combine(verdicts: list[str]) -> str:
    """One verdict for a claim of several parts (module docstring)."""
    tested = [v for v in verdicts if v != "cannot be tested"]
    if not tested:
        return "cannot be tested"
    kinds = set(tested)
    if len(verdicts) == 1 or (kinds == {"no effect found"} and len(tested) == len(verdicts)):
        return tested[0]  # one part, or every part tested and no effect found in each
    if kinds & {"contradicted", "no effect found"}:
        return "contradicted"  # one part fails: the claim, which asserts every part, fails
    if kinds == {"supported"} and len(tested) == len(verdicts):
        return "supported"
    return "inconclusive"  # a part the data cannot tell, or cannot test


ANSWERS = {"supported": "Yes", "contradicted": "No", "no effect found": "No difference that matters",
           "inconclusive": "Can't tell", "cannot be tested": "Can't tell"}  # fmt: skip

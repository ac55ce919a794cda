"""Where an offer's base sits in the market, and what the data says about negotiating it.

The market is the personal estimate for the offer's profile (mlsalary.model.estimate): calibrated p10..p90 of annual
pay, whose coverage is measured by `mlsalary model evaluate`. The offer's percentile is read off those five
quantiles (linear between them on the log scale; beyond p10 or p90 it is reported as below 10 or above 90). Verdict:
below market under p25, at market between p25 and p75, above market over p75 — the 50% range. An offer in another
currency is compared in that currency: the market (USD) is converted at the estimate year's average ECB rate. The
open sources have no bonus or stock data, so only base pay is placed, and negotiation advice covers base pay only.
"""

from __future__ import annotations

import math
from typing import Any

from mlsalary.offer.schema import OfferFile

KEYS = (("p10", 10), ("p25", 25), ("p50", 50), ("p75", 75), ("p90", 90))


def percentile(value: float, est: dict[str, Any]) -> float | None:
    """The percentile of a value within the estimate's quantiles; None outside p10..p90."""
    xs = [math.log(est[k]) for k, _ in KEYS]
    ps = [p for _, p in KEYS]
    v = math.log(value)
    if v < xs[0] or v > xs[-1]:
        return None
    for (x0, p0), (x1, p1) in zip(zip(xs, ps, strict=True), zip(xs[1:], ps[1:], strict=True), strict=True):
        if x0 <= v <= x1:
            return p0 + (p1 - p0) * ((v - x0) / (x1 - x0) if x1 > x0 else 0.0)
    return None


def position(offer_file: OfferFile) -> dict[str, Any]:
    """Market position and negotiation evidence for the offer's base; needs the [profile] table."""
    from mlsalary.model.estimate import estimate

    prof = offer_file.profile
    if prof is None:
        return {"available": False, "reason": "add a [profile] table (role, level, country) to compare with the market"}
    cur = offer_file.offer.currency
    est = estimate(role=prof.role, level=prof.level, country=prof.country, metro=prof.metro, remote=prof.remote,
                   company_size=prof.company_size, industry=prof.industry, education=prof.education,
                   currency=cur)  # fmt: skip
    base = offer_file.offer.base
    pct = percentile(base, est)
    if base < est["p25"]:
        verdict = "below market"
    elif base > est["p75"]:
        verdict = "above market"
    else:
        verdict = "at market"
    where = (f"percentile {pct:.0f}" if pct is not None
             else ("below the 10th percentile" if base < est["p10"] else "above the 90th percentile"))  # fmt: skip
    market = {
        "available": True,
        "currency": cur,  # of base, the ranges and the median
        "conversion": est["conversion"],
        "base": base,
        "percentile": pct,
        "where": where,
        "verdict": verdict,
        "range_50": [est["p25"], est["p75"]],
        "range_80": [est["p10"], est["p90"]],
        "median": est["p50"],
        "confidence": "the 50% and 80% ranges are calibrated across years to hold 50% and 80% of actual pay; "
        "`mlsalary model evaluate` measures how well they do on unseen data",
        "support_n": est["support_n"],
        "in_support": est["in_support"],
        "notes": est["notes"],
        "model_version": est["model_version"],
        "year": est["year"],
        "data": est["data"],
    }
    from mlsalary.normalize import geo
    from mlsalary.offer.negotiation import negotiate

    # The estimate above has checked the profile: a level is given, the country is known. Negotiation places the offer
    # where the market position does (one median, one percentile) and measures the room on posted ranges.
    negotiation = negotiate(base, {"median": est["p50"], "p90": est["p90"], "percentile": pct, "where": where},
                            prof.role, str(prof.level), geo.require_iso2(prof.country), cur)  # fmt: skip
    if not est["in_support"]:
        negotiation["limits"] += "; the profile is outside the data's support, so the market range is wide"
    return {"market": market, "negotiation": negotiation}

"""The whole evaluation of one offer (the JSON of `mlsalary offer FILE --json`, /api/v1/offer/evaluate and the
offer page)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mlsalary.errors import MlsalaryError
from mlsalary.offer import compute, market, schema


def evaluate(
    of: schema.OfferFile, discount_rate: float = 0.05, growth: float = 0.10, with_market: bool = True
) -> dict[str, Any]:
    """Year by year, scenarios, switch vs stay, market position and negotiation for a validated offer."""
    out = compute.evaluate(of.offer, discount_rate=discount_rate, growth=growth)
    if of.current is not None:
        out["switch_vs_stay"] = compute.switch_vs_stay(of.offer, of.current)
    if with_market:
        try:
            out.update(market.position(of))
        except MlsalaryError as e:  # no data loaded, or a profile without support: say why, keep the rest
            out["market"] = {"available": False, "reason": str(e)}
            out["negotiation"] = {"available": False, "reason": str(e)}
    return out


def evaluate_offer(
    path: Path, discount_rate: float = 0.05, growth: float = 0.10, with_market: bool = True
) -> dict[str, Any]:
    """evaluate() for an offer file."""
    return evaluate(schema.load(path), discount_rate, growth, with_market)

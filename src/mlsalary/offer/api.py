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
    check_metro(of)
    out = compute.evaluate(of.offer, discount_rate=discount_rate, growth=growth)
    if of.current is not None:
        out["switch_vs_stay"] = switch_vs_stay(of)
    if with_market:
        try:
            out.update(market.position(of))
        except MlsalaryError as e:  # no data loaded, or a profile without support: say why, keep the rest
            out["market"] = {"available": False, "reason": str(e)}
            out["negotiation"] = {"available": False, "reason": str(e)}
    return out


def check_metro(of: schema.OfferFile) -> None:
    """An OfferError naming profile.metro when it is not a metro of the loaded OEWS data (with no OEWS metros loaded
    it cannot be checked: the market section then says why it is unavailable)."""
    from mlsalary import wages
    from mlsalary.errors import InputError, NotFound, StoreError

    if of.profile is None or of.profile.metro is None:
        return
    try:
        wages.metro(of.profile.metro, field="profile.metro")
    except (NotFound, StoreError):
        return
    except InputError as e:
        raise schema.OfferError(str(e), "profile.metro") from None


def evaluate_offer(
    path: Path, discount_rate: float = 0.05, growth: float = 0.10, with_market: bool = True
) -> dict[str, Any]:
    """evaluate() for an offer file."""
    return evaluate(schema.load(path), discount_rate, growth, with_market)


#: The figures of each offer that offers are compared on, side by side.
COMPARED = ("year_one_total", "average_total_4y", "present_value", "equity_p50")


def comparison(results: list[dict[str, Any]]) -> dict[str, Any]:
    """Evaluated offers side by side in one currency (the first offer's): an offer paid in another is converted at
    the latest full year's average ECB rates, as switch vs stay converts the current job — never two currencies on one
    axis. The same answer for `offer compare`, /api/v1/offer/compare, the offer page and its chart."""
    from mlsalary.normalize import money

    currency = str(results[0]["currency"])
    others = sorted({str(r["currency"]) for r in results} - {currency})
    year = money.latest_rate_year() if others else None
    rows = []
    for r in results:
        own = str(r["currency"])
        factor = 1.0 if own == currency else money.usd_per_unit(own, year) / money.usd_per_unit(currency, year)
        values = {"year_one_total": r["year_one_total"], "average_total_4y": r["average_total_4y"],
                  "present_value": r["present_value"], "equity_p50": r["scenarios"]["monte_carlo"]["p50"]}
        market = r.get("market") or {}
        rows.append({"company": r["company"], "currency": own, "factor": factor,
                     **{k: round(v * factor) for k, v in values.items()},
                     "market": market.get("verdict") if market.get("available") else None})  # fmt: skip
    text = None
    if others:
        rates = "; ".join(f"{f:,.4f} {currency} per {cur}" for cur, f in
                          sorted({(row["currency"], row["factor"]) for row in rows if row["currency"] != currency}))
        text = f"in {currency}: {rates}, the average ECB reference rates of {year}"
    return {"currency": currency, "year": year, "conversion": text, "offers": rows}


#: What a purchasing-power comparison leaves out (said wherever it is shown).
PPP_LEAVES_OUT = ("PPP compares the average price level of whole economies: it leaves out income tax and social "
                  "contributions, and your own costs (rent where you would live, family, moving)")  # fmt: skip


def switch_vs_stay(of: schema.OfferFile) -> dict[str, Any]:
    """Switch vs stay in the offer's currency (the current job converted at the latest full year's average ECB
    rate when it is paid in another), and, when the two jobs are in different countries, the same in international
    dollars (World Bank PPP) — or why that view is missing."""
    from mlsalary.normalize import geo, money

    assert of.current is not None
    offer_cur = of.offer.currency
    stay_cur = of.current.currency or offer_cur
    if stay_cur == offer_cur:
        out = compute.switch_vs_stay(of.offer, of.current)
        out["currency"] = offer_cur
    else:
        year = money.latest_rate_year()
        factor = money.usd_per_unit(stay_cur, year) / money.usd_per_unit(offer_cur, year)
        out = compute.switch_vs_stay(of.offer, of.current, stay_factor=factor)
        out["currency"] = offer_cur
        out["conversion"] = (f"the current job's {stay_cur} converted at {factor:,.4f} {offer_cur} per {stay_cur}, "
                             f"the average ECB reference rates of {year}")  # fmt: skip
    offer_country = geo.to_iso2(of.profile.country) if of.profile else None
    stay_country = geo.to_iso2(of.current.country) if of.current.country else offer_country
    if offer_country and stay_country and offer_country != stay_country:
        out["ppp"] = _ppp_view(of, offer_country, stay_country, stay_cur)
    return out


def _ppp_view(of: schema.OfferFile, offer_country: str, stay_country: str, stay_cur: str) -> dict[str, Any]:
    from mlsalary.normalize import money

    year = money.ppp_year()
    try:
        to_intl = {c: money.usd_to_international(1.0, c, year) for c in {offer_country, stay_country}}
        assert of.current is not None
        leave = money.usd_per_unit(of.offer.currency, year) * to_intl[offer_country]
        stay = money.usd_per_unit(stay_cur, year) * to_intl[stay_country]
    except (money.ConversionError, KeyError):
        kept = ", ".join(sorted(money.PPP_CURRENCIES))
        return {"available": False, "reason": f"no World Bank PPP factor kept for {offer_country} or {stay_country} "
                f"(kept: {kept})", "leaves_out": PPP_LEAVES_OUT}  # fmt: skip
    view = compute.switch_vs_stay(of.offer, of.current, stay_factor=stay, leave_factor=leave)
    return {"available": True, "unit": f"international dollars of {year} (World Bank PPP)", "year": year,
            "countries": {"offer": offer_country, "current": stay_country}, **view,
            "leaves_out": PPP_LEAVES_OUT, "attribution": money.PPP_ATTRIBUTION}  # fmt: skip

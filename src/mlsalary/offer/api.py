"""The whole evaluation of one offer (the JSON of `mlsalary offer FILE --json`, /api/v1/offer/evaluate and the
offer page)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mlsalary.errors import MlsalaryError
from mlsalary.offer import compute, market, schema

#: The amounts of an offer's terms, by where they sit (OfferTerms and its tables): what shown_in converts. A
#: conformance test checks that every amount field of those models is listed.
MONEY_FIELDS: dict[str, tuple[str, ...]] = {
    "": ("base", "sign_on"),
    "equity": ("grant_value", "share_price", "strike"),
    "refresher": ("yearly_value",),
    "benefits": ("espp_contribution", "other_yearly_value"),
}


def shown_in(of: schema.OfferFile, currency: str | None) -> tuple[schema.OfferFile, str | None]:
    """The offer with its terms' amounts converted into `currency` at the latest full year's average ECB rates (as
    offers are compared), and the note that says so — or the offer as it is, when it is already in that currency.
    Everything evaluated from it (years, scenarios, market, negotiation, switch vs stay) is then in that currency."""
    from pydantic import ValidationError

    from mlsalary.errors import InputError
    from mlsalary.normalize import money

    if currency is None:
        return of, None
    currency = money.require_currency(currency, "show_in")
    own = of.offer.currency
    if currency == own:
        return of, None
    year = money.latest_rate_year()
    factor = money.units_per(currency, own, year)
    data = of.model_dump(exclude_unset=True)
    terms = data["offer"]
    for where, names in MONEY_FIELDS.items():
        table = terms if not where else terms.get(where)
        for name in names if table is not None else ():
            if table.get(name) is not None:
                table[name] = table[name] * factor
    terms["currency"] = currency
    if data.get("current") is not None and data["current"].get("currency") is None:
        data["current"]["currency"] = own  # "the offer's currency" meant the one it was written in
    note = (f"Shown in {currency}: the offer's {own} amounts converted at {factor:,.4f} {currency} per {own}, the "
            f"average ECB reference rates of {year}")  # fmt: skip
    try:
        return schema.OfferFile.model_validate(data), note
    except ValidationError:  # an amount past the largest allowed once converted (a billion units)
        raise InputError(f"show_in: the offer's amounts in {currency} pass the largest amount allowed "
                         f"({schema.MAX_AMOUNT:,.0f}); show it in another currency", "show_in") from None


def evaluate(
    of: schema.OfferFile, discount_rate: float = 0.05, growth: float = 0.10, with_market: bool = True,
    show_in: str | None = None,
) -> dict[str, Any]:
    """Year by year, scenarios, switch vs stay, market position and negotiation for a validated offer (in
    `show_in`'s currency when given: shown_in)."""
    check_metro(of)
    paid_in = of.offer.currency
    of, shown = shown_in(of, show_in)
    out = compute.evaluate(of.offer, discount_rate=discount_rate, growth=growth)
    if shown:
        out["shown_in"] = shown
        out["paid_in"] = paid_in  # `currency` is the one shown; a comparison says which each offer is paid in
    if of.profile is not None:  # where the job is: offers in different countries are also compared in PPP
        from mlsalary.normalize import geo

        out["country"] = geo.to_iso2(of.profile.country)
    if of.current is not None:
        out["switch_vs_stay"] = switch_vs_stay(of, paid_in)
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
    path: Path, discount_rate: float = 0.05, growth: float = 0.10, with_market: bool = True,
    show_in: str | None = None,
) -> dict[str, Any]:
    """evaluate() for an offer file."""
    return evaluate(schema.load(path), discount_rate, growth, with_market, show_in)


def comparison(results: list[dict[str, Any]]) -> dict[str, Any]:
    """Evaluated offers side by side in one currency (the first offer's): an offer paid in another is converted at
    the latest full year's average ECB rates, as switch vs stay converts the current job — never two currencies on one
    axis. The same answer for `offer compare`, /api/v1/offer/compare, the offer page and its chart."""
    from mlsalary.normalize import money

    currency = str(results[0]["currency"])
    paid = [str(r.get("paid_in", r["currency"])) for r in results]  # shown in another (--in): paid in this one
    others = sorted(set(paid) - {currency})
    year = money.latest_rate_year() if others else None
    rows = []
    for r, own in zip(results, paid, strict=True):
        shown = str(r["currency"])  # what its amounts are in; `factor` brings them into `currency`
        factor = 1.0 if shown == currency or year is None else money.units_per(currency, shown, year)
        values = {"year_one_total": r["year_one_total"], "average_total_4y": r["average_total_4y"],
                  "present_value": r["present_value"], "equity_p50": r["scenarios"]["monte_carlo"]["p50"]}
        market = r.get("market") or {}
        rows.append({"company": r["company"], "currency": own, "factor": factor,
                     **{k: round(v * factor) for k, v in values.items()},
                     "market": market.get("verdict") if market.get("available") else None})  # fmt: skip
    text = None
    if year is not None:
        rates = "; ".join(f"{money.units_per(currency, cur, year):,.4f} {currency} per {cur}" for cur in others)
        text = f"in {currency}: {rates}, the average ECB reference rates of {year}"
    out: dict[str, Any] = {"currency": currency, "year": year, "conversion": text, "offers": rows}
    countries = [r.get("country") for r in results]
    if all(countries) and len(set(countries)) > 1:  # pay in different countries: the same at their price levels
        out["ppp"] = _ppp_side(results, paid)
    return out


def _ppp_side(results: list[dict[str, Any]], paid: list[str]) -> dict[str, Any]:
    """Offers in different countries side by side in international dollars (World Bank PPP), each from the currency
    it is paid in (_international), as switch vs stay converts a current job abroad — or why that view is missing."""
    from mlsalary.normalize import money

    year = money.ppp_year()
    rows = []
    for r, cur in zip(results, paid, strict=True):
        country = str(r["country"])
        try:
            factor = _international(str(r["currency"]), cur, country, year)
        except money.ConversionError:
            return _no_ppp(country)
        rows.append({"company": r["company"], "country": country, "year_one_total": round(r["year_one_total"] * factor),
                     "average_total_4y": round(r["average_total_4y"] * factor)})  # fmt: skip
    return {**_ppp(year), "offers": rows}


def _international(amounts_in: str, paid_in: str, country: str, year: int) -> float:
    """International dollars (World Bank PPP of `year`) per unit of an amount in `amounts_in` earned in `country`
    and paid in `paid_in`: an amount shown in another currency (--in) is first taken back at the rate that converted
    it (shown_in), so that a PPP view does not move with the currency asked. money.ConversionError without a kept
    PPP factor for the country."""
    from mlsalary.normalize import money

    back = 1.0 if amounts_in == paid_in else money.units_per(paid_in, amounts_in, money.latest_rate_year())
    return back * money.usd_per_unit(paid_in, year) * money.usd_to_international(1.0, country, year)


def _ppp(year: int) -> dict[str, Any]:
    """What every PPP view says of itself."""
    from mlsalary.normalize import money

    return {"available": True, "unit": f"international dollars of {year} (World Bank PPP)", "year": year,
            "leaves_out": PPP_LEAVES_OUT, "attribution": money.PPP_ATTRIBUTION}


def _no_ppp(*countries: str) -> dict[str, Any]:
    """A PPP view that cannot be formed, and why."""
    from mlsalary.normalize import money

    kept = ", ".join(sorted(money.PPP_CURRENCIES))
    return {"available": False, "reason": f"no World Bank PPP factor kept for {' or '.join(countries)} (kept: {kept})",
            "leaves_out": PPP_LEAVES_OUT}


#: What a purchasing-power comparison leaves out (said wherever it is shown).
PPP_LEAVES_OUT = ("PPP compares the average price level of whole economies: it leaves out income tax and social "
                  "contributions, and your own costs (rent where you would live, family, moving)")  # fmt: skip


def switch_vs_stay(of: schema.OfferFile, paid_in: str | None = None) -> dict[str, Any]:
    """Switch vs stay in the offer's currency (the current job converted at the latest full year's average ECB
    rate when it is paid in another), and, when the two jobs are in different countries, the same in international
    dollars (World Bank PPP) — or why that view is missing. `paid_in`: the currency the offer is paid in, when its
    amounts were converted into another (shown_in; default: the offer's own)."""
    from mlsalary.normalize import geo, money

    assert of.current is not None
    offer_cur = of.offer.currency
    stay_cur = of.current.currency or offer_cur
    if stay_cur == offer_cur:
        out = compute.switch_vs_stay(of.offer, of.current)
        out["currency"] = offer_cur
    else:
        year = money.latest_rate_year()
        factor = money.units_per(offer_cur, stay_cur, year)
        out = compute.switch_vs_stay(of.offer, of.current, stay_factor=factor)
        out["currency"] = offer_cur
        out["conversion"] = (f"the current job's {stay_cur} converted at {factor:,.4f} {offer_cur} per {stay_cur}, "
                             f"the average ECB reference rates of {year}")  # fmt: skip
    offer_country = geo.to_iso2(of.profile.country) if of.profile else None
    stay_country = geo.to_iso2(of.current.country) if of.current.country else offer_country
    if offer_country and stay_country and offer_country != stay_country:
        out["ppp"] = _ppp_view(of, offer_country, stay_country, stay_cur, paid_in or offer_cur)
    return out


def _ppp_view(of: schema.OfferFile, offer_country: str, stay_country: str, stay_cur: str,
              paid_in: str) -> dict[str, Any]:  # fmt: skip
    from mlsalary.normalize import money

    assert of.current is not None
    year = money.ppp_year()
    try:
        leave = _international(of.offer.currency, paid_in, offer_country, year)
        stay = _international(stay_cur, stay_cur, stay_country, year)
    except money.ConversionError:
        return _no_ppp(offer_country, stay_country)
    view = compute.switch_vs_stay(of.offer, of.current, stay_factor=stay, leave_factor=leave)
    return {**_ppp(year), "countries": {"offer": offer_country, "current": stay_country}, **view}

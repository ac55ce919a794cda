"""Year-by-year pay of an offer, and what its equity may be worth.

When each component pays (month 1 = the first month of the job):

- **Base**: 12 monthly payments a year; from year 2 it grows by ``base_raise_pct`` a year (0 by default).
- **Bonus**: ``bonus_target_pct`` of that year's base, paid at the end of each year (month 12, 24, ...).
- **Sign-on**: paid in month 1; repaid if you leave before ``sign_on_clawback_months``.
- **Equity**: year k's percentage of the grant vests in equal parts at the end of each period of that year
  (``monthly``: every month; ``quarterly``: months 3, 6, 9, 12; ``annual``: month 12). Nothing vests before the
  cliff: what would have vested by then vests at the cliff month (month 12 for a 1-year cliff).
- **Refreshers**: a new grant of ``yearly_value`` at each anniversary (months 13, 25, ...), on its own schedule and
  cliff, counted from its grant.
- **Benefits**: retirement match = match % of base; ESPP gain = contribution x discount / (100 - discount) (shares
  bought at a discount, sold at once); other yearly value as given.
- **Equity value**: RSUs at the share price (constant unless a scenario moves it); options at (price - strike) per
  vested share, never below 0; private-company RSUs at their claimed value *and* at a risk-adjusted value (the
  claimed value less ``risk_haircut_pct``, 50% by default: no market to sell in, and the company may fail or raise
  at a lower price). Private equity is never counted as cash: ``total`` uses its risk-adjusted value, ``cash``
  excludes all equity.
- **Present value**: each year's total discounted to today at the chosen rate, as if paid at the year's end.

Amounts are kept unrounded; only displays round them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from mlsalary.offer.schema import Current, Equity, Grant, OfferTerms

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

PERIOD_MONTHS = {"monthly": 1, "quarterly": 3, "annual": 12}


def vest_fractions(grant: Grant, months: int) -> list[float]:
    """Fraction of a grant vesting in each month 1..months (index 0 = month 1), cliff applied."""
    pct = grant.percentages()
    step = PERIOD_MONTHS[grant.frequency]
    out = [0.0] * months
    for year, p in enumerate(pct):
        per = p / 100 / (12 // step)
        for k in range(step, 13, step):
            m = year * 12 + k  # the month this part vests
            if m <= months:
                out[m - 1] += per
    cliff = grant.cliff_months
    if cliff > 0:
        held = sum(out[: min(cliff, months)])
        for i in range(min(cliff, months)):
            out[i] = 0.0
        if cliff <= months:
            out[cliff - 1] = held
    return out


@dataclass
class Year:
    year: int
    base: float
    bonus: float
    sign_on: float
    equity: float  # initial grant vesting this year (private: risk-adjusted)
    refresher: float
    benefits: float
    total: float
    cash: float  # base + bonus + sign-on + benefits: no equity
    equity_claimed: float  # initial grant at its claimed value (differs from equity for private RSUs)


def _value_per_share(equity: Equity | None, price: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    import numpy as np

    if equity is not None and equity.kind == "options":
        return np.maximum(price - (equity.strike or 0.0), 0.0)
    return price


def equity_by_month(
    offer: OfferTerms, months: int, growth: float = 0.0, claimed: bool = False
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """(initial grant, refreshers) value vesting in each month with the share price growing `growth` a year."""
    import numpy as np

    eq = offer.equity
    start_price = eq.price() if eq is not None else 1.0
    price = start_price * (1 + growth) ** (np.arange(1, months + 1) / 12)
    value = _value_per_share(eq, price)
    grant = np.zeros(months)
    refresh = np.zeros(months)
    if eq is not None:
        grant = eq.share_count() * np.array(vest_fractions(eq, months)) * value
    if offer.refresher is not None:
        fractions = np.array(vest_fractions(offer.refresher, months))
        for anniversary in range(1, (months - 1) // 12 + 1):
            shift = anniversary * 12  # granted at the start of year anniversary + 1
            shares = offer.refresher.yearly_value / (start_price * (1 + growth) ** anniversary)
            refresh += shares * np.concatenate([np.zeros(shift), fractions[: months - shift]]) * value
    if eq is not None and eq.kind == "private_rsu" and not claimed:
        kept = 1 - eq.risk_haircut_pct / 100
        return grant * kept, refresh * kept
    return grant, refresh


def years(offer: OfferTerms, n_years: int = 4, growth: float = 0.0) -> list[Year]:
    """The offer year by year (at least 4 years)."""
    months = 12 * n_years
    grant, refresh = equity_by_month(offer, months, growth)
    claimed, _ = equity_by_month(offer, months, growth, claimed=True)
    b = offer.benefits
    out = []
    for y in range(1, n_years + 1):
        base = offer.base * (1 + offer.base_raise_pct / 100) ** (y - 1)
        bonus = base * offer.bonus_target_pct / 100
        sign_on = offer.sign_on if y == 1 else 0.0
        benefits = 0.0
        if b is not None:
            espp = b.espp_contribution * b.espp_discount_pct / (100 - b.espp_discount_pct)
            benefits = base * b.retirement_match_pct / 100 + espp + b.other_yearly_value
        sl = slice(12 * (y - 1), 12 * y)
        eq, rf, eq_claimed = float(grant[sl].sum()), float(refresh[sl].sum()), float(claimed[sl].sum())
        cash = base + bonus + sign_on + benefits
        out.append(Year(y, base, bonus, sign_on, eq, rf, benefits, cash + eq + rf, cash, eq_claimed))
    return out


def present_value(rows: list[Year], rate: float) -> float:
    return sum(r.total / (1 + rate) ** r.year for r in rows)


def monte_carlo(
    offer: OfferTerms,
    n_years: int = 4,
    drift: float = 0.07,
    volatility: float = 0.35,
    runs: int = 10_000,
    seed: int = 0,
) -> dict[str, float]:
    """p10 / p50 / p90 of the equity (grant and refreshers) vesting over n_years, the share price following a
    lognormal path (monthly steps, yearly drift and volatility), seeded."""
    import numpy as np

    eq = offer.equity
    if eq is None:
        return {"p10": 0.0, "p50": 0.0, "p90": 0.0}
    months = 12 * n_years
    rng = np.random.default_rng(seed)
    dt = 1 / 12
    steps = rng.normal((drift - volatility**2 / 2) * dt, volatility * np.sqrt(dt), size=(runs, months))
    price = eq.price() * np.exp(np.cumsum(steps, axis=1))  # (runs, months)
    fractions = np.array(vest_fractions(eq, months))
    value = (eq.share_count() * fractions[None, :] * _value_per_share(eq, price)).sum(axis=1)
    if offer.refresher is not None:
        r_fracs = np.array(vest_fractions(offer.refresher, months))
        for anniversary in range(1, n_years):
            shift = anniversary * 12
            shares = offer.refresher.yearly_value / price[:, shift - 1]
            f = np.concatenate([np.zeros(shift), r_fracs[: months - shift]])
            value += (shares[:, None] * f[None, :] * _value_per_share(eq, price)).sum(axis=1)
    if eq.kind == "private_rsu":
        value = value * (1 - eq.risk_haircut_pct / 100)
    p10, p50, p90 = np.quantile(value, [0.1, 0.5, 0.9])
    return {"p10": float(p10), "p50": float(p50), "p90": float(p90), "drift": drift, "volatility": volatility,
            "runs": runs, "seed": seed}  # fmt: skip


def evaluate(
    offer: OfferTerms, n_years: int = 4, discount_rate: float = 0.05, growth: float = 0.10, seed: int = 0
) -> dict[str, Any]:
    """Year by year, year one vs the 4-year average, present value, and equity scenarios."""
    rows = years(offer, n_years)
    four = rows[:4]
    scenarios: dict[str, Any] = {}
    for name, r in (
        ("flat", rows),  # the year-by-year rows already hold the share price flat
        (f"growing {growth:.0%} a year", years(offer, n_years, growth)),
        (f"shrinking {growth:.0%} a year", years(offer, n_years, -growth)),
    ):
        scenarios[name] = sum(y.equity + y.refresher for y in r[:4])
    scenarios["monte_carlo"] = monte_carlo(offer, 4, seed=seed)
    out: dict[str, Any] = {
        "company": offer.company,
        "currency": offer.currency,
        "years": [asdict(r) for r in rows],
        "year_one_total": rows[0].total,
        "average_total_4y": sum(r.total for r in four) / len(four),
        "present_value": present_value(rows, discount_rate),
        "discount_rate": discount_rate,
        "scenarios": scenarios,
    }
    if offer.equity is not None and offer.equity.kind == "private_rsu":
        out["private_equity"] = {
            "claimed_4y": sum(r.equity_claimed for r in four),
            "risk_adjusted_4y": sum(r.equity for r in four),
            "haircut_pct": offer.equity.risk_haircut_pct,
            "note": "private-company equity is not cash: it cannot be sold until a sale or IPO and may be worth "
            "nothing; totals use the risk-adjusted value",
        }
    if offer.sign_on and offer.sign_on_clawback_months:
        out["sign_on_note"] = (
            f"the sign-on of {offer.sign_on:,.0f} is repaid if you leave within {offer.sign_on_clawback_months} months"
        )
    return out


def stay_years(current: Current, n_years: int) -> list[float]:
    """Yearly totals if you stay: base with the expected raise, bonus, the unvested equity vesting evenly, and
    refreshers granted yearly from the first anniversary, each vesting evenly over 4 years."""
    out = []
    for y in range(1, n_years + 1):
        base = current.base * (1 + current.raise_pct / 100) ** (y - 1)
        equity = current.unvested_equity / current.unvested_years if y <= current.unvested_years else 0.0
        refreshers = current.refresher_yearly_value / 4 * min(max(y - 1, 0), 4)
        out.append(base * (1 + current.bonus_target_pct / 100) + equity + refreshers)
    return out


def switch_vs_stay(offer: OfferTerms, current: Current, n_years: int = 4, stay_factor: float = 1.0,
                   leave_factor: float = 1.0) -> dict[str, Any]:  # fmt: skip
    """Cumulative pay of taking the offer vs staying, year by year, and the year the offer pulls ahead. The current
    job's amounts are multiplied by `stay_factor` and the offer's by `leave_factor` (a currency conversion, or
    PPP), so both are in one unit."""
    leave = [y.total * leave_factor for y in years(offer, n_years)]
    stay = [v * stay_factor for v in stay_years(current, n_years)]
    rows, cum_leave, cum_stay, break_even = [], 0.0, 0.0, None
    for i in range(n_years):
        cum_leave += leave[i]
        cum_stay += stay[i]
        if break_even is None and cum_leave >= cum_stay:
            break_even = i + 1
        rows.append({"year": i + 1, "offer": leave[i], "stay": stay[i], "offer_cumulative": cum_leave,
                     "stay_cumulative": cum_stay})  # fmt: skip
    return {
        "years": rows,
        "break_even_year": break_even,
        "forfeited_equity": current.unvested_equity * stay_factor,
        "verdict": (
            f"the offer pulls ahead in year {break_even}" if break_even else f"staying pays more over {n_years} years"
        ),
    }

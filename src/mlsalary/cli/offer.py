"""`mlsalary offer FILE` and `mlsalary offer compare A B …`: what an offer is really worth, year by year."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from mlsalary.cli.output import amount, console, print_json


def register(app: typer.Typer) -> None:
    app.command(name="offer")(offer)


def offer(
    files: Annotated[list[str], typer.Argument(help="An offer file (TOML), or: compare A.toml B.toml …")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    discount_rate: Annotated[float, typer.Option("--discount-rate", help="Yearly rate for present value.")] = 0.05,
    growth: Annotated[float, typer.Option("--growth", help="Share price change a year in the scenarios.")] = 0.10,
    market: Annotated[bool, typer.Option("--market/--no-market", help="Compare with the market estimate.")] = True,
    html: Annotated[Path | None, typer.Option("--html", help="Also write an HTML page with a chart here.")] = None,
    show_in: Annotated[str | None, typer.Option("--in", help="Show every amount in this currency (ISO 4217, e.g. "
                                                "EUR), converted at the latest ECB rates.")] = None,
) -> None:
    """An offer year by year (cash, vested equity, refreshers, benefits), year one vs the 4-year average, present
    value, equity scenarios (flat, up, down, Monte Carlo), market position and negotiation. The file format is in
    docs/offer.md; examples in examples/.

    Example: mlsalary offer examples/offer.toml --html offer.html
    """
    from mlsalary.offer.api import evaluate_offer
    from mlsalary.offer.schema import OfferError

    compare = bool(files) and files[0] == "compare"
    paths = [Path(f) for f in (files[1:] if compare else files)]
    if compare and len(paths) < 2:
        raise OfferError("offer compare needs two or more offer files")
    if not compare and len(paths) != 1:
        raise OfferError("give one offer file, or: mlsalary offer compare A.toml B.toml …")
    results = [evaluate_offer(p, discount_rate, growth, with_market=market, show_in=show_in) for p in paths]
    if html is not None:
        from mlsalary.files import write_text
        from mlsalary.offer.html import page

        write_text(html, page(results))
        typer.echo(f"wrote {html}", err=True)
    if as_json:
        from mlsalary.offer.api import comparison

        print_json({"offers": results, "comparison": comparison(results)} if compare else results[0])
        return
    if compare:
        _compare_table(results)
    else:
        _one(results[0])


def _money(v: float) -> str:
    return f"{v:,.0f}"


#: The year-by-year columns: (header, key). A column that is zero in every year is left out, so the totals fit.
YEAR_COLUMNS = (("base", "base"), ("bonus", "bonus"), ("sign-on", "sign_on"), ("equity", "equity"),
                ("refresh-\ners", "refresher"), ("bene-\nfits", "benefits"), ("total", "total"),
                ("cash", "cash"))  # fmt: skip


def _one(r: dict[str, Any]) -> None:
    from rich import box
    from rich.table import Table

    cols = [(h, k) for h, k in YEAR_COLUMNS if k in ("total", "cash") or any(y[k] for y in r["years"])]
    t = Table(title=f"{r['company']} — year by year ({r['currency']})", box=box.SIMPLE_HEAD, padding=(0, 0, 0, 1),
              show_edge=False)  # fmt: skip
    t.add_column("year", justify="right", no_wrap=True)
    for h, k in cols:
        t.add_column(h, justify="right", no_wrap=True, min_width=len(_money(max(y[k] for y in r["years"]))))
    for y in r["years"]:
        t.add_row(str(y["year"]), *(_money(y[k]) for _, k in cols))
    out = console()
    out.print(t)
    if r.get("shown_in"):
        out.print(f"{r['shown_in']}.", markup=False)
    out.print(
        f"year one {_money(r['year_one_total'])} · 4-year average {_money(r['average_total_4y'])} (the number "
        f"recruiters quote) · present value {_money(r['present_value'])} at {r['discount_rate']:.0%}"
    )
    sc = r["scenarios"]
    mc = sc["monte_carlo"]
    flat = [f"{k}: {_money(v)}" for k, v in sc.items() if k != "monte_carlo"]
    out.print("4-year equity: " + " · ".join(flat))
    out.print(f"Monte Carlo ({mc.get('runs', 0):,} runs, seed {mc.get('seed', 0)}): p10 {_money(mc['p10'])}, "
              f"p50 {_money(mc['p50'])}, p90 {_money(mc['p90'])}")  # fmt: skip
    if "switch_vs_stay" in r:
        sw = r["switch_vs_stay"]
        out.print(
            f"switch vs stay: {sw['verdict']} (leaving forfeits {_money(sw['forfeited_equity'])} {sw['currency']} of "
            "unvested equity)", markup=False
        )
        if sw.get("conversion"):
            out.print(f"  in {sw['currency']}: {sw['conversion']}", markup=False)
        ppp = sw.get("ppp")
        if ppp and ppp["available"]:
            out.print(f"  in purchasing power ({ppp['unit']}): {ppp['verdict']}; {ppp['leaves_out']}", markup=False)
        elif ppp:
            out.print(f"  in purchasing power: not available — {ppp['reason']}", markup=False)
    for note in (r.get("private_equity", {}).get("note"), r.get("sign_on_note")):
        if note:
            out.print(f"[yellow]note:[/] {note}")
    from mlsalary import disclosure

    m = r.get("market", {})
    if m.get("available"):
        cur = m["currency"]
        rate = f"; {m['conversion']['text']}" if cur != "USD" else ""
        out.print(f"market: base {amount(m['base'], cur)} is {m['verdict']} ({m['where']}); 50% range "
                  f"{amount(m['range_50'][0], cur)}–{amount(m['range_50'][1], cur)}, support "
                  f"{disclosure.said(m['support_n'], 'records')}"
                  + ("" if m["in_support"] else " (outside the data's support)") + rate,
                  markup=False)  # fmt: skip
        n = r["negotiation"]
        ask = (f"ask {amount(n['target_ask'], cur)} ({n['basis']})" if n["target_ask"] is not None
               else n["basis"])  # fmt: skip
        out.print(f"negotiation: {ask}; evidence: {n['evidence']}; {n['limits']}", markup=False)
        from mlsalary import age

        out.print("market data: " + "; ".join(f"{d['source']} {age.text(d)}" for d in m.get("data", [])),
                  markup=False)  # fmt: skip
    elif m:
        out.print(f"market: not available — {m['reason']}")


def _compare_table(results: list[dict[str, Any]]) -> None:
    """The offers side by side in one currency (offer.api.comparison: the first offer's; others converted)."""
    from rich.table import Table

    from mlsalary.offer.api import comparison

    side = comparison(results)
    cur = side["currency"]
    t = Table(title=f"Offers side by side, in {cur}")
    t.add_column("", no_wrap=True)  # the row labels and the numbers are never cut; a long company name wraps
    for row in side["offers"]:
        t.add_column(row["company"], justify="right")
    t.add_row("paid in", *(row["currency"] for row in side["offers"]))
    n_years = min(len(r["years"]) for r in results)
    for i in range(n_years):
        t.add_row(f"year {i + 1} total", *(_money(r["years"][i]["total"] * row["factor"])
                                           for r, row in zip(results, side["offers"], strict=True)))  # fmt: skip
    t.add_row("4-year average", *(_money(row["average_total_4y"]) for row in side["offers"]))
    t.add_row("present value", *(_money(row["present_value"]) for row in side["offers"]))
    t.add_row("equity p50 (Monte Carlo)", *(_money(row["equity_p50"]) for row in side["offers"]))
    t.add_row("market", *(row["market"] or "—" for row in side["offers"]))
    out = console()
    out.print(t)
    if side["conversion"]:
        out.print(f"Amounts {side['conversion']}.", markup=False)
    ppp = side.get("ppp")
    if ppp and ppp["available"]:  # offers in different countries: the same at their price levels
        each = "; ".join(f"{o['company']} ({o['country']}) {_money(o['average_total_4y'])}" for o in ppp["offers"])
        out.print(f"4-year average at each country's prices, in {ppp['unit']}: {each}; {ppp['leaves_out']}.",
                  markup=False)  # fmt: skip
    elif ppp:
        out.print(f"In purchasing power: not available — {ppp['reason']}.", markup=False)

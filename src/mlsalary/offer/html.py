"""One self-contained HTML page for one or several offers: a stacked bar chart of each year's pay by component
(inline SVG, rendered offline like the report's charts) and the year-by-year table (report/templates/offer.html.j2)."""

from __future__ import annotations

from typing import Any

COMPONENTS = ("base", "bonus", "sign_on", "equity", "refresher", "benefits")


def chart_data(offers: list[dict[str, Any]]) -> tuple[list[str], list[dict[str, Any]], str]:
    """(the offers' labels, the chart's rows: offer, year, component and value, the unit): offers in several
    currencies are drawn in the first one's, converted as the side-by-side table converts them (api.comparison)."""
    from mlsalary.offer.api import comparison

    names = [r["company"] for r in offers]
    names = [f"{n} ({i})" if names.count(n) > 1 else n for i, n in enumerate(names, start=1)]
    side = comparison(offers)
    rows = [
        {"offer": name, "year": f"year {y['year']}", "component": c, "value": y[c] * row["factor"]}
        for name, r, row in zip(names, offers, side["offers"], strict=True)
        for y in r["years"]
        for c in COMPONENTS
    ]
    return names, rows, side["currency"] + (", converted" if side["conversion"] else "")


def chart_svg(offers: list[dict[str, Any]]) -> str:
    """One offer: each year's pay by component. Several: each offer's pay over the years by component, one bar per
    offer, labelled and in the order of the comparison table."""
    import altair as alt
    import pandas as pd

    from mlsalary.report import charts

    names, rows, unit = chart_data(offers)
    if len(offers) == 1:
        x = alt.X("year:N", title=None, axis=alt.Axis(labelAngle=0))
        y_title = f"pay ({unit})"
    else:
        x = alt.X("offer:N", title=None, sort=names, axis=alt.Axis(labelAngle=-30))
        y_title = f"pay over {len(offers[0]['years'])} years ({unit})"
    chart = (
        alt.Chart(pd.DataFrame(rows))
        .mark_bar()
        .encode(
            x=x,
            y=alt.Y("sum(value):Q", title=y_title, axis=alt.Axis(format="~s")),
            color=alt.Color("component:N", sort=list(COMPONENTS)),
            tooltip=["offer", "year", "component", alt.Tooltip("value:Q", format=",.0f")],
        )
        .properties(width=charts.TREND_WIDTH, height=220)
    )
    totals: dict[str, float] = {}
    for r in rows:  # what each bar adds up to, in the order drawn
        key = r["year"] if len(offers) == 1 else r["offer"]
        totals[key] = totals.get(key, 0.0) + r["value"]
    desc = "; ".join(f"{k}: {v:,.0f}" for k, v in totals.items())
    return charts.to_svg(charts.legible(chart), title=y_title[0].upper() + y_title[1:], desc=f"{desc} ({unit})")


def page(offers: list[dict[str, Any]]) -> str:
    from mlsalary.offer.api import comparison
    from mlsalary.report.render import templates

    title = offers[0]["company"] if len(offers) == 1 else "Offers compared: " + ", ".join(r["company"] for r in offers)
    return (
        templates()
        .get_template("offer.html.j2")
        .render(title=title, offers=offers, components=COMPONENTS, svg=chart_svg(offers), side=comparison(offers))
    )

"""One self-contained HTML page for one or several offers: a stacked bar chart of each year's pay by component
(inline SVG, rendered offline like the report's charts) and the year-by-year table (report/templates/offer.html.j2)."""

from __future__ import annotations

from typing import Any

COMPONENTS = ("base", "bonus", "sign_on", "equity", "refresher", "benefits")


def chart_svg(offers: list[dict[str, Any]]) -> str:
    import altair as alt
    import pandas as pd

    from mlsalary.report import charts

    rows = [
        {"offer": r["company"], "year": f"year {y['year']}", "component": c, "value": y[c]}
        for r in offers
        for y in r["years"]
        for c in COMPONENTS
    ]
    chart = (
        alt.Chart(pd.DataFrame(rows))
        .mark_bar()
        .encode(
            x=alt.X("year:N", title=None),
            xOffset="offer:N" if len(offers) > 1 else alt.value(0),
            y=alt.Y("sum(value):Q", title="pay (" + str(offers[0].get("currency", "USD")) + ")"),
            color=alt.Color("component:N", sort=list(COMPONENTS)),
            tooltip=["offer", "year", "component", alt.Tooltip("value:Q", format=",.0f")],
        )
        .properties(width=520, height=260)
    )
    return charts.to_svg(chart)


def page(offers: list[dict[str, Any]]) -> str:
    from mlsalary.report.render import templates

    title = offers[0]["company"] if len(offers) == 1 else "Offers compared: " + ", ".join(r["company"] for r in offers)
    return (
        templates()
        .get_template("offer.html.j2")
        .render(title=title, offers=offers, components=COMPONENTS, svg=chart_svg(offers))
    )

"""Charts of a figure's breakdown: Altair (Vega-Lite) specs rendered to SVG offline by vl-convert (no CDN, no
browser). The web app uses the same functions."""

from __future__ import annotations

import os
from typing import Any

from mlsalary.figures.model import Figure

AXIS_TITLES = {"usd": "USD a year", "percent": "% vs national", "share": "%", "ratio": "ratio"}
#: Every chart is drawn to be read at its natural size on a phone (a 390 px screen leaves ~358 px): narrow plots,
#: group labels cut at LABEL_LIMIT px, and text of FONT px, so that it stays >= 11 px wherever it is shown.
FONT = 13
LABEL_LIMIT = 120
PLOT_WIDTH = 200  # bar charts: labels on the left take the rest
TREND_WIDTH = 270


def legible(chart: Any) -> Any:
    """The house configuration of every chart: font sizes and label limits fit for a phone."""
    return (
        chart.configure_axis(labelFontSize=FONT, titleFontSize=FONT, labelLimit=LABEL_LIMIT)
        .configure_legend(labelFontSize=FONT, titleFontSize=FONT, orient="bottom", columns=2, labelLimit=LABEL_LIMIT)
        .configure_title(fontSize=FONT + 1)
        .configure_view(stroke=None)
    )


def spec(fig: Figure) -> dict[str, object] | None:
    """The Vega-Lite spec of a figure's chart, or None when there is nothing to draw (fewer than two shown groups)."""
    import altair as alt
    import pandas as pd

    rows = [g for g in fig.groups if g.value is not None]
    if not fig.chart or len(rows) < 2:
        return None
    own = fig.value if fig.value_unit == fig.group_unit else None  # the group the figure's number is about
    df = pd.DataFrame(
        [{"group": g.label, "value": g.value, "low": g.ci_low, "high": g.ci_high, "n": g.n,
          "own": "this figure" if own is not None and g.value == own else "other groups",
          "mark": g.mark or "comparable"} for g in rows]
    )  # fmt: skip
    title = AXIS_TITLES.get(fig.group_unit, fig.group_unit)
    base = alt.Chart(df)
    tooltip = ["group", alt.Tooltip("value:Q", format=",.0f"), "n"]
    if fig.chart == "trend":
        chart = base.mark_line(point=True).encode(
            x=alt.X("group:O", title=None),
            y=alt.Y("value:Q", title=title, scale=alt.Scale(zero=False)),
            tooltip=[*tooltip, "mark"],
        )
        layers = [chart]
        marks = [m for m in dict.fromkeys(df["mark"]) if m != "comparable"]
        if marks:  # the years not comparable with the rest, marked and named in the legend
            legend = alt.Legend(orient="bottom", direction="vertical", labelLimit=TREND_WIDTH)
            domain = ["comparable", *marks]
            layers.append(base.mark_point(size=90, filled=True).encode(
                x="group:O", y="value:Q",
                shape=alt.Shape("mark:N", title=None, legend=legend, scale=alt.Scale(domain=domain)),
                color=alt.Color("mark:N", title=None, legend=legend,
                                scale=alt.Scale(domain=domain, range=["#1d5fa8", "#d9822b", "#888888"]))))
        if df["low"].notna().any():
            layers.append(base.mark_rule().encode(x="group:O", y="low:Q", y2="high:Q"))
        out = alt.layer(*layers).properties(width=TREND_WIDTH, height=200)
    else:
        y = alt.Y("group:N", sort=None, title=None)
        palette = alt.Scale(domain=["this figure", "other groups"], range=["#1d5fa8", "#a9c1de"])
        color = alt.Color("own:N", scale=palette, legend=None)
        bars = base.mark_bar().encode(y=y, x=alt.X("value:Q", title=title), color=color, tooltip=tooltip)
        layers = [bars]
        if df["low"].notna().any():
            layers.append(base.mark_rule(color="#222").encode(y=y, x="low:Q", x2="high:Q"))
        out = alt.layer(*layers).properties(width=PLOT_WIDTH, height=max(60, 26 * len(df)))
    result: dict[str, object] = legible(out).to_dict()
    return result


def svg(fig: Figure) -> str | None:
    """The chart as an SVG string (inline in the HTML report), or None. Its description lists what the bars show."""
    from mlsalary.figures.claims import formatter

    s = spec(fig)
    if s is None:
        return None
    fmt = formatter(fig.group_unit)
    shown = [g for g in fig.groups if g.value is not None]
    desc = "; ".join(f"{g.label}: {fmt(g.value)}" + (f" ({fmt(g.ci_low)} to {fmt(g.ci_high)})"
                     if g.ci_low is not None and g.ci_high is not None else "") for g in shown)  # fmt: skip
    return labelled(render(s), fig.question, f"{AXIS_TITLES.get(fig.group_unit, fig.group_unit)} by group: {desc}")


def to_svg(chart: object, *, title: str, desc: str) -> str:
    """An Altair chart as an SVG string, named and described for screen readers (every chart has both)."""
    return labelled(render(chart.to_dict()), title, desc)  # type: ignore[attr-defined]


def labelled(svg_: str, title: str, desc: str) -> str:
    """The SVG as an image with a name and a description: role="img" and an aria-label for screen readers, <title>
    (a tooltip) and <desc> inside. Both must say something."""
    import html

    if not svg_.startswith("<svg") or not title.strip() or not desc.strip():
        raise ValueError("a chart needs an <svg> root, a title and a description")
    t, d = html.escape(title, quote=True), html.escape(desc, quote=True)
    head, rest = svg_.split(">", 1)
    return f'{head} role="img" aria-label="{t}. {d}"><title>{t}</title><desc>{d}</desc>{rest}'


_RENDERER: Any = None


def render_in_subprocess() -> None:
    """Render from now on in one child process. The web server does this: a V8 engine (inside vl-convert) that has
    drawn many charts keeps working in the background, and on a 2-core machine that doubled the API's p99 latency.
    The child is stopped when the server stops and, whatever happened, when this process exits (an app made but
    never served — in tests — left its pool to be collected while the interpreter was torn down, which printed a
    traceback at exit)."""
    global _RENDERER
    if _RENDERER is None:
        import atexit
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        from mlsalary.children import exit_with_parent

        _RENDERER = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                                        initializer=exit_with_parent, initargs=(os.getpid(),))  # fmt: skip
        atexit.register(stop_rendering_in_subprocess)


def stop_rendering_in_subprocess() -> None:
    """End the child process (the web server does this as it stops); later charts are drawn in this process."""
    global _RENDERER
    if _RENDERER is not None:
        _RENDERER.shutdown()
        _RENDERER = None


def render(spec_: dict[str, Any]) -> str:
    """A Vega-Lite spec as SVG, by vl-convert (offline: no CDN, no browser)."""
    if _RENDERER is not None:
        text: str = _RENDERER.submit(_vl_svg, spec_).result()
        return text
    return _vl_svg(spec_)


def _vl_svg(spec_: dict[str, Any]) -> str:
    import vl_convert as vlc

    text: str = vlc.vegalite_to_svg(spec_)
    return text


def range_svg(quantiles: dict[str, float], title: str = "USD a year") -> str:
    """A pay range as a box: p10–p90 whiskers, the p25–p75 box and the median (estimate and explore pages)."""
    import altair as alt
    import pandas as pd

    q = {k: float(quantiles[k]) for k in ("p10", "p25", "p50", "p75", "p90")}
    df = pd.DataFrame([{"row": "", **q}])
    base = alt.Chart(df).encode(y=alt.Y("row:N", title=None, axis=None))
    x = alt.X("p10:Q", title=title, scale=alt.Scale(zero=False), axis=alt.Axis(format="~s", tickCount=6))
    whisker = base.mark_rule(color="#222").encode(x=x, x2="p90")
    box = base.mark_bar(color="#4c78a8", size=26).encode(x="p25:Q", x2="p75")
    median = base.mark_tick(color="white", thickness=3, size=26).encode(x="p50:Q")
    tips = [alt.Tooltip(f"{k}:Q", format=",.0f") for k in ("p10", "p25", "p50", "p75", "p90")]
    names = {"p10": "10th percentile", "p25": "25th", "p50": "median", "p75": "75th", "p90": "90th"}
    desc = ", ".join(f"{names[k]} {v:,.0f}" for k, v in q.items())
    chart = alt.layer(whisker, box, median.encode(tooltip=tips)).properties(width=TREND_WIDTH, height=50)
    return to_svg(legible(chart), title=f"The pay range, {title}", desc=desc)


def histogram_svg(bins: list[dict[str, float]], title: str = "USD a year") -> str | None:
    """Counts per pay bin (bins too small for a count are already left out); None without bins."""
    import altair as alt
    import pandas as pd

    if not bins:
        return None
    chart = (
        alt.Chart(pd.DataFrame(bins))
        .mark_bar(color="#4c78a8")
        .encode(
            x=alt.X("low:Q", bin="binned", title=title, axis=alt.Axis(format="~s")),
            x2="high:Q",
            y=alt.Y("count:Q", title="records"),
            tooltip=[alt.Tooltip("low:Q", format=",.0f"), alt.Tooltip("high:Q", format=",.0f"), "count:Q"],
        )
        .properties(width=TREND_WIDTH, height=180)
    )
    desc = "; ".join(f"{b['low']:,.0f} to {b['high']:,.0f}: {b['count']:,.0f}" for b in bins)
    return to_svg(legible(chart), title=f"Records by pay, {title}", desc=f"records per bin of pay: {desc}")

"""Writing the report: report.html (one self-contained file, charts as inline SVG), figures.md and figures.json."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from mlsalary.figures.catalogue import UNANSWERABLE
from mlsalary.figures.claims import DIFFERS, Verdict, formatter
from mlsalary.figures.model import Figure

TOPICS = {
    "levels": "Pay by level",
    "location": "Location",
    "remote": "Remote work",
    "industry": "Industry",
    "specialization": "Specialization",
    "skills": "Skills",
    "education": "Education",
    "company_size": "Company size and employers",
    "trends": "Trends",
    "negotiation": "Negotiation room",
}


def figures_json(figs: list[Figure]) -> dict[str, Any]:
    """The JSON of `mlsalary figures --json` (and figures.json): the documented keys first, then the details; and how
    counts are printed (`counts`: postings and filings rounded, mlsalary.disclosure)."""
    from mlsalary import disclosure

    return {"figures": [f.to_dict() for f in figs], "counts": disclosure.COUNTS_NOTE}


#: The columns of the figures' CSV (the API's /api/v1/figures.csv and figures.csv of `figures --out`).
CSV_COLUMNS = ("id", "question", "status", "value", "ci_low", "ci_high", "n", "unit", "value_unit", "sources",
               "period", "data_as_of", "age_months", "quote")  # fmt: skip


def figures_csv(figs: list[Figure]) -> str:
    import csv
    import io

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_COLUMNS)
    for f in figs:
        row = {**f.to_dict(), "sources": ";".join(f.sources)}
        w.writerow(["" if row[c] is None else row[c] for c in CSV_COLUMNS])
    return buf.getvalue()


def claims_json(verdicts: list[Verdict]) -> dict[str, Any]:
    return {"claims": [v.to_dict() for v in verdicts]}


def shown(f: Figure) -> str:
    """The headline as text: the number, or why there is none."""
    if f.status == "source_missing":
        return f"not yet public — {f.caveats[-1]}" if f.not_yet_public else f"source missing — run `{f.remedy}`"
    if f.status != "ok" or f.value is None:
        if f.smallest_group is None:
            return "suppressed (too few records)"
        return f"suppressed (its smallest group has {f.smallest_group} records)"
    text = formatter(f.value_unit)(f.value)
    if f.lower_bound_only:
        text = "≥ " + text
    return text


def ci_text(f: Figure) -> str:
    if f.status != "ok":
        return ""
    if f.ci_low is not None and f.ci_high is not None:
        fmt = formatter(f.value_unit)
        return f"95% interval {fmt(f.ci_low)} – {fmt(f.ci_high)}"
    if f.rse is not None:
        return f"published by BLS; relative standard error {f.rse:.1f}% (of the mean wage)"
    return "published by BLS" if f.published else ""


#: The duplicate policies in words (identifiers stay in JSON).
DUPLICATE_WORDS = {"one_per_group": "a record listed again counts once", "all_rows": "every listing counts"}


def years_text(years: list[int]) -> str:
    if not years:
        return ""
    return str(min(years)) if min(years) == max(years) else f"{min(years)}–{max(years)}"


def sources_of(loaded: dict[str, str], as_of: dict[str, Any]) -> list[dict[str, Any]]:
    """The loaded sources as the report's header shows them: name, version, data date, age and stale warning."""
    from mlsalary import age

    return [{"name": k, "version": v, **age.of_source(k, as_of.get(k))} for k, v in sorted(loaded.items())]


def source_text(s: dict[str, Any]) -> str:
    """'aijobs (2025-08-09; data as of 2025-08-03, 15 months old, final)'."""
    from mlsalary import age

    when = age.text(s)
    return f"{s['name']} ({s['version']}; data {when})" if when else f"{s['name']} ({s['version']})"


def needing(n: int, src: str) -> str:
    """"1 figure needs aijobs", "3 figures need aijobs" (the report's template says it alike)."""
    return f"{n} figure{'s' * (n != 1)} need{'s' * (n == 1)} {src}"


def missing_sources(figs: list[Figure]) -> list[tuple[str, int, str]]:
    """(source, figures waiting for it, how to get it) for every source a figure lacks."""
    found: dict[str, list[Figure]] = {}
    for f in figs:
        if f.status == "source_missing":
            found.setdefault(f.caveats[-1] if f.not_yet_public else f.remedy, []).append(f)
    return [(", ".join(sorted({s for f in fs for s in f.sources})), len(fs), remedy) for remedy, fs in found.items()]


def markdown(figs: list[Figure], verdicts: list[Verdict], sources: list[dict[str, Any]]) -> str:
    from mlsalary import disclosure

    lines = [f"# What machine learning engineers really earn: {len(figs)} figures", "",
             f"Computed {datetime.now(UTC):%Y-%m-%d} by mlsalary from: "
             + "; ".join(source_text(s) for s in sources) + ".", "",
             *[f"> **Data age:** {s['warning']}" for s in sources if s["warning"]],
             *[f"> **{needing(n, src)}:** {how}" for src, n, how in missing_sources(figs)], "",
             "Every number has its n, a 95% interval (or BLS's relative standard error), its sources and years. "
             "No number is shown for fewer than 30 records, and nothing at all for fewer than 5; "
             f"{disclosure.COUNTS_NOTE}.", ""]  # fmt: skip
    lines += [
        "| # | figure | value | interval | n | sources | years | status |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for i, f in enumerate(figs, start=1):
        lines.append(
            f"| {i} | {f.question} | {shown(f)} | {ci_text(f)} | {f.n if f.n is not None else ''} | "
            f"{', '.join(f.sources)} | {f.period} | {f.status} |"
        )  # fmt: skip
    lines += ["", "## The answers", ""]
    lines += [f"{i}. {f.headline}" for i, f in enumerate(figs, start=1)]
    lines += ["", "## Definitions and caveats", ""]
    for f in figs:
        lines.append(f"- **{f.id}**: {f.definition} {' '.join(f.caveats)}")
    lines += ["", "## Claims", "", "| claim | verdict | the numbers |", "| --- | --- | --- |"]
    lines += [f"| {v.cited} | {v.verdict} | {v.numbers} |" for v in verdicts]
    lines += ["", "## What open data cannot answer", ""]
    lines += [f"- **{q}** {why}" for q, why in UNANSWERABLE]
    return "\n".join(lines) + "\n"


@lru_cache(maxsize=1)
def _identifiers() -> dict[str, str]:
    """The data's identifiers (roles, industries, ML centrality, education …) and how a person reads them."""
    from mlsalary import schema

    words = {"ml": "ML", "ai": "AI", "mlops": "MLOps", "nlp": "NLP", "llm": "LLM", "genai": "GenAI"}
    out: dict[str, str] = {}
    for name in ("ROLES", "SPECIALIZATIONS", "EMPLOYMENT_TYPES", "EDUCATION_LEVELS", "INDUSTRIES", "ML_CENTRALITY",
                 "EXPERIENCE_BASES", "SKILL_CATEGORIES", "DUPLICATE_POLICIES"):  # fmt: skip
        for ident in getattr(schema, name):
            if "_" in ident:
                out[ident] = " ".join(words.get(w, w) for w in ident.split("_"))
    return out


def human(text: Any) -> str:
    """Text with the data's identifiers (tech_software, production_established …) in words: identifiers stay in
    JSON, people read words."""
    import re

    table = _identifiers()
    return re.sub(r"\b[a-z0-9]+(?:_[a-z0-9]+)+\b", lambda m: table.get(m.group(0), m.group(0)), str(text))


def templates() -> Any:
    """The Jinja2 environment of the report's templates (the web app adds its own in front)."""
    from jinja2 import Environment, PackageLoader, select_autoescape

    from mlsalary import disclosure
    from mlsalary.report.tables import stack

    # Every template is HTML (named *.html.j2): escape everything, whatever the extension says (a company name or a
    # file name from a shared file must never become markup).
    env = Environment(
        loader=PackageLoader("mlsalary", "report/templates"),
        autoescape=select_autoescape(default_for_string=True, default=True),
    )
    env.filters["human"] = human
    env.filters["stack"] = stack
    env.filters["count"] = disclosure.said  # a count already published, in words ("fewer than 30 …")
    return env


def figure_items(figs: list[Figure], svgs: dict[str, str | None] | None = None) -> dict[str, list[dict[str, Any]]]:
    """The figures as the cards of _figure.html.j2, grouped by topic, each with its chart as inline SVG (`svgs`:
    charts already drawn, by figure id — a server draws them in a child process)."""
    from mlsalary.report import charts

    sections: dict[str, list[dict[str, Any]]] = {}
    drawn: dict[tuple[Any, ...], int] = {}  # a chart already drawn (same groups and values) -> its figure's number
    # Within a topic the figures that have a number come first: an offline first run leads with what it has.
    order = sorted(enumerate(figs, start=1), key=lambda p: p[1].status == "source_missing")
    for i, f in order:
        key = tuple((g.label, g.value) for g in f.groups)
        same = drawn.get(key) if f.groups else None
        if f.status == "ok" and same is None and f.groups:
            drawn[key] = i
        sections.setdefault(TOPICS.get(f.topic, f.topic), []).append(
            {
                "n_": i,
                "f": f,
                "shown": shown(f),
                "ci": ci_text(f),
                "svg": (svgs[f.id] if svgs is not None and f.id in svgs else charts.svg(f))
                if f.status == "ok" and same is None
                else None,
                "chart_of": same,  # the number of the figure that draws the same chart
                "years": f.period or years_text(f.years),
                "fmt": formatter(f.group_unit),
                "quote": f.headline,
                "duplicates": DUPLICATE_WORDS.get(f.duplicate_policy or "", ""),
            }
        )
    return sections


def coverage(figs: list[Figure]) -> str:
    """How many figures have a number, and why the others have none — a source not loaded, or too few records: one
    sentence for the CLI, the report and the web page ("20 of 37 figures have enough data" hid that 15 lacked a
    source)."""
    ok = sum(f.status == "ok" for f in figs)
    later = sum(f.not_yet_public for f in figs)  # a vintage before their data
    missing = sum(f.status == "source_missing" for f in figs) - later
    thin = len(figs) - ok - missing - later
    parts = [f"{ok} of {len(figs)} figures have a number"]
    if missing:
        parts.append(f"{missing} need{'s' * (missing == 1)} a source that is not loaded")
    if later:
        parts.append(f"{later} need{'s' * (later == 1)} data not yet public by the date asked")
    if thin:
        parts.append(f"{thin} {'has' if thin == 1 else 'have'} too few records for one")
    return "; ".join(parts) + "."


def html(figs: list[Figure], verdicts: list[Verdict], sources: list[dict[str, Any]]) -> str:
    return templates().get_template("report.html.j2").render(
        sections=figure_items(figs), verdicts=verdicts, differs=DIFFERS, sources=sources, source_text=source_text,
        missing=missing_sources(figs), unanswerable=UNANSWERABLE,
        generated=f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC", coverage=coverage(figs), total=len(figs),
    )  # fmt: skip


def write(out_dir: Path, figs: list[Figure], verdicts: list[Verdict], sources: list[dict[str, Any]]) -> list[Path]:
    """Write report.html, figures.md and figures.json into out_dir (each atomically). Returns the paths.
    `sources`: the loaded sources with their data dates (sources_of)."""
    from mlsalary.files import write_text

    files = {
        "report.html": html(figs, verdicts, sources),
        "figures.md": markdown(figs, verdicts, sources),
        "figures.json": json.dumps(figures_json(figs) | claims_json(verdicts), indent=2, ensure_ascii=False) + "\n",
        "figures.csv": figures_csv(figs),
    }
    paths = []
    for name, text in files.items():
        p = out_dir / name
        write_text(p, text)
        paths.append(p)
    return paths

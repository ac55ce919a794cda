"""The server-rendered pages: figures (one permalink each), explore, estimate, claims and sources (the offer pages:
web/offers.py). Jinja2 templates in web/templates reuse the report's figure and offer partials and its chart
code (SVG rendered on the server, no CDN); web/static holds the stylesheet and a little JavaScript.

Bad input re-renders the form with a 4xx status and one line naming the field; a store without data says which
command loads it (503). Charts of the figures are rendered once per state of the database.
"""

from __future__ import annotations

import contextlib
import threading
from functools import partial
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from pydantic import ValidationError

from mlsalary import __version__, cache, disclosure
from mlsalary.errors import InputError, InsufficientData, MlsalaryError, ModelNotReady, NotFound, StoreError

router = APIRouter(include_in_schema=False)

_ENV: Any = None


def env() -> Any:
    global _ENV
    if _ENV is None:
        from jinja2 import ChoiceLoader, Environment, PackageLoader, select_autoescape

        _ENV = Environment(
            loader=ChoiceLoader(
                [PackageLoader("mlsalary", "web/templates"), PackageLoader("mlsalary", "report/templates")]
            ),
            autoescape=select_autoescape(default=True),
        )
        from mlsalary.report.render import human
        from mlsalary.report.tables import stack

        _ENV.globals.update(version=__version__, money="{:,.0f}".format, count_floor=disclosure.floor)
        _ENV.filters["human"] = human
        _ENV.filters["stack"] = stack
        _ENV.filters["count"] = disclosure.said  # a count already published, in words ("fewer than 30 …")
    return _ENV


def render(name: str, status: int = 200, **context: Any) -> HTMLResponse:
    return HTMLResponse(env().get_template(name).render(**context), status_code=status)


def status_of(exc: MlsalaryError) -> tuple[int, str]:
    """The HTTP status of a library error and the field it names: 503 for a missing store, 404 for an unknown
    thing, else 422."""
    if isinstance(exc, StoreError):
        return 503, "database"
    if isinstance(exc, ModelNotReady):
        return 503, "model"
    if isinstance(exc, NotFound):
        return 404, "path"
    return 422, "profile" if isinstance(exc, InsufficientData) else getattr(exc, "field", "body")


def error_page(exc: MlsalaryError) -> HTMLResponse:
    status, field = status_of(exc)
    return render("error.html.j2", status, title="Cannot answer that", field=field, message=str(exc))


def form_error(template: str, exc: MlsalaryError, **context: Any) -> HTMLResponse:
    """The form again, with one line naming the field the error is about."""
    status, field = status_of(exc)
    return render(template, status, **context, error=str(exc), field=field)


def figures() -> list[Any]:
    """The figures of the database as it is (for the API and the pages alike), once per state (mlsalary.cache)."""
    from mlsalary.figures.compute import compute_all

    return cache.cached("figures", compute_all)


def verdicts() -> list[Any]:
    """The claims checked against those figures."""
    from mlsalary.figures.claims import check

    return cache.cached("claims", lambda: check(figures()))


def _sections() -> dict[str, list[dict[str, Any]]]:
    from mlsalary.report.render import figure_items

    return cache.cached("sections", lambda: figure_items(figures()))


#: Set while warm() runs (GET /api/v1/health says `warming`).
WARMING = threading.Event()


def warm(aside: bool = False) -> None:
    """Get the model (training one, when there is none for the data loaded, in a separate low-priority process so the
    server's own threads keep answering), compute the figures, their charts and the disclosure pattern ahead of the
    first visitor (`mlsalary serve` runs this in its watcher thread, `aside`: the figures and the pattern are
    computed in a low-priority child process too, and handed back); a failure here is left for the request to
    report. Requests never train: until a model is ready, estimates get a 503 (or the previous model's answer)."""
    from mlsalary import disclosure
    from mlsalary.cache import settle
    from mlsalary.model import saved

    WARMING.set()
    try:
        # Quickest first, so that no answer keeps the old data long: explore's disclosure pattern (in a child at the
        # usual priority when aside: a busy machine cannot starve it), every cached answer that does not need the
        # figures (sources, health's data age, metros, the nearest-group postings), the figures (a low-priority
        # child), what derives from them; the model last — until it is trained the previous one answers.
        if aside:
            state, pattern = _in_child(_pattern_of_the_data, timeout=600, lower=False)
            if state == cache.stamp():
                cache.put("disclosure", state, pattern)
        with contextlib.suppress(MlsalaryError):
            disclosure.pattern()
        cache.refresh(unless_needing="figures")
        if aside:
            compute_aside()
        with contextlib.suppress(MlsalaryError):
            _sections()
        cache.refresh()
        with contextlib.suppress(MlsalaryError):
            if saved.current() is None:
                train_aside()
            saved.load_or_train()
        settle()
    finally:
        WARMING.clear()


def _in_child(work: Any, timeout: float, lower: bool = True) -> Any:
    """work() in a fresh child process (at low priority unless not `lower`), its result handed back: its CPU and
    memory stay out of the server's process, whose threads keep answering; it ends with the server
    (mlsalary.children)."""
    from mlsalary import children

    return children.in_child(work, timeout, lower)


def _pattern_of_the_data() -> tuple[Any, Any]:
    """(the database state, its disclosure pattern), computed in a child process."""
    from mlsalary import disclosure

    state = cache.stamp()
    return state, disclosure.pattern()


def _state_of_the_data() -> tuple[Any, Any, Any]:
    """(the database state, its figures, their charts as SVG by figure id), computed in a child process."""
    from mlsalary.figures.compute import compute_all
    from mlsalary.report import charts

    state = cache.stamp()
    figures = compute_all()
    svgs = {f.id: charts.svg(f) for f in figures if f.status == "ok"}
    return state, figures, svgs


def compute_aside() -> None:
    """The figures and their charts of the data as it is, computed in a low-priority child process (their pandas and
    chart work would otherwise hold the server's interpreter while it answers) and put in the caches — unless the
    data changed meanwhile."""
    from mlsalary.report.render import figure_items

    state, figures, svgs = _in_child(_state_of_the_data, timeout=1800)
    if state == cache.stamp():
        cache.put("figures", state, figures)
        cache.put("sections", state, figure_items(figures, svgs))


def _train() -> None:
    from mlsalary.model.train import train

    train(save=True)


def train_aside() -> None:
    """Train and save the model in a child process (_in_child). Its failure is left for load_or_train to report."""
    with contextlib.suppress(Exception):
        _in_child(_train, timeout=3600)


def watch(every: float = 1.0, stop: Any = None, settle_s: float = 2.0) -> None:
    """Warm, then keep watching the database: when a pull has swapped in a new state — and has finished (no pull
    holds the home's lock) and the state has not changed for `settle_s` seconds — warm again (train the model,
    compute the figures and the disclosure pattern) here, outside any request, while requests are answered from
    the previous state. `stop` (an Event) ends the loop (tests)."""
    import time

    from mlsalary import cache, pulls

    seen, changed_at, last = None, 0.0, None
    while stop is None or not stop.is_set():
        now = None
        try:
            now = cache.stamp()
            if now != last:
                last, changed_at = now, time.monotonic()
            settled = seen is None or (time.monotonic() - changed_at >= settle_s and not pulls.pull_running())
            if now != seen and settled:
                warm(aside=True)
                seen = now
        except Exception as e:  # the watcher never dies: what failed is reported, requests report their own
            import sys

            print(f"mlsalary: warming the new data failed: {type(e).__name__}: {e}", file=sys.stderr)
            seen = now
        time.sleep(every)


START_FIELDS = ("role", "level", "years_experience", "country", "city", "currency")


def start_card(query: dict[str, Any]) -> dict[str, Any]:
    """The start card for a query's fields (the page and GET /api/v1/start)."""
    from mlsalary import start

    years = query.get("years_experience")
    if years is not None:
        try:
            years = float(years)
        except ValueError:
            raise InputError(f"years_experience: {years!r} is not a number of years", "years_experience") from None
    return start.card(role=query.get("role") or "ml_engineer", level=query.get("level") or None,
                      years_experience=years, country=query.get("country") or "US", city=query.get("city") or None,
                      currency=query.get("currency") or "USD")  # fmt: skip


#: The level the start form shows first, so that it answers as first shown (with no level and no years it cannot).
FIRST_LEVEL = "mid"


@router.get("/", response_class=HTMLResponse)
def start_page(request: Request) -> HTMLResponse:
    """Start here: one short question answered at a glance; the answer's URL is its shareable link."""
    from mlsalary import schema

    form = _form(request, START_FIELDS)
    ctx: dict[str, Any] = {"title": "What do ML engineers earn?", "form": form, "FIRST_LEVEL": FIRST_LEVEL,
                           "choices": {"role": schema.ROLES, "level": schema.LEVELS}}  # fmt: skip
    if not form:
        return render("start.html.j2", **ctx)
    try:
        card = start_card(form)
    except MlsalaryError as e:
        return form_error("start.html.j2", e, **ctx)
    titles = {f.id: f.question for f in figures()}
    from urllib.parse import urlencode

    return render("start.html.j2", **ctx, card=card, titles=titles, description=card["headline"],
                  request_query=urlencode(form))  # fmt: skip


@router.get("/figures", response_class=HTMLResponse)
def figures_page() -> HTMLResponse:
    from mlsalary.report.render import coverage

    figs = figures()
    return render("figures.html.j2", title=f"{len(figs)} figures", sections=_sections(), coverage=coverage(figs),
                  total=len(figs))  # fmt: skip


@router.get("/figures/{figure_id}", response_class=HTMLResponse)
def figure_page(figure_id: str) -> HTMLResponse:
    for topic, items in _sections().items():
        for it in items:
            if it["f"].id == figure_id:
                if it["chart_of"]:  # alone on its page, the figure draws the chart it shares with another
                    from mlsalary.report import charts

                    make = partial(charts.svg, it["f"])
                    it = {**it, "chart_of": None, "svg": cache.cached(f"chart:{figure_id}", make)}
                return render("figure.html.j2", title=it["f"].question, it=it, topic=topic,
                              total=len(figures()), description=it["quote"])  # fmt: skip
    return error_page(NotFound(f"unknown figure {figure_id!r}: the figures page lists every one"))


@router.get("/claims", response_class=HTMLResponse)
def claims_page() -> HTMLResponse:
    from mlsalary.figures.catalogue import UNANSWERABLE
    from mlsalary.figures.claims import DIFFERS

    return render("claims.html.j2", title="Claims checked", verdicts=verdicts(), unanswerable=UNANSWERABLE,
                  differs=DIFFERS)


@router.get("/sources", response_class=HTMLResponse)
def sources_page() -> HTMLResponse:
    from mlsalary import api

    return render("sources.html.j2", title="Sources", sources=cache.cached("sources", api.list_sources))


@router.get("/employers", response_class=HTMLResponse)
def employers_page(request: Request) -> HTMLResponse:
    """One employer's H-1B filings (name), or employers ranked for a role."""
    from mlsalary import employers, schema

    form = _form(request, ("name", "role", "metro", "year"))
    ctx: dict[str, Any] = {"title": "Pay at named employers", "form": form, "choices": {"role": schema.ROLES}}
    year = None
    try:
        if form.get("year"):
            if not str(form["year"]).isdigit():
                raise InputError(f"year: {form['year']!r} is not a year: give one like 2019", "year")
            year = int(form["year"])
        if form.get("name"):
            ctx["one"] = employers.employer(form["name"], form.get("role"), form.get("metro"), year)
        else:
            ctx["ranking"] = employers.ranking(form.get("role") or "ml_engineer", form.get("metro"), year)
    except MlsalaryError as e:
        return form_error("employers.html.j2", e, **ctx)
    return render("employers.html.j2", **ctx)


@router.get("/metros", response_class=HTMLResponse)
def metros_page() -> HTMLResponse:
    from mlsalary import wages

    try:
        rows = cache.cached("metros", wages.metros)
    except MlsalaryError as e:
        return error_page(e)
    return render("metros.html.j2", title="US metros", metros=rows)


def _form(request: Request, fields: tuple[str, ...]) -> dict[str, Any]:
    """The query's non-empty values for the given fields."""
    q = request.query_params
    return {k: q.get(k) for k in fields if q.get(k) not in (None, "")}


@router.get("/explore", response_class=HTMLResponse)
def explore_page(request: Request) -> HTMLResponse:
    from mlsalary.report import charts
    from mlsalary.web import explore

    filters = _form(request, tuple(explore.FILTERS))
    currency = request.query_params.get("currency") or "USD"
    ctx: dict[str, Any] = {"title": "Explore", "filters": filters, "currency": currency,
                           "choices": {f: explore.choices(f) for f in explore.FILTERS}}  # fmt: skip
    try:
        result = explore.explore(filters, histogram=True, currency=currency)
    except MlsalaryError as e:
        return form_error("explore.html.j2", e, **ctx)
    if result["status"] == "ok":
        q = {r["statistic"].replace("median", "p50"): r["value"] for r in result["quantiles"]}
        if all(v is not None for v in q.values()):  # p10/p90 of a small group are not shown (TAIL_FLOOR)
            result["range_svg"] = charts.range_svg(q, title=f"{result['currency']} a year")
        result["histogram_svg"] = charts.histogram_svg(result["histogram"], title=f"{result['currency']} a year")
    return render("explore.html.j2", **ctx, result=result)


ESTIMATE_FIELDS = ("role", "level", "years_experience", "country", "metro", "remote", "company_size", "industry",
                   "education", "currency")  # fmt: skip


def _estimate_choices() -> dict[str, tuple[str, ...]]:
    from mlsalary import schema
    from mlsalary.model.features import SKILL_FLAGS

    return {"role": schema.ROLES, "level": schema.LEVELS, "remote": schema.REMOTE,
            "company_size": schema.COMPANY_SIZES, "industry": schema.INDUSTRIES,
            "education": schema.EDUCATION_LEVELS, "skills": SKILL_FLAGS}  # fmt: skip


@router.get("/estimate", response_class=HTMLResponse)
def estimate_page(request: Request) -> HTMLResponse:
    from mlsalary.model.estimate import estimate
    from mlsalary.offer.schema import describe
    from mlsalary.report import charts
    from mlsalary.web.models import EstimateRequest

    form = _form(request, ESTIMATE_FIELDS)
    skills = [s for s in request.query_params.getlist("skills") if s]
    ctx: dict[str, Any] = {"title": "Your estimate", "form": form, "skills": skills, "choices": _estimate_choices()}
    if "role" not in form:
        return render("estimate.html.j2", **ctx)
    try:
        req = EstimateRequest.model_validate({**form, "skills": skills or None})
        result = estimate(**req.model_dump())
    except ValidationError as e:
        field, msg = describe(dict(e.errors()[0]))
        return render("estimate.html.j2", 422, **ctx, error=f"{field}: {msg}", field=field)
    except MlsalaryError as e:
        return form_error("estimate.html.j2", e, **ctx)
    result["range_svg"] = charts.range_svg(result, title=f"{result['currency']} a year")
    return render("estimate.html.j2", **ctx, result=result)

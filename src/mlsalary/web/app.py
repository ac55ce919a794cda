"""The web app: the JSON API under /api/v1 (the same answers as the CLI's --json, for other tools) and the pages
(web/pages.py, the offer pages web/offers.py), served by `mlsalary serve`.

- Every request and response has a pydantic model, so the OpenAPI schema at /openapi.json describes them.
- Bad input is a 422 naming the field; a profile the data cannot support is a 422 saying why; a store with no data
  is a 503 saying which command loads it. Request bodies are limited to 64 KB. The database is only read.
- The privacy floor holds: the figures, claims and estimates are those of the library, which never shows a group
  of fewer than 5 records.
- No CDN: FastAPI's /docs pages (which load Swagger UI from one) are off; the schema is at /openapi.json.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from http import HTTPStatus
from pathlib import Path
from typing import Annotated, Any

from fastapi import FastAPI, Query, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from mlsalary import __version__, cache, config
from mlsalary.errors import MlsalaryError, NotFound
from mlsalary.figures.model import Figure
from mlsalary.offer.schema import OfferFile
from mlsalary.web.explore import YEARS
from mlsalary.web.models import (
    ERRORS,
    NOT_FOUND,
    Claims,
    EstimateRequest,
    EstimateResponse,
    Explore,
    Figures,
    Health,
    Metros,
    OfferComparison,
    OfferComparisonRequest,
    OfferEvaluation,
    Sources,
)

MAX_BODY_BYTES = 64 * 1024
ERROR_TYPES = {400: "invalid_body", 404: "not_found", 413: "too_large", 422: "value_error", 503: "no_data"}


def _error(status: int, field: str, message: str, where: str = "body") -> JSONResponse:
    item = {"loc": [where, field], "msg": message, "type": ERROR_TYPES.get(status, "http_error")}
    return JSONResponse(status_code=status, content={"detail": [item]})


def create_app() -> FastAPI:
    from mlsalary.report import charts
    from mlsalary.web import offers, pages

    charts.render_in_subprocess()  # keep vl-convert's V8 engine out of the server's process

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        charts.stop_rendering_in_subprocess()  # a clean stop: no orphaned process, no leaked semaphores

    app = FastAPI(title="mlsalary", version=__version__, description=(__doc__ or "").strip().splitlines()[0],
                  docs_url=None, redoc_url=None, responses=ERRORS, lifespan=lifespan)  # fmt: skip
    static = Path(__file__).with_name("static")
    app.mount("/static", StaticFiles(directory=static), name="static")
    app.include_router(pages.router)
    app.include_router(offers.router)

    # The last added is the outermost: the security headers reach every answer, the middlewares' own refusals (400,
    # 403, 503) and an internal error (500) included.
    app.add_middleware(BodyLimit, limit=MAX_BODY_BYTES)
    app.add_middleware(NoTrainingInRequests)
    app.add_middleware(RequestGuard)
    app.add_middleware(LoadShed, limit=config.max_requests())
    app.add_middleware(SecurityHeaders)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        """Framework errors (a body that is not JSON, an unknown path) in the API's error shape; outside the API, a
        page like every other (a title, the menu, one line saying what went wrong)."""
        if not request.url.path.startswith("/api/"):
            if request.method == "HEAD" or exc.status_code < 400:
                return await http_exception_handler(request, exc)
            what = f"There is no page at {request.url.path}." if exc.status_code == 404 else str(exc.detail)
            page = pages.render("error.html.j2", exc.status_code, title=HTTPStatus(exc.status_code).phrase,
                                field="path", message=what)  # fmt: skip
            page.headers.update(exc.headers or {})
            return page
        field = {400: "body", 405: "method"}.get(exc.status_code, "path")
        response = _error(exc.status_code, field, str(exc.detail), "request")
        response.headers.update(exc.headers or {})  # e.g. Allow on a 405
        return response

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        """Pydantic's errors as one line naming the field (dotted: offer.equity.vesting), like the CLI's."""
        from mlsalary.offer.schema import describe, first_error

        err = first_error(list(exc.errors()))
        where, *rest = err["loc"] or ["body"]
        field, msg = describe({**err, "loc": rest}) if rest else (str(where), str(err["msg"]))
        item = {"loc": [where, field], "msg": f"{field}: {msg}", "type": err["type"]}
        return JSONResponse(status_code=422, content={"detail": [item]})

    @app.exception_handler(MlsalaryError)
    async def library_error(request: Request, exc: MlsalaryError) -> Response:
        if not request.url.path.startswith("/api/"):
            return pages.error_page(exc)
        status, field = pages.status_of(exc)
        return _error(status, field, str(exc), "query" if status == 422 and request.method == "GET" else "body")

    @app.get("/api/v1/health", response_model=Health)
    def health() -> dict[str, Any]:
        from mlsalary import api

        loaded = [s for s in cache.cached("sources", api.list_sources) if s["loaded"]]
        ages = {s["name"]: {k: s[k] for k in ("data_as_of", "age_months", "final", "warning")} for s in loaded}
        return {"status": "ok", "version": __version__, "database": bool(loaded), "sources": list(ages),
                "data_age": ages, "warming": pages.WARMING.is_set()}  # fmt: skip

    @app.get("/api/v1/sources", response_model=Sources)
    def sources() -> dict[str, Any]:
        from mlsalary import api

        return {"sources": cache.cached("sources", api.list_sources)}

    @app.get("/api/v1/start")
    def start(
        role: str = Query("ml_engineer", max_length=40),
        level: str | None = Query(None, max_length=20),
        years_experience: float | None = Query(None, ge=0, le=60, allow_inf_nan=False),
        country: str = Query("US", max_length=60),
        city: str | None = Query(None, max_length=80),
        currency: str = Query("USD", max_length=3),
    ) -> dict[str, Any]:
        """The start card: its answer (one median per profile: the personal estimate's, as the estimate and an
        offer's market position and negotiation give it), the postings' p10-p90 for the role, level and country beside
        it (or the nearest group with data, named), BLS's figure for the place, and the figures that bear on it."""
        from mlsalary.web.pages import start_card

        return start_card({"role": role, "level": level, "years_experience": years_experience, "country": country,
                           "city": city, "currency": currency})  # fmt: skip

    @app.get("/api/v1/employer", responses=NOT_FOUND)
    def employer(
        name: str = Query(..., min_length=1, max_length=120),
        role: str | None = Query(None, max_length=40),
        metro: str | None = Query(None, max_length=80),
        year: int | None = Query(None, ge=1990, le=2100),
    ) -> dict[str, Any]:
        """What an employer offers in its H-1B filings (the JSON of `mlsalary employer NAME --json`)."""
        from mlsalary import employers

        return employers.employer(name, role, metro, year)

    @app.get("/api/v1/employers")
    def employers_ranking(
        role: str = Query("ml_engineer", max_length=40),
        metro: str | None = Query(None, max_length=80),
        year: int | None = Query(None, ge=1990, le=2100),
        top: int = Query(20, ge=1, le=500),
    ) -> dict[str, Any]:
        """Employers ranked by median offered base (the JSON of `mlsalary employers --json`)."""
        from mlsalary import employers

        return employers.ranking(role, metro, year, top)

    @app.get("/api/v1/metros", response_model=Metros)
    def metros() -> dict[str, Any]:
        from mlsalary import wages

        return {"metros": cache.cached("metros", wages.metros)}

    @app.get("/api/v1/figures", response_model=Figures)
    def figures() -> dict[str, Any]:
        return _figures_json()

    @app.get("/api/v1/figures.csv", response_class=Response, responses={200: {"content": {"text/csv": {}}}})
    def figures_csv() -> Response:
        """The figures as CSV: one row per figure, with the sentence to quote."""
        from mlsalary.report.render import figures_csv

        return Response(cache.cached("figures_csv", lambda: figures_csv(pages.figures())), media_type="text/csv",
                        headers={"Content-Disposition": 'attachment; filename="mlsalary-figures.csv"'})  # fmt: skip

    @app.get("/api/v1/figures/{figure_id}", response_model=Figure, responses=NOT_FOUND)
    def figure(figure_id: str) -> dict[str, Any]:
        for f in _figures_json()["figures"]:
            if f["id"] == figure_id:
                return f
        raise NotFound(f"unknown figure {figure_id!r}: see /api/v1/figures for the ids")

    @app.get("/api/v1/claims", response_model=Claims)
    def claims() -> dict[str, Any]:
        from mlsalary.report.render import claims_json

        return claims_json(pages.verdicts())

    @app.get("/api/v1/explore", response_model=Explore)
    def explore(
        role: str | None = None,
        level: str | None = None,
        country: str | None = None,
        remote: str | None = None,
        company_size: str | None = None,
        year: Annotated[int | None, Query(ge=YEARS[0], le=YEARS[1])] = None,
        currency: Annotated[str, Query(max_length=3)] = "USD",
    ) -> dict[str, Any]:
        from mlsalary.web.explore import explore

        return explore({"role": role, "level": level, "country": country, "remote": remote,
                        "company_size": company_size, "year": year}, currency=currency)  # fmt: skip

    @app.post("/api/v1/estimate", response_model=EstimateResponse)
    async def estimate(req: EstimateRequest) -> dict[str, Any]:
        # With the saved model in memory an estimate is ~2 ms of numpy, run on the event loop: many threads taking
        # turns at the GIL would make each one wait. Training a missing model, or reading BLS's tables for a metro,
        # goes to a worker thread.
        from starlette.concurrency import run_in_threadpool

        from mlsalary.model import saved
        from mlsalary.model.estimate import estimate as run

        if req.metro or saved.current() is None:
            return await run_in_threadpool(run, **req.model_dump())
        return run(**req.model_dump())

    @app.post("/api/v1/offer/evaluate", response_model=OfferEvaluation)
    def offer_evaluate(body: OfferFile, show_in: Annotated[str | None, Query(max_length=3)] = None) -> dict[str, Any]:
        from mlsalary.offer.api import evaluate

        return evaluate(body, show_in=show_in)

    @app.post("/api/v1/offer/compare", response_model=OfferComparison)
    def offer_compare(body: OfferComparisonRequest,
                      show_in: Annotated[str | None, Query(max_length=3)] = None) -> dict[str, Any]:  # fmt: skip
        from mlsalary.offer.api import comparison, evaluate

        results = [evaluate(o, show_in=show_in) for o in body.offers]
        return {"offers": results, "comparison": comparison(results)}

    return app


#: Sent with every response: scripts only from the app itself (no inline script), no framing, no MIME sniffing, no
#: referrer beyond the origin. Inline style attributes stay allowed: the server-drawn SVG charts use them.
SECURITY_HEADERS = (
    (b"content-security-policy", b"default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
     b"img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
)  # fmt: skip


class HttpMiddleware:
    """A pure ASGI middleware for HTTP requests (anything else passes through): subclasses implement http()."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            await self.http(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    async def http(self, scope: Any, receive: Any, send: Any) -> None:
        raise NotImplementedError


class RequestGuard(HttpMiddleware):
    """Answer only to the allowed host names (config.allowed_hosts: no DNS rebinding), and refuse a state-changing
    request (POST…) that a browser sent from another origin (no cross-site form posts)."""

    async def http(self, scope: Any, receive: Any, send: Any) -> None:
        from mlsalary import config

        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        host_header = headers.get("host", "")
        name = host_name(host_header)
        if name not in config.allowed_hosts():  # the name sent is not repeated: an answer never echoes a header
            await _refuse(send, 400, ["header", "host"], "this Host header is not served here: open the app at "
                          "http://127.0.0.1:PORT/, or add the name to MLSALARY_ALLOWED_HOSTS", "host")  # fmt: skip
            return
        origin = headers.get("origin")
        if scope["method"] not in ("GET", "HEAD", "OPTIONS") and origin:
            from urllib.parse import urlsplit

            if (urlsplit(origin).netloc or "").lower() != host_header.lower():
                why = "forms and the API take requests from this app's own pages or from programs, not other sites"
                await _refuse(send, 403, ["header", "origin"], f"a {scope['method']} from another origin is refused: "
                              f"{why}", "origin")  # fmt: skip
                return
        await self.app(scope, receive, send)


def host_name(host: str) -> str:
    """The name of a Host header, without its port ('[::1]:8000' -> '::1')."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1:].split("]", 1)[0]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


async def _refuse(send: Any, status: int, loc: list[str], msg: str, kind: str,
                  headers: tuple[tuple[bytes, bytes], ...] = ()) -> None:  # fmt: skip
    """Answer from a middleware, in the API's error shape (one item: where, the message, its type)."""
    body = json.dumps({"detail": [{"loc": loc, "msg": msg, "type": kind}]}).encode()
    head = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()), *headers]
    await send({"type": "http.response.start", "status": status, "headers": head})
    await send({"type": "http.response.body", "body": body})


class SecurityHeaders(HttpMiddleware):
    """The outermost middleware: the security headers on every response, whatever its status and whoever wrote it;
    HEAD answered as GET without the body; an exception that reached it becomes a 500 in the API's error shape (its
    detail is logged, never sent) — so even an internal error carries the headers."""

    async def http(self, scope: Any, receive: Any, send: Any) -> None:
        head = scope["method"] == "HEAD"
        if head:
            scope = {**scope, "method": "GET"}
        started = False

        async def sending(message: Any) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                names = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in SECURITY_HEADERS if k not in names]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            elif head and message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        try:
            await self.app(scope, receive, sending)
        except Exception:
            import logging

            logging.getLogger("mlsalary.web").exception("internal error answering %s %s", scope["method"],
                                                        scope.get("path", ""))  # fmt: skip
            if started:  # the answer has begun: nothing more can be said on it
                raise
            await _refuse(sending, 500, ["server", "internal"], "internal error: the server could not answer this "
                          "request; it is logged — please report it", "internal_error")  # fmt: skip


class LoadShed(HttpMiddleware):
    """At most `limit` requests are being answered at once (config.max_requests); up to `limit` more wait in line up
    to `wait` seconds for a turn (first come, first served: a short stall, as while a pull runs, is absorbed), and
    any other gets a 503 with Retry-After at once instead of queueing for seconds. benchmarks/serve_load.py measures
    both sides (an unbounded line let the answered requests wait seconds under twice the capacity). The health
    check and static files are never shed."""

    EXEMPT = ("/api/v1/health", "/static/")

    def __init__(self, app: Any, limit: int, wait: float = 0.5) -> None:
        import collections

        super().__init__(app)
        self.limit, self.wait, self.busy = limit, wait, 0
        self.line: collections.deque[Any] = collections.deque()

    async def _turn(self) -> bool:
        """Take a turn (True), waiting up to `wait` for one; False when none came."""
        import asyncio

        if self.busy < self.limit:
            self.busy += 1  # one event loop: no lock needed
            return True
        if len(self.line) >= self.limit:  # a line as long as the places: the rest is shed at once
            return False
        turn = asyncio.get_running_loop().create_future()
        self.line.append(turn)
        try:
            await asyncio.wait_for(asyncio.shield(turn), self.wait)
            return True  # handed on by _done: `busy` already counts it
        except TimeoutError:
            if turn.done():  # handed on at the very moment the wait ran out: keep it
                return True
            self.line.remove(turn)
            return False

    def _done(self) -> None:
        while self.line:
            turn = self.line.popleft()
            if not turn.done():
                turn.set_result(None)  # the turn passes to the first in line
                return
        self.busy -= 1

    async def http(self, scope: Any, receive: Any, send: Any) -> None:
        path = scope.get("path", "")
        if path.startswith(self.EXEMPT):
            await self.app(scope, receive, send)
            return
        if not await self._turn():
            msg = (f"the server is answering {self.limit} requests already; try again in {RETRY_AFTER_SECONDS} s "
                   "(MLSALARY_MAX_REQUESTS sets the limit)")  # fmt: skip
            retry = ((b"retry-after", str(RETRY_AFTER_SECONDS).encode()),)
            await _refuse(send, 503, ["server", "load"], msg, "busy", retry)
            return
        try:
            await self.app(scope, receive, send)
        finally:
            self._done()


RETRY_AFTER_SECONDS = 1


class NoTrainingInRequests(HttpMiddleware):
    """A request never trains the pay model (model.saved.may_train; without one it gets a 503, after a pull the
    previous model answers), and never recomputes what the cache holds for an older state of the database
    (cache.in_request): the server's watcher does both."""

    async def http(self, scope: Any, receive: Any, send: Any) -> None:
        from mlsalary.model.saved import may_train

        token, cached = may_train.set(False), cache.in_request.set(True)
        try:
            await self.app(scope, receive, send)
        finally:
            may_train.reset(token)
            cache.in_request.reset(cached)


class BodyLimit:
    """ASGI middleware: a request body over the limit gets a 413, whether it declares its length or is chunked
    (a body without a length is read first, up to the limit, then handed on)."""

    def __init__(self, app: Any, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        too_large = _error(413, "body", f"request bodies are limited to {self.limit // 1024} KB")
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None:
            if not length.isdigit() or int(length) > self.limit:
                await too_large(scope, receive, send)
                return
            await self.app(scope, receive, send)
            return
        messages, size = [], 0
        while True:
            message = await receive()
            messages.append(message)
            size += len(message.get("body", b""))
            if size > self.limit:
                await too_large(scope, receive, send)
                return
            if message["type"] != "http.request" or not message.get("more_body", False):
                break

        async def replay() -> Any:
            return messages.pop(0) if messages else await receive()

        await self.app(scope, replay, send)


def _figures_json() -> dict[str, Any]:
    """The figures as JSON, built once per state of the database."""
    from mlsalary.report.render import figures_json
    from mlsalary.web import pages

    return cache.cached("figures_json", lambda: figures_json(pages.figures()))

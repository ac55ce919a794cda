"""The JSON API under /api/v1 (FastAPI): the same answers as the CLI's --json, for other tools.

- Every request and response has a pydantic model, so the OpenAPI schema at /openapi.json describes them.
- Bad input is a 422 naming the field; a profile the data cannot support is a 422 saying why; a store with no data
  is a 503 saying which command loads it. Request bodies are limited to 64 KB. The database is only read.
- The privacy floor holds: the figures, claims and estimates are those of the library, which never shows a group
  of fewer than 5 records.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from mlsalary import __version__
from mlsalary.errors import InsufficientData, MlsalaryError, NotFound, StoreError
from mlsalary.figures.model import Figure

MAX_BODY_BYTES = 64 * 1024


class Health(BaseModel):
    status: str
    version: str
    database: bool
    sources: list[str]


class EstimateRequest(BaseModel):
    role: str = Field("ml_engineer", max_length=40)
    level: str | None = Field(None, max_length=20)
    country: str = Field("US", max_length=60)
    years_experience: float | None = Field(None, ge=0, le=60)
    metro: str | None = Field(None, max_length=80)
    remote: str | None = Field(None, max_length=20)
    company_size: str | None = Field(None, max_length=20)
    industry: str | None = Field(None, max_length=40)
    education: str | None = Field(None, max_length=40)
    skills: list[str] | None = Field(None, max_length=10)


class EstimateResponse(BaseModel):
    currency: str
    year: int
    p10: float
    p25: float
    p50: float
    p75: float
    p90: float
    support_n: int
    in_support: bool
    contributions: list[dict[str, Any]]
    model_version: str
    notes: list[str]


class Figures(BaseModel):
    figures: list[Figure]


class Claim(BaseModel):
    id: str
    claim: str
    verdict: str
    figures: list[str]
    explanation: str


class Claims(BaseModel):
    claims: list[Claim]


class ExploreRow(BaseModel):
    statistic: str
    value: float | None
    ci_low: float | None
    ci_high: float | None


class Explore(BaseModel):
    filters: dict[str, Any]
    n: int | None
    status: str
    duplicate_policy: str
    quantiles: list[ExploreRow]
    note: str


class Sources(BaseModel):
    sources: list[dict[str, Any]]


class OfferEvaluation(BaseModel):
    model_config = {"extra": "allow"}
    years: list[dict[str, Any]]
    year_one_total: float
    average_total_4y: float
    present_value: float
    scenarios: dict[str, Any]


class OfferComparison(BaseModel):
    offers: list[OfferEvaluation]


def _error(status: int, field: str, message: str) -> JSONResponse:
    return JSONResponse(status_code=status, content={"detail": [{"loc": ["body", field], "msg": message}]})


def create_app() -> FastAPI:
    app = FastAPI(title="mlsalary", version=__version__, description=(__doc__ or "").strip().splitlines()[0])

    @app.middleware("http")
    async def limit_body(request: Request, call_next: Any) -> Any:
        length = request.headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > MAX_BODY_BYTES):
            return _error(413, "body", f"request bodies are limited to {MAX_BODY_BYTES // 1024} KB")
        return await call_next(request)

    @app.exception_handler(MlsalaryError)
    async def library_error(request: Request, exc: MlsalaryError) -> JSONResponse:
        if isinstance(exc, StoreError):
            return _error(503, "database", str(exc))
        if isinstance(exc, NotFound):
            return _error(404, "path", str(exc))
        field = "profile" if isinstance(exc, InsufficientData) else getattr(exc, "field", "body")
        return _error(422, field, str(exc))

    @app.get("/api/v1/health", response_model=Health)
    def health() -> dict[str, Any]:
        from mlsalary import config, store

        loaded: list[str] = []
        if config.db_path().is_file():
            loaded = [s["name"] for s in store.status()["sources"]]
        return {"status": "ok", "version": __version__, "database": bool(loaded), "sources": loaded}

    @app.get("/api/v1/sources", response_model=Sources)
    def sources() -> dict[str, Any]:
        from mlsalary import api

        return {"sources": api.list_sources()}

    @app.get("/api/v1/figures", response_model=Figures)
    def figures() -> dict[str, Any]:
        return _figures_json()

    @app.get("/api/v1/figures/{figure_id}", response_model=Figure)
    def figure(figure_id: str) -> dict[str, Any]:
        for f in _figures_json()["figures"]:
            if f["id"] == figure_id:
                return f
        raise HTTPException(status_code=404, detail=f"unknown figure {figure_id!r}: see /api/v1/figures for the ids")

    @app.get("/api/v1/claims", response_model=Claims)
    def claims() -> dict[str, Any]:
        from mlsalary.figures.claims import check
        from mlsalary.figures.compute import compute_all
        from mlsalary.report.render import claims_json

        return claims_json(check(compute_all()))

    @app.get("/api/v1/explore", response_model=Explore)
    def explore(
        role: str | None = None,
        level: str | None = None,
        country: str | None = None,
        remote: str | None = None,
        company_size: str | None = None,
        year: int | None = None,
    ) -> dict[str, Any]:
        return _explore({"role": role, "level": level, "company_country": country, "remote": remote,
                         "company_size": company_size, "year": year})  # fmt: skip

    @app.post("/api/v1/estimate", response_model=EstimateResponse)
    def estimate(req: EstimateRequest) -> dict[str, Any]:
        from mlsalary.model.estimate import estimate as run

        result = run(**req.model_dump())
        result.pop("reference", None)
        return result

    @app.post("/api/v1/offer/evaluate", response_model=OfferEvaluation)
    def offer_evaluate(body: dict[str, Any]) -> dict[str, Any]:
        return _offer(body)

    @app.post("/api/v1/offer/compare", response_model=OfferComparison)
    def offer_compare(body: dict[str, Any]) -> dict[str, Any]:
        offers = body.get("offers")
        if not isinstance(offers, list) or not 2 <= len(offers) <= 10:
            raise HTTPException(status_code=422, detail=[{"loc": ["body", "offers"], "msg": "give 2 to 10 offers"}])
        return {"offers": [_offer(o) for o in offers]}

    return app


_CACHE: dict[tuple[Any, ...], dict[str, Any]] = {}


def _figures_json() -> dict[str, Any]:
    """The figures, computed once per state of the database."""
    from mlsalary import config
    from mlsalary.figures.compute import compute_all
    from mlsalary.report.render import figures_json

    p: Path = config.db_path()
    stamp = (str(p), p.stat().st_mtime_ns if p.is_file() else None)
    if stamp not in _CACHE:
        _CACHE.clear()
        _CACHE[stamp] = figures_json(compute_all())
    return _CACHE[stamp]


def _offer(body: Any) -> dict[str, Any]:
    from mlsalary.offer import compute, market, schema

    if not isinstance(body, dict):
        raise HTTPException(status_code=422, detail=[{"loc": ["body"], "msg": "an offer is a JSON object"}])
    of = schema.parse(body, "request")
    out = compute.evaluate(of.offer)
    if of.current is not None:
        out["switch_vs_stay"] = compute.switch_vs_stay(of.offer, of.current)
    try:
        out.update(market.position(of))
    except MlsalaryError as e:
        out["market"] = {"available": False, "reason": str(e)}
    return out


EXPLORE_FIELDS = {"role": "ROLES", "level": "LEVELS", "remote": "REMOTE", "company_size": "COMPANY_SIZES"}


def _explore(filters: dict[str, Any]) -> dict[str, Any]:
    """Pay quantiles of aijobs.net rows (one per duplicate group) matching the filters, with the suppression rules:
    nothing at all below 5 records, no numbers below the minimum n."""
    from mlsalary import schema, stats, store
    from mlsalary.normalize import geo

    where, params = ["source = 'aijobs'", "dup_rank = 1"], []
    for field, value in filters.items():
        if value is None:
            continue
        if field in EXPLORE_FIELDS and value not in getattr(schema, EXPLORE_FIELDS[field]):
            allowed = ", ".join(getattr(schema, EXPLORE_FIELDS[field]))
            raise HTTPException(status_code=422, detail=[{"loc": ["query", field], "msg": f"choose one of {allowed}"}])
        if field == "company_country":
            iso = geo.to_iso2(value)
            if iso is None:
                raise HTTPException(status_code=422, detail=[{"loc": ["query", "country"],
                                                              "msg": f"unknown country {value!r}"}])  # fmt: skip
            value = iso
        where.append(f"{field} = ?")
        params.append(value)
    df = store.query("SELECT amount_usd FROM observations WHERE " + " AND ".join(where), params)
    n = len(df)
    shown = {k: v for k, v in filters.items() if v is not None}
    vis = stats.visibility(n)
    base = {"filters": shown, "duplicate_policy": "one_per_group", "quantiles": []}
    if vis == "hidden":
        return {**base, "n": None, "status": "suppressed", "note": "fewer than 5 records: nothing is shown"}
    if vis == "suppressed":
        return {**base, "n": n, "status": "suppressed", "note": f"{n} records, fewer than {stats.min_n()}: no numbers"}
    rows = []
    for name, q in (("p10", 0.1), ("p25", 0.25), ("median", 0.5), ("p75", 0.75), ("p90", 0.9)):
        e = stats.quantile(df["amount_usd"].to_numpy(), q)
        rows.append({"statistic": name, "value": e.value, "ci_low": e.ci_low, "ci_high": e.ci_high})
    note = "aijobs.net annual pay (USD), self-reports and posted ranges mixed; 95% order-statistic intervals"
    return {**base, "n": n, "status": "ok", "quantiles": rows, "note": note}

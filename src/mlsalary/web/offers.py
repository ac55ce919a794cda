"""The offer pages: the form, pasted and uploaded offer files, the comparison of several, and an answer's link (GET
/offer?offers=…) that gives it again. Bad input re-renders the form with a 4xx and one line naming the field."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from mlsalary.errors import InputError, MlsalaryError
from mlsalary.web.pages import render, status_of

router = APIRouter(include_in_schema=False)
MAX_OFFERS = 10


@router.get("/offer", response_class=HTMLResponse)
async def offer_form(request: Request) -> HTMLResponse:
    """The offer form; with `offers` (the link an answer gives: its offers as JSON), that answer again."""
    from starlette.concurrency import run_in_threadpool

    shared = request.query_params.get("offers")
    if shared is None:
        return _offer_page()
    fields = {"prior": shared, "show_in": request.query_params.get("show_in", "")}
    return await run_in_threadpool(_offer_answer, fields, [], "offers")


def _offer_page(status: int = 200, **extra: Any) -> HTMLResponse:
    from mlsalary import schema
    from mlsalary.offer.schema import PRESETS

    choices = {"role": schema.ROLES, "level": schema.LEVELS, "remote": schema.REMOTE,
               "company_size": schema.COMPANY_SIZES, "vesting": tuple(PRESETS)}  # fmt: skip
    return render("offer_page.html.j2", status, title="Your offer", choices=choices, **extra)


#: A section of the offer form is used when one of these fields is filled in.
SECTION_KEYS = {
    "offer.equity": ("grant_value", "shares"),
    "offer.refresher": ("yearly_value",),
    "offer.benefits": ("retirement_match_pct", "espp_discount_pct", "espp_contribution", "other_yearly_value"),
    "profile": ("role",),
    "current": ("base",),
}


def offer_from_form(form: dict[str, str]) -> dict[str, Any]:
    """The offer form's dotted field names (offer.base, offer.equity.grant_value, profile.role …) as an offer's data."""
    data: dict[str, Any] = {}
    for name, value in form.items():
        if not name.startswith(("offer.", "profile.", "current.")) or value.strip() == "":
            continue
        section, _, key = name.rpartition(".")
        if section in SECTION_KEYS and not any(form.get(f"{section}.{k}", "").strip() for k in SECTION_KEYS[section]):
            continue
        node = data
        for part in section.split("."):
            node = node.setdefault(part, {})
        node[key] = value.strip()
    return data


@router.post("/offer", response_class=HTMLResponse)
async def offer_submit(request: Request) -> HTMLResponse:
    """Evaluate the offers of the form, the pasted TOML and the uploaded files, after the ones entered before."""
    from starlette.concurrency import run_in_threadpool
    from starlette.datastructures import UploadFile

    form = await request.form()
    uploads = [(up.filename, await up.read()) for up in form.getlist("files")
               if isinstance(up, UploadFile) and up.filename]  # fmt: skip
    fields = {k: str(v) for k, v in form.items() if isinstance(v, str)}
    # Validation, Monte Carlo, the market estimate and the chart run in a worker thread, off the event loop.
    return await run_in_threadpool(_offer_answer, fields, uploads)


def _offer_answer(fields: dict[str, str], uploads: list[tuple[str, bytes]], shared: str | None = None) -> HTMLResponse:
    """The offers entered before (`prior`), pasted, uploaded and in the form, evaluated; `shared`: the query field
    a link to an answer carries them in (GET /offer?offers=…), which needs no new offer."""
    from urllib.parse import urlencode

    from mlsalary.offer import api, schema
    from mlsalary.offer.html import COMPONENTS, chart_svg

    try:
        kept = _prior(fields.get("prior") or "[]", shared or "prior")
        if shared and not kept:
            raise InputError(f"{shared}: the link holds no offer; start again from the offer page", shared)
        offers = [schema.parse(d, f"offer {i}") for i, d in enumerate(kept, start=1)]
        if fields.get("toml", "").strip():
            offers.append(schema.parse(_toml(fields["toml"], "pasted offer", "toml"), "pasted offer"))
        for name, raw in uploads:
            offers.append(schema.parse(_toml(raw.decode("utf-8", "replace"), name, "files"), name))
        if fields.get("offer.base", "").strip():
            offers.append(schema.parse(offer_from_form(fields), "form", lax=True))
        if len(offers) == len(kept) and not shared:
            raise InputError("offer.base: fill in the base pay, or paste or upload an offer file", "offer.base")
        if len(offers) > MAX_OFFERS:
            raise InputError(f"files: compare at most {MAX_OFFERS} offers at a time", "files")
        show_in = fields.get("show_in", "").strip() or None
        results = [api.evaluate(of, show_in=show_in) for of in offers]
    except MlsalaryError as e:
        status, field = status_of(e)
        return _offer_page(status, error=str(e), field=field, values=_kept_values(fields),
                           prior=None if field in ("prior", shared) else fields.get("prior") or None)  # fmt: skip
    prior = json.dumps([of.model_dump(mode="json", exclude_unset=True) for of in offers], separators=(",", ":"))
    # The form comes back filled in (profile, current job and the last offer): a counter-offer is one edit away. The
    # answer's link holds its offers (as the hidden field does), so it can be kept, sent and opened again.
    return _offer_page(offers=results, components=COMPONENTS, svg=chart_svg(results), side=api.comparison(results),
                       values=_kept_values(fields), prior=prior,
                       link="/offer?" + urlencode({"offers": prior, **({"show_in": show_in} if show_in else {})}))


def _kept_values(fields: dict[str, str]) -> dict[str, str]:
    """The submitted form's own fields, to fill the next form with."""
    return {k: v for k, v in fields.items() if k.startswith(("offer.", "profile.", "current.")) or k == "show_in"}


def _prior(text: str, field: str = "prior") -> list[dict[str, Any]]:
    """The offers entered before (the hidden field of the compare form, or an answer's link: `field`): a JSON list of
    offers' data."""
    try:
        kept = json.loads(text)
    except (ValueError, RecursionError):  # not JSON, or nested deeper than the parser goes
        kept = None
    if not isinstance(kept, list) or not all(isinstance(d, dict) for d in kept):
        raise InputError(f"{field}: the earlier offers could not be read; start again from the offer page", field)
    return kept


def _toml(text: str, name: str, field: str) -> dict[str, Any]:
    from mlsalary.offer.schema import read_toml

    return read_toml(text, name, field)

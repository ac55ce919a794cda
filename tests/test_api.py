"""The JSON API with the ASGI test client: shapes, errors as 4xx naming the field, the body limit."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from mlsalary.web.app import create_app

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.fixture
def client() -> TestClient:
    return TestClient(create_app(), raise_server_exceptions=False)


def test_health_without_data(client: TestClient) -> None:
    r = client.get("/api/v1/health")
    assert r.status_code == 200 and r.json()["database"] is False


def test_figures_without_data_say_how_to_get_them(client: TestClient) -> None:
    r = client.get("/api/v1/figures")
    assert r.status_code == 200
    assert {f["status"] for f in r.json()["figures"]} == {"source_missing"}
    assert client.get("/api/v1/figures/nope").status_code == 404


def test_estimate_without_data_is_503_not_500(client: TestClient) -> None:
    r = client.post("/api/v1/estimate", json={"role": "ml_engineer", "level": "senior"})
    assert r.status_code == 503 and "mlsalary data pull" in r.json()["detail"][0]["msg"]


def test_bad_input_is_422_naming_the_field(client: TestClient) -> None:
    r = client.post("/api/v1/estimate", json={"years_experience": -2})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "years_experience"
    r = client.post("/api/v1/offer/evaluate", json={"offer": {"base": -1}})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "offer.base"
    r = client.post("/api/v1/offer/compare", json={"offers": []})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "offers"


def test_body_size_is_limited(client: TestClient) -> None:
    r = client.post("/api/v1/offer/evaluate", content=b"{" + b" " * 70_000 + b"}",
                    headers={"content-type": "application/json"})  # fmt: skip
    assert r.status_code == 413 and r.json()["detail"][0]["type"] == "too_large"

    def chunks():  # no content-length: the body arrives in chunks and is counted as it comes
        yield b"{"
        for _ in range(10):
            yield b" " * 8_000
        yield b"}"

    r = client.post("/api/v1/offer/evaluate", content=chunks(), headers={"content-type": "application/json"})
    assert r.status_code == 413


def test_errors_have_one_shape(client: TestClient) -> None:
    r = client.post("/api/v1/offer/evaluate", json={"offer": {"base": "185000"}})  # strict: text is not a number
    assert r.status_code == 422
    assert r.json()["detail"] == [{"loc": ["body", "offer.base"], "msg": "offer.base: Input should be a valid number",
                                   "type": "float_type"}]  # fmt: skip
    r = client.post("/api/v1/estimate", content=b"{not json", headers={"content-type": "application/json"})
    assert r.status_code == 422 and r.json()["detail"][0]["type"] == "json_invalid"
    r = client.request("TRACE", "/api/v1/health")
    assert r.status_code == 405 and "GET" in r.headers["allow"]
    assert client.get("/api/v1/figures/nope").json()["detail"][0]["type"] == "not_found"


def test_offer_evaluate_matches_the_cli(client: TestClient) -> None:
    import tomllib

    body = tomllib.loads((EXAMPLES / "offer.toml").read_text())
    r = client.post("/api/v1/offer/evaluate", json=body)
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["years"][0]["total"] == 350_150 and out["switch_vs_stay"]["break_even_year"] == 1
    assert out["market"]["available"] is False  # no data loaded: says why instead of failing


def test_with_data_figures_claims_and_estimate(trained_home: Path, monkeypatch: pytest.MonkeyPatch,
                                               client: TestClient) -> None:  # fmt: skip
    monkeypatch.setenv("MLSALARY_HOME", str(trained_home))
    figs = client.get("/api/v1/figures").json()["figures"]
    assert sum(f["status"] == "ok" for f in figs) >= 28
    ds = client.get("/api/v1/figures/oews-data-scientists-national").json()
    assert ds["value"] == 120_230
    claimed = client.get("/api/v1/claims").json()["claims"]
    assert len(claimed) >= 15
    by_id = {f["id"]: f for f in figs}  # each claim says what its figures hold fixed, as they do
    assert all(c["held_fixed"] == {i: by_id[i]["held_fixed"] for i in c["figures"]} for c in claimed)
    assert by_id["scientist-premium"]["held_fixed"] == ["level"]
    r = client.post("/api/v1/estimate", json={"role": "ml_engineer", "level": "senior", "country": "US"})
    assert r.status_code == 200, r.text
    e = r.json()
    assert e["p10"] < e["p50"] < e["p90"] and e["in_support"]
    r = client.post("/api/v1/estimate", json={"role": "research_scientist", "level": "executive", "country": "IN"})
    assert r.status_code == 422 and "fewer than 5" in r.json()["detail"][0]["msg"]
    r = client.post("/api/v1/estimate", json={"role": "wizard", "level": "mid"})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "role"


def test_explore_applies_the_privacy_floor_and_suppression(trained_home: Path, monkeypatch: pytest.MonkeyPatch,
                                                           client: TestClient) -> None:  # fmt: skip
    monkeypatch.setenv("MLSALARY_HOME", str(trained_home))
    r = client.get("/api/v1/explore", params={"role": "ml_engineer", "level": "senior", "country": "US", "year": 2024})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["status"] == "ok" and body["n"] >= 30 and [q["statistic"] for q in body["quantiles"]] == [
        "p10", "p25", "median", "p75", "p90"]  # fmt: skip
    median = body["quantiles"][2]
    assert median["ci_low"] <= median["value"] <= median["ci_high"]
    # A group too small to show anything: not even its size.
    tiny = client.get("/api/v1/explore", params={"role": "research_scientist", "level": "executive", "country": "IN"})
    assert tiny.json()["status"] == "suppressed" and tiny.json()["n"] is None and tiny.json()["quantiles"] == []
    bad = client.get("/api/v1/explore", params={"level": "boss"})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["query", "level"]

"""schemathesis against the OpenAPI schema at /openapi.json, on the real data with a trained model: generated
requests (valid and invalid) never get a 5xx, and every response matches the schema (status code, content type,
headers, body)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import positive_data_acceptance

from mlsalary.web.app import create_app

#: The app reads MLSALARY_HOME on each request, so the schema can be loaded once, before any data is chosen.
schema = schemathesis.openapi.from_asgi("/openapi.json", create_app())


@pytest.fixture
def trained(trained_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("MLSALARY_HOME", str(trained_home))
    return trained_home


@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_api_conforms_to_its_schema(case: Any, trained: Path) -> None:
    # Every check but positive_data_acceptance: a well-formed profile can still be refused with a 422 (an unknown
    # country, a group of fewer than 5 records), which is the point of the privacy floor.
    case.call_and_validate(excluded_checks=[positive_data_acceptance])


def test_the_schema_lists_every_endpoint() -> None:
    paths = create_app().openapi()["paths"]
    assert sorted(paths) == sorted(f"/api/v1/{p}" for p in (
        "health", "sources", "figures", "figures/{figure_id}", "figures.csv", "claims", "explore", "estimate",
        "offer/evaluate", "offer/compare", "start", "metros", "employer", "employers"))  # fmt: skip
    assert "422" in paths["/api/v1/estimate"]["post"]["responses"]
    assert "404" in paths["/api/v1/figures/{figure_id}"]["get"]["responses"]

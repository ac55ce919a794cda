"""Places: a city question means a US metro; common names and aliases lead to the OEWS metro; a near miss gets
suggestions; the list of metros on the CLI, the API and a page."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from conftest import run_cli
from mlsalary import wages
from mlsalary.errors import InputError

NY_METRO = "New York-Newark-Jersey City, NY-NJ"
SF_METRO = "San Francisco-Oakland-Fremont, CA"
SEATTLE_METRO = "Seattle-Tacoma-Bellevue, WA"
METROS_2025 = 393  # OEWS May 2025 metropolitan areas in the bundled database


pytestmark = pytest.mark.usefixtures("use_loaded")


@pytest.mark.parametrize(
    ("name", "metro"),
    [("NYC", NY_METRO), ("new york city", NY_METRO), ("New York", NY_METRO), ("Bay Area", SF_METRO),
     ("SF", SF_METRO), ("Seattle area", SEATTLE_METRO), ("Redmond", SEATTLE_METRO), ("seattle", SEATTLE_METRO),
     ("Silicon Valley", "San Jose-Sunnyvale-Santa Clara, CA"), ("Austin TX", "Austin-Round Rock-San Marcos, TX"),
     ("Portland, OR", "Portland-Vancouver-Hillsboro, OR-WA")],
)  # fmt: skip
def test_aliases_and_city_names_lead_to_the_metro(name: str, metro: str) -> None:
    assert wages.metro(name)[1] == metro


def test_new_york_is_the_state_for_an_area_and_the_metro_for_a_city() -> None:
    assert wages.lookup("15-2051", "New York")["area"] == "New York"
    assert wages.lookup("15-2051", "NYC")["area"] == NY_METRO


def test_a_near_miss_gets_suggestions_and_an_ambiguous_name_the_list() -> None:
    with pytest.raises(InputError, match=r"metro: no US metro named like 'Seatle': did you mean Seattle-Tacoma"):
        wages.metro("Seatle")
    with pytest.raises(InputError, match=r"'Portland' matches 2 metros \(Portland-South Portland, ME; Portland-Van"):
        wages.metro("Portland")


def test_the_estimate_scales_by_the_aliased_metro(trained_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLSALARY_HOME", str(trained_home))
    code, out, err = run_cli("estimate", "--role", "ml_engineer", "--level", "senior", "--metro", "NYC", "--json")
    assert code == 0, err
    assert any(c["feature"] == "metro" and c["to"] == NY_METRO for c in json.loads(out)["contributions"])
    code, _, err = run_cli("estimate", "--role", "ml_engineer", "--level", "senior", "--metro", "Bay Aera")
    assert code == 1 and "did you mean San Francisco-Oakland-Fremont, CA" in err and "--" not in err


def test_the_metro_list_on_the_cli_the_api_and_a_page() -> None:
    from mlsalary.web.app import create_app

    code, out, err = run_cli("oews", "--list-areas", "--json")
    assert code == 0, err
    rows = json.loads(out)
    assert len(rows) == METROS_2025 and {"nyc", "new york"} <= set(
        next(r for r in rows if r["name"] == NY_METRO)["aliases"]
    )
    with TestClient(create_app()) as client:
        api_rows = client.get("/api/v1/metros").json()["metros"]
        assert api_rows == rows
        page = client.get("/metros")
        assert page.status_code == 200 and SEATTLE_METRO in page.text and "redmond" in page.text


def test_a_countrys_postings_are_the_same_read_alone_or_cut_from_all(monkeypatch: pytest.MonkeyPatch) -> None:
    """The first country asked reads only its rows (a cold estimate); a later one is cut from every posting, read
    once (a server). Either way a group's quantiles are the same."""
    from mlsalary import cache, groups

    answers = {}
    for order in (("DE", "CA"), ("CA", "DE")):
        monkeypatch.setattr(cache, "_CACHE", {})
        for country in order:
            answers[(order, country)] = groups.market("ml_engineer", "senior", country, 1.0)
        assert ("groups:postings" in cache._CACHE) and f"groups:postings:{order[0]}" in cache._CACHE
        assert f"groups:postings:{order[1]}" not in cache._CACHE  # the second came from every posting
    for country in ("DE", "CA"):
        assert answers[(("DE", "CA"), country)] == answers[(("CA", "DE"), country)]
        assert answers[(("DE", "CA"), country)]["available"]

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
#: City pay factors measured on the mirror's H-1B filings (2015-2019, constant dollars), rounded to 3 places:
#: (role asked, the role measured, the factor, its 95% interval, the metro's filings as printed).
SEATTLE_ML = ("ml_engineer", "ml_engineer", 1.022, 0.952, 1.098, 50)
AUSTIN_ML = ("ml_engineer", "data_scientist", 0.829, 0.786, 0.874, 140)  # fewer than 30 ML engineers' filings: too few
#: BLS's data-scientist ratio for a metro with too few filings of either role (named as BLS's, no interval).
BLS_ONLY_METRO = "Boise"
#: A metro with neither: too few filings, and no BLS data-scientist median (May 2025).
NO_FACTOR_METRO = "Alexandria, LA"
#: Senior ML engineers with pay at Canadian and British employers: postings stated in the country's own currency, and
#: all of them (the rest are stated in US dollars, and one Canadian in euros).
SENIOR_ML_OWN_CURRENCY = {"CA": (7, 116), "GB": (25, 35)}


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
    with pytest.raises(InputError) as abroad:  # no letters-in-common suggestion (Burlington, Chicago-…-Elgin)
        wages.metro("Berlin")
    assert str(abroad.value) == ("metro: no US metro named like 'Berlin': the metros: mlsalary oews --list-areas, or "
                                 "the /metros page (pay by city is known for US metros only: for a city elsewhere, "
                                 "give its country)")


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

    answers = {}  # abroad only the UK has a group with data: ML roles at British employers, all levels
    for order in (("GB", "US"), ("US", "GB")):
        monkeypatch.setattr(cache, "_CACHE", {})
        for country in order:
            answers[(order, country)] = groups.market("ml_engineer", "senior", country, 1.0)
        assert ("groups:postings" in cache._CACHE) and f"groups:postings:{order[0]}" in cache._CACHE
        assert f"groups:postings:{order[1]}" not in cache._CACHE  # the second came from every posting
    for country in ("GB", "US"):
        assert answers[(("GB", "US"), country)] == answers[(("US", "GB"), country)]
        assert answers[(("GB", "US"), country)]["available"]


@pytest.mark.parametrize(("city", "expected"), [("Seattle", SEATTLE_ML), ("Austin", AUSTIN_ML)])
def test_a_citys_factor_is_measured_on_filings_of_the_role_else_named(city: str, expected: tuple) -> None:
    """The rule (mlsalary.cities): the role's own H-1B filings when the metro has the minimum n, else data
    scientists' filings, else BLS's ratio — each named, with its n and interval where it has them."""
    from mlsalary import cities

    asked, measured, value, low, high, n = expected
    f = cities.factor(city, asked)
    assert (f["basis"], f["role"], f["n"]) == ("lca", measured, n)
    assert (round(f["value"], 3), round(f["ci_low"], 3), round(f["ci_high"], 3)) == (value, low, high)
    assert f"{value:.2f}x the US, measured on about {n} H-1B filings" in f["text"]
    assert ("too few filings for ML engineers there" in f["text"]) is (measured != asked)


def test_a_city_without_enough_filings_gets_blss_ratio_named_as_such() -> None:
    from mlsalary import cities

    f = cities.factor(BLS_ONLY_METRO, "ml_engineer")
    local = wages.lookup(cities.BLS_OCCUPATION, wages.metro(BLS_ONLY_METRO)[0])
    national = wages.lookup(cities.BLS_OCCUPATION, "national", local["year"])
    assert f["basis"] == "oews" and f["n"] is None and f["ci_low"] is None
    assert f["value"] == pytest.approx(local["annual_median"] / national["annual_median"])
    assert "BLS's published ratio for all data scientists" in f["text"] and "not measured on ML pay" in f["text"]


@pytest.mark.parametrize("level", ["mid", "senior"])
@pytest.mark.parametrize(("city", "country", "currency"),
                         [("Seattle", "US", "USD"), ("Austin", "US", "USD"), ("New York", "US", "USD"),
                          ("London", "GB", "GBP"), ("Seattle", "US", "EUR")])  # fmt: skip
def test_one_median_per_profile_on_every_surface(trained_home: Path, monkeypatch: pytest.MonkeyPatch, city: str,
                                                 country: str, currency: str, level: str) -> None:  # fmt: skip
    """The start card's answer, the estimate, an offer's market position and its negotiation give one median per
    profile: the estimate's, scaled by the city's one factor. The card's postings are evidence beside it, their own
    median with its 95% interval, and the card says whether the estimate's lies inside it (it does for the US
    groups); London's ML engineers by level have too few postings in pounds, so the card's postings are the nearest
    group's (ML roles), and the estimate answers outside its support, its range widened."""
    from mlsalary import cities, start
    from mlsalary.model.estimate import estimate
    from mlsalary.offer import api as offer_api
    from mlsalary.offer import schema

    monkeypatch.setenv("MLSALARY_HOME", str(trained_home))
    us = country == "US"
    card = start.card(role="ml_engineer", level=level, country=country, city=city, currency=currency)
    est = estimate(role="ml_engineer", level=level, country=country, metro=city if us else None, currency=currency)
    offer = schema.OfferFile.model_validate({"offer": {"company": "X", "base": 150_000, "currency": currency},
                                             "profile": {"role": "ml_engineer", "level": level, "country": country,
                                                         **({"metro": city} if us else {})}})  # fmt: skip
    answer = offer_api.evaluate(offer)
    market, nego = answer["market"], answer["negotiation"]
    median = card["answer"]["median"]
    assert median == card["estimate"]["p50"] == est["p50"] == market["median"] == nego["comparable"]["median"]
    assert nego["comparable"]["offer_percentile"] == pytest.approx(market["percentile"], abs=0.05)
    amount = f"${median:,}" if currency == "USD" else f"{median:,} {currency}"
    assert f"median {amount} a year" in card["headline"]
    assert "the personal estimate for this profile" in card["headline"]
    postings = card["market"]["quantiles"]["p50"]
    if us:  # BLS beside the postings: why the postings sit above it
        assert "a selected sample" in card["official"]["note"] and "sit above BLS" in card["official"]["note"]
        factor = cities.factor(city, "ml_engineer")
        assert card["market"]["city_factor"] == est["city_factor"] == factor
        assert f"scaled to {factor['metro']} by its pay factor ({factor['value']:.2f}x)" in card["headline"]
        assert factor["text"] in " ".join(est["notes"]) and factor["text"] in " ".join(market["notes"])
        assert card["market"]["exact"] and card["estimate"]["agrees_with_postings"] is True
        assert postings["ci_low"] <= median <= postings["ci_high"], (postings, median)
    else:
        assert not card["market"]["exact"] and card["estimate"]["agrees_with_postings"] is None
        assert "ML roles" in card["market"]["group"] and card["headline"].lower().startswith(f"{level} ml engineers")


@pytest.mark.parametrize(("country", "currency"), [("CA", "CAD"), ("GB", "GBP")])
def test_a_non_us_profile_counts_one_population_and_gets_one_median(trained_home: Path, monkeypatch: pytest.MonkeyPatch,
                                                                    country: str, currency: str) -> None:  # fmt: skip
    """A senior ML engineer in Canada and in the UK, in local currency. Every surface counts the same postings —
    abroad only those stated in the country's own currency (mlsalary.disclosure.OWN_CURRENCY): 7 of Canada's 116,
    25 of the UK's 35 — so explore, the start card's postings and the non-US figure all say there are too few for a
    group median, and the estimate, trained on the same rule, answers outside its support with its range widened;
    the card's answer and the offer's market position are its median. The issue asked for one median across the four
    within its interval: the mirror has too few local-currency postings at this level for any group median."""
    from mlsalary import disclosure, start, stats, store
    from mlsalary.figures import compute
    from mlsalary.figures.catalogue import CATALOGUE
    from mlsalary.figures.data import load
    from mlsalary.model.estimate import estimate
    from mlsalary.offer import api as offer_api
    from mlsalary.offer import schema
    from mlsalary.web.explore import explore

    monkeypatch.setenv("MLSALARY_HOME", str(trained_home))
    own, every = SENIOR_ML_OWN_CURRENCY[country]
    sql = "FROM units WHERE {} AND company_country = ? AND role = 'ml_engineer' AND level = 'senior'"
    counted = store.query("SELECT currency " + sql.format(disclosure.POPULATION), [country])
    assert len(counted) == own < stats.min_n() and set(counted["currency"]) == {currency}
    every_currency = "source = 'aijobs' AND dup_rank = 1 AND employment_type = 'full_time' AND amount_usd IS NOT NULL"
    anyhow = store.query("SELECT currency " + sql.format(every_currency), [country])
    assert len(anyhow) == every and (country != "CA" or every >= stats.min_n())  # in Canada the dollars had sufficed

    profile = {"role": "ml_engineer", "level": "senior", "country": country}
    seen = explore(profile, currency=currency)
    assert seen["status"] == "suppressed" and seen["n"] is None
    card = start.card(**profile, currency=currency)
    assert card["market"]["asked"]["n"] is None and card["market"]["asked"]["selection"]["country"] == country
    est = estimate(**profile, currency=currency)
    assert not est["in_support"] and est["support_n"] is None and est["group"] is None and est["currency"] == currency
    offer = schema.OfferFile.model_validate({"offer": {"company": "X", "base": 100_000, "currency": currency},
                                             "profile": profile})  # fmt: skip
    market = offer_api.evaluate(offer)["market"]
    assert card["answer"]["from"] == "estimate"
    assert card["answer"]["median"] == est["p50"] == market["median"] and market["in_support"] is False
    assert f"median {est['p50']:,} {currency} a year" in card["headline"]
    assert "outside the data's support, fewer than 30 similar records: its range is widened" in card["headline"]
    figure = compute.compute_one(next(f for f in CATALOGUE if f.id == "non-us-ml-median"), load())
    group = next(g for g in figure.groups if g.label == country)
    assert group.status == "suppressed" and group.n is None  # the country's ML engineers of the latest year: too few


def test_a_city_without_any_factor_is_told_so(trained_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No filings and no BLS median: the estimate refuses, naming why; the card says so and answers for the US."""
    from mlsalary import start

    monkeypatch.setenv("MLSALARY_HOME", str(trained_home))
    why = f"no pay factor for {NO_FACTOR_METRO}: too few H-1B filings there and BLS publishes no data-scientist median"
    card = start.card(role="ml_engineer", level="senior", country="US", city=NO_FACTOR_METRO)
    assert "city_factor" not in card["market"] and card["headline"].startswith("Senior ML engineers at employers in")
    assert any(n.startswith(why) and n.endswith("the answer for the US as a whole") for n in card["notes"])
    code, _, err = run_cli("estimate", "--role", "ml_engineer", "--level", "senior", "--metro", NO_FACTOR_METRO)
    assert code == 1 and err.startswith(f"error: {why}")


def test_a_cold_estimate_for_a_city_reads_the_filings_without_pandas_or_scipy(trained_home: Path) -> None:
    """The city factor is read from the store as numpy arrays and its interval needs no scipy: a first estimate for
    Seattle imports neither (it had taken 1.3 s against 0.4 s, importing both)."""
    import os
    import subprocess
    import sys

    code = ("import sys\nfrom mlsalary.model.estimate import estimate\n"
            "estimate('ml_engineer', 'senior', 'US', metro='Seattle')\n"
            "print([m for m in ('pandas', 'scipy', 'sklearn') if m in sys.modules])")  # fmt: skip
    env = {**os.environ, "MLSALARY_HOME": str(trained_home)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env).stdout
    assert out.strip().splitlines()[-1] == "[]"

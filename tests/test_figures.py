"""The figures, the claim checker and the report, on the real data and on a fresh offline machine."""

from __future__ import annotations

import html
import json
import os
import re
from pathlib import Path
from typing import Any

import pytest

from conftest import assert_screenshot, phone_page, run_cli
from mlsalary import api, stats
from mlsalary.figures import catalogue, claims, compute
from mlsalary.figures.data import Data, group
from mlsalary.figures.measure import Out

# Published by BLS (data README): national median annual wage of data scientists, SOC 15-2051.
DS_MEDIAN_2024 = 112_590
DS_MEDIAN_2025 = 120_230


@pytest.fixture(scope="module")
def real_figures(loaded_db: Path) -> list:
    old = os.environ.get("MLSALARY_HOME")
    os.environ["MLSALARY_HOME"] = str(loaded_db)
    try:
        return api.figures()
    finally:
        if old is None:
            os.environ.pop("MLSALARY_HOME", None)
        else:
            os.environ["MLSALARY_HOME"] = old


def test_the_catalogue_has_distinct_figures_over_every_topic_and_the_readme_counts_them() -> None:
    ids = [f.id for f in catalogue.CATALOGUE]
    assert len(ids) == len(set(ids)) >= 34
    readme = (Path(__file__).parents[1] / "README.md").read_text()
    assert f"**the figure report** ({len(ids)} figures)" in readme
    topics = {f.topic for f in catalogue.CATALOGUE}
    assert topics == {"levels", "location", "remote", "industry", "specialization", "skills", "education",
                      "company_size", "trends", "negotiation"}  # fmt: skip


def test_with_the_mirror_at_least_28_figures_are_ok_each_with_n_and_interval(real_figures: list) -> None:
    ok = [f for f in real_figures if f.status == "ok"]
    assert len(ok) >= 28, [(f.id, f.status) for f in real_figures if f.status != "ok"]
    for f in ok:
        assert f.published or (f.n is not None and f.n >= 30), f.id
        if f.ci_low is None or f.ci_high is None:  # open only where the disclosure rule says so, in a caveat
            assert any("is not bounded: with" in c for c in f.caveats), f.id
            assert (f.ci_low is None or f.ci_low <= f.value) and (f.ci_high is None or f.value <= f.ci_high), f.id
        else:
            assert f.ci_low <= f.value <= f.ci_high, f.id
        assert f.sources and f.years and f.definition and f.caveats, f.id
    for f in real_figures:
        if "aijobs" in f.sources:
            assert f.duplicate_policy == "one_per_group", f.id


def test_oews_figures_equal_bls_published_values(real_figures: list) -> None:
    ds = next(f for f in real_figures if f.id == "oews-data-scientists-national")
    assert ds.value == DS_MEDIAN_2025 and ds.years == [2025] and ds.published
    history = {g.label: g.value for g in ds.groups}
    assert history["2024"] == DS_MEDIAN_2024 and history["2025"] == DS_MEDIAN_2025
    assert ds.rse is not None and ds.ci_low < DS_MEDIAN_2025 < ds.ci_high


def test_suppressed_figures_show_no_number(real_figures: list) -> None:
    for f in real_figures:
        if f.status == "suppressed":
            assert f.value is None and f.ci_low is None and f.ci_high is None
            assert f.n is None or f.n >= 5


def test_privacy_floor_hides_a_group_of_four_and_suppresses_29() -> None:
    four = group("tiny", stats.quantile([1.0, 2.0, 3.0, 4.0], 0.5))
    assert (four.value, four.n, four.status) == (None, None, "suppressed")
    e29 = stats.quantile(list(range(1, 30)), 0.5)
    assert group("g", e29).value is None and group("g", e29).n == 29
    e30 = stats.quantile(list(range(1, 31)), 0.5)
    assert group("g", e30).value == 15.5

    def tiny(d: Data) -> Out:
        return Out(stats.quantile([1.0, 2.0, 3.0, 4.0], 0.5), 4, 4, [2024])

    fd = catalogue.FigureDef("t", "levels", "q?", "usd", ("aijobs",), "def", tiny)
    fig = compute.compute_one(fd, Data({"aijobs": "x"}, *(None,) * 3))  # type: ignore[arg-type]
    assert (fig.status, fig.value, fig.n) == ("suppressed", None, None)


def test_every_claim_gets_a_verdict_with_numbers(real_figures: list) -> None:
    verdicts = claims.check(real_figures)
    assert len(verdicts) == len(claims.CLAIMS) >= 15
    for v in verdicts:
        assert v.verdict in claims.VERDICTS
        assert v.explanation
        if v.verdict != "cannot be tested":
            assert any(ch.isdigit() for ch in v.explanation), v.id
    by_id = {v.id: v for v in verdicts}
    assert by_id["stock-large-share"].verdict == "cannot be tested"
    assert "bonus and stock" in by_id["stock-large-share"].explanation
    assert by_id["tech-hubs-pay-more"].verdict == "supported"


def test_offline_with_oews_alone_marks_the_rest_source_missing() -> None:
    assert run_cli("data", "pull", "oews", "--offline")[0] == 0
    code, out, err = run_cli("figures", "--json")
    assert code == 0, err
    figs = {f["id"]: f for f in json.loads(out)["figures"]}
    assert list(next(iter(figs.values())))[:15] == ["id", "question", "value", "ci_low", "ci_high", "n", "unit",
                                                    "value_unit", "sources", "years", "period", "data_as_of",
                                                    "age_months", "status", "caveats"]  # fmt: skip
    assert figs["oews-data-scientists-national"]["status"] == "ok"
    assert figs["oews-data-scientists-national"]["value"] == DS_MEDIAN_2025
    assert figs["top-paying-metro"]["status"] == "ok"
    assert figs["entry-us-ml-median"]["status"] == "source_missing"
    assert figs["entry-us-ml-median"]["remedy"] == (
        "mlsalary data pull aijobs (works offline: the final snapshot (2025-08-09) ships with mlsalary)"
    )
    assert figs["industry-tech-median"]["remedy"].startswith("Kaggle's survey files need a Kaggle account")
    # May 2025 alone cannot say how the median moved since 2021: not "+0.0%, ok" but a missing source, and how to add it
    real = figs["oews-ds-real-change"]
    assert real["status"] == "source_missing" and real["value"] is None
    assert real["remedy"].startswith("mlsalary data pull oews (the national history")
    code, out, _ = run_cli("claims", "--json")
    verdicts = {c["id"]: c for c in json.loads(out)["claims"]}
    assert verdicts["entry-to-mid-jump"]["verdict"] == "cannot be tested"
    assert "not loaded: mlsalary data pull aijobs (works offline" in verdicts["entry-to-mid-jump"]["explanation"]


def test_figures_without_a_database_say_how_to_get_data() -> None:
    code, out, _ = run_cli("figures", "--json")
    assert code == 0
    assert {f["status"] for f in json.loads(out)["figures"]} == {"source_missing"}


def test_unknown_figure_id_is_one_line_before_anything_is_computed(monkeypatch: pytest.MonkeyPatch) -> None:
    from mlsalary.cli import figures as cli_figures

    def computed() -> None:  # with a store, the first call after a pull computes every figure first: seconds
        raise AssertionError("the figures were computed for an id that names none")

    monkeypatch.setattr(cli_figures, "_compute", computed)
    code, _, err = run_cli("figures", "--id", "nope")
    assert code == 1 and err.strip() == "error: unknown figure 'nope': see `mlsalary figures --list` for the ids"


def test_report_renders_in_headless_chromium_with_its_charts(use_loaded: Path, tmp_path: Path, browser: Any) -> None:
    code, _, err = run_cli("figures", "--out", str(tmp_path))
    assert code == 0, err
    html = (tmp_path / "report.html").read_text()
    assert "<script" not in html and "cdn" not in html.lower()  # self-contained, no network
    assert (tmp_path / "figures.md").read_text().startswith("# What machine learning engineers really earn")
    assert len(json.loads((tmp_path / "figures.json").read_text())["figures"]) == len(catalogue.CATALOGUE)
    errors: list[str] = []
    page = phone_page(browser, errors)
    page.goto((tmp_path / "report.html").as_uri())
    charts = page.locator(".chart svg")
    assert charts.count() >= 20
    assert page.locator(".chart svg path, .chart svg rect").count() > 100  # bars, rules and axes are drawn
    shot = tmp_path / "report.png"
    page.locator("#entry-us-ml-median").screenshot(path=str(shot))
    page.close()
    assert errors == []
    assert_screenshot(shot)


def test_charts_say_what_the_numbers_say(real_figures: list) -> None:
    """The real-change figure's breakdown is in constant dollars (its ends give its value), and the data-scientist
    history marks the years BLS published only the broader 15-2098."""
    figs = {f.id: f for f in real_figures}
    real = figs["oews-ds-real-change"]
    first, last = real.groups[0], real.groups[-1]
    assert (last.value / first.value - 1) * 100 == pytest.approx(real.value, abs=1e-6)
    assert all("constant" in g.note for g in real.groups)
    history = {g.label: g.note for g in figs["oews-data-scientists-national"].groups}
    assert history["2019"].startswith("published for the broader 15-2098") and history["2021"] == "published"


def test_the_start_card_links_only_to_figures_that_exist() -> None:
    from mlsalary import start

    ids = {f.id for f in catalogue.CATALOGUE}
    linked = set(start.LEVEL_FIGURES.values()) | {i for group in start.PLACE_FIGURES.values() for i in group}
    assert linked <= ids, linked - ids


def test_a_missing_source_is_named_by_its_command_never_capitalised() -> None:
    """With no data, a headline said "Mlsalary data pull aijobs": the command is quoted as typed."""
    from mlsalary.figures.compute import compute_all

    missing = [f for f in compute_all() if f.status == "source_missing"]
    assert missing
    for f in missing:
        assert "Mlsalary" not in f.headline and f"run {f.remedy}" in f.headline, f.headline


def test_every_surface_says_why_figures_have_no_number(tmp_path: Path) -> None:
    """"20 of 37 figures have enough data" hid that most of the rest lacked a source: the CLI, the report and the
    web page give one sentence that counts both reasons, and the counts add up."""
    import re

    from fastapi.testclient import TestClient

    from conftest import run_cli
    from mlsalary.figures.compute import compute_all
    from mlsalary.report.render import coverage
    from mlsalary.web.app import create_app

    figs = compute_all()
    sentence = coverage(figs)
    ok, total, missing = (int(x) for x in re.match(r"(\d+) of (\d+) figures have a number; (\d+) needs? a source",
                                                   sentence).groups())  # fmt: skip
    thin = re.search(r"(\d+) ha(?:s|ve) too few records", sentence)
    assert ok + missing + (int(thin.group(1)) if thin else 0) == total == len(figs) and missing > 0
    code, out, _ = run_cli("figures", "--out", str(tmp_path / "report"))
    assert code == 0 and sentence in " ".join(out.split())
    assert sentence in (tmp_path / "report" / "report.html").read_text(encoding="utf-8")
    assert sentence in TestClient(create_app()).get("/figures").text


def test_the_figures_of_one_version_of_the_data_are_computed_once(
    use_loaded: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A second `figures` (or `claims`) of the same data reads what the first computed; a rule's setting, a vintage
    or a damaged file make it compute again, and one file is kept."""
    from mlsalary.cli import figures as cli_figures
    from mlsalary.figures import memo

    for old in memo.folder().glob("*"):
        old.unlink()
    computed = []
    real = cli_figures._compute

    def counting() -> Any:
        computed.append(1)
        return real()

    monkeypatch.setattr(cli_figures, "_compute", counting)
    first = run_cli("figures", "--json")
    assert first[0] == 0 and len(computed) == 1
    assert run_cli("figures", "--json")[1] == first[1] and len(computed) == 1
    (one,) = json.loads(run_cli("figures", "--id", "yoy-ml-median", "--json")[1])["figures"]
    assert one == next(f for f in json.loads(first[1])["figures"] if f["id"] == "yoy-ml-median")
    assert run_cli("claims", "--json")[0] == 0 and len(computed) == 1
    monkeypatch.setenv("MLSALARY_MIN_N", "31")  # a rule's setting: another answer
    assert run_cli("figures", "--json")[0] == 0 and len(computed) == 2
    assert len(list(memo.folder().glob("*.pickle"))) == 1
    assert run_cli("figures", "--json", "--as-of", "2024-06-30")[0] == 0 and len(computed) == 3  # never kept
    (kept,) = memo.folder().glob("*.pickle")
    kept.write_bytes(b"not a pickle")
    again = run_cli("figures", "--json")
    assert again[0] == 0 and len(computed) == 4 and json.loads(again[1])["figures"]
    monkeypatch.delenv("MLSALARY_MIN_N")
    assert run_cli("figures", "--json")[1] == first[1] and len(computed) == 5


def test_a_new_pull_is_a_new_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from mlsalary.figures import memo

    monkeypatch.setenv("MLSALARY_HOME", str(tmp_path / "home"))
    assert memo.key() is None  # no database: nothing to keep
    assert run_cli("data", "pull", "oews", "--offline")[0] == 0
    before = memo.key()
    assert run_cli("data", "pull", "oews", "--offline", "--replace")[0] == 0
    assert memo.key() not in (None, before)


def test_every_chart_is_named_and_described(real_figures: list) -> None:
    """A chart is an image with a title and a description that lists what it shows (the figures' groups, a range's
    quantiles); one without a title or a description is refused."""
    from mlsalary.report import charts

    fig = next(f for f in real_figures if f.id == "senior-us-ml-median")
    svg = charts.svg(fig)
    assert svg is not None and svg.startswith("<svg") and 'role="img"' in svg.split(">", 1)[0]
    title, desc = re.search(r"<title>(.*?)</title><desc>(.*?)</desc>", svg).groups()  # type: ignore[union-attr]
    assert html.unescape(title) == fig.question
    shown = [g for g in fig.groups if g.value is not None]
    assert all(html.unescape(g.label) in html.unescape(desc) for g in shown) and f"{shown[0].value:,.0f}" in desc
    rng = charts.range_svg({"p10": 1, "p25": 2, "p50": 150_000, "p75": 4, "p90": 5}, title="EUR a year")
    assert "<title>The pay range, EUR a year</title>" in rng and "median 150,000" in rng
    with pytest.raises(ValueError):
        charts.labelled("<svg></svg>", "", "something")


def test_make_runs_summary_prints_the_answers_and_the_verdicts_only(use_loaded: Path) -> None:
    """`make run` prints `figures --summary` and `claims --summary`: every figure's answer and every claim's verdict,
    one per line or block, no tables (those, with the rest, are in the report)."""
    from mlsalary.report import render

    code, full, err = run_cli("figures", "--json")
    assert code == 0, err
    figs = json.loads(full)["figures"]
    code, out, err = run_cli("figures", "--summary")
    assert code == 0, err
    flat = " ".join(out.split())
    assert out.startswith("The answers:\n")  # no table first (at 80 columns it would print as records)
    assert all(f"{i}. {' '.join(render.human(f['headline']).split())}" in flat for i, f in enumerate(figs, start=1))
    code, full, err = run_cli("claims", "--json")
    verdicts = json.loads(full)["claims"]
    code, out, err = run_cli("claims", "--summary")
    assert code == 0, err
    counts = re.match(r"Claims checked: (.*)\.\n", out)
    assert counts and sum(int(p.split()[0]) for p in counts.group(1).split(", ")) == len(verdicts)
    assert all(f"- {v['verdict']}: {' '.join(v['claim'].split())}" in " ".join(out.split()) for v in verdicts)
    assert len(out.splitlines()) < 2 * len(verdicts)  # a line or two a claim, not the numbers behind each


def test_computing_the_figures_and_claims_imports_no_scipy_or_sklearn(loaded_db: Path) -> None:
    """The first `mlsalary figures` after a pull computes every figure and verdict in a new process: the two intervals
    that came from scipy.stats (Wilson, BCa) are mlsalary.stats.resampling's, so scipy's import (0.6-1.0 s) is not
    paid, nor scikit-learn's."""
    import subprocess
    import sys

    code = ("import sys\nfrom mlsalary.cli.figures import _compute\nfigs, verdicts, _ = _compute()\n"
            "print(len(figs), len(verdicts), sorted({m.split('.')[0] for m in sys.modules} & {'scipy', 'sklearn'}))")
    env = {**os.environ, "MLSALARY_HOME": str(loaded_db)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env).stdout
    n_figs, n_verdicts, heavy = out.strip().splitlines()[-1].split(" ", 2)
    assert (int(n_figs), int(n_verdicts), heavy) == (len(catalogue.CATALOGUE), len(claims.CLAIMS), "[]")


def test_an_estimate_reads_only_the_declared_pay_columns(use_loaded: Path) -> None:
    """figures.data.PAY_COLUMNS declares what estimate() reads (measure.within narrows each stratum's rows to them):
    every source's estimate, nominal and real, is the same from those columns alone."""
    from mlsalary.figures import data

    d = data.load()
    for source, rows in d.obs.groupby("source"):
        for real in (False, True):
            if source == "oews" or (real and (rows["pay_kind"] == "survey_band").any()):
                continue
            assert data.estimate(rows[list(data.PAY_COLUMNS)], real=real) == data.estimate(rows, real=real), source


def test_every_stratum_is_formed_from_the_columns_within_reads(use_loaded: Path) -> None:
    """measure.reads (what ``within`` narrows its rows to) covers what each stratum reads: every declared stratum
    gives the same strata from those columns alone as from all of them."""
    from mlsalary.figures import data, measure

    obs = data.load().obs.assign(metro="Seattle")  # metro is added to filings by the figures that hold it fixed
    for name in measure.STRATA:
        narrow = obs[[c for c in measure.reads((name,)) if c in obs.columns]]
        assert measure.stratum_of(narrow, (name,)).equals(measure.stratum_of(obs, (name,))), name


def test_the_figures_read_the_store_as_duckdb_frames_it(use_loaded: Path) -> None:
    """figures.data.frame (by way of Arrow, the faster road) gives exactly the frame DuckDB's .df() gives for each
    of load()'s queries: types, missing values and all."""
    import pandas as pd

    from mlsalary import store
    from mlsalary.figures import data

    with store.read_only() as con:
        for name, sql in data.queries().items():
            got, want = data.frame(con.sql(sql)), con.sql(sql).df()
            assert len(want), name
            pd.testing.assert_frame_equal(got, want, check_exact=True, obj=name)

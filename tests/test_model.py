"""The pay model: calibration on synthetic data with a known distribution, determinism, estimates on the real data,
the temporal evaluation, and one-line errors."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from conftest import run_cli
from mlsalary.model.estimator import PayQuantileModel

LEVEL_MEANS = {"entry": 11.4, "mid": 11.7, "senior": 12.0}  # log pay of the synthetic population
ROLE_SHIFT = {"ml_engineer": 0.1, "data_scientist": 0.0, "data_analyst": -0.3}
SIGMA = 0.35


def synthetic(n: int, years: list[int], seed: int) -> tuple[pd.DataFrame, np.ndarray]:
    """Rows with a known conditional distribution: log pay ~ Normal(level mean + role shift, SIGMA)."""
    rng = np.random.default_rng(seed)
    level = rng.choice(list(LEVEL_MEANS), n)
    role = rng.choice(list(ROLE_SHIFT), n)
    x = pd.DataFrame(
        {
            "role": pd.Categorical(role, categories=list(ROLE_SHIFT)),
            "level": pd.Categorical(level, categories=list(LEVEL_MEANS)),
            "source": pd.Categorical(["aijobs"] * n, categories=["aijobs"]),
            "year": rng.choice(years, n).astype(float),
        }
    )
    mean = np.array([LEVEL_MEANS[lv] for lv in level]) + np.array([ROLE_SHIFT[r] for r in role])
    return x, rng.normal(mean, SIGMA)


@pytest.mark.parametrize("seed", [1, 5])
def test_calibrated_intervals_cover_as_stated_on_a_known_distribution(seed: int) -> None:
    """About 2,700 calibration rows: the calibrated coverage lands within +/-0.035 of nominal."""
    x, y = synthetic(8_000, [2021, 2022, 2023], seed=seed)
    model = PayQuantileModel(max_iter=100).fit(x, y)
    assert model.calibration_.startswith("drift hedge")
    xt, yt = synthetic(20_000, [2023], seed=seed + 10)
    q = model.predict_quantiles(xt)
    cover80 = np.mean((yt >= q[:, 0]) & (yt <= q[:, 4]))
    cover50 = np.mean((yt >= q[:, 1]) & (yt <= q[:, 3]))
    assert 0.765 <= cover80 <= 0.835
    assert 0.465 <= cover50 <= 0.535
    # The median sits near the true conditional median.
    truth = np.array([LEVEL_MEANS[lv] + ROLE_SHIFT[r] for lv, r in zip(xt["level"], xt["role"], strict=True)])
    assert np.median(np.abs(q[:, 2] - truth)) < 0.05


def test_a_partial_later_year_is_rehearsed_in_the_year_ahead_view() -> None:
    """Pay drifts +0.4 a year. When the training rows reach into a partial later year (as a snapshot taken in January
    does), the final model has seen part of the year it is used on, so the year-ahead calibration sees the same share
    of its scored year: its offsets shrink, and the 80% range holds near 80% on the partial year's unseen rest."""

    def drifting(n: int, years: list[int], seed: int) -> tuple[pd.DataFrame, np.ndarray]:
        x, y = synthetic(n, years, seed)
        return x, y + 0.4 * (x["year"].to_numpy() - 2021)

    x, y = drifting(9_000, [2021, 2022, 2023], seed=2)
    xl, yl = drifting(600, [2024], seed=3)  # the partial later year: 600 rows against 3,000 in 2023 (20%)
    plain = PayQuantileModel(max_iter=100).fit(x, y)
    both = PayQuantileModel(max_iter=100).fit(pd.concat([x, xl], ignore_index=True), np.concatenate([y, yl]))
    assert "seen as the final model sees 2024" in both.calibration_ and "seen" not in plain.calibration_
    assert both.offsets_["0.9"] < plain.offsets_["0.9"] - 0.05  # the upper end: pay drifts up
    # Each end has its own offset: the year-ahead view's scores lie above the range, so the upper end moves out
    # further than the lower one (one offset for both ends would widen the range below as much as above).
    assert plain.offsets_["0.9"] > plain.offsets_["0.1"] + 0.1 and plain.offsets_["0.75"] > plain.offsets_["0.25"] + 0.1
    xt, yt = drifting(20_000, [2024], seed=4)
    q = both.predict_quantiles(xt)
    assert 0.75 <= np.mean((yt >= q[:, 0]) & (yt <= q[:, 4])) <= 0.86
    assert abs(np.mean(yt < q[:, 0]) - np.mean(yt > q[:, 4])) < 0.03  # as many fall below the range as above it


def test_each_end_moves_by_its_own_offset_and_the_quantiles_never_cross() -> None:
    from mlsalary.model.compact import widen

    q = np.array([[0.0, 1.0, 2.0, 3.0, 4.0]])
    moved = widen(q.copy(), {"0.1": 0.5, "0.25": 0.0, "0.75": -0.25, "0.9": 1.0})
    assert moved.tolist() == [[-0.5, 1.0, 2.0, 2.75, 5.0]]
    assert widen(q.copy(), {"0.1": -3.0, "0.25": 0.0, "0.75": 0.0, "0.9": 0.0}).tolist() == [[1.0, 2.0, 3.0, 3.0, 4.0]]


def with_survey(x: pd.DataFrame, y: np.ndarray, n: int, year: int, seed: int) -> tuple[pd.DataFrame, np.ndarray]:
    """`x, y` with `n` rows of a survey source added, all in `year`."""
    xs, ys = synthetic(n, [year], seed)
    cats = ["aijobs", "stackoverflow"]
    xs["source"] = pd.Categorical(["stackoverflow"] * n, categories=cats)
    x = x.assign(source=pd.Categorical(x["source"].astype(str), categories=cats))
    return pd.concat([x, xs], ignore_index=True), np.concatenate([y, ys])


def test_a_survey_year_past_the_postings_years_does_not_take_the_calibration_year() -> None:
    """The calibration's year is found per source: a store of postings to 2023 plus a 2024 survey (one year, so
    nothing of it can be scored a year ahead) still runs the drift hedge on the postings' own newest full year, names
    the survey as not scored, and covers as stated. (The store-wide newest year was 2024: nothing before it could be
    scored, and the model fell back to a random split without a word.)"""
    x, y = synthetic(6_000, [2021, 2022, 2023], seed=7)
    x, y = with_survey(x, y, 3_000, 2024, seed=8)
    model = PayQuantileModel(max_iter=100).fit(x, y)
    assert model.calibration_.startswith("drift hedge: aijobs: a year ahead (trained before 2023"), model.calibration_
    assert "not scored: stackoverflow (newest full year 2024, no earlier year)" in model.calibration_
    assert model.calibration_fallback_ is None
    xt, yt = synthetic(20_000, [2023], seed=9)
    q = model.predict_quantiles(xt)
    assert 0.765 <= np.mean((yt >= q[:, 0]) & (yt <= q[:, 4])) <= 0.835


def test_a_fallback_is_named_never_silent() -> None:
    """One year of postings and one of a survey: no source has an earlier year, so no year-ahead view can be
    formed; the model says so, in its calibration and in calibration_fallback_."""
    x, y = synthetic(2_000, [2023], seed=11)
    x, y = with_survey(x, y, 1_000, 2024, seed=12)
    model = PayQuantileModel(max_iter=30).fit(x, y)
    assert model.calibration_fallback_ == "no source has a year before its newest full year (aijobs: 2023, " \
        "stackoverflow: 2024)"
    assert model.calibration_.startswith("random 25% split (fallback: no source has a year before")
    few = PayQuantileModel(max_iter=30, min_calibration_rows=5_000).fit(*synthetic(3_000, [2022, 2023], seed=13))
    assert few.calibration_fallback_ is not None and "needs 5,000 of each" in few.calibration_fallback_


def test_training_is_deterministic_and_follows_sklearn_conventions() -> None:
    x, y = synthetic(3_000, [2022, 2023], seed=3)
    a = PayQuantileModel(max_iter=50).fit(x, y).predict_quantiles(x.head(200))
    b = PayQuantileModel(max_iter=50).fit(x, y).predict_quantiles(x.head(200))
    assert np.array_equal(a, b)
    # Spread over two child processes (one native thread each), the fits give the very same model.
    spread = PayQuantileModel(max_iter=50, n_jobs=2).fit(x, y)
    assert np.array_equal(spread.predict_quantiles(x.head(200)), a)
    fresh = clone(PayQuantileModel(max_iter=50, random_state=7))
    assert fresh.get_params()["random_state"] == 7 and not hasattr(fresh, "models_")
    with pytest.raises(NotFittedError):
        fresh.predict(x)
    assert (np.diff(a, axis=1) >= 0).all()  # quantiles never cross


def test_compact_model_predicts_exactly_what_scikit_learn_predicts(tmp_path: Path) -> None:
    from mlsalary.model import compact

    x, y = synthetic(3_000, [2022, 2023], seed=4)
    x.loc[x.index[:50], "role"] = None  # missing values take the trees' missing branch
    model = PayQuantileModel(max_iter=60).fit(x, y)
    saved = compact.export(model, x, {"version": "t"})
    compact.save(saved, tmp_path / "m")
    loaded = compact.load(tmp_path / "m")
    assert loaded is not None and loaded.meta["version"] == "t"
    rows = [{"role": r, "level": lv, "source": "aijobs", "year": 2023.0}
            for r in (None, "ml_engineer", "data_analyst", "unknown-role") for lv in ("entry", "senior")]  # fmt: skip
    ours = loaded.quantiles(loaded.encode(rows))
    frame = pd.DataFrame(rows).assign(
        role=lambda d: pd.Categorical(
            d["role"].where(d["role"].isin(x["role"].cat.categories)), categories=x["role"].cat.categories
        ),  # an unseen role is missing
        level=lambda d: pd.Categorical(d["level"], categories=x["level"].cat.categories),
        source=lambda d: pd.Categorical(d["source"], categories=x["source"].cat.categories),
    )
    assert np.allclose(ours, model.predict_quantiles(frame), atol=1e-9)


# ------------------------------------------------------------------------------------------------ real data


@pytest.fixture
def model_home(trained_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("MLSALARY_HOME", str(trained_home))
    return trained_home


def estimate(*args: str) -> dict:
    code, out, err = run_cli("estimate", *args, "--json")
    assert code == 0, err
    return json.loads(out)


def test_a_model_that_learnt_from_other_rows_is_trained_again(trained_home: Path, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    """A saved model carries the key of the rows it learnt from (features.population_key over training_where): when a
    rule of who counts changes — postings abroad in US dollars left out — a model saved before is not used."""
    import shutil

    from mlsalary.model import compact, saved
    from mlsalary.model.features import population_key, training_where

    home = tmp_path / "home"
    shutil.copytree(trained_home, home)
    monkeypatch.setenv("MLSALARY_HOME", str(home))
    assert "OR company_country || ':' || currency IN" in training_where()
    model = saved.current()
    assert model is not None and model.meta["population"] == population_key()
    model.meta["population"] = "learnt-before"
    compact.save(model, saved.model_path())
    assert saved.current() is None
    model.meta["population"] = population_key()
    compact.save(model, saved.model_path())
    assert saved.current() is not None


def test_estimate_in_support_uses_the_saved_model(model_home: Path) -> None:
    r = estimate("--role", "ml_engineer", "--level", "senior", "--country", "US")
    assert list(r)[:14] == ["currency", "year", "p10", "p25", "p50", "p75", "p90", "support_n", "in_support",
                            "reference_p50", "group", "contributions", "skills", "model_version"]  # fmt: skip
    assert r["p10"] < r["p25"] < r["p50"] < r["p75"] < r["p90"]
    assert r["in_support"] and r["support_n"] >= 30
    assert not any("trained now" in n for n in r["notes"])  # the saved model was used: no retraining
    (level,) = [c for c in r["contributions"] if c["feature"] == "level"]
    assert (level["from"], level["to"]) == ("mid", "senior") and level["effect_usd"] > 0


# Measured on the mirror (aijobs.net postings of 2025): the mid- and senior-level figures' 95% intervals.
MID_US_ML_INTERVAL = (165_000.0, 182_875.0)  # the figures' 95% intervals (with the tie rule of stats.intervals)
SENIOR_US_ML_INTERVAL = (201_000.0, 211_480.0)
#: role x level x country groups with >= 30 postings in 2025, and how many of them the bare estimate's median falls
#: outside of (each then shows the group's own median and says why).
SHOWABLE_GROUPS = 45  # 59 while postings abroad stated in US dollars counted (disclosure.OWN_CURRENCY)
DISAGREEING_GROUPS = 2  # 6 while tied groups' intervals were narrowed by their sample shares (stats.intervals)


@pytest.mark.parametrize(("level", "interval"), [("mid", MID_US_ML_INTERVAL), ("senior", SENIOR_US_ML_INTERVAL)])
def test_the_bare_estimate_agrees_with_the_figure(model_home: Path, level: str, interval: tuple) -> None:
    r = estimate("--role", "ml_engineer", "--level", level, "--country", "US")
    assert interval[0] <= r["p50"] <= interval[1]
    assert r["group"]["agrees"] is True  # with the group of all employment types, as explore counts it


def test_every_showable_group_agrees_or_says_why(model_home: Path) -> None:
    """Every role x level x country group of 2025 postings that explore can show: the estimate's median lies inside
    the group's 95% interval of the median, or the answer shows the group's own median and says why."""
    from mlsalary import disclosure, stats, store
    from mlsalary.model.estimate import estimate as run

    df = store.query("SELECT role, level, company_country AS c, amount_usd FROM units "
                     f"WHERE {disclosure.POPULATION} AND year = 2025")  # fmt: skip
    walked = outside = 0
    for (role, level, country), g in df.groupby(["role", "level", "c"]):
        if len(g) < stats.min_n():
            continue
        e = stats.quantile(g["amount_usd"].to_numpy(), 0.5)
        r = run(role=role, level=level, country=country)
        walked += 1
        inside = e.ci_low <= r["p50"] <= e.ci_high
        assert r["group"]["agrees"] is inside and r["group"]["n"] == disclosure.published(len(g))
        if not inside:
            outside += 1
            assert any("differs from the median of this group's own" in n for n in r["notes"])
    assert (walked, outside) == (SHOWABLE_GROUPS, DISAGREEING_GROUPS)


def test_blank_fields_mean_any_and_the_contributions_add_up(model_home: Path) -> None:
    bare = estimate("--role", "ml_engineer", "--level", "mid", "--country", "US")
    assert bare["contributions"] == [] and bare["p50"] == bare["reference_p50"]
    assert any("averaged over the" in n and "remote, company size, specialization" in n for n in bare["notes"])
    full = estimate("--role", "ml_engineer", "--level", "senior", "--country", "US", "--remote", "onsite",
                    "--company-size", "medium", "--metro", "Seattle")  # fmt: skip
    assert [c["feature"] for c in full["contributions"]] == ["level", "remote", "company_size", "metro"]
    assert full["contributions"][1]["from"] is None and full["contributions"][1]["to"] == "onsite"
    assert sum(c["effect_usd"] for c in full["contributions"]) == full["p50"] - full["reference_p50"]
    assert full["reference_p50"] == bare["p50"]


def test_an_answer_in_another_currency_is_in_that_currency_throughout(model_home: Path) -> None:
    """Berlin's engineer asks in EUR: the range, the reference median and every step from it are in EUR on every
    surface (JSON, CLI text, the web page and its chart); the steps still add up, and the USD figures stay beside."""
    from fastapi.testclient import TestClient

    from mlsalary.web.app import create_app

    args = ("--role", "ml_engineer", "--level", "senior", "--country", "US", "--remote", "onsite", "--metro",
            "Seattle")  # fmt: skip
    usd, eur = estimate(*args), estimate(*args, "--currency", "EUR")
    rate = eur["conversion"]["per_usd"]
    assert eur["currency"] == "EUR" and rate != 1 and eur["usd"] == usd["usd"]
    assert eur["reference_p50_usd"] == usd["reference_p50"]
    assert eur["reference_p50"] == round(usd["reference_p50"] * rate)
    assert sum(c["effect"] for c in eur["contributions"]) == eur["p50"] - eur["reference_p50"]
    assert [c["effect_usd"] for c in eur["contributions"]] == [c["effect"] for c in usd["contributions"]]
    for c in eur["contributions"]:
        assert abs(c["effect"] - c["effect_usd"] * rate) <= 1
    code, text, err = run_cli("estimate", *args, "--currency", "EUR")
    assert code == 0, err
    steps = [line.strip() for line in text.splitlines() if "→" in line]
    assert len(steps) == len(eur["contributions"]) and all(s.endswith(" EUR") for s in steps)
    assert f"median {eur['reference_p50']:,} EUR), one input at a time" in " ".join(text.split())
    with TestClient(create_app(), raise_server_exceptions=False) as client:
        page = client.get("/estimate", params={"role": "ml_engineer", "level": "senior", "country": "US",
                                               "remote": "onsite", "metro": "Seattle", "currency": "EUR"}).text
    assert "effect (EUR)" in page and "effect (USD)" not in page and "EUR a year" in page and "USD a year" not in page
    assert f"median {eur['reference_p50']:,} EUR)" in page


def test_a_skill_changes_nothing_and_says_what_the_data_can_tell(model_home: Path) -> None:
    plain = estimate("--role", "ml_engineer", "--level", "mid", "--country", "US")
    with_skills = estimate("--role", "ml_engineer", "--level", "mid", "--country", "US", "--skill", "python,pytorch",
                           "--skill", "tensorflow")  # fmt: skip
    assert {k: with_skills[k] for k in ("p10", "p50", "p90")} == {k: plain[k] for k in ("p10", "p50", "p90")}
    assert [k["skill"] for k in with_skills["skills"]] == ["python", "pytorch", "tensorflow"]
    assert all(not k["known"] and k["reason"].startswith("the data cannot tell") for k in with_skills["skills"])
    dev = estimate("--role", "software_engineer", "--level", "senior", "--country", "US", "--skill", "spark")
    (spark,) = dev["skills"]
    assert spark["known"] and spark["ci_low_pct"] < spark["effect_pct"] < spark["ci_high_pct"]
    assert spark["population"].startswith("Stack Overflow respondents, software_engineer in US, 2024")
    # One question, one answer: the estimate's evidence is the skill figure's own stratum (full-time, the same role
    # and level), not a gap across levels that mixes in the users' experience.
    from mlsalary import api

    (fig,) = api.figures(["spark-premium"])
    stratum = next(g for g in fig.groups if g.label == "software_engineer, senior")
    assert (spark["effect_pct"], spark["ci_low_pct"], spark["ci_high_pct"]) == tuple(
        round(x, 1) for x in (stratum.value, stratum.ci_low, stratum.ci_high))  # fmt: skip
    code, _, err = run_cli("estimate", "--level", "mid", "--skill", "cobol")
    assert code == 1
    assert err.strip() == "error: unknown skill 'cobol': the data records python, pytorch, tensorflow, spark"


def test_metro_scales_by_the_citys_factor(model_home: Path) -> None:
    """A metro scales the whole range by the city's pay factor (mlsalary.cities), which the answer names."""
    national = estimate("--role", "ml_engineer", "--level", "senior")
    seattle = estimate("--role", "ml_engineer", "--level", "senior", "--metro", "Seattle")
    factor = seattle["city_factor"]
    assert factor["basis"] == "lca" and factor["metro"] == "Seattle-Tacoma-Bellevue, WA"
    for k in ("p10", "p50", "p90"):
        assert seattle[k] == pytest.approx(national[k] * factor["value"], abs=1)
    assert any(c["feature"] == "metro" for c in seattle["contributions"])
    assert national["city_factor"] is None


def test_thin_profile_is_flagged_and_widened(model_home: Path) -> None:
    from mlsalary import disclosure
    from mlsalary.model import saved

    r = estimate("--role", "ml_engineer", "--level", "senior", "--country", "DE")
    model, _ = saved.load_or_train()
    support = model.support()[("ml_engineer", "senior", "DE")]
    assert not r["in_support"] and 5 <= support < 30 and r["support_n"] is None  # a count under 30 is not printed
    assert any("Outside the data's support: fewer than 30 similar records" in n for n in r["notes"])
    widen = (30 / support) ** 0.5
    assert f"widened by {widen:.2f}x" in " ".join(r["notes"]) and disclosure.published(support) is None


def test_profile_without_support_is_refused(model_home: Path) -> None:
    code, _, err = run_cli("estimate", "--role", "research_scientist", "--level", "executive", "--country", "IN")
    assert code == 1
    assert err.strip() == (
        "error: fewer than 5 training records for an executive research scientist in IN: too few for an honest "
        "range; try a neighbouring level or role, or another country"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--role", "wizard", "--level", "mid"], "error: unknown role 'wizard': choose one of ml_engineer, "
         "research_scientist, applied_scientist, data_scientist, mlops_engineer, ai_engineer, data_engineer, "
         "data_analyst, software_engineer, infrastructure_engineer, researcher, manager, other"),
        (["--years", "-3"], "error: years of experience must be a number from 0 to 60, not -3"),
        (["--level", "mid", "--country", "Narnia"],
         "error: unknown country 'Narnia': give an ISO code such as US, GB, DE, IN or a country name"),
        (["--level", "boss"], "error: unknown level 'boss': choose one of entry, mid, senior, executive"),
        (["--level", "mid", "--remote", "sometimes"],
         "error: unknown remote 'sometimes': choose one of onsite, hybrid, remote"),
    ],
)  # fmt: skip
def test_bad_profiles_are_one_line_errors(model_home: Path, args: list[str], message: str) -> None:
    code, _, err = run_cli("estimate", *args)
    assert code == 1 and err.strip() == message


def test_estimate_without_a_saved_model_trains_one_and_says_so(small_db: Path, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    shutil.copy(small_db / "mlsalary.duckdb", tmp_path / "mlsalary.duckdb")
    monkeypatch.setenv("MLSALARY_HOME", str(tmp_path))
    r = estimate("--role", "ml_engineer", "--level", "mid")
    assert r["notes"][0] == "No model was saved, or the data changed since: a model was trained now."
    assert (tmp_path / "model" / "pay_model.npz").is_file() and (tmp_path / "model" / "pay_model.json").is_file()


def test_temporal_evaluation_is_calibrated_and_beats_both_baselines(model_home: Path) -> None:
    code, out, err = run_cli("model", "evaluate", "--json")
    assert code == 0, err
    r = json.loads(out)
    m, base = r["model"], r["baselines"]
    assert r["n_test"] > 1000
    assert 0.78 <= m["coverage_80"] <= 0.82
    assert 0.48 <= m["coverage_50"] <= 0.52
    assert set(m["pinball"]) == {"0.1", "0.25", "0.5", "0.75", "0.9"}
    assert m["pinball_mean"] < base["group_quantiles"]["pinball_mean"]
    assert m["pinball_mean"] < base["gbm_uncalibrated"]["pinball_mean"]
    for b, v in r["versus"].items():  # the same differences, with their paired intervals
        assert v["difference"] == pytest.approx(m["pinball_mean"] - base[b]["pinball_mean"], abs=1e-12)
        assert v["ci_low"] < v["difference"] < v["ci_high"] and v["n"] == r["n_test"]


def test_evaluate_says_the_model_minus_each_baseline_with_its_interval(monkeypatch: pytest.MonkeyPatch) -> None:
    """The text of `model evaluate` gives what its JSON gives: each baseline's difference and interval. (A made-up
    report: only the text is tested here.)"""
    from mlsalary.model import evaluate as evaluation

    m = {"coverage_50": 0.5, "coverage_80": 0.8, "pinball_mean": 0.09, "mae_log": 0.2, "median_abs_pct_error": 18.0,
         "width_80": 137_047.0}
    report = {"n_test": 2_668, "split": "temporal", "model": m, "calibration": "drift hedge", "segments": {},
              "calibration_fallback": None, "baselines": {"group_quantiles": m, "gbm_uncalibrated": m},
              "versus": {"group_quantiles": {"difference": -0.0219, "ci_low": -0.0245, "ci_high": -0.0193, "n": 2_668},
                         "gbm_uncalibrated": {"difference": -0.0001, "ci_low": -0.0003, "ci_high": 0.0001, "n": 2_668}}}
    monkeypatch.setattr(evaluation, "evaluate", lambda test_data=None: report)
    code, out, err = run_cli("model", "evaluate")
    said = " ".join(out.split())
    assert code == 0, err
    assert "the model's minus the group quantiles': −0.0219 (95% interval −0.0245 to −0.0193" in said
    assert "the model's minus the uncalibrated model's: −0.0001 (95% interval −0.0003 to +0.0001" in said


#: A model trained on the 2025-01-19 snapshot (and Stack Overflow), tested on the machine-learning postings of the
#: newer snapshot that it never saw, counting multiplicity against every listing of the older one (measured on the
#: mirror; 7,689 when re-listings of trained postings leaked into the test; 4,520 while postings abroad stated in US
#: dollars counted).
SNAPSHOT_TEST_POSTINGS = 4_287


def test_test_data_evaluates_a_newer_snapshot(mirror: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLSALARY_HOME", str(tmp_path / "home"))
    assert run_cli("data", "pull", "aijobs", "--from", str(mirror / "aijobs" / "salaries_2025-01-19.csv"))[0] == 0
    assert run_cli("data", "pull", "stackoverflow", "--from", str(mirror))[0] == 0
    code, out, err = run_cli("model", "evaluate", "--test-data", str(mirror / "aijobs" / "salaries_2025-08-09.csv"),
                             "--json")  # fmt: skip
    assert code == 0, err
    r = json.loads(out)
    assert r["n_test"] == SNAPSHOT_TEST_POSTINGS and r["split"].startswith("test file salaries_2025-08-09.csv")
    m, base = r["model"], r["baselines"]
    assert 0.78 <= m["coverage_80"] <= 0.82
    assert 0.48 <= m["coverage_50"] <= 0.52
    assert m["pinball_mean"] < base["group_quantiles"]["pinball_mean"]
    assert m["pinball_mean"] < base["gbm_uncalibrated"]["pinball_mean"]
    seg = r["segments"]
    assert list(seg) == ["US", "elsewhere", "entry", "mid", "senior", "executive"]
    assert seg["US"]["n"] + seg["elsewhere"]["n"] == r["n_test"]
    assert all(0 < m["coverage_50"] < m["coverage_80"] < 1 for m in seg.values() if "coverage_80" in m)


def test_test_data_already_in_training_is_excluded(model_home: Path, mirror: Path, tmp_path: Path) -> None:
    """A test file made of postings the model trained on (exact copies of both rows, re-listings included) leaves
    nothing to test on."""
    import csv
    from collections import Counter

    with open(mirror / "aijobs" / "salaries_2025-08-09.csv", newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    title, salary = header.index("job_title"), header.index("salary")
    fields = [i for i, h in enumerate(header) if h not in ("salary", "salary_in_usd")]
    pairs, i = [], 0
    while i + 1 < len(body):  # the posting rule, greedy from the top (sources/aijobs.py)
        a, b = body[i], body[i + 1]
        if all(a[j] == b[j] for j in fields) and float(b[salary]) <= float(a[salary]):
            pairs.append((a, b))
            i += 2
        else:
            i += 1
    counts = Counter(tuple(a + b) for a, b in pairs)
    picked = [r for a, b in pairs if counts[tuple(a + b)] == 1 and a[title] == "Machine Learning Engineer"
              for r in (a, b)][:50]  # fmt: skip
    # and re-listed postings, every copy: the model learnt from one, but none of the copies is unseen
    relisted = [k for k, c in counts.items() if c >= 3 and k[title] == "Machine Learning Engineer"][:5]
    picked += [r for k in relisted for _ in range(counts[k]) for r in (list(k[: len(header)]), list(k[len(header) :]))]
    assert len(picked) > 50 + 2 * 3 * 4
    test_file = tmp_path / "salaries.csv"
    with open(test_file, "w", newline="") as f:
        csv.writer(f).writerows([header, *picked])
    code, _, err = run_cli("model", "evaluate", "--test-data", str(test_file))
    assert code == 1
    assert err.strip() == "error: no test rows with a machine-learning role: nothing to evaluate"


#: The backtest on the mirror (measured): every aijobs.net snapshot with a later one is an origin; the test set is the
#: machine-learning postings first published in the next snapshot, each once.
BACKTEST_TESTS = {"2022-06-12": 205, "2023-04-16": 480, "2023-12-31": 2_630, "2025-01-19": 2_581}
#: The model's pinball loss minus the uncalibrated model's, with its paired 95% interval (measured): lower at every
#: origin, at 2023-04-16 and 2025-01-19 by less than the data can tell apart; pooled, lower beyond doubt.
PINBALL_VS_UNCALIBRATED = {"2022-06-12": (-0.00107, -0.00334, 0.00121), "2023-04-16": (-0.00051, -0.00139, 0.00036),
                           "2023-12-31": (-0.00103, -0.00139, -0.00067), "2025-01-19": (-0.00007, -0.00018, 0.00004),
                           "pooled": (-0.00057, -0.00077, -0.00037)}  # fmt: skip
#: Coverage of the 80% range at each origin (measured; the issue asks 0.74-0.86 of each).
COVERAGE_80 = {"2022-06-12": 0.785, "2023-04-16": 0.854, "2023-12-31": 0.779, "2025-01-19": 0.814}


def test_backtest_scores_every_origin_and_pools_them(use_loaded: Path) -> None:
    code, out, err = run_cli("model", "backtest", "--json")
    assert code == 0, err
    assert "origin 2025-01-19: training as of it" in err  # progress, one line per origin
    r = json.loads(out)
    assert {e["origin"]: e["n_test"] for e in r["origins"]} == BACKTEST_TESTS
    assert [e["tested_on"] for e in r["origins"]] == ["2023-04-16", "2023-12-31", "2025-01-19", "2025-08-03"]
    assert all(e["scored"] for e in r["origins"]) and r["rule"].startswith("- **Origins.**")
    first = r["origins"][0]  # 309 training rows: no calibration across years, and it says so
    assert first["calibration_fallback"] is not None and "needs 300 of each" in first["calibration_fallback"]
    assert all(e["calibration"].startswith("drift hedge") for e in r["origins"][1:])
    pooled = r["pooled"]
    assert pooled["n_test"] == sum(BACKTEST_TESTS.values()) and pooled["origins"] == 4
    m, base = pooled["model"], pooled["baselines"]
    assert 0.78 <= m["coverage_80"] <= 0.82 and 0.47 <= m["coverage_50"] <= 0.53
    assert m["pinball_mean"] < base["group_quantiles"]["pinball_mean"]
    assert m["pinball_mean"] < base["gbm_uncalibrated"]["pinball_mean"]
    for e in r["origins"]:  # the model's loss is below both baselines' at every origin
        assert e["model"]["pinball_mean"] < e["baselines"]["group_quantiles"]["pinball_mean"], e["origin"]
        assert e["model"]["pinball_mean"] < e["baselines"]["gbm_uncalibrated"]["pinball_mean"], e["origin"]
        assert e["model"]["coverage_80"] == pytest.approx(COVERAGE_80[e["origin"]], abs=5e-4), e["origin"]
    for e in [*r["origins"], pooled]:  # each difference is that of the losses shown, inside its paired interval
        for b in ("group_quantiles", "gbm_uncalibrated"):
            v = e["versus"][b]
            shown = e["model"]["pinball_mean"] - e["baselines"][b]["pinball_mean"]
            assert v["difference"] == pytest.approx(shown, abs=1e-12) and v["n"] == e["n_test"]
            assert v["ci_low"] < v["difference"] < v["ci_high"]
    assert pooled["versus"]["group_quantiles"]["ci_high"] < 0  # pooled, better than the group quantiles beyond doubt
    at = {e["origin"]: e for e in r["origins"]} | {"pooled": pooled}
    for origin, pinned in PINBALL_VS_UNCALIBRATED.items():
        v = at[origin]["versus"]["gbm_uncalibrated"]
        assert (v["difference"], v["ci_low"], v["ci_high"]) == pytest.approx(pinned, abs=2e-5), origin


def test_the_model_minus_a_baseline_is_the_difference_of_their_pinball_with_a_paired_interval() -> None:
    """evaluate.versus: the difference of metrics' pinball_mean on the same rows, and a paired interval from the
    differences row by row (here computed by hand); no difference at all gives a zero-width interval at 0."""
    import numpy as np

    from mlsalary.model.evaluate import metrics, versus
    from mlsalary.stats.intervals import z_of

    rng = np.random.default_rng(3)
    y = rng.normal(11.8, 0.4, 400)
    q = np.sort(y[:, None] + rng.normal(0, 0.3, (400, 5)), axis=1)
    base = np.sort(q + rng.normal(0.05, 0.2, (400, 5)), axis=1)
    v = versus(q, base, y)
    assert v["difference"] == pytest.approx(metrics(q, y)["pinball_mean"] - metrics(base, y)["pinball_mean"], abs=1e-12)
    taus = np.array([0.1, 0.25, 0.5, 0.75, 0.9])

    def loss(p: np.ndarray) -> np.ndarray:
        return np.mean(np.maximum(taus * (y[:, None] - p), (taus - 1) * (y[:, None] - p)), axis=1)

    d = loss(q) - loss(base)
    half = z_of() * d.std(ddof=1) / np.sqrt(len(d))
    assert (v["ci_low"], v["ci_high"], v["n"]) == (pytest.approx(d.mean() - half), pytest.approx(d.mean() + half), 400)
    assert versus(q, q, y) == {"difference": 0.0, "ci_low": 0.0, "ci_high": 0.0, "n": 400}


def test_a_store_of_one_snapshot_has_nothing_to_backtest(mirror: Path, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    monkeypatch.setenv("MLSALARY_HOME", str(tmp_path / "one"))
    assert run_cli("data", "pull", "aijobs", "--from", str(mirror / "aijobs" / "salaries_2023-12-31.csv"))[0] == 0
    code, out, err = run_cli("model", "backtest")
    assert code != 0 and "holds one aijobs.net snapshot, so there is nothing to backtest" in err
    assert len(err.strip().splitlines()) == 1


def test_the_backtest_table_fits_80_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    """Dates and numbers are never cut to "2022-06-…" at 80 columns; an origin that was not scored says why under
    the table. (A made-up report: only the layout is tested here.)"""
    from mlsalary.model import backtest

    m = {"coverage_50": 0.5, "coverage_80": 0.8, "pinball_mean": 0.09, "width_80": 137_047.0}
    versus = {"group_quantiles": {"difference": -0.0303, "ci_low": -0.03604, "ci_high": -0.02496, "n": 2_825},
              "gbm_uncalibrated": {"difference": 0.0003, "ci_low": -0.0010, "ci_high": 0.0016, "n": 2_825}}
    scored = {"origin": "2023-12-31", "tested_on": "2025-01-19", "n_test": 2_825, "scored": True, "model": m,
              "baselines": {"group_quantiles": m, "gbm_uncalibrated": m}, "calibration_fallback": None,
              "versus": versus}
    skipped = {"origin": "2022-06-12", "tested_on": "2023-04-16", "n_test": 0, "scored": False,
               "why": "no machine-learning posting first seen in the next snapshot"}
    report = {"origins": [skipped, scored], "pooled": {**scored, "origins": 1}}
    monkeypatch.setattr(backtest, "backtest", lambda progress=None: report)
    monkeypatch.setenv("COLUMNS", "80")
    code, out, err = run_cli("model", "backtest")
    assert code == 0, err
    assert "…" not in out and "2023-12-31  2025-01-19  2,825" in out and "$137,047" in out
    said = " ".join(out.split())
    assert "2023-12-31 −0.0303 −0.0360, −0.0250 +0.0003 −0.0010, +0.0016" in said  # the model minus each baseline
    assert "2022-06-12: not scored: no machine-learning posting first seen in the next snapshot" in said
    assert max(len(line) for line in out.splitlines()) <= 80


def test_a_degree_given_shows_the_median_by_degree_and_why_the_figures_may_differ(model_home: Path) -> None:
    """The PhD answer no longer flips silently: with a degree given, the estimate shows the same profile's median with
    a bachelor's, a master's and a doctorate (the one given is the answer's own median), in the answer's currency,
    and says why the education figures — which the note names, and whose caveats name the estimate — can disagree."""
    from mlsalary.figures.catalogue import CATALOGUE
    from mlsalary.figures.work import ESTIMATE_DIFFERS
    from mlsalary.model.estimate import DEGREES, EDUCATION_FIGURES

    profile = ("--role", "ml_engineer", "--level", "senior", "--country", "US")
    phd = estimate(*profile, "--education", "doctorate")
    by = phd["education"]["median_by_degree"]
    assert list(by) == list(DEGREES) and by["doctorate"] == phd["p50"]
    assert estimate(*profile, "--education", "master")["p50"] == by["master"]
    assert estimate(*profile, "--education", "bachelor")["p50"] == by["bachelor"]
    note = next(n for n in phd["notes"] if n.startswith("Education, for this profile"))
    assert all(f in note for f in EDUCATION_FIGURES) and f"doctorate {by['doctorate']:,}" in note
    assert estimate(*profile)["education"] is None
    other = estimate(*profile, "--education", "below_bachelor", "--currency", "EUR")
    rate = other["conversion"]["per_usd"]
    assert list(other["education"]["median_by_degree"]) == [*DEGREES, "below_bachelor"]
    assert other["education"]["median_by_degree"]["below_bachelor"] == other["p50"]
    assert all(abs(v - other["education"]["median_by_degree_usd"][k] * rate) <= 1
               for k, v in other["education"]["median_by_degree"].items())  # fmt: skip
    for f in CATALOGUE:
        assert (ESTIMATE_DIFFERS in f.caveats) is (f.id in EDUCATION_FIGURES), f.id

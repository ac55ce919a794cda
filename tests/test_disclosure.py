"""Statistical disclosure control (mlsalary.disclosure): the differencing attack over explore's groups, and no
individual record as a published quantile or bound."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from fastapi.testclient import TestClient

from mlsalary import disclosure, stats
from mlsalary.stats.intervals import TAIL_FLOOR
from mlsalary.web.app import create_app

# From the mirror (distinct full-time aijobs.net postings), as the issue's attack found them.
AI_US = {"role": "ai_engineer", "country": "US"}
AI_US_N, AI_US_ONSITE_N, AI_US_HYBRID_N = 969, 734, 1


def cells_of(frame: pd.DataFrame, dims: tuple[str, ...]) -> dict[tuple[Any, ...], int]:
    return {k if isinstance(k, tuple) else (k,): int(v) for k, v in frame.groupby(list(dims)).size().items()}


def test_tail_floor_is_the_privacy_floor() -> None:
    assert TAIL_FLOOR == stats.PRIVACY_FLOOR


def test_pattern_hides_the_smallest_sibling_when_the_hidden_remainder_is_1_to_4() -> None:
    """The issue's example in miniature: 653 = 507 + 145 + 1 leaves exactly one hybrid unless remote goes too."""
    rows = [("ai_engineer", "US", "onsite")] * 507 + [("ai_engineer", "US", "remote")] * 145
    rows += [("ai_engineer", "US", "hybrid")] + [("ai_engineer", "GB", "onsite")] * 40
    f = pd.DataFrame(rows, columns=["role", "country", "remote"])
    for c in ("level", "company_size", "year"):
        f[c] = {"level": "mid", "company_size": "M", "year": 2024}[c]
    p = disclosure.Pattern(f)
    assert p.status({"role": "ai_engineer", "country": "US", "remote": "hybrid"}) == (1, "primary")
    assert p.status({"role": "ai_engineer", "country": "US", "remote": "remote"}) == (145, "complementary")
    assert p.status({"role": "ai_engineer", "country": "US", "remote": "onsite"})[1] == "shown"
    assert p.status({"remote": "remote"}) == (145, "complementary")  # the same cut seen from every parent
    # A field with no value is a group no filter can select: it counts as hidden.
    g = f.copy()
    g.loc[g.index[:2], "level"] = None
    q = disclosure.Pattern(g)
    assert q.status({"level": "mid"})[1] == "complementary"  # 691 of 693 shown would leave the 2 unknown


@pytest.fixture(scope="module")
def units(loaded_db: Path) -> pd.DataFrame:
    import os

    from mlsalary import store

    old = os.environ.get("MLSALARY_HOME")
    os.environ["MLSALARY_HOME"] = str(loaded_db)
    try:
        cols = ", ".join(f"{c} AS {k}" for k, c in disclosure.DIMENSIONS.items())
        frame = store.query(f"SELECT {cols}, amount_usd FROM units WHERE {disclosure.POPULATION}")
    finally:
        if old is None:
            os.environ.pop("MLSALARY_HOME", None)
        else:
            os.environ["MLSALARY_HOME"] = old
    return frame


@pytest.mark.usefixtures("use_loaded")
def test_the_differencing_attack_finds_no_group_under_5(units: pd.DataFrame) -> None:
    """For every parent of 0, 1 or 2 filters that explore shows, and every filter it leaves free: the parent's n minus
    its shown children's n is 0 or at least 5 (the unknown values included, which no filter selects)."""
    pattern = disclosure.pattern()
    dims = tuple(disclosure.DIMENSIONS)

    def shown(key: dict[str, Any]) -> int | None:
        n, status = pattern.status(key)
        return n if status == "shown" else None

    found, parents = [], 0
    for size in (0, 1, 2):
        for parent_dims in itertools.combinations(dims, size):
            parent_cells = cells_of(units, parent_dims) if parent_dims else {(): len(units)}
            for pvals, true_n in parent_cells.items():
                pkey = dict(zip(parent_dims, pvals, strict=True))
                pn = shown(pkey)
                if pn is None:
                    continue
                assert pn == true_n
                parents += 1
                sub = units
                for k, v in pkey.items():
                    sub = sub[sub[k] == v]
                for d in dims:
                    if d in pkey:
                        continue
                    children = [shown({**pkey, d: v}) for v in sub[d].dropna().unique()]
                    left = pn - sum(c for c in children if c is not None)
                    if 0 < left < stats.PRIVACY_FLOOR:
                        found.append((pkey, d, left))
    assert parents > 500
    assert found == []


@pytest.mark.usefixtures("use_loaded")
def test_explore_follows_the_pattern_and_the_issue_example_is_closed(units: pd.DataFrame) -> None:
    client = TestClient(create_app(), raise_server_exceptions=False)
    get = lambda **p: client.get("/api/v1/explore", params=p).json()  # noqa: E731
    assert get(**AI_US)["n"] == AI_US_N
    assert get(**AI_US, remote="onsite")["n"] == AI_US_ONSITE_N
    hybrid, remote = get(**AI_US, remote="hybrid"), get(**AI_US, remote="remote")
    assert hybrid["n"] is None and remote["n"] is None  # 969 - 734 = 235 = remote + hybrid: neither alone
    assert remote["status"] == "suppressed" and "complementary suppression" in remote["note"]
    assert len(units[(units["role"] == "ai_engineer") & (units["country"] == "US") & (units["remote"] == "hybrid")]) \
        == AI_US_HYBRID_N
    # The nearest group offered instead is one that is shown.
    near = remote["nearest"]
    assert near is not None and disclosure.pattern().status(near["filters"])[1] == "shown"
    sub = units
    for k, v in near["filters"].items():
        sub = sub[sub[k] == v]
    assert near["n"] == len(sub) == get(**near["filters"])["n"]  # its n is the group's own, as explore shows it


@pytest.mark.usefixtures("use_loaded")
def test_no_published_quantile_or_bound_is_one_record(units: pd.DataFrame) -> None:
    """Every group of one or two filters explore shows with numbers: each quantile and bound has at least 5
    postings at or below it and 5 at or above it — so no group's minimum or maximum is printed, and the issue's
    ml_engineer/CA/mid pair no longer gives away one posting's pay."""
    from mlsalary.web.explore import explore

    pattern = disclosure.pattern()
    checked = withheld = 0
    for size in (1, 2):
        for ds in itertools.combinations(tuple(disclosure.DIMENSIONS), size):
            for vals, n in cells_of(units, ds).items():
                key = dict(zip(ds, vals, strict=True))
                if n < stats.min_n() or pattern.status(key)[1] != "shown":
                    continue
                out = explore({k: (str(v) if k == "year" else v) for k, v in key.items()})
                sub = units
                for k, v in key.items():
                    sub = sub[sub[k] == v]
                x = np.sort(sub["amount_usd"].to_numpy())
                assert out["n"] == len(x)
                for q in out["quantiles"]:
                    for v in (q["value"], q["ci_low"], q["ci_high"]):
                        if v is None:
                            withheld += 1
                            continue
                        assert (x <= v).sum() >= 5 and (x >= v).sum() >= 5, (key, q)
                        checked += 1
    assert checked > 5000 and withheld > 0
    mid = explore({"role": "ml_engineer", "country": "CA", "level": "mid"})
    assert mid["status"] == "ok"
    lows = [q["ci_low"] for q in mid["quantiles"] if q["ci_low"] is not None]
    sub = units[(units["role"] == "ml_engineer") & (units["country"] == "CA") & (units["level"] == "mid")]
    assert sub["amount_usd"].min() not in lows


def test_quantile_withholds_values_too_close_to_the_edge() -> None:
    x = np.arange(1, 41, dtype=float) * 1000  # 40 distinct records
    e = stats.quantile(x, 0.1)
    assert e.ci_low is None  # the order-statistic bound would be the 1st or 2nd smallest record
    assert e.value is None  # p10 of 40 sits between the 4th and 5th record: fewer than 5 at or below
    m = stats.quantile(x, 0.5)
    assert m.value == 20_500 and m.ci_low is not None and m.ci_high is not None
    raw = stats.quantile(x, 0.1, tail_floor=0)  # simulations may turn it off
    assert raw.value is not None


def test_inside_a_request_an_old_pattern_never_decides(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """After a pull swaps in new data, explore in a web request says the data is being updated until the server's
    watcher has computed the new pattern (an old pattern must not decide what new counts may show)."""
    from mlsalary import api
    from mlsalary.web import cache
    from mlsalary.web.explore import UPDATING, explore

    home = tmp_path / "home"
    monkeypatch.setenv("MLSALARY_HOME", str(home))
    header = "work_year,experience_level,employment_type,job_title,salary,salary_currency,salary_in_usd," \
             "employee_residence,remote_ratio,company_location,company_size"
    f = tmp_path / "salaries.csv"
    rows = [f"2024,SE,FT,Machine Learning Engineer,{100_000 + 1000 * i},USD,{100_000 + 1000 * i},US,0,US,M"
            for i in range(40)]  # fmt: skip
    f.write_text("\n".join([header, *rows]) + "\n")
    api.pull(["aijobs"], from_path=f)
    assert explore({"role": "ml_engineer"})["status"] == "ok"  # computes the pattern
    f.write_text("\n".join([header, *rows, rows[0].replace(",0,US", ",100,US")]) + "\n")
    api.pull(["aijobs"], from_path=f)
    token = cache.in_request.set(True)
    try:
        out = explore({"role": "ml_engineer"})
        assert (out["status"], out["n"], out["note"]) == ("updating", None, UPDATING)
    finally:
        cache.in_request.reset(token)
    assert explore({"role": "ml_engineer"})["n"] == 41  # outside a request (the watcher, the CLI): computed

"""Vintages (--as-of): every source's rows carry the date they were first public, by the rule the source declares,
and a vintage is a view of the store that reproduces what the tool would have said then."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from conftest import run_cli
from mlsalary import sources, store, vintage

#: As of 2024-01-01 (measured on the mirror): the aijobs.net rows of the 2023-12-31 snapshot still in the newest file,
#: and the sources published by then (Stack Overflow's 2024 survey was not: its rule keeps it out until 2024-12-31).
AS_OF = date(2024, 1, 1)
AIJOBS_ROWS_2024 = 9_966
SOURCES_2024 = ["aijobs", "kaggle-survey", "lca", "oews"]
OEWS_NEWEST_2024 = 2022  # May 2023 was published in the spring of 2024
#: One figure and one estimate as the tool gave them on 2024-01-01 (senior ML engineers at US employers, 2023).
SENIOR_US_MEDIAN_2024 = 199_500
SENIOR_US_N_2024 = 220
SENIOR_US_ESTIMATE_P50_2024 = 199_790  # 199,749 while postings abroad stated in US dollars counted
#: A date before any survey or posting was public (measured on the mirror): what the store holds of each source,
#: first public on (aijobs.net: its oldest snapshot; the surveys: 31 December of their first year).
BEFORE_POSTINGS = date(2019, 1, 1)
FIRST_PUBLIC = {"aijobs": date(2022, 6, 12), "kaggle-survey": date(2021, 12, 31), "stackoverflow": date(2024, 12, 31)}


def test_every_source_declares_a_rule_and_its_rows_follow_it(use_loaded: Path) -> None:
    """Conformance over every registered source: the declared rule is a known one, every row has its date, and a
    rule computed from the year (all but aijobs.net's snapshots) gives exactly the stored date."""
    with store.read_only() as con:
        loaded = {n for (n,) in con.execute("SELECT name FROM sources").fetchall()}
        for name in sources.names():
            meta = sources.meta(name)
            assert meta.published in vintage.RULES, name
            if name not in loaded:
                continue
            table = "aggregates" if name == "oews" else "observations"
            rows = con.execute(f"SELECT year, published_on, count(*) FROM {table} WHERE source = ? GROUP BY ALL",
                               [name]).fetchall()  # fmt: skip
            assert rows and all(d is not None for _, d, _ in rows), name
            rule = vintage.RULES[meta.published]
            if rule is not None:
                assert all(d == rule(int(y)) for y, d, _ in rows), (name, rows[:3])


def test_a_vintage_after_every_date_is_the_store_itself(use_loaded: Path) -> None:
    sql = ("SELECT source, count(*), count(*) FILTER (dup_rank = 1), sum(amount_usd) FILTER (dup_rank = 1) "
           "FROM units GROUP BY 1 ORDER BY 1")  # fmt: skip
    with store.read_only() as con:
        everything = con.execute(sql).fetchall()
        shown = con.execute("SELECT name, data_as_of FROM sources ORDER BY 1").fetchall()
    with vintage.at(date.today()), store.read_only() as con:
        assert con.execute(sql).fetchall() == everything
        assert con.execute("SELECT name, data_as_of FROM sources ORDER BY 1").fetchall() == shown


def test_a_vintage_holds_only_what_was_published_by_then(use_loaded: Path) -> None:
    with vintage.at(AS_OF), store.read_only() as con:
        kept = vintage.describe(con, AS_OF)
        newest_oews = con.execute("SELECT max(year) FROM aggregates").fetchone()
        latest = con.execute("SELECT max(published_on) FROM observations").fetchone()
        # A repeat listing is ranked again among the visible rows: every group keeps exactly one first listing (its
        # stored first may be a later listing, not visible yet).
        firsts = con.execute("SELECT count(*) FROM (SELECT count(*) FILTER (dup_rank = 1) AS n FROM units "
                             "GROUP BY source, source_file, dup_group) WHERE n <> 1").fetchone()  # fmt: skip
    by = {k["source"]: k for k in kept}
    assert sorted(by) == SOURCES_2024
    assert by["aijobs"]["rows"] == AIJOBS_ROWS_2024 and by["aijobs"]["data_as_of"] == "2023-12-31"
    assert by["oews"]["data_as_of"] == f"{OEWS_NEWEST_2024}-05-12"  # its newest visible May, by oews.reference_date
    assert by["aijobs"]["rows_pulled"] > 10 * AIJOBS_ROWS_2024
    assert newest_oews == (OEWS_NEWEST_2024,) and latest is not None and latest[0] <= AS_OF
    assert firsts == (0,)
    with store.read_only() as con:  # the store itself is untouched
        assert con.execute("SELECT count(*) FROM observations WHERE source = 'stackoverflow'").fetchone() != (0,)


def test_as_of_reproduces_a_figure_and_an_estimate(trained_home: Path, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    import shutil

    home = tmp_path / "vintage-home"
    shutil.copytree(trained_home, home)
    monkeypatch.setenv("MLSALARY_HOME", str(home))
    code, out, err = run_cli("figures", "--as-of", AS_OF.isoformat(), "--id", "senior-us-ml-median", "--json")
    assert code == 0, err
    payload = json.loads(out)
    (fig,) = payload["figures"]
    assert payload["as_of"] == AS_OF.isoformat()
    assert (fig["value"], fig["n"], fig["years"]) == (SENIOR_US_MEDIAN_2024, SENIOR_US_N_2024, [2023])
    now = json.loads(run_cli("figures", "--id", "senior-us-ml-median", "--json")[1])["figures"][0]
    assert now["years"] != fig["years"]
    saved = (home / "model" / "pay_model.npz").read_bytes()
    code, out, err = run_cli("estimate", "--as-of", AS_OF.isoformat(), "--level", "senior", "--json")
    assert code == 0, err
    r = json.loads(out)
    assert (r["p50"], r["year"], r["as_of"]) == (SENIOR_US_ESTIMATE_P50_2024, 2023, AS_OF.isoformat())
    assert (home / "model" / f"pay_model_as_of_{AS_OF.isoformat()}.npz").is_file()
    assert (home / "model" / "pay_model.npz").read_bytes() == saved  # the current model is not replaced


def test_the_figures_read_the_units_in_their_published_order_now_and_as_of(use_loaded: Path) -> None:
    """The same question, the same answer: the figures read the units in each source's published order (its files,
    then their records) — in the store and in a vintage, whose rows a window ranks and SQL then returns in any
    order: two runs of `figures --as-of` gave the negotiation room's seeded bootstrap two intervals."""
    from mlsalary.figures.compute import compute_all
    from mlsalary.figures.data import load

    def published_order() -> list[str]:
        with store.read_only() as con:
            units = con.sql("SELECT obs_id, source, source_file, source_record FROM units").df()
        return units.sort_values(["source", "source_file", "source_record"], kind="stable")["obs_id"].tolist()

    assert load().obs["obs_id"].tolist() == published_order()
    with vintage.at(AS_OF):
        assert load().obs["obs_id"].tolist() == published_order()
        first, again = (compute_all(load(), ids=["negotiation-room"])[0] for _ in range(2))
    assert first.status == "ok" and first == again


def test_a_vintage_before_a_sources_first_data_says_so_and_never_to_pull_it(use_loaded: Path) -> None:
    """As of a date before any of a source's data was public, a figure that needs it has no number and says when the
    first was — not "not loaded: run mlsalary data pull" (the store holds it: no pull would help), on every surface
    and in the estimate's refusal to train.
    A source absent from the store is still named with the pull that adds it; a comparison of years with one year
    public by then says a later date may have them."""
    import dataclasses

    from mlsalary.figures import claims
    from mlsalary.figures.compute import compute_all
    from mlsalary.figures.data import load
    from mlsalary.report.render import coverage, missing_sources, needing, shown

    ids = ["mid-us-ml-median", "oews-ds-real-change"]
    with vintage.at(BEFORE_POSTINGS):
        data = load()
        f, years = compute_all(data, ids=ids)
        (absent,) = compute_all(dataclasses.replace(data, unpublished={}), ids=ids[:1])
    assert data.unpublished == FIRST_PUBLIC and not set(FIRST_PUBLIC) & set(data.loaded)
    said = f"nothing from aijobs was public by {BEFORE_POSTINGS}: its first data is dated {FIRST_PUBLIC['aijobs']}"
    assert (f.status, f.value, f.remedy) == ("source_missing", None, "") and f.caveats[-1].startswith(said)
    assert said[1:] in f.headline and "not loaded" not in f.headline and "data pull" not in f.headline
    assert shown(f) == f"not yet public — {f.caveats[-1]}"
    assert claims.unusable({f.id: f}, (f.id,)) == f"figure {f.id} has no data: {f.caveats[-1]}"
    assert (years.status, years.remedy) == ("source_missing", "") and "ask as of a later date" in years.caveats[-1]
    assert f"as of {BEFORE_POSTINGS}" in years.caveats[-1]
    assert coverage([f, years]) == "0 of 2 figures have a number; 2 need data not yet public by the date asked."
    assert [needing(n, src) for src, n, _ in missing_sources([f, years])] == ["1 figure needs aijobs",
                                                                             "1 figure needs oews"]
    assert absent.remedy.startswith("mlsalary data pull aijobs")
    assert "not loaded: run mlsalary data pull aijobs" in absent.headline
    assert coverage([absent]) == "0 of 1 figures have a number; 1 needs a source that is not loaded."
    from mlsalary.errors import InsufficientData
    from mlsalary.model import train

    with vintage.at(BEFORE_POSTINGS):  # the estimate's model: nothing to learn from then, and it says why
        obs, skills = train.training_data()
        with pytest.raises(InsufficientData) as refused:
            train.fit(obs, skills)
    assert str(refused.value) == ("only 0 rows with point pay to learn from: nothing from aijobs or stackoverflow "
                                  f"was public by {BEFORE_POSTINGS} (first data: aijobs {FIRST_PUBLIC['aijobs']}, "
                                  f"stackoverflow {FIRST_PUBLIC['stackoverflow']}): ask as of a later date")


@pytest.mark.parametrize(("value", "message"), [
    ("2024-13-01", '--as-of "2024-13-01" is not a date: give it as YYYY-MM-DD'),
    ("2999-01-01", "--as-of 2999-01-01 is in the future"),
])  # fmt: skip
def test_a_bad_as_of_is_a_one_line_error(use_loaded: Path, value: str, message: str) -> None:
    for command in (["figures"], ["estimate"], ["model", "train"], ["model", "evaluate"]):
        code, out, err = run_cli(*command, "--as-of", value)
        assert code != 0 and message in err and "Traceback" not in err, (command, err)
        assert len(err.strip().splitlines()) == 1, err

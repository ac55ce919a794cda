"""Declarations of meaning, checked as one suite over every registered figure and claim (as scikit-learn's
check_estimator runs one suite over every estimator): a question's direction is the one its words ask, a value's unit
is the one its value is in, a claim's sizes are the numbers its text states and its judge tests against them. The
strata a comparison holds fixed have their own suite over every figure that declares them
(tests/test_comparable.py::test_every_declared_stratum_is_held_and_dropping_it_moves_the_answer).
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from mlsalary import api
from mlsalary.figures import catalogue, claims, headline
from mlsalary.figures.model import Figure

#: A yes-no or trend question's direction from its words, checked in this order: "less" or "shrinking" asks about
#: a fall (-1), "competitively" about parity (0), "more", "a premium", "raise", "growing", "still pay", "change",
#: "moved" about a rise (+1).
DIRECTION_WORDS = ((-1, ("less", "shrinking", "lower")), (0, ("competitively", "about the same")),
                   (1, ("more", "premium", "raise", "growing", "still pay", "change", "moved")))  # fmt: skip
#: The range a value in each unit can take (usd: annual pay; percent: a gap or change; share: of 100; ratio: x).
UNIT_RANGES = {"usd": (1_000, 10_000_000), "percent": (-100, 1_000), "share": (0, 100), "ratio": (0, 100)}
#: How each unit is printed in a headline.
UNIT_MARKS = {"usd": "$", "percent": "%", "share": "%", "ratio": "x"}


@pytest.fixture(scope="module")
def figs(loaded_db: Path) -> dict[str, Figure]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MLSALARY_HOME", str(loaded_db))
        return {f.id: f for f in api.figures()}


def direction_of(question: str) -> int | None:
    q = question.lower()
    for direction, words in DIRECTION_WORDS:
        if any(re.search(rf"\b{w}\b", q) for w in words):
            return direction
    return None


@pytest.mark.parametrize("fd", catalogue.CATALOGUE, ids=lambda fd: fd.id)
def test_a_question_asks_the_direction_it_declares(fd: catalogue.FigureDef) -> None:
    """A yes-no or trend question declares the direction its words ask (FigureDef.asks), and the verdict rule
    answers by it: a clear rise is "yes" to "more?" and "no" to "less?" or "about the same?"."""
    yes_no = fd.question.split()[0] in ("Do", "Does", "Is", "Are")
    trend = fd.topic == "trends" and fd.question.startswith("How")
    if not (yes_no or trend):
        assert fd.asks is None, fd.id
        return
    assert fd.asks == direction_of(fd.question), (fd.id, fd.question)
    rise = Figure(id=fd.id, question=fd.question, value=20.0, ci_low=10.0, ci_high=30.0, n=1_000, unit=fd.unit,
                  value_unit="percent", sources=list(fd.sources), years=[2024, 2025], period="", data_as_of=None,
                  age_months=None, status="ok", caveats=[], topic="comparison", definition="", method="")  # fmt: skip
    if fd.value_unit == "share":  # a share's trend answers with its change within the era
        rise = dataclasses.replace(rise, extra={"change_pp": 20.0, "change_ci_low": 10.0, "change_ci_high": 30.0})
    expected = {1: "supported", -1: "contradicted", 0: "contradicted"}[fd.asks]
    assert headline.answer(fd, rise) == expected, fd.id


@pytest.mark.parametrize("fd", catalogue.CATALOGUE, ids=lambda fd: fd.id)
def test_a_value_is_in_the_unit_it_declares(fd: catalogue.FigureDef, figs: dict[str, Figure]) -> None:
    """On the mirror, every shown value lies in its declared unit's range, and its headline prints that unit."""
    f = figs[fd.id]
    assert fd.value_unit in UNIT_RANGES, fd.id  # (the figure copies it: its range and headline are what is checked)
    if f.status != "ok":
        return
    low, high = UNIT_RANGES[fd.value_unit]
    assert low <= f.value <= high, (fd.id, f.value)
    assert UNIT_MARKS[fd.value_unit] in f.headline, fd.id


def stated_sizes(text: str) -> tuple[float, ...]:
    """The percentages a claim's text states, in order; a range ("40-60%") by its lower end."""
    return tuple(float(x) for x in re.findall(r"(\d+(?:\.\d+)?)(?:-\d+(?:\.\d+)?)?%", text))


@pytest.mark.parametrize("claim", claims.CLAIMS, ids=lambda c: c.id)
def test_a_claim_is_judged_against_the_sizes_its_text_states(claim: claims.Claim, figs: dict[str, Figure]) -> None:
    """A claim declares the sizes its text states (Claim.sizes), and its judge reads them: judged against other
    sizes, its explanation (or verdict) changes."""
    assert claim.sizes == stated_sizes(claim.claim), claim.id
    if not claim.sizes or claims.unusable(figs, claim.figures):
        return
    verdict, text = claim.judge(figs, claim.sizes)
    other = tuple(s * 2 + 1 for s in claim.sizes)
    assert claim.judge(figs, other) != (verdict, text), claim.id

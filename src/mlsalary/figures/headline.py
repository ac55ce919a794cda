"""Each figure's headline: one sentence that answers its question with the number, its group, n, the years and the
data's age — and, for a yes-no or trend question, yes, no or "can't tell" from the one verdict rule (stats.verdict)
on the figure's interval. The same sentence is in `figures --json`, the report, the CLI and the web page.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mlsalary.figures.claims import WITHHELD, formatter, negligible_for
from mlsalary.figures.measure import said
from mlsalary.stats import verdict

if TYPE_CHECKING:
    from mlsalary.figures.catalogue import FigureDef
    from mlsalary.figures.model import Figure

#: A change in a share (percentage points) within +/- this much is too small to matter.
NEGLIGIBLE_SHARE_POINTS = 1.0
SOURCE_NAMES = {"aijobs": "aijobs.net", "oews": "BLS OEWS", "kaggle-survey": "Kaggle survey",
                "stackoverflow": "Stack Overflow survey", "lca": "H-1B filings"}  # fmt: skip
TREND_WORDS = {"supported": "Up", "contradicted": "Down", "no effect found": "Flat (no change that matters)",
               "inconclusive": "Can't tell", "cannot be tested": "Can't tell"}  # fmt: skip
SAME_WORDS = {"supported": "Yes", "contradicted": "No", "inconclusive": "Can't tell", "cannot be tested": "Can't tell"}


def fmt(x: float | None, unit: str) -> str:
    return formatter(unit)(x)


def context(f: Figure, with_numbers: bool = True) -> str:
    """The parenthesis every headline ends with: interval and n (each group's for a comparison) unless the sentence
    gave them already, then the years and the data's date."""
    parts = []
    if with_numbers:
        if f.ci_low is not None and f.ci_high is not None:
            parts.append(f"95% interval {fmt(f.ci_low, f.value_unit)} to {fmt(f.ci_high, f.value_unit)}")
        elif f.ci_low is not None or f.ci_high is not None:
            parts.append("the interval is open on one side")
        if f.compared:
            parts.append(" vs ".join(f"{c['label']}: {WITHHELD if c['n'] is None else format(c['n'], ',')}"
                                     for c in f.compared) + f" {f.unit}")  # fmt: skip
        elif f.n is not None:
            parts.append(f"n = {f.n:,} {f.unit}")
    parts.append(f.period or ", ".join(map(str, f.years)))
    names = ", ".join(SOURCE_NAMES.get(s, s) for s in f.sources)
    parts.append(f"{names}, data as of {f.data_as_of}" if f.data_as_of else names)
    return "(" + "; ".join(p for p in parts if p) + ")"


def groups_text(f: Figure) -> str:
    """Every group of the breakdown with its value, interval and n — or that it has too few records."""
    return "; ".join(
        f"{g.label} {fmt(g.value, f.group_unit)} (95% interval {fmt(g.ci_low, f.group_unit)} to "
        f"{fmt(g.ci_high, f.group_unit)}, n = {g.n:,})" if g.value is not None and g.n is not None
        else f"{g.label}: too few {f.unit}" for g in f.groups)  # fmt: skip


def answer(fd: FigureDef, f: Figure) -> str:
    """The verdict rule's answer to a yes-no or trend question ('' for how-much and which questions)."""
    if fd.asks is None:
        return ""
    if f.status != "ok":
        return "cannot be tested"
    if "change_pp" in f.extra:  # a share's trend: the change within the posting era
        return verdict.judge(f.extra.get("change_ci_low"), f.extra.get("change_ci_high"), fd.asks or 1,
                             negligible=NEGLIGIBLE_SHARE_POINTS)  # fmt: skip
    if fd.asks == 0:  # "about the same?": yes only when a difference that matters is ruled out
        return verdict.same(f.ci_low, f.ci_high)
    return verdict.judge(f.ci_low, f.ci_high, fd.asks, negligible=negligible_for(f))


def word(fd: FigureDef, rule: str) -> str:
    """The answer's first word: yes/no for "about the same?"; up/down/flat for a trend whose value is a change (a
    share's trend asks "growing?" or "shrinking?": yes or no); yes/no otherwise."""
    if fd.asks == 0:
        return SAME_WORDS[rule]
    if fd.topic == "trends" and fd.value_unit == "percent":
        return TREND_WORDS[rule]
    return verdict.ANSWERS[rule]


def headline(fd: FigureDef, f: Figure) -> tuple[str, str]:
    """(the sentence, the verdict rule's answer or '')."""
    rule = answer(fd, f)
    if f.status != "ok":
        # A remedy is a command: it is run, never capitalised ("Mlsalary data pull aijobs").
        why = f"the data it needs is not loaded: run {f.remedy}" if f.remedy else (
            f.caveats[-1] if f.caveats else "too few records")
        why = why[0].upper() + why[1:].rstrip(".")
        return f"Can't tell: {fd.question} {why}.", rule
    value = fmt(f.value, f.value_unit)
    if "change_pp" in f.extra and f.extra.get("era_start_share") is not None:
        era, last = int(f.extra["era_start"] or 0), f.years[-1]
        lo, hi = f.extra.get("change_ci_low"), f.extra.get("change_ci_high")
        within = f" and the same {said(f.held_fixed)}" if "change_pp_unadjusted" in f.extra else ""
        unadjusted = (f"; unadjusted {f.extra['change_pp_unadjusted']:+.1f} points"
                      if "change_pp_unadjusted" in f.extra else "")  # fmt: skip
        text = (f"{word(fd, rule)}: {f.extra['era_start_share']:.1f}% in {era}, {value} in {last} — "
                f"{f.extra['change_pp']:+.1f} points (95% interval {lo:+.1f} to {hi:+.1f}), measured within the "
                f"posting era{within}{unadjusted}")  # fmt: skip
        return f"{text} {context(f)}.", rule
    if rule:
        who = " vs ".join(c["label"] for c in f.compared) if f.compared else ""
        text = f"{word(fd, rule)}: {who + ' ' if who else ''}{value}"
        if f.held_fixed:  # what is held fixed is said; where the unadjusted answer differs, it is said too
            text += f" with the same {said(f.held_fixed)}"
            if f.raw is not None:
                text += f" (unadjusted: {fmt(f.raw['value'], f.value_unit)})"
    else:
        shown = [g for g in f.groups if g.value is not None]
        template = fd.says or f"{fd.question.rstrip('?')}: {{value}}"
        text = template.format(value=value, groups=groups_text(f) if "{groups}" in template else "",
                               top=shown[0].label if shown else "?", bottom=shown[-1].label if shown else "?")
        if "{groups}" in template:  # every group's numbers are in the sentence already
            return f"{text} {context(f, with_numbers=False)}.", rule
    if f.lower_bound_only:
        text += " or more"
    return f"{text} {context(f)}.", rule

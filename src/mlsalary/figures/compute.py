"""Computing the catalogue: each declaration -> a Figure record, with the suppression rules applied once, here.

- A figure whose sources are not all loaded is ``source_missing``, with the command that adds them.
- A headline below the minimum n (default 30) is ``suppressed``: no number, its n shown; below the privacy floor
  (5) not even n. A ratio is judged by its smaller group.
- Published aggregates (OEWS) are reported as BLS published them, with BLS's relative standard error.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from mlsalary import stats
from mlsalary.figures.catalogue import CATALOGUE, FigureDef
from mlsalary.figures.data import Data, load
from mlsalary.figures.measure import PUBLISHED, Out
from mlsalary.figures.model import Figure, Group


def compute_all(data: Data | None = None, ids: list[str] | None = None) -> list[Figure]:
    """Every figure of the catalogue (or those named), computed from the store."""
    from mlsalary.errors import NotFound

    d = data or load()
    wanted = CATALOGUE
    if ids:
        known = {f.id for f in CATALOGUE}
        unknown = [i for i in ids if i not in known]
        if unknown:
            raise NotFound(f"unknown figure {unknown[0]!r}: see `mlsalary figures --list` for the ids")
        wanted = tuple(f for f in CATALOGUE if f.id in ids)
    return [compute_one(fd, d) for fd in wanted]


def _with_headline(fd: FigureDef, f: Figure) -> Figure:
    from mlsalary.figures.headline import headline

    text, rule = headline(fd, f)
    return dataclasses.replace(f, headline=text, quote=text, answer=rule)


def compute_one(fd: FigureDef, d: Data) -> Figure:
    """One figure: its data bound to what it declares (count unit, duplicate policy), then its computation, then
    its headline (figures.headline)."""
    return _with_headline(fd, _compute_one(fd, d))


def _compute_one(fd: FigureDef, d: Data) -> Figure:
    missing = [s for s in fd.sources if s not in d.loaded]
    if missing:
        absent = [s for s in missing if s not in d.unpublished]
        if absent:
            return _empty(fd, "source_missing", remedy=how_to_get(absent))
        from mlsalary import vintage

        return _empty(fd, "source_missing", caveat=vintage.not_yet_public({s: d.unpublished[s] for s in missing}))
    from mlsalary.figures.measure import MissingYears, TooThin

    try:
        out = fd.compute(d.bind(fd.unit, fd.duplicate_policy).holding(fd.strata))
    except MissingYears as e:  # a comparison of years with one year loaded is a missing source, never +0.0%
        from mlsalary import vintage

        if (when := vintage.current()) is not None:  # a vintage: a later date may hold the years, a pull may not
            why = f"{e} as of {when.isoformat()}: the comparison needs two years — ask as of a later date, or run"
            return _empty(fd, "source_missing", caveat=f"{why} {e.remedy}")
        return _empty(fd, "source_missing", remedy=e.remedy, caveat=f"{e}: the comparison needs two years")
    except TooThin as e:  # comparable groups too thin: suppressed with the reason, never a confounded number
        return _empty(fd, "suppressed", caveat=str(e), dated=d, years=e.years)
    except (LookupError, ZeroDivisionError):  # an empty population: nothing to show
        return _empty(fd, "suppressed", caveat="no records in this population")
    return _figure(fd, out, d)


def how_to_get(missing: list[str]) -> str:
    """How to add missing sources, in a way that works: a pull where mlsalary can fetch the source; the steps the
    source needs otherwise (Kaggle's files need a Kaggle account)."""
    from mlsalary import sources

    steps = []
    for name in missing:
        meta = sources.meta(name)
        if meta.bundled:
            steps.append(f"mlsalary data pull {name} (works offline: {meta.bundled})")
        elif meta.downloadable:
            steps.append(f"mlsalary data pull {name} (needs the network, or --from a copy of its files)")
        else:
            steps.append(meta.how_to_provide)
    return "; ".join(steps)


def _dating(fd: FigureDef, d: Data, years: list[int]) -> dict[str, Any]:
    """period, data_as_of and age_months of a figure (the oldest of its sources' data dates)."""
    from mlsalary import age

    dates = [d.as_of[s] for s in fd.sources if s in d.as_of]
    oldest = min(dates) if dates else None
    return {
        "period": age.period(years, fd.sources[0], d.as_of.get(fd.sources[0])),
        "data_as_of": oldest.isoformat() if oldest else None,
        "age_months": age.months(oldest) if oldest else None,
    }


def _age_caveats(fd: FigureDef, d: Data) -> list[str]:
    from mlsalary import age

    return [w for s in fd.sources if s in d.as_of and (w := age.warning(s, d.as_of[s]))]


def _empty(fd: FigureDef, status: str, remedy: str = "", caveat: str = "", dated: Data | None = None,
           years: list[int] | None = None) -> Figure:  # fmt: skip
    """A figure with no number; `dated`: the data its sources were read from (their data date and age are given),
    `years`: the years it looked at."""
    dating = (_dating(fd, dated, years or []) if dated is not None
              else {"period": "", "data_as_of": None, "age_months": None})  # fmt: skip
    return Figure(
        id=fd.id, topic=fd.topic, question=fd.question, value=None, ci_low=None, ci_high=None, n=None, unit=fd.unit,
        value_unit=fd.value_unit, sources=list(fd.sources), years=years or [], **dating,
        definition=fd.definition, method="", status=status, caveats=[*fd.caveats, *([caveat] if caveat else [])],
        duplicate_policy=fd.duplicate_policy, remedy=remedy, chart=fd.chart,
    )  # fmt: skip


def _figure(fd: FigureDef, out: Out, d: Data) -> Figure:
    from mlsalary import disclosure

    value, lo, hi = _headline(out)
    published = out.n_min >= PUBLISHED
    vis = "shown" if published else stats.visibility(out.n_min)
    n: int | None = None if published else out.n
    status = "ok" if vis == "shown" and value is not None else "suppressed"
    caveats = [*fd.caveats, *out.caveats, *_age_caveats(fd, d)]
    # Postings are what explore, the start card and the estimate count too: every count of them goes through
    # mlsalary.disclosure (rounded to its base; none under the minimum n), so that no figure's count, set beside
    # theirs, gives a small group away.
    explored = fd.unit == "postings"
    floor = stats.min_n() if explored else stats.PRIVACY_FLOOR
    groups, compared = out.groups, out.compared
    if explored:
        groups = [_uncounted(g) if g.status != "ok" and g.n is not None else g for g in groups]
    if vis == "hidden":
        n, caveats = None, [*caveats, "fewer than 5 records: nothing is shown about this group"]
    elif vis == "suppressed" and explored:
        n, compared = None, [(label, 0) for label, _ in compared]
        caveats = [*caveats, f"the smallest group has fewer than {stats.min_n()} postings: not shown"]
    elif vis == "suppressed":
        caveats = [*caveats, f"the smallest group has {out.n_min} records, fewer than {stats.min_n()}: not shown"]
    if status != "ok":
        value = lo = hi = None
    smallest = None if published or vis == "hidden" or (explored and vis == "suppressed") else out.n_min
    if fd.unit in disclosure.ROUNDED_UNITS:
        n, smallest = disclosure.published(n), disclosure.published(smallest)
        groups = [dataclasses.replace(g, n=disclosure.published(g.n)) for g in groups]
        compared = [(label, (disclosure.published(c) or 0) if c >= floor else 0) for label, c in compared]
    return Figure(
        id=fd.id, topic=fd.topic, question=fd.question, value=value, ci_low=lo, ci_high=hi, n=n, unit=fd.unit,
        value_unit=fd.value_unit, sources=list(fd.sources), years=out.years, **_dating(fd, d, out.years),
        definition=fd.definition, method=out.method, caveats=caveats,
        status=status, duplicate_policy=fd.duplicate_policy, rse=out.rse,
        lower_bound_only=bool(getattr(out.stat, "lower_bound_only", False)), groups=groups, chart=fd.chart,
        published=published, group_unit=out.group_unit,
        smallest_group=smallest,
        extra=out.extra if status == "ok" else {},
        compared=[{"label": label, "n": c if c >= floor else None} for label, c in compared],
        held_fixed=list(out.strata),
        held_fixed_text=held_text(out),
        raw=_raw(out, value, lo, hi) if status == "ok" else None,
    )  # fmt: skip


def held_text(out: Out) -> str:
    """What a comparison holds fixed, in words: what its population fixes, then the strata it was measured within."""
    from mlsalary.figures.measure import said

    within = f"the same {said(out.strata)}" if out.strata else ""
    return "; ".join(x for x in (out.held_fixed, within) if x)


def _raw(out: Out, value: float | None, lo: float | None, hi: float | None) -> dict[str, float | None] | None:
    """The unadjusted comparison beside a held-fixed one, when the two differ by more than the value's interval
    half-width (both in the value's unit)."""
    r = out.raw
    if r is None or r.value is None or value is None or lo is None or hi is None:
        return None
    scale = (lambda x: None if x is None else (x - 1) * 100) if out.percent else (lambda x: x)
    raw = {"value": scale(r.value), "ci_low": scale(r.ci_low), "ci_high": scale(r.ci_high)}
    return raw if abs((raw["value"] or 0) - value) > (hi - lo) / 2 else None


def _uncounted(g: Group) -> Group:
    return dataclasses.replace(g, n=None, note=f"fewer than {stats.min_n()} postings")


def _headline(out: Out) -> tuple[float | None, float | None, float | None]:
    s = out.stat
    if s is None:
        return None, None, None
    if out.percent:
        return tuple(None if x is None else (x - 1) * 100 for x in (s.value, s.ci_low, s.ci_high))  # type: ignore[return-value]
    return s.value, s.ci_low, s.ci_high

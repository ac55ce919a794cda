"""The library functions behind every CLI command (the CLI only parses input and formats output)."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlsalary import sources as registry
from mlsalary.errors import MlsalaryError, SourceUnavailable

if TYPE_CHECKING:
    import pandas as pd

    from mlsalary.sources import ProgressFn


@dataclass(frozen=True)
class PullOutcome:
    """What happened to one source in a pull."""

    source: str
    status: str  # "loaded" | "unavailable" | "failed" | "refused" (it would lose data; the previous data stays)
    message: str = ""
    record: dict[str, Any] | None = None
    notes: list[str] = field(default_factory=list)


def pull(
    names: list[str] | None = None,
    from_path: Path | None = None,
    offline: bool = False,
    progress: ProgressFn | None = None,
    replace: bool = False,
    on_wait: Any = None,
) -> list[PullOutcome]:
    """Fetch and ingest sources (all registered ones by default). One source failing does not stop the others.

    A pull that would load nothing, or shrink what a source has by more than config.max_shrink(), is refused and the
    previous data stays — unless `replace`. Each source is written aside and swapped in (store.aside): readers keep
    answering from the previous state meanwhile. A second pull on the same home waits for this one (pulls.pull_lock;
    `on_wait(message)` is told when it has to)."""
    from mlsalary import pulls

    wanted = names or registry.names()
    for n in wanted:
        registry.get(n)  # unknown names fail before anything is fetched
    with pulls.pull_lock(on_wait=on_wait):
        return _pull(wanted, from_path, offline, progress, replace)


def _pull(wanted: list[str], from_path: Path | None, offline: bool, progress: ProgressFn | None,
          replace: bool) -> list[PullOutcome]:  # fmt: skip
    from mlsalary import store
    from mlsalary.progress import step
    from mlsalary.sources import retrieve

    outcomes = []
    for name in wanted:
        mod: Any = registry.get(name)
        files: list[Any] = []
        try:
            with step(f"{name}: finding its files"):
                files = mod.fetch(from_path=from_path, offline=offline, progress=progress)
            more = f" and {len(files) - 3} more" if len(files) > 3 else ""
            names = ", ".join(f.path.name for f in files[:3]) + more
            refuse = None if replace else functools.partial(_loses_data, name, files=files)
            notes: list[str] = []
            # Made by a reader thread while the store sets the new version aside and writes (store.ingest): part by
            # part as a file is read (memory stays flat), or one part for a source read whole.
            parts = mod.parse_batches(files) if hasattr(mod, "parse_batches") else _whole(mod, files)
            with step(f"{name}: reading {names} into the store"):
                record = store.ingest(mod.META, files, _noting(parts, notes), refuse=refuse)
        except store.Refused as e:
            outcomes.append(PullOutcome(name, "refused", str(e), None, notes))
            continue
        except SourceUnavailable as e:
            outcomes.append(PullOutcome(name, "unavailable", str(e)))
            continue
        except MlsalaryError as e:
            outcomes.append(PullOutcome(name, "failed", str(e)))
            continue
        finally:  # a source's files are hashed while it is read (retrieve.hashing): what is not begun is not needed
            retrieve.stop_hashing(files)
        outcomes.append(PullOutcome(name, "loaded", "", record, notes))
    return outcomes


def _whole(mod: Any, files: list[Any]) -> Iterator[Any]:
    """A source read whole (its parse) as one part, made when the first part is asked for."""
    yield mod.parse(files)


def _noting(parts: Iterator[Any], notes: list[str]) -> Iterator[Any]:
    """The parts, their notes gathered into `notes` as they pass."""
    for part in parts:
        notes.extend(part.notes)
        yield part


def _loses_data(name: str, new_rows: int, old: int, files: list[Any]) -> str | None:
    """Why loading `new_rows` rows would lose data the store holds for the source (`old` rows loaded), or None."""
    from mlsalary import config

    where = ", ".join(sorted({f.path.name for f in files})[:3])
    if new_rows == 0:
        return (f"{name}: {where} holds no usable row; nothing was changed (the store keeps "
                f"{old:,} rows); check the file, or pass --replace to empty the source")  # fmt: skip
    share = config.max_shrink()
    if old and new_rows < old * (1 - share):
        fewer = 1 - new_rows / old
        return (f"{name}: {where} would leave {new_rows:,} rows where the store has {old:,} ({fewer:.1%} fewer, "
                f"more than {share:.0%}); nothing was changed; check --from, or pass --replace")  # fmt: skip
    return None


def status() -> dict[str, Any]:
    """Row accounting per loaded source and quarantine reasons (the JSON of `data status --json`)."""
    from mlsalary import store

    return store.status()


def list_sources() -> list[dict[str, Any]]:
    """Every registered source with its licence and homepage; if loaded, its version, when and where it was fetched,
    the date its data is as of with its age in months (and a warning when it is stale), and its row accounting (read =
    loaded + quarantined, by reason; postings where the source counts them)."""
    from mlsalary import config, store

    loaded: dict[str, Any] = {}
    reasons: dict[str, dict[str, int]] = {}
    if config.db_path().is_file():
        st = store.status()
        loaded = {s["name"]: s for s in st["sources"]}
        reasons = st["quarantine_reasons"]
    out = []
    for name in registry.names():
        m = registry.meta(name)
        s = loaded.get(name)
        out.append(
            {
                "name": name,
                "title": m.title,
                "licence": m.licence,
                "homepage": m.homepage,
                "citation": m.citation,
                "attribution": m.attribution,
                "period": m.period,
                "unit": m.unit,
                "count_unit": m.count_unit,
                "loaded": s is not None,
                "version": s["version"] if s else None,
                "retrieved_at": s["retrieved_at"] if s else None,
                "origin": s["origin"] if s else None,
                "rows_read": s["rows_read"] if s else 0,
                "rows_loaded": s["rows_loaded"] if s else 0,
                "rows_quarantined": s["rows_quarantined"] if s else 0,
                "rows_duplicate": s["rows_duplicate"] if s else 0,
                "data_as_of": s["data_as_of"] if s else None,
                "age_months": s["age_months"] if s else None,
                "final": bool(m.final_data),
                "downloadable": m.downloadable,  # False: the user provides the files (how_to_provide says how)
                "how_to_provide": m.how_to_provide,
                "warning": s["warning"] if s else "",
                "postings": s.get("postings") if s else None,
                "quarantine_reasons": reasons.get(name, {}),
            }
        )
    return out


def observations(
    source: str | None = None, one_per_duplicate_group: bool = False, per_unit: bool = False
) -> pd.DataFrame:
    """The normalized observations (optionally one source, optionally the first of each duplicate group). Published
    rows by default; `per_unit`: one row per counted unit as the figures count (a posting at its range's midpoint,
    with its ends in range_low_usd / range_high_usd; a respondent)."""
    from mlsalary import store

    where, params = [], []
    if source:
        where.append("source = ?")
        params.append(source)
    if one_per_duplicate_group:
        where.append("dup_rank = 1")
    table = "units" if per_unit else "observations"
    sql = f"SELECT * FROM {table}" + (" WHERE " + " AND ".join(where) if where else "")
    return store.query(sql + " ORDER BY source, source_file, source_record", params)


def sql(query: str) -> pd.DataFrame:
    """Run a read-only SQL query on the store."""
    from mlsalary import store

    return store.query(query)


def export(fmt: str, out: Path, table: str = "observations") -> int:
    """Write a table of the store to Parquet or CSV; returns its row count."""
    from mlsalary import exporting

    return exporting.export(fmt, out, table)


def oews(occupation: str, area: str = "national", year: int | None = None, industry: str = "000000") -> dict[str, Any]:
    """BLS's published annual wage percentiles for an occupation and area (see mlsalary.wages)."""
    from mlsalary import wages

    return wages.lookup(occupation, area, year, industry)


def figures(ids: list[str] | None = None) -> list[Any]:
    """The headline figures (or those named), computed from the store: a list of mlsalary.figures.model.Figure."""
    from mlsalary.figures.compute import compute_all

    return compute_all(ids=ids)


def claims(figs: list[Any] | None = None) -> list[Any]:
    """Every claim's verdict (mlsalary.figures.claims.Verdict), from the figures (computed when not given)."""
    from mlsalary.figures.claims import check
    from mlsalary.figures.compute import compute_all

    return check(figs if figs is not None else compute_all())


def report(out_dir: Path) -> list[Path]:
    """Compute every figure and claim and write report.html, figures.md and figures.json into out_dir."""
    from mlsalary.figures.claims import check
    from mlsalary.figures.compute import compute_all
    from mlsalary.figures.data import load
    from mlsalary.report import render

    data = load()
    figs = compute_all(data)
    return render.write(out_dir, figs, check(figs), render.sources_of(data.loaded, data.as_of))


def estimate(
    role: str = "ml_engineer", level: str | None = None, country: str = "US", **profile: Any
) -> dict[str, Any]:
    """Your pay range for a profile (p10 ... p90, support, contributions); see mlsalary.model.estimate."""
    from mlsalary.model.estimate import estimate as run

    return run(role=role, level=level, country=country, **profile)


def evaluate_model(test_data: Path | None = None) -> dict[str, Any]:
    """How often the estimate's ranges are right on data it never saw, against two baselines."""
    from mlsalary.model.evaluate import evaluate

    return evaluate(test_data)


def evaluate_offer(path: Path, discount_rate: float = 0.05, growth: float = 0.10) -> dict[str, Any]:
    """An offer file year by year, with equity scenarios, market position and negotiation (mlsalary.offer)."""
    from mlsalary.offer.api import evaluate_offer as run

    return run(path, discount_rate, growth)

"""Ingest speed: `mlsalary` pulling every mirror source into a fresh store, against plain pandas only reading
the same files, in the same run.

    MLSALARY_MIRROR=../shared/data python benchmarks/ingest.py [--repeat 3] [--source NAME ...]

Prints, per source, in total and in total without OEWS (whose baseline reads a whole SQLite table): rows read,
mlsalary's ingest time (fetch from the mirror + parse + normalize + DuckDB transaction), rows per second, the pandas
read time, and the ratio ingest / pandas read — best of N runs, the two sides interleaved (A, B, A, B) in one
process at one priority.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import time
from pathlib import Path

from common import fresh_store_from_mirror


def pandas_read(name: str, files: list[Path]) -> int:
    """Plain pandas reading the same files (no validation, no normalization, no database)."""
    import pandas as pd

    rows = 0
    for f in files:
        if f.name.endswith((".csv", ".csv.bz2", ".csv.gz")):
            rows += len(pd.read_csv(f, low_memory=False))
        elif f.suffix == ".zip":  # a survey zip: its responses CSV (Kaggle's second row is the question text)
            import zipfile

            with zipfile.ZipFile(f) as z:
                member = next(n for n in z.namelist() if n.endswith(("_responses.csv", "survey_results_public.csv")))
                skip = [1] if "kaggle" in member else None
                rows += len(pd.read_csv(z.open(member), skiprows=skip, low_memory=False))
        elif f.suffix == ".xlsx":
            rows += len(pd.read_excel(f, engine="calamine"))
        elif f.name.endswith(".sqlite.gz"):
            from mlsalary.sources import oews

            with sqlite3.connect(oews.sqlite_path(f)) as con:
                rows += len(pd.read_sql_query("SELECT * FROM cell", con))
        else:
            raise SystemExit(f"{name}: no pandas baseline for {f.name}")
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3, help="runs per measurement; the best is kept")
    ap.add_argument("--source", action="append", help="only this source (repeatable; default: every source)")
    args = ap.parse_args()
    fresh_store_from_mirror()

    from mlsalary import api, sources

    unknown = sorted(set(args.source or ()) - set(sources.names()))
    if unknown:  # (the mirror's H-1B copy is a file of the source `lca`)
        raise SystemExit(f"unknown source(s) {', '.join(unknown)}: one of {', '.join(sources.names())}")
    print(f"{'source':<14}{'rows':>10}{'ingest s':>10}{'rows/s':>12}{'pandas s':>10}{'ratio':>8}")
    totals = {"all": [0, 0.0, 0.0], "without oews": [0, 0.0, 0.0]}
    for name in sources.names():
        if args.source and name not in args.source:
            continue
        mod: object = sources.get(name)
        files = [f.path for f in mod.fetch()]  # type: ignore[attr-defined]
        ingest_s, pandas_s, rows = [], [], 0
        for _ in range(args.repeat):  # interleaved, A, B, A, B: a machine that slows down slows both sides
            t = time.perf_counter()
            (o,) = api.pull([name])
            ingest_s.append(time.perf_counter() - t)
            if o.status != "loaded":
                print(f"{name:<14} {o.status}: {o.message}", file=sys.stderr)
                break
            rows = o.record["rows_read"]
            t = time.perf_counter()
            pandas_read(name, files)
            pandas_s.append(time.perf_counter() - t)
        if not pandas_s:
            continue
        a, b = min(ingest_s), min(pandas_s)
        for key in ("all", "without oews") if name != "oews" else ("all",):
            totals[key][0] += rows
            totals[key][1] += a
            totals[key][2] += b
        print(f"{name:<14}{rows:>10,}{a:>10.2f}{rows / a:>12,.0f}{b:>10.2f}{a / b:>8.2f}")
    for key, (rows, a, b) in totals.items():
        if not a:  # no source of this total was measured (--source oews: nothing without it)
            continue
        print(f"{'total ' + key:<22}{rows:>10,}{a:>10.2f}{rows / a:>12,.0f}{b:>10.2f}{a / b:>8.2f}")
    print(f"ratio = mlsalary ingest time / plain pandas read time of the same files (best of {args.repeat}, the two "
          "sides interleaved in one process at one priority; lower is better). OEWS's baseline reads a whole SQLite "
          "table, so the total without it is the one a user adding files sees.")


if __name__ == "__main__":
    main()

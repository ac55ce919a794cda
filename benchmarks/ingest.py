"""Ingest speed: `mlsalary` pulling every mirror source into a fresh store, against plain pandas only reading
the same files, in the same run.

    MLSALARY_MIRROR=../shared/data python benchmarks/ingest.py [--repeat 3]

Prints, per source and in total: rows read, mlsalary's ingest time (fetch from the mirror + parse + normalize +
DuckDB transaction), rows per second, the pandas read time, and the ratio ingest / pandas read (best of N runs).
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
from pathlib import Path

from common import best_of, fresh_store_from_mirror


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
    args = ap.parse_args()
    fresh_store_from_mirror()

    from mlsalary import api, sources

    print(f"{'source':<14}{'rows':>10}{'ingest s':>10}{'rows/s':>12}{'pandas s':>10}{'ratio':>8}")
    tot_rows, tot_ingest, tot_pandas = 0, 0.0, 0.0
    for name in sources.names():
        mod: object = sources.get(name)
        files = [f.path for f in mod.fetch()]  # type: ignore[attr-defined]
        t_ingest, outcomes = best_of(args.repeat, lambda n=name: api.pull([n]))
        (o,) = outcomes  # type: ignore[misc]
        if o.status != "loaded":
            print(f"{name:<14} {o.status}: {o.message}", file=sys.stderr)
            continue
        rows = o.record["rows_read"]
        t_pandas, _ = best_of(args.repeat, lambda n=name, f=files: pandas_read(n, f))
        tot_rows, tot_ingest, tot_pandas = tot_rows + rows, tot_ingest + t_ingest, tot_pandas + t_pandas
        print(
            f"{name:<14}{rows:>10,}{t_ingest:>10.2f}{rows / t_ingest:>12,.0f}{t_pandas:>10.2f}"
            f"{t_ingest / t_pandas:>8.2f}"
        )
    print(
        f"{'total':<14}{tot_rows:>10,}{tot_ingest:>10.2f}{tot_rows / tot_ingest:>12,.0f}{tot_pandas:>10.2f}"
        f"{tot_ingest / tot_pandas:>8.2f}"
    )
    print(
        "ratio = mlsalary ingest time / plain pandas read time of the same files (best of "
        f"{args.repeat}; lower is better)"
    )


if __name__ == "__main__":
    main()

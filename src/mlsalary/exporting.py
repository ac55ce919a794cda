"""Exporting a table of the store to Parquet or CSV (`mlsalary data export`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from mlsalary import store
from mlsalary.errors import StoreError


def export(fmt: str, out: Path, table: str = "observations") -> int:
    """Write a table to parquet or csv; returns the row count."""
    import duckdb

    if table not in {"observations", "aggregates", "skills", "quarantine", "sources"}:
        raise StoreError(f"unknown table {table!r}: choose observations, aggregates, skills, quarantine or sources")
    if fmt not in {"parquet", "csv"}:
        raise StoreError(f"unknown format {fmt!r}: choose parquet or csv")
    with store.read_only() as con:
        try:
            df: Any = con.sql(f"SELECT * FROM {table}").to_arrow_table()
            n = df.num_rows
        except duckdb.Error as e:
            raise StoreError(f"export failed: {str(e).splitlines()[0]}") from e
    from mlsalary.files import atomic

    with atomic(out) as tmp:
        if fmt == "parquet":
            import pyarrow.parquet as pq

            pq.write_table(df, tmp)
        else:
            import pyarrow as pa
            import pyarrow.csv as pacsv

            # Lists (top_coded, files...) are written as JSON text in CSV.
            for i, f in enumerate(df.schema):
                if pa.types.is_list(f.type):
                    values = pa.array([json.dumps(v) for v in df.column(i).to_pylist()], pa.string())
                    df = df.set_column(i, f.name, values)
            pacsv.write_csv(df, tmp)
    return n

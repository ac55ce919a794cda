"""The schema is the single source of truth: the docs and the database follow it."""

from __future__ import annotations

from pathlib import Path

from conftest import REPO
from mlsalary import schema


def test_docs_schema_is_generated_from_the_code() -> None:
    assert (REPO / "docs" / "schema.md").read_text() == schema.markdown(), (
        "docs/schema.md is stale: run `python -m mlsalary.schema > docs/schema.md`"
    )


def test_every_column_is_documented_and_enums_are_consistent() -> None:
    for c in schema.OBSERVATION_COLUMNS + schema.AGGREGATE_COLUMNS:
        assert c.doc.strip(), c.name
    assert set(schema.ML_ROLES) <= set(schema.ROLES)


def test_database_tables_have_exactly_the_schema_columns(tmp_path: Path) -> None:
    from mlsalary import store

    with store.writer(tmp_path / "x.duckdb") as con:
        for table, cols in (("observations", schema.OBSERVATION_COLUMNS), ("aggregates", schema.AGGREGATE_COLUMNS)):
            got = [r[0] for r in con.execute(f"DESCRIBE {table}").fetchall()]
            assert got == schema.column_names(cols)

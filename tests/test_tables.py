"""The schema is the single source of truth: docs/schema.md is generated from it, every column is documented, and
a new store's tables are exactly the schema's."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from mlsalary import schema, store

DOCS = Path(__file__).resolve().parents[1] / "docs" / "schema.md"


def test_docs_schema_is_generated_from_the_schema() -> None:
    out = subprocess.run([sys.executable, "-m", "mlsalary.schema"], capture_output=True, text=True, check=True).stdout
    assert DOCS.read_text() == out, "docs/schema.md is stale: run `python -m mlsalary.schema > docs/schema.md`"


def test_every_column_is_documented_and_its_allowed_values_are_listed() -> None:
    for table in (schema.OBSERVATION_COLUMNS, schema.AGGREGATE_COLUMNS, schema.SKILL_COLUMNS):
        for c in table:
            assert c.doc.strip().endswith((".", ")")), c.name
            assert c.allowed is None or len(c.allowed) == len(set(c.allowed)) > 0, c.name
            assert f"`{c.name}`" in DOCS.read_text()


def test_a_new_store_has_exactly_the_schemas_tables(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLSALARY_HOME", str(tmp_path))
    with store.writer():
        pass
    con = duckdb.connect(str(tmp_path / "mlsalary.duckdb"), read_only=True)
    try:
        for name, cols in (("observations", schema.OBSERVATION_COLUMNS), ("aggregates", schema.AGGREGATE_COLUMNS),
                           ("skills", schema.SKILL_COLUMNS)):  # fmt: skip
            found = [(r[0], r[1]) for r in con.execute(f"DESCRIBE {name}").fetchall()]
            want = [(c.name, c.sql_type.replace(" NOT NULL", "")) for c in cols]
            assert found == want, name
        version = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        assert version == (str(schema.SCHEMA_VERSION),)
    finally:
        con.close()

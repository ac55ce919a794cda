"""Rows a parser could not use: each with its file, its 1-based data row number, a reason, the one-line message and
the raw row as JSON — held as Arrow columns.

A source that finds its rejections column by column (the official LCA files, Kaggle's surveys) hands them over as
Arrow arrays: their messages and raw rows are never made into Python strings, and the store inserts them from Arrow,
which DuckDB reads without holding the GIL (from Python strings it converts each one holding it, while the reader's
thread waits). Rows added one at a time are kept in lists until the next block or read.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pyarrow as pa

#: The columns, in the store's order (schema: the quarantine table, after its `source`).
COLUMNS = ("source_file", "record", "reason", "detail", "raw")


def _types() -> dict[str, pa.DataType]:
    import pyarrow as pa

    # large: a file's messages and raw rows may pass 2 GB together
    return {"source_file": pa.string(), "record": pa.int64(), "reason": pa.string(), "detail": pa.large_string(),
            "raw": pa.large_string()}  # fmt: skip


def _column(values: Any, kind: pa.DataType) -> pa.Array:
    import pyarrow as pa

    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    return values.cast(kind) if isinstance(values, pa.Array) else pa.array(values, type=kind)


class QuarantineRows:
    """Rows a parser could not use (`records` are 1-based data row numbers in `files`): add one (`add`) or a file's
    many at once (`add_many`, as lists or Arrow arrays); `table()` is all of them, in the order added."""

    def __init__(self) -> None:
        self._blocks: list[pa.Table] = []
        self._pending: tuple[list[Any], ...] = tuple([] for _ in COLUMNS)

    def add(self, file: str, record: int, reason: str, detail: str, raw: str) -> None:
        for values, value in zip(self._pending, (file, record, reason, detail, raw), strict=True):
            values.append(value)

    def add_many(self, file: str, records: Sequence[int] | pa.Array, reasons: Sequence[str] | pa.Array,
                 details: Sequence[str] | pa.Array, raws: Sequence[str] | pa.Array) -> None:  # fmt: skip
        """Many rows of one file at once (columns of equal length: lists, or Arrow arrays)."""
        n = len(records)
        if not n == len(reasons) == len(details) == len(raws):
            raise ValueError("add_many: columns of different lengths")
        if n:
            self._flush()
            self._blocks.append(self._block([[file] * n, records, reasons, details, raws]))

    def _block(self, columns: list[Any]) -> pa.Table:
        import pyarrow as pa

        types = _types()
        return pa.table({c: _column(v, types[c]) for c, v in zip(COLUMNS, columns, strict=True)})

    def _flush(self) -> None:
        if self._pending[0]:
            self._blocks.append(self._block(list(self._pending)))
            self._pending = tuple([] for _ in COLUMNS)

    def table(self) -> pa.Table:
        """Every row, in the order added (one table: later reads take it as it is)."""
        import pyarrow as pa

        self._flush()
        if len(self._blocks) != 1:
            types = _types()
            self._blocks = [pa.concat_tables(self._blocks) if self._blocks else
                            pa.table({c: pa.array([], type=types[c]) for c in COLUMNS})]  # fmt: skip
        return self._blocks[0]

    def __len__(self) -> int:
        return sum(b.num_rows for b in self._blocks) + len(self._pending[0])

    def sort(self) -> None:
        """Order by file and record (rejections are found in several passes); rows already in order are left."""
        import numpy as np
        import pyarrow.compute as pc

        t = self.table()
        records = t.column("record").to_numpy()
        if pc.count_distinct(t.column("source_file")).as_py() <= 1 and bool((np.diff(records) >= 0).all()):
            return
        # a stable sort: rows of one record keep the order they were found in
        self._blocks = [t.take(pc.sort_indices(t, [("source_file", "ascending"), ("record", "ascending")]))]

    def extend(self, other: QuarantineRows) -> None:
        self._flush()
        other._flush()
        self._blocks.extend(other._blocks)

    def frame(self, source: str) -> pa.Table:
        """The rows as the store's quarantine table takes them: `source` first, then COLUMNS."""
        import pyarrow as pa

        t = self.table()
        return t.add_column(0, "source", pa.array([source] * t.num_rows, type=pa.string()))

    def rejecter(self, source: str, file: str, header: list[str],
                 skip_empty: bool = False) -> Callable[[int, list[str], str, str], None]:  # fmt: skip
        """reject(record, fields, reason, detail): quarantine one row with the one-line message every source uses."""
        from mlsalary.sources import textfile

        def reject(rec: int, fields: list[str], reason: str, detail: str) -> None:
            raw = textfile.raw_json(header, fields, skip_empty=skip_empty)
            self.add(file, rec, reason, f"{source}: {file} row {rec}: {detail} (quarantined)", raw)

        return reject

    # The columns as lists (what a test or a caller reading a few rows looks at).
    @property
    def files(self) -> list[str]:
        return self.table().column("source_file").to_pylist()

    @property
    def records(self) -> list[int]:
        return self.table().column("record").to_pylist()

    @property
    def reasons(self) -> list[str]:
        return self.table().column("reason").to_pylist()

    @property
    def details(self) -> list[str]:
        return self.table().column("detail").to_pylist()

    @property
    def raws(self) -> list[str]:
        return self.table().column("raw").to_pylist()

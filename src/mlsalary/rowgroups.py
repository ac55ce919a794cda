"""A pull's rows written to the version being built so that every commit writes whole row groups (``Batched``).

DuckDB writes the rows a transaction appends straight into the database file, a row group (ROW_GROUP_ROWS rows) at a
time; the rows left over when the transaction commits — a part-filled row group per table — go to the write-ahead
log instead, and are written a second time when the log is checkpointed (at 16 MB of log: in one step of about 1.4 s,
1.6 million filings into a pull of 2 million). Written part by part as they came, every commit of a large pull left
such a remainder in each table, and a pull's quarantine (a few thousand rows per part, each with its raw JSON) went
to the log whole. So:

- the lead table's rows (observations) are written as they come, and the transaction is committed when it holds a
  whole number of row groups of them, at least ``commit_rows`` (a part that crosses that point is written in two
  pieces, around the commit);
- every other table's rows are held until a whole row group of them has come, and written then;
- what is held at the end is written by ``finish`` (the caller commits).

Measured on 1,898,620 generated LCA observations inserted in parts of 21,500 rows: 4.70-4.93 s committed in whole row
groups against 5.26-5.58 s committed every 400,000 rows, and a 66 MB file against 76 MB; whole pulls: benchmarks/lca.py.
Memory: less than a row group of each other table is held back. A source smaller than a commit (aijobs.net's 151,443
rows) has its observations written as they come, as before; its few quarantined rows at the end.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

#: DuckDB's row group: the rows it compresses and writes as one unit (its default; test_rowgroups checks it against
#: the library, so an upgrade that changes it fails a test instead of silently undoing the batching).
ROW_GROUP_ROWS = 122_880


class Batched:
    """Rows for the tables of one open transaction on `con`, written by `insert(con, table, rows)` so that every
    commit writes whole row groups (module docstring). `add` takes an Arrow table (the store types every table's rows
    as Arrow: store._typed, QuarantineRows.frame); `lead` is the table whose rows set when to commit; `commits`
    counts the commits made."""

    def __init__(self, con: Any, insert: Callable[[Any, str, Any], None], commit_rows: int,
                 lead: str = "observations") -> None:  # fmt: skip
        self.con, self._insert, self._lead = con, insert, lead  # con: the connection written to
        # the commit point: the first whole number of row groups of the lead table holding at least commit_rows
        self._commit_at = max(1, -(-commit_rows // ROW_GROUP_ROWS)) * ROW_GROUP_ROWS
        self._lead_rows = 0  # the lead table's rows written since the last commit
        self._held: dict[str, list[Any]] = {}  # each other table's rows not yet written (less than a row group)
        self.commits = 0

    def add(self, table: str, rows: Any) -> None:
        if rows is None or len(rows) == 0:
            return
        if table == self._lead:
            while self._lead_rows + len(rows) >= self._commit_at:
                room = self._commit_at - self._lead_rows
                self._insert(self.con, table, _head(rows, room))
                rows = _tail(rows, room)
                self.con.execute("COMMIT")
                self.con.execute("BEGIN TRANSACTION")
                self._lead_rows = 0
                self.commits += 1
            if len(rows):
                self._insert(self.con, table, rows)
                self._lead_rows += len(rows)
            return
        held = self._held.setdefault(table, [])
        held.append(rows)
        whole = sum(map(len, held)) // ROW_GROUP_ROWS * ROW_GROUP_ROWS
        if whole:
            rows = _combined(held)
            self._insert(self.con, table, _head(rows, whole))
            rest = _tail(rows, whole)
            self._held[table] = [rest] if len(rest) else []

    def finish(self) -> None:
        """Write what is held back (every table's last, part-filled row group)."""
        for table, held in self._held.items():
            if held:
                self._insert(self.con, table, _combined(held))
        self._held.clear()


def _combined(parts: list[Any]) -> Any:
    import pyarrow as pa

    return parts[0] if len(parts) == 1 else pa.concat_tables(parts)


def _head(rows: Any, n: int) -> Any:
    return rows.slice(0, n)


def _tail(rows: Any, n: int) -> Any:
    return rows.slice(n)

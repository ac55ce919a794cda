"""The source contract: what every source module provides, and the shared parts they are built from.

A source is a module registered in ``sources.SOURCE_MODULES`` with:

- ``META`` (``SourceMeta``): name, title, licence and attribution, homepage, citation, what one observation is
  (``count_unit``: postings, respondents, filings or a published aggregate), the kinds of pay it holds
  (``pay_kinds``: a subset of ``schema.PAY_KINDS`` — point, range, band or published aggregate), the date its data
  stops (``final_data``) and how to refresh it, what ships in the package (``bundled``), whether it can be
  downloaded and how a user provides it otherwise.
- ``fetch(from_path=None, offline=False, progress=None) -> list[FetchedFile]``: the only code that touches the
  network; files from ``--from``, the mirror, the cache, then the official home (``sources.retrieve``).
- ``parse(files) -> ParseResult``: pure and offline. Raw files in; observations (``observation_frame``), skills,
  aggregates, quarantined rows with a reason and a one-line detail, the rows read, the version and the date the
  data is as of out. rows_read = rows loaded + rows quarantined, always.

The store (``store.ingest``) refuses a result whose observations carry a pay kind the source does not declare, or
columns the schema does not have. The shared parts below are what the sources repeat:

- ``read_table(path, source, …)``: a CSV (plain, compressed or zipped) or an xlsx workbook's first sheet as a
  ``textfile.Table`` of strings, with malformed rows kept aside for quarantine.
- ``screen(values, check)``: a check run once per distinct value, returning the rows to quarantine and why.
- ``observation_frame(n, columns)``: the observation frame in the schema's column order, every column the source
  does not have filled with NULL, unknown columns refused.

docs/adding-a-source.md walks through a new source end to end.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlsalary.errors import SchemaError, SourceError
from mlsalary.sources import textfile

if TYPE_CHECKING:
    import numpy.typing as npt
    import pandas as pd


def read_table(path: Path, source: str, member_suffix: str = ".csv", header_has: str | None = None) -> textfile.Table:
    """A delimited text file or an xlsx workbook (by its name: .xlsx, or a .zip holding one) as a Table of strings.

    For a workbook, the header is the first of its first rows that contains `header_has` (case-insensitive), and
    every cell is text (numbers as Excel stored them, dates as ISO dates)."""
    name = path.name.lower()
    if name.endswith(".xlsx") or (name.endswith(".zip") and member_suffix == ".xlsx"):
        return xlsx_table(path, source, header_has)
    return textfile.table(textfile.read_bytes(path, source, member_suffix), path, source)


def xlsx_rows(path: Path, source: str) -> list[list[Any]]:
    """The first sheet of a workbook (or of the workbook inside a zip) as lists of cell values."""
    import io

    from python_calamine import CalamineWorkbook

    raw = textfile.xlsx_bytes(path, source)
    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(raw))
        rows: list[list[Any]] = wb.get_sheet_by_index(0).to_python() if wb.sheet_names else []
    except BaseException as e:  # calamine's own errors, and its panics (a BaseException) on malformed files
        raise unreadable_workbook(e, path, source) from e
    return rows


def unreadable_workbook(e: BaseException, path: Path, source: str) -> BaseException:
    """What to raise when an xlsx reader failed: an interrupt stays one; anything else is a SourceError."""
    if isinstance(e, KeyboardInterrupt | SystemExit | MemoryError | SourceError):
        return e
    return SourceError(f"{source}: {path.name} is not a readable xlsx workbook ({type(e).__name__}: "
                       f"{str(e)[:200]}); download it again")  # fmt: skip


def _cell(v: Any) -> str:
    import datetime as dt

    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, dt.datetime):
        return v.date().isoformat() if v.time() == dt.time() else v.isoformat(sep=" ")
    if isinstance(v, dt.date):
        return v.isoformat()
    return str(v)


def header_row(rows: list[list[Any]], header_has: str | None, path: Path, source: str) -> int:
    """Where a sheet's header is: the first of its first ten rows holding `header_has` (any case), or the first
    row; SchemaError when no row holds it, SourceError for a sheet without rows."""
    head_at = 0
    if header_has is not None:
        want = header_has.lower()
        found = [i for i, r in enumerate(rows[:10]) if want in [str(c).strip().lower() for c in r]]
        if not found:
            raise SchemaError(f"{source}: {path.name}: no header row with {header_has.upper()} in the first sheet")
        head_at = found[0]
    if not rows:
        raise SourceError(f"{source}: {path.name} has no rows; download it again or check the path")
    return head_at


def xlsx_table(path: Path, source: str, header_has: str | None = None) -> textfile.Table:
    rows = xlsx_rows(path, source)
    head_at = header_row(rows, header_has, path, source)
    header = [_cell(c).strip() for c in rows[head_at]]
    body = [[_cell(c) for c in r] for r in rows[head_at + 1 :]]
    body = [r + [""] * (len(header) - len(r)) if len(r) < len(header) else r for r in body]
    keep = [i for i, r in enumerate(body) if any(f.strip() for f in r)]  # blank rows are not records
    good = [body[i] for i in keep if len(body[i]) == len(header)]
    records = [i + 1 for i in keep if len(body[i]) == len(header)]
    bad = [textfile.Row(i + 1, body[i], False) for i in keep if len(body[i]) != len(header)]
    return textfile.Table(header, good, records, bad, len(keep))


def require_columns(tab: textfile.Table, wanted: tuple[str, ...], source: str, path: Path, layout: str,
                    upper: bool = False) -> None:  # fmt: skip
    """Normalise the table's header (stripped; upper or lower case) and raise a SchemaError naming the missing
    columns and the layout expected (`layout`)."""
    tab.header = [h.strip().upper() if upper else h.strip().lower() for h in tab.header]
    missing = [c for c in wanted if c not in tab.header]
    if missing:
        raise SchemaError(f"{source}: {path.name}: missing column(s) {', '.join(missing)}; expected {layout}")


def screen(values: pd.Series, check: Callable[[str], tuple[str, str] | None]) -> tuple[npt.NDArray[Any], list[Any]]:
    """Run `check` once per distinct value: (a boolean mask of the rows to quarantine, each row's (reason, detail)
    or None)."""
    import numpy as np

    verdicts = {v: check(v) for v in values.unique()}
    problems = [verdicts[v] for v in values]
    return np.array([p is not None for p in problems], dtype=bool), problems


def observation_table(n: int, columns: dict[str, Any]) -> Any:
    """observation_frame() as an Arrow table, for a source that builds its columns as Arrow arrays (a streaming
    source): a value that is not an array is repeated on every row; the schema's types; unknown columns refused."""
    import pyarrow as pa

    from mlsalary import schema

    known = {c.name: c for c in schema.OBSERVATION_COLUMNS}
    unknown = sorted(set(columns) - set(known))
    if unknown:
        raise ValueError(f"not observation columns: {', '.join(unknown)}")
    arrays, fields = [], []
    for name, col in known.items():
        kind = schema.arrow_type(col.sql_type)
        v = columns.get(name)
        if v is None:
            arr = pa.nulls(n, kind)
        elif isinstance(v, str | int | float):
            arr = pa.repeat(pa.scalar(v, type=kind), n)
        else:
            arr = (v if isinstance(v, pa.Array | pa.ChunkedArray) else pa.array(v)).cast(kind)
        if len(arr) != n:
            raise ValueError(f"observation column {name}: {len(arr)} values for {n} rows")
        arrays.append(arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr)
        fields.append(pa.field(name, kind))
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields))


def observation_frame(n: int, columns: dict[str, Any]) -> pd.DataFrame:
    """The observations of a parse, in the schema's column order. Columns not given are NULL; a column the schema
    does not have is a programming error, refused."""
    import numpy as np
    import pandas as pd

    from mlsalary import schema

    known = {c.name: c for c in schema.OBSERVATION_COLUMNS}
    unknown = sorted(set(columns) - set(known))
    if unknown:
        raise ValueError(f"not observation columns: {', '.join(unknown)}")
    out: dict[str, Any] = {}
    for name, col in known.items():
        if name in columns:
            v = columns[name]
            out[name] = v.reset_index(drop=True) if isinstance(v, pd.Series) else v
        elif col.sql_type.startswith("DOUBLE"):
            out[name] = np.full(n, np.nan)
        else:
            out[name] = pd.Series([None] * n, dtype=object)
    return pd.DataFrame(out, index=pd.RangeIndex(n))

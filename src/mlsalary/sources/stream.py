"""Reading a large source file in batches, so memory stays flat however long the file is.

``batches(path, source, wanted)`` reads a CSV (plain, .gz, .bz2, .xz, or a .zip holding one) or an xlsx workbook's
first sheet and yields ``Batch``es: the wanted columns of some tens of thousands of rows as Arrow strings (a column
the file lacks is empty), each row's record number, and the malformed rows met on the way with their quarantine
reason. Only the wanted columns are ever read into Python: a file's other columns (a person's name, e-mail, phone)
never leave the reader.

The rules are those of ``textfile.table`` — the same record numbers (1-based data rows, the header and blank lines not
counted; a malformed row keeps its number), the same reasons (``wrong_field_count``, ``not_utf8``), the same refusals
(a file beyond its source's ``max_bytes`` once decompressed, an empty file) — so a source can move from the whole-file
reader to this one without a row changing. One difference, on purpose: bytes that are not UTF-8 quarantine a row only
when they are in a column that is read.

CSV: pyarrow's streaming reader (``pyarrow.csv.open_csv``), one thread (with ``read_ahead``, a thread of its own that
parses the next block while the caller uses this one), blocks of ``BLOCK_BYTES``; chosen by measurement
over the csv module (which turned every field of every column into a Python string: 5 GB per million LCA filings).
xlsx: python-calamine's row iterator, in batches of ``XLSX_ROWS`` rows.
"""

from __future__ import annotations

import bisect
import contextlib
import csv
import io
import lzma
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from mlsalary.errors import SourceError
from mlsalary.overlap import Ahead
from mlsalary.sources import textfile

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

#: The CSV reader parses this much of a file at a time (one batch).
BLOCK_BYTES = 8 << 20
#: Rows per batch of a workbook.
XLSX_ROWS = 50_000


@dataclass
class Batch:
    """Some rows of a file: `table` (the wanted columns as Arrow strings, '' where empty, and `record`) and the
    malformed rows met while reading them (`problems`: record, reason, detail, and their wanted fields when they line
    up)."""

    table: pa.Table
    problems: list[tuple[int, str, str, dict[str, str]]] = field(default_factory=list)

    @property
    def rows_read(self) -> int:
        return self.table.num_rows + len(self.problems)

    @property
    def frame(self) -> pd.DataFrame:
        """The table as pandas (strings backed by Arrow)."""
        import pandas as pd
        import pyarrow as pa

        return self.table.to_pandas(types_mapper={pa.string(): pd.StringDtype("pyarrow")}.get)


class _Capped(io.RawIOBase):
    """A byte stream that refuses to give more than `cap` bytes (a decompressed file beyond its source's limit)."""

    def __init__(self, inner: IO[bytes], cap: int, name: str, source: str) -> None:
        self.inner, self.cap, self.name, self.source, self.size = inner, cap, name, source, 0

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        try:
            data = self.inner.read(len(b))
        except (OSError, EOFError, lzma.LZMAError, zipfile.BadZipFile, ValueError) as e:
            raise SourceError(f"{self.source}: {self.name} is damaged ({e}); download it again") from e
        n = len(data)
        self.size += n
        if self.size > self.cap:
            raise textfile.too_large(self.source, self.name, self.cap)
        b[:n] = data
        return n

    def close(self) -> None:
        self.inner.close()
        super().close()


def open_bytes(path: Path, source: str, member_suffix: str = ".csv") -> IO[bytes]:
    """The file's bytes as a stream, decompressed as it is read, refused past the source's limit."""
    textfile.require_regular(path, source)
    name = path.name.lower()
    inner: IO[bytes]
    try:
        kind = textfile.compression(name)
        if kind is not None:
            inner = textfile.OPENERS[kind](path, "rb")
        elif name.endswith(".zip"):
            if not zipfile.is_zipfile(path):
                raise SourceError(f"{source}: {path.name} claims to be a zip file but is not one; download it again")
            z = zipfile.ZipFile(path)
            inner = z.open(textfile.zip_entry(z, path, source, member_suffix))
        else:
            inner = open(path, "rb")  # noqa: SIM115 - closed with the stream
    except OSError as e:
        raise SourceError(f"{source}: cannot read {path}: {e.strerror or e}") from e
    return io.BufferedReader(_Capped(inner, textfile.limit(source), path.name, source), buffer_size=1 << 20)


def _header(path: Path, source: str, member_suffix: str) -> list[str]:
    """The first non-blank row of a CSV, as written (a byte-order mark dropped)."""
    with open_bytes(path, source, member_suffix) as f:
        head = f.read(1 << 20)
    if not head.strip():
        raise SourceError(f"{source}: {path.name} is empty; download it again or check the path")
    text = head.decode("utf-8-sig", errors="surrogateescape")
    for row in csv.reader(io.StringIO(text, newline="")):
        if len(row) > 1 or (row and row[0].strip()):
            return row
    raise SourceError(f"{source}: {path.name} has no header row")


def batches(path: Path, source: str, wanted: tuple[str, ...] | None, member_suffix: str = ".csv",
            header_has: str | None = None, upper: bool | None = True,
            block_bytes: int | None = None, read_ahead: bool = False) -> tuple[list[str], Iterator[Batch]]:  # fmt: skip
    """(the file's header, normalised — stripped; upper case when `upper`, lower case when it is False —, its
    batches). Each batch holds the `wanted` columns (by normalised name; '' for a column the file lacks; None: every
    column, the first of each name) and `record`. A CSV is parsed
    `block_bytes` at a time (BLOCK_BYTES by default): pyarrow's parser holds 20 to 35 times a block while it works
    (measured). `read_ahead`: the next block is parsed by a thread of its own while the caller uses this batch —
    worth it for a reader that does much with each batch (LCA's 2,000,000 generated filings: 9.1-9.4 s a pull
    against 9.4-9.7 s, the best of each of three interleaved runs), not for one that does little (aijobs.net's
    mirror file, 2 MB blocks: 0.92-0.93 s against 0.85-0.88 s)."""
    name = path.name.lower()
    if name.endswith(".xlsx") or (name.endswith(".zip") and member_suffix == ".xlsx"):
        return _xlsx(path, source, wanted, header_has, upper)
    raw = _header(path, source, member_suffix)
    header = [_norm(h, upper) for h in raw]
    wanted = tuple(dict.fromkeys(header)) if wanted is None else wanted
    return header, _csv(path, source, member_suffix, raw, header, wanted, block_bytes or BLOCK_BYTES, read_ahead)


def _norm(h: str, upper: bool | None) -> str:
    return h.strip() if upper is None else h.strip().upper() if upper else h.strip().lower()


def _csv(path: Path, source: str, member_suffix: str, raw: list[str], header: list[str],
         wanted: tuple[str, ...], block_bytes: int, read_ahead: bool) -> Iterator[Batch]:  # fmt: skip
    import pyarrow as pa
    import pyarrow.csv as pcsv

    where = {h: raw[i] for i, h in reversed(list(enumerate(header)))}  # the first column of each name
    present = [c for c in wanted if c in where]
    width = len(raw)
    met: list[tuple[int, str, int]] = []  # (CSV row number, kind, fields) of rows the reader skipped

    def skipped(row: Any) -> str:
        if row.number is None or row.number < 0:  # never with one thread; a reader that cannot say is refused
            raise SourceError(f"{source}: {path.name}: a malformed row at an unknown place; check the file")
        kind = "blank" if not row.text.strip() else "bad"
        met.append((int(row.number), kind, int(row.actual_columns)))
        return "skip"

    names = list(dict.fromkeys(where[c] for c in present))
    try:
        reader = pcsv.open_csv(
            open_bytes(path, source, member_suffix),
            read_options=pcsv.ReadOptions(block_size=block_bytes, use_threads=False),
            parse_options=pcsv.ParseOptions(newlines_in_values=True, invalid_row_handler=skipped),
            convert_options=pcsv.ConvertOptions(include_columns=names, column_types={n: pa.binary() for n in names},
                                                strings_can_be_null=False, quoted_strings_can_be_null=False),
        )  # fmt: skip
    except pa.ArrowInvalid as e:
        raise SourceError(f"{source}: {path.name}: {str(e).splitlines()[0]}; this is not a CSV file of {source}'s "
                          "layout — check the file") from None  # fmt: skip

    def blocks() -> Iterator[tuple[Any, list[tuple[int, str, int]]]]:
        """Each block's rows with the rows skipped while it was parsed, then (None, the last skipped rows)."""
        for block in reader:
            got = met[:]
            met.clear()
            yield block, got
        yield None, met[:]

    # read ahead: the next block is parsed by a thread of its own while this one is turned into a batch and used
    # (pyarrow's parse releases the GIL; it is about a fifth of an LCA pull's reading)
    ahead: Any = Ahead(blocks(), name="csv-reader") if read_ahead else blocks()
    with contextlib.closing(ahead):
        yield from _batches(iter(ahead), path, source, present, where, wanted, width, block_bytes)


def _batches(blocks: Iterator[tuple[Any, list[tuple[int, str, int]]]], path: Path, source: str,
             present: list[str], where: dict[str, str], wanted: tuple[str, ...], width: int,
             block_bytes: int) -> Iterator[Batch]:  # fmt: skip
    """The Batches of a CSV file's blocks (_csv): record numbers, malformed rows and columns as Arrow strings."""
    import numpy as np
    import pyarrow as pa

    blanks: list[int] = []  # CSV row numbers of blank rows: not records
    skip: list[int] = []  # CSV row numbers of every skipped row, sorted
    next_number = 2  # CSV row 1 is the header
    while True:
        try:
            rb, met = next(blocks)
        except pa.ArrowInvalid as e:
            first = str(e).splitlines()[0]
            if "straddl" in first:  # one row longer than a block: a field of megabytes, never a real record
                first = f"a row longer than {block_bytes / (1 << 20):g} MB"
            raise SourceError(f"{source}: {path.name} row {next_number - 1} or a later one: {first}; this is not a "
                              f"CSV file of {source}'s layout — check the file") from None  # fmt: skip
        problems: list[tuple[int, str, str, dict[str, str]]] = []
        for number, kind, _ in met:
            bisect.insort(skip, number)
            if kind == "blank":
                bisect.insort(blanks, number)
        for number, kind, fields in met:
            if kind == "bad":
                rec = number - 1 - bisect.bisect_left(blanks, number)
                problems.append((rec, "wrong_field_count", f"{fields} fields, expected {width} (truncated or "
                                 "malformed line)", {}))  # fmt: skip
        if rb is None:
            if problems:
                yield Batch(_frame({}, wanted, np.array([], dtype=np.int64)), problems)
            return
        m = rb.num_rows
        lo = bisect.bisect_left(skip, next_number)
        k = 0
        while True:  # the numbers of the batch's rows: the next m numbers that were not skipped
            hi = bisect.bisect_left(skip, next_number + m + k)
            if hi - lo == k:
                break
            k = hi - lo
        numbers = np.setdiff1d(np.arange(next_number, next_number + m + k), np.array(skip[lo:lo + k], dtype=np.int64),
                               assume_unique=True)  # fmt: skip
        next_number += m + k
        records = numbers - 1 - np.searchsorted(np.array(blanks, dtype=np.int64), numbers)
        columns: dict[str, Any] = {}
        bad_rows = np.zeros(m, dtype=bool)
        for c in present:
            col = rb.column(where[c])
            try:
                columns[c] = col.cast(pa.string())
            except pa.ArrowInvalid:  # bytes that are not UTF-8: those rows go to quarantine, the rest is read
                values = col.to_pylist()
                columns[c] = pa.array([v.decode("utf-8", errors="replace") for v in values], type=pa.string())
                for i, v in enumerate(values):
                    try:
                        v.decode("utf-8")
                    except UnicodeDecodeError:
                        bad_rows[i] = True
        table = _frame(columns, wanted, records)
        if bad_rows.any():  # their fields as the file has them (bytes that are not UTF-8 shown as \xe9: printable)
            raw_rows = pa.table({c: rb.column(where[c]) for c in present}).filter(pa.array(bad_rows)).to_pylist()
            for row, raw_row in zip(table.filter(pa.array(bad_rows)).to_pylist(), raw_rows, strict=True):
                kept = {c: raw_row[c].decode("utf-8", errors="surrogateescape") for c in present}
                problems.append((int(row["record"]), "not_utf8",
                                 "holds bytes that are not UTF-8; re-save the file as UTF-8", kept))  # fmt: skip
            table = table.filter(pa.array(~bad_rows))
        problems.sort(key=lambda p: p[0])
        yield Batch(table, problems)


def _frame(columns: dict[str, Any], wanted: tuple[str, ...], records: Any) -> pa.Table:
    import pyarrow as pa

    n = len(records)
    out: dict[str, Any] = {}
    for c in wanted:
        v = columns.get(c)
        out[c] = pa.array([""] * n, type=pa.string()) if v is None else v
    out["record"] = pa.array(records, type=pa.int64())
    return pa.table(out)


def _xlsx(path: Path, source: str, wanted: tuple[str, ...] | None, header_has: str | None,
          upper: bool | None) -> tuple[list[str], Iterator[Batch]]:  # fmt: skip
    """A workbook's first sheet in batches of XLSX_ROWS rows (cells as text: numbers as Excel stored them, dates as
    ISO dates — contract._cell)."""
    from python_calamine import CalamineWorkbook

    from mlsalary.sources import contract

    raw = textfile.xlsx_bytes(path, source)
    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(raw))
        if not wb.sheet_names:
            raise SourceError(f"{source}: {path.name} has no sheet; download it again or check the path")
        rows = wb.get_sheet_by_index(0).iter_rows()
        first: list[list[Any]] = []
        for r in rows:
            first.append(r)
            if len(first) >= 10 or (header_has is None and first):
                break
    except SourceError:
        raise
    except BaseException as e:
        raise contract.unreadable_workbook(e, path, source) from e
    head_at = contract.header_row(first, header_has, path, source)
    header = [_norm(contract._cell(c), upper) for c in first[head_at]]
    index = {h: i for i, h in reversed(list(enumerate(header)))}
    wanted = tuple(dict.fromkeys(header)) if wanted is None else wanted
    present = [c for c in wanted if c in index]
    width = len(header)

    def chunks() -> Iterator[Batch]:
        import numpy as np
        import pyarrow as pa

        rec = 0
        pending = first[head_at + 1 :]

        def cut(block: list[list[Any]]) -> Batch:
            nonlocal rec
            cols: dict[str, list[str]] = {c: [] for c in present}
            records: list[int] = []
            problems: list[tuple[int, str, str, dict[str, str]]] = []
            for r in block:
                cells = [contract._cell(c) for c in r]
                if not any(f.strip() for f in cells):
                    continue  # blank rows are not records
                rec += 1
                if len(cells) < width:
                    cells += [""] * (width - len(cells))
                if len(cells) != width:
                    problems.append((rec, "wrong_field_count", f"{len(cells)} fields, expected {width} (truncated "
                                     "or malformed line)", {}))  # fmt: skip
                    continue
                for c in present:
                    cols[c].append(cells[index[c]])
                records.append(rec)
            arrays = {c: pa.array(v, type=pa.string()) for c, v in cols.items()}
            return Batch(_frame(arrays, wanted, np.array(records, dtype=np.int64)), problems)

        try:
            block = list(pending)
            for r in rows:
                block.append(r)
                if len(block) >= XLSX_ROWS:
                    yield cut(block)
                    block = []
            if block:
                yield cut(block)
        except SourceError:
            raise
        except Exception as e:  # calamine's errors on a damaged sheet
            raise contract.unreadable_workbook(e, path, source) from e

    return header, chunks()


def raw_json(row: dict[str, str]) -> str:
    """A quarantined row's non-empty fields as JSON (bytes that are not UTF-8 shown as \\xNN: textfile.printable)."""
    import json

    kept = {k: v for k, v in row.items() if v}
    return json.dumps(dict(zip(kept, textfile.printable(list(kept.values())), strict=True)), ensure_ascii=False)


def json_rows(table: pa.Table, columns: Sequence[str]) -> pa.Array:
    """Each row's non-empty `columns` as JSON, exactly as raw_json writes it, built in Arrow: the non-empty cells of
    every column are taken at once in row order (a survey's quarantined respondent answers a few of its 300
    questions), written as "name": "value" and joined row by row — a handful of kernels over the whole table instead
    of six per column (Kaggle's quarantine: 0.54-0.59 s against 1.05-1.14 s, two runs). A row holding a control
    character is written by raw_json (json.dumps escapes them)."""
    import functools
    import json

    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    n = table.num_rows
    if not columns or not n:
        return pa.array(["{}"] * n, type=pa.large_string())
    cells = pa.concat_arrays([table.column(c).combine_chunks().cast(pa.large_string()) for c in columns])  # by column
    full = np.asarray(pc.not_equal(cells, "").to_numpy(zero_copy_only=False), dtype=bool).reshape(len(columns), n)
    row, col = np.nonzero(full.T)  # the non-empty cells, row by row, each row's in column order
    value = cells.take(pa.array(col * n + row))
    data = value.buffers()[2]  # every cell's bytes: in UTF-8 a byte below 0x20 is a control character, nothing else
    special = np.frombuffer(data, dtype=np.uint8) if data is not None else np.zeros(0, dtype=np.uint8)
    esc = value
    if (special == ord("\\")).any():
        esc = pc.replace_substring(esc, "\\", "\\\\")
    if (special == ord('"')).any():
        esc = pc.replace_substring(esc, '"', '\\"')
    names = pa.array([json.dumps(c, ensure_ascii=False) + ': "' for c in columns], type=pa.large_string())
    text = functools.partial(pa.scalar, type=pa.large_string())  # large: a file's cells may pass 2 GB
    pairs = pc.binary_join_element_wise(names.take(pa.array(col)), esc, text('"'), text(""))
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(row, minlength=n), out=offsets[1:])
    body = pc.binary_join(pa.LargeListArray.from_arrays(pa.array(offsets), pairs), text(", "))
    joined = pc.binary_join_element_wise(text("{"), body, text("}"), text(""))
    control = pc.match_substring_regex(joined, "[\\x00-\\x1f]").to_numpy(zero_copy_only=False) \
        if (special < 0x20).any() else np.zeros(n, dtype=bool)  # fmt: skip
    if not control.any():
        return joined
    out: list[str] = joined.to_pylist()
    for j in np.flatnonzero(control):
        out[j] = raw_json({c: table.column(c)[j].as_py() for c in columns})
    return pa.array(out, type=pa.large_string())

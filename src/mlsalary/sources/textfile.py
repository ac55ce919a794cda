"""Reading delimited text files the same way for every source: compression, encoding, blank lines, rows.

Bytes that are not UTF-8 do not stop a file: they are kept as surrogate escapes, and the rows holding them are
reported (so a parser can quarantine exactly those rows with a reason).
"""

from __future__ import annotations

import bz2
import csv
import functools
import gzip
import io
import lzma
import re
import zipfile
from dataclasses import dataclass
from itertools import compress
from pathlib import Path
from typing import Any

from mlsalary.errors import SourceError

csv.field_size_limit(1 << 24)


@dataclass(frozen=True)
class Row:
    record: int  # 1-based data row number (header excluded)
    fields: list[str]
    bad_bytes: bool  # the row held bytes that are not UTF-8


#: The most a source file may hold once decompressed (the official Stack Overflow survey CSV, the largest, is about
#: 150 MB): a compressed file that would expand beyond it is refused before it fills the memory (a zip bomb).
MAX_DECOMPRESSED_BYTES = 1 << 30


def require_regular(path: Path, source: str) -> None:
    """SourceError naming the file unless it is a regular file of a sane size (a FIFO or /dev/zero named like a
    source file would otherwise hang a read or fill the memory)."""
    import stat

    try:
        st = path.stat()
    except OSError as e:
        raise SourceError(f"{source}: cannot read {path}: {e.strerror or e}") from e
    if not stat.S_ISREG(st.st_mode):
        raise SourceError(f"{source}: {path} is not a regular file; give the data file itself")
    if st.st_size > MAX_DECOMPRESSED_BYTES:
        raise SourceError(f"{source}: {path.name} is {st.st_size:,} bytes, more than a source file can be")


def read_regular(path: Path, source: str) -> bytes:
    """A regular file's bytes (require_regular first)."""
    require_regular(path, source)
    try:
        return path.read_bytes()
    except OSError as e:
        raise SourceError(f"{source}: cannot read {path}: {e.strerror or e}") from e


def _inflate(raw: bytes, kind: str, name: str, source: str) -> bytes:
    """Decompress (every stream of the file), refusing output beyond MAX_DECOMPRESSED_BYTES before holding it."""
    opener: Any = {"bz2": bz2.open, "gz": gzip.open, "xz": lzma.open}[kind]
    with opener(io.BytesIO(raw)) as f:
        data: bytes = f.read(MAX_DECOMPRESSED_BYTES + 1)
    if len(data) > MAX_DECOMPRESSED_BYTES:
        raise SourceError(f"{source}: {name} expands beyond {MAX_DECOMPRESSED_BYTES:,} bytes; refused")
    return data


def read_bytes(path: Path, source: str, member_suffix: str = ".csv") -> bytes:
    """The file's bytes, decompressed: .bz2, .gz, .xz, or a .zip holding one file ending in `member_suffix`."""
    name = path.name.lower()
    raw = read_regular(path, source)
    try:
        for kind in ("bz2", "gz", "xz"):
            if name.endswith("." + kind):
                return _inflate(raw, kind, path.name, source)
    except (OSError, EOFError, ValueError, lzma.LZMAError) as e:
        raise SourceError(f"{source}: {path.name} is not a valid {name.rsplit('.', 1)[-1]} file ({e})") from e
    if name.endswith(".zip"):
        return zip_member(path, raw, source, member_suffix)
    return raw


def zip_member(path: Path, raw: bytes, source: str, suffix: str, prefer: str | None = None) -> bytes:
    if not zipfile.is_zipfile(io.BytesIO(raw)):
        raise SourceError(f"{source}: {path.name} claims to be a zip file but is not one; download it again")
    with zipfile.ZipFile(io.BytesIO(raw)) as z:
        members = [n for n in z.namelist() if n.lower().endswith(suffix) and not n.startswith("__MACOSX")]
        if prefer:
            members = [n for n in members if Path(n).name == prefer] or members
        if not members:
            raise SourceError(f"{source}: {path.name} holds no *{suffix} file (it has: {z.namelist()[:5]})")
        size = z.getinfo(members[0]).file_size
        if size > MAX_DECOMPRESSED_BYTES:
            raise SourceError(f"{source}: {path.name} expands to {size:,} bytes, beyond {MAX_DECOMPRESSED_BYTES:,}; "
                              "refused")  # fmt: skip
        try:
            with z.open(members[0]) as f:
                data = f.read(MAX_DECOMPRESSED_BYTES + 1)
            if len(data) > MAX_DECOMPRESSED_BYTES:
                raise SourceError(f"{source}: {path.name} expands beyond {MAX_DECOMPRESSED_BYTES:,} bytes; refused")
            return data
        except (zipfile.BadZipFile, OSError, EOFError) as e:
            raise SourceError(f"{source}: {path.name} is damaged ({e}); download it again") from e


_SURROGATES = re.compile("[\udc80-\udcff]")


def printable(fields: list[str]) -> list[str]:
    """Fields with undecodable bytes shown as \\xNN, for quarantine records and messages."""
    if not _SURROGATES.search("".join(fields)):
        return fields
    return [f.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace") for f in fields]


def raw_json(header: list[str], fields: list[str], skip_empty: bool = False) -> str:
    """A raw row as JSON {column: value} for the quarantine table; `skip_empty` leaves out unanswered survey
    questions (a Kaggle row has hundreds of empty columns)."""
    import json

    shown = printable(fields)
    pairs = compress(zip(header, shown, strict=False), shown) if skip_empty else zip(header, shown, strict=False)
    return json.dumps(dict(pairs), ensure_ascii=False)


@dataclass
class Table:
    """A CSV as strings: `rows` are the well-formed rows (numbered by `records`), `bad` the rows with the wrong
    number of fields or bytes that are not UTF-8, for the parser to quarantine. `frame` / `select()` give the
    well-formed rows as a DataFrame (all columns, or only those a parser reads — much faster for wide files)."""

    header: list[str]
    rows: list[list[str]]
    records: list[int]
    bad: list[Row]
    rows_read: int

    @functools.cached_property
    def frame(self) -> Any:
        """All columns (duplicate header names made unique with .1, .2...) plus `record`."""
        return self.select(None)

    def select(self, columns: list[str] | None) -> Any:
        """The named columns (first occurrence of each name; None = all) plus `record`, as pandas strings."""
        import pandas as pd

        names = _unique(self.header)
        wanted = names if columns is None else list(dict.fromkeys(columns))
        where = {n: i for i, n in reversed(list(enumerate(names)))}
        data = {n: pd.array([r[where[n]] for r in self.rows], dtype="string[pyarrow]") for n in wanted}
        frame = pd.DataFrame(data, index=pd.RangeIndex(len(self.rows)))
        frame["record"] = pd.Series(self.records, dtype="int64")
        return frame

    def problems(self) -> list[tuple[Row, str, str]]:
        """The malformed rows with their quarantine reason and detail, the same for every source."""
        out = []
        for row in self.bad:
            if len(row.fields) != len(self.header):
                detail = f"{len(row.fields)} fields, expected {len(self.header)} (truncated or malformed line)"
                out.append((row, "wrong_field_count", detail))
            else:
                out.append((row, "not_utf8", "holds bytes that are not UTF-8; re-save the file as UTF-8"))
        return out

    def without_first_row(self) -> Table:
        """The table minus its first data row (a second header row), records renumbered from 1."""
        return Table(
            self.header,
            self.rows[1:],
            [r - 1 for r in self.records[1:]],
            [Row(r.record - 1, r.fields, r.bad_bytes) for r in self.bad if r.record != 1],
            self.rows_read - 1,
        )


def table(data: bytes, path: Path, source: str) -> Table:
    """Read a whole CSV. Leading blank lines are skipped. Raises SourceError for an empty file."""
    if not data.strip():
        raise SourceError(f"{source}: {path.name} is empty; download it again or check the path")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    text = data.decode("utf-8", errors="surrogateescape")
    any_bad = _SURROGATES.search(text) is not None
    # Blank lines (no field, or one empty field) are not records.
    all_rows = []
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        for r in reader:
            if len(r) > 1 or (r and r[0].strip()):
                all_rows.append(r)
    except csv.Error as e:  # a field past the csv module's limit, a NUL byte: not a data file this source reads
        raise SourceError(f"{source}: {path.name} line {reader.line_num}: {e}; this is not a CSV file of "
                          f"{source}'s layout — check the file") from None  # fmt: skip
    if not all_rows:
        raise SourceError(f"{source}: {path.name} has no header row")
    header = [f.strip() for f in all_rows[0]]
    width = len(header)
    good: list[list[str]] = []
    records: list[int] = []
    bad: list[Row] = []
    for rec, fields in enumerate(all_rows[1:], start=1):
        bad_bytes = any_bad and any(_SURROGATES.search(f) for f in fields)
        if bad_bytes or len(fields) != width:
            bad.append(Row(rec, fields, bad_bytes))
        else:
            good.append(fields)
            records.append(rec)
    return Table(header, good, records, bad, len(all_rows) - 1)


def _unique(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for n in names:
        k = n if n not in seen else f"{n}.{seen[n]}"
        seen[n] = seen.get(n, 0) + 1
        out.append(k)
    return out

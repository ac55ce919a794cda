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


#: The ceiling over every source's own limit (SourceMeta.max_bytes): what any file may hold once decompressed.
MAX_DECOMPRESSED_BYTES = 4 << 30

#: Decompression reads this much at a time, so a refusal holds at most the limit, never the whole expansion.
_BLOCK = 1 << 20


def limit(source: str) -> int:
    """The most one of `source`'s files may hold once decompressed: its declared max_bytes, under the ceiling."""
    from mlsalary import sources

    declared = sources.meta(source).max_bytes if source in sources.SOURCE_MODULES else MAX_DECOMPRESSED_BYTES
    return min(declared, MAX_DECOMPRESSED_BYTES)


def require_regular(path: Path, source: str) -> None:
    """SourceError naming the file unless it is a regular file no larger than the source's limit — checked before
    anything reads or hashes it (a FIFO or /dev/zero named like a source file would hang a read or fill the memory;
    a 50 GB sparse file would be hashed for minutes)."""
    from mlsalary.files import check_regular

    check_regular(path, limit(source), source, SourceError, noun="data file")


def read_regular(path: Path, source: str) -> bytes:
    """A regular file's bytes (require_regular first)."""
    require_regular(path, source)
    try:
        return path.read_bytes()
    except OSError as e:
        raise SourceError(f"{source}: cannot read {path}: {e.strerror or e}") from e


#: The compressions a source file may come in, by its name's last suffix, and how to open each.
OPENERS: dict[str, Any] = {"bz2": bz2.open, "gz": gzip.open, "xz": lzma.open}


def compression(name: str) -> str | None:
    """The compression of a file by its name ("gz" for x.csv.gz), or None."""
    return next((k for k in OPENERS if name.lower().endswith("." + k)), None)


def too_large(source: str, name: str, cap: int) -> SourceError:
    """The refusal of a file that expands beyond its source's limit."""
    return SourceError(f"{source}: {name} expands beyond {cap:,} bytes, more than a file of {source} can be; refused")


def _inflate(raw: bytes, kind: str, name: str, source: str) -> bytes:
    """Decompress (every stream of the file), refusing output beyond the source's limit before holding more."""
    with OPENERS[kind](io.BytesIO(raw)) as f:
        return _read_capped(f, name, source)


def _read_capped(f: Any, name: str, source: str) -> bytes:
    """A decompressing stream read block by block: SourceError as soon as it passes the source's limit."""
    cap, size, blocks = limit(source), 0, []
    while block := f.read(_BLOCK):
        size += len(block)
        if size > cap:
            raise too_large(source, name, cap)
        blocks.append(block)
    return b"".join(blocks)


def read_bytes(path: Path, source: str, member_suffix: str = ".csv") -> bytes:
    """The file's bytes, decompressed: .bz2, .gz, .xz, or a .zip holding one file ending in `member_suffix`."""
    name = path.name.lower()
    raw = read_regular(path, source)
    kind = compression(name)
    try:
        if kind is not None:
            return _inflate(raw, kind, path.name, source)
    except (OSError, EOFError, ValueError, lzma.LZMAError) as e:
        raise SourceError(f"{source}: {path.name} is not a valid {kind} file ({e})") from e
    if name.endswith(".zip"):
        return zip_member(path, raw, source, member_suffix)
    return raw


def zip_member(path: Path, raw: bytes, source: str, suffix: str, prefer: str | None = None) -> bytes:
    if not zipfile.is_zipfile(io.BytesIO(raw)):
        raise SourceError(f"{source}: {path.name} claims to be a zip file but is not one; download it again")
    with zipfile.ZipFile(io.BytesIO(raw)) as z:
        member = zip_entry(z, path, source, suffix, prefer)
        try:
            with z.open(member) as f:
                return _read_capped(f, path.name, source)  # the declared size may lie: counted as it inflates
        except (zipfile.BadZipFile, OSError, EOFError) as e:
            raise SourceError(f"{source}: {path.name} is damaged ({e}); download it again") from e


def zip_entry(z: zipfile.ZipFile, path: Path, source: str, suffix: str, prefer: str | None = None) -> str:
    """The member of a zip to read: the first ending in `suffix` (`prefer`'s name first), not a macOS resource
    fork; SourceError when there is none or its declared size is beyond the source's limit."""
    members = [n for n in z.namelist() if n.lower().endswith(suffix) and not n.startswith("__MACOSX")]
    if prefer:
        members = [n for n in members if Path(n).name == prefer] or members
    if not members:
        raise SourceError(f"{source}: {path.name} holds no *{suffix} file (it has: {z.namelist()[:5]})")
    size = z.getinfo(members[0]).file_size
    if size > limit(source):
        raise SourceError(f"{source}: {path.name} expands to {size:,} bytes, beyond {limit(source):,}; refused")
    return members[0]


def xlsx_bytes(path: Path, source: str) -> bytes:
    """A workbook's bytes (from the .zip holding it, when it is one), checked before any xlsx reader opens it: its
    parts unpack to no more than the source's limit (counted as they inflate: a part's declared size may lie), and
    its sheets' declared dimensions hold no more cells than that many bytes could (a reader allocates a sheet by its
    dimension: an 8.7 MB file declaring a vast one aborted the process)."""
    raw = read_regular(path, source)
    if path.name.lower().endswith(".zip"):
        raw = zip_member(path, raw, source, ".xlsx", prefer=None)
    if not zipfile.is_zipfile(io.BytesIO(raw)):
        raise SourceError(f"{source}: {path.name} is not a readable xlsx workbook (not a zip container); download it "
                          "again")  # fmt: skip
    cap, total = limit(source), 0
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as z:
            for info in z.infolist():
                with z.open(info) as f:
                    head = f.read(_BLOCK)
                    size = len(head)
                    while block := f.read(_BLOCK):
                        size += len(block)
                        if total + size > cap:
                            break
                total += size
                if total > cap:
                    raise SourceError(f"{source}: {path.name} unpacks to more than {cap:,} bytes, more than a "
                                      f"file of {source} can be; refused")  # fmt: skip
                if info.filename.startswith("xl/worksheets/"):
                    _check_dimension(head, path.name, source, cap)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as e:
        raise SourceError(f"{source}: {path.name} is a damaged xlsx workbook ({e}); download it again") from e
    return raw


_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="[A-Z]*\d*:?([A-Z]+)(\d+)"')


def _check_dimension(head: bytes, name: str, source: str, cap: int) -> None:
    """SourceError when a sheet's declared dimension has more cells than `cap` bytes of XML could hold (a cell takes
    at least 8 bytes of XML)."""
    m = _DIMENSION.search(head)
    if not m:
        return
    col = 0
    for ch in m.group(1).decode():
        col = col * 26 + ord(ch) - 64
    cells = col * int(m.group(2))
    if cells > cap // 8:
        raise SourceError(f"{source}: {name} declares a sheet of {cells:,} cells, more than its size allows; "
                          "refused")  # fmt: skip


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

"""Rules over a whole file of postings published as adjacent rows (aijobs.net: a posted range is two rows, max then
min), on a few numbers per row, so a file read in batches is decided as one: which rows pair into a posting
(``pairs``), which postings are re-listings (``relisted``), and when each posting was first public against older
snapshots (``first_published``, with ``Keys``). Also the per-distinct-value helpers the batch readers use."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    import pyarrow as pa

#: A plain decimal number in ASCII digits (Python's float() would also take "1_000", full-width or other digits).
_DECIMAL = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", re.ASCII)


def number(text: str) -> float | None:
    """A finite number written as a plain ASCII decimal, else None."""
    if not _DECIMAL.fullmatch(text):
        return None
    x = float(text)
    return x if x == x and x not in (float("inf"), float("-inf")) else None


def numbers(values: Any) -> np.ndarray:
    """number() of every value of an Arrow string column, vectorised: NaN where a value is not a finite plain ASCII
    decimal (RE2's \\d is ASCII only, as _DECIMAL's; Arrow's parse rounds as float() does — tested against it).
    Arrow's cast takes exactly the strings _DECIMAL matches, and nan/inf (made NaN here), so a column whose every
    value is a number or blank is cast directly (a third of the time); only one holding something else is screened
    by the pattern first."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    values = combined(values)
    values = pc.if_else(pc.equal(values, ""), pa.scalar(None, pa.string()), values)
    try:
        x = pc.cast(values, pa.float64())
    except pa.ArrowInvalid:
        plain = pc.match_substring_regex(values, f"^(?:{_DECIMAL.pattern})$")
        x = pc.cast(pc.if_else(plain, values, pa.scalar(None, pa.string())), pa.float64())
    out = np.array(x.to_numpy(zero_copy_only=False), dtype=np.float64)  # a copy: written below
    out[~np.isfinite(out)] = np.nan
    return out


def distinct(values: Any) -> tuple[list[str], np.ndarray]:
    """(the distinct values, each row's index into them) of an Arrow string column."""
    dictionary, at = encoded(values)
    return dictionary.to_pylist(), at


def encoded(values: Any) -> tuple[pa.Array, np.ndarray]:
    """(the distinct values as Arrow, each row's index into them) of an Arrow string column; a missing value is a
    value of its own."""
    import pyarrow.compute as pc

    enc = pc.dictionary_encode(combined(values), null_encoding="encode")
    return enc.dictionary, enc.indices.to_numpy()


def combined(values: Any) -> Any:
    """An Arrow string column as one array (a chunked column's chunks combined; none: an empty array)."""
    import pyarrow as pa

    if isinstance(values, pa.ChunkedArray):
        return values.combine_chunks() if values.num_chunks else pa.array([], type=pa.string())
    return values


def per_value(values: Any, fn: Callable[[str], Any], dtype: Any) -> np.ndarray:
    """fn applied once per distinct value of an Arrow string column, mapped back onto its rows."""
    import numpy as np

    values_, codes = distinct(values)
    return np.array([fn(v) for v in values_], dtype=dtype)[codes] if len(codes) else np.zeros(0, dtype=dtype)


class Keys:
    """A row's key: its `columns` (`numbers` as whole numbers, `as_written` as written, the rest in capitals; all
    stripped), held as one code per column — each column's values numbered in the order they are met, across every
    table given (`codes`) — so equal keys have equal codes; ``numbered`` makes one number per key of one or more files.
    Each column's rule runs once per distinct value."""

    def __init__(self, columns: tuple[str, ...], numbers: tuple[str, ...], as_written: tuple[str, ...]) -> None:
        self.columns, self.numbers, self.as_written = columns, numbers, as_written
        self.values: list[dict[Any, int]] = [{} for _ in columns]  # per column: a value as the rule writes it -> code

    def codes(self, t: Any) -> np.ndarray:
        """The codes (rows x columns, unsigned, in the smallest type that holds them) of an Arrow table's rows."""
        return self.codes_of({c: encoded(t.column(c)) for c in self.columns}, t.num_rows)

    def codes_of(self, columns: dict[str, tuple[pa.Array, np.ndarray]], rows: int) -> np.ndarray:
        """The codes (rows x columns) of rows whose columns are given encoded (`columns`: each one's `encoded`)."""
        import numpy as np
        import pyarrow as pa
        import pyarrow.compute as pc

        out = np.empty((rows, len(self.columns)), dtype=np.int32)
        for j, c in enumerate(self.columns):
            values, at = columns[c]
            v = pc.utf8_trim_whitespace(values)
            if c in self.numbers:  # number() rounded half to even: equal whole numbers, equal text ("<NA>": none)
                x = pc.round(pa.array(numbers(v) + 0.0), round_mode="half_to_even")  # + 0.0: no "-0"
                v = pc.fill_null(pc.cast(pc.if_else(pc.is_nan(x), None, x), pa.string()), "<NA>")
            elif c not in self.as_written:
                v = pc.utf8_upper(v)
            seen = self.values[j]
            code = np.array([seen.setdefault(x, len(seen)) for x in v.to_pylist()], dtype=np.int32)
            out[:, j] = code[at] if rows else 0
        return out.astype(np.min_scalar_type(int(out.max(initial=0))))  # a file's rows are held: as small as fits

    def translated(self, other: Keys, codes: np.ndarray) -> np.ndarray:
        """`codes` made by `other` (a Keys of the same columns) as this one's codes; -1 for a value it has not met."""
        import numpy as np

        out = np.empty(codes.shape, dtype=np.int32)
        for j, seen in enumerate(self.values):
            code = np.array([seen.get(x, -1) for x in other.values[j]], dtype=np.int32)
            out[:, j] = code[codes[:, j]] if len(code) else -1
        return out


def numbered(*codes: np.ndarray) -> list[np.ndarray]:
    """One number per row of each codes matrix (Keys), counted over all of them together from 0: equal keys, equal
    number; -1 for a row holding a code of -1 (a value not met)."""
    import numpy as np

    whole = [~(m < 0).any(axis=1) for m in codes]
    rows = np.concatenate([m[w] for m, w in zip(codes, whole, strict=True)])  # in their small type: column by column
    ids, size = np.zeros(len(rows), dtype=np.int64), 1
    for j in range(rows.shape[1]):  # the key so far and the next column as one number (mixed radix) ...
        column = rows[:, j].astype(np.int64)
        width = int(column.max(initial=0)) + 1
        if size * width >= 2**62:  # ... made dense again (numbered by a sort) before it could overflow
            ids = np.unique(ids, return_inverse=True)[1].ravel()
            size = int(ids.max(initial=0)) + 1
        ids, size = ids * width + column, size * width
    ids = np.unique(ids, return_inverse=True)[1].ravel()
    out, start = [], 0
    for m, w in zip(codes, whole, strict=True):
        n = np.full(len(m), -1, dtype=np.int64)
        n[w] = ids[start:start + int(w.sum())]
        start += int(w.sum())
        out.append(n)
    return out


def pairs(rec: np.ndarray, pay: np.ndarray, key9: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The posting rule (aijobs' module docstring), vectorised over the whole file's usable rows: (posting_part,
    posting_id) for each row, in file order.

    A row i can open a range when row i+1 is the next published row (consecutive record numbers), has the same nine
    non-pay fields and a salary not above row i's. Within a run of such rows, pairs form greedily from the top: the
    rows at even distance from the run's start open a range, the row after each of them closes it.
    """
    import numpy as np

    n = len(rec)
    can = np.zeros(n, dtype=bool)
    if n > 1:
        can[:-1] = (rec[1:] == rec[:-1] + 1) & (pay[1:] <= pay[:-1]) & (key9[1:] == key9[:-1])
    idx = np.arange(n)
    run_start = np.maximum.accumulate(np.where(can, -1, idx)) + 1  # first index of each run of can=True
    opens = can & ((idx - run_start) % 2 == 0)
    closes = np.zeros(n, dtype=bool)
    closes[1:] = opens[:-1]
    part = np.where(opens, "max", np.where(closes, "min", "single")).astype(object)
    posting = np.where(closes, np.roll(rec, 1), rec).astype("int64")
    return part, posting


def relisted(part: np.ndarray, posting: np.ndarray, key9: np.ndarray, local: np.ndarray,
              usd: np.ndarray) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """(dup_group, dup_rank) per row, decided per posting: postings with the same nine fields and the same minimum
    and maximum (local and USD) are one posting listed again; both rows of a posting get its group and rank."""
    import numpy as np
    import pandas as pd

    if not len(part):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    first = part != "min"  # each posting's first row
    nxt = np.roll(np.arange(len(part)), -1)
    opens = part == "max"
    low_local = np.where(opens, local[nxt], local)
    low_usd = np.where(opens, usd[nxt], usd)
    key = pd.DataFrame({"fields": key9[first], "low_local": low_local[first], "high_local": local[first],
                        "low_usd": low_usd[first], "high_usd": usd[first], "posting": posting[first]})  # fmt: skip
    groups = key.groupby(list(key.columns[:-1]), sort=False, dropna=False)["posting"]
    by_posting = pd.DataFrame(
        {"group": groups.transform("first").to_numpy(), "rank": groups.cumcount().to_numpy() + 1},
        index=key["posting"].to_numpy(),
    )
    per_row = by_posting.loc[posting]
    return per_row["group"].to_numpy("int64"), per_row["rank"].to_numpy("int64")


def first_published(key_of: Keys, codes: np.ndarray, records: np.ndarray, posting: np.ndarray, own: date,
                    older: list[tuple[date, tuple[Keys, np.ndarray]]]) -> np.ndarray:  # fmt: skip
    """The date each row's posting was first public (vintage ``snapshot`` rule): the earliest older snapshot holding
    the row, matched on its key (`codes`, made by `key_of`) and counting copies (a row published twice in an older
    snapshot dates two copies); a posting is public when all its rows are; otherwise the file's own date (`own`).
    `older`: (date, its rows' key codes with the Keys that made them) of each older snapshot, taken oldest first;
    each holds at least as many copies of a row as the one before it held (snapshots grow)."""
    import numpy as np
    import pandas as pd

    published = np.full(len(records), np.datetime64(own, "D"))
    if older and len(records):
        keys, *ids = numbered(codes, *(key_of.translated(k, c) for _, (k, c) in older))
        size = max(int(i.max(initial=-1)) for i in (keys, *ids)) + 1
        held_by = [(day, np.bincount(i[i >= 0], minlength=size)) for (day, _), i in zip(older, ids, strict=True)]
        # Copies of a key, oldest row first (the file lists its newest rows at the top): older snapshots date them.
        copy = pd.Series(-records).groupby(keys).rank(method="first").to_numpy() - 1
        held = np.zeros(len(records))
        dated = np.zeros(len(records), dtype=bool)
        for day, held_by_key in sorted(held_by, key=lambda t: t[0]):
            held = np.maximum(held, held_by_key[keys])
            now = ~dated & (copy < held)
            published[now] = np.datetime64(day, "D")
            dated |= now
    return pd.Series(published).groupby(posting).transform("max").to_numpy()

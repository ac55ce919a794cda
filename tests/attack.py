"""The differencing attacker the disclosure tests run (tests/test_disclosure.py): everything a reader can learn about
the size of every group from what the tool prints, by chains of subtractions with bounds.

The groups are the cells of a lattice — every combination of some dimensions' values present in the rows (the
unknown values included, which no filter selects), for every subset of the dimensions — and the unions of cells other
surfaces count (two years pooled, five roles summed, a figure's group). A reader knows a published count only as
bounds (rounded, "fewer than 5", "withheld", "30 or more"); every line of every table says a parent is the sum of its
children by one dimension, and every union is the sum of its members. Interval propagation over all of them, to a
fixed point, is the attack: a group whose bounds meet is worked out. It is sound (every bound it derives holds for the
true counts, which `run` checks) and is what the issue's chains with bounds and years do, carried to the end; it is
not an integer-programming audit, which could find more.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

UNKNOWN = "\x00unknown"


class Lattice:
    """Every group of `frame`'s rows that fixing some of `dims` forms (within each value of `fixed`, when given:
    an employer's filings), with its true size."""

    def __init__(self, frame: pd.DataFrame, dims: Sequence[str], fixed: Sequence[str] = ()) -> None:
        self.dims, self.fixed = tuple(dims), tuple(fixed)
        cols = [*self.fixed, *self.dims]
        df = frame[cols].astype(object).where(frame[cols].notna(), UNKNOWN)
        self.rows = df
        self.n: list[int] = []
        self.keys: list[tuple[tuple[str, Any], ...]] = []
        self.index: dict[tuple[tuple[str, Any], ...], int] = {}
        self.tables: dict[tuple[str, ...], pd.DataFrame] = {}
        for size in range(len(self.dims) + 1):
            for subset in itertools.combinations(self.dims, size):
                by = [*self.fixed, *subset]
                t = df.groupby(by, sort=True).size().rename("n").reset_index() if by else pd.DataFrame({"n": [len(df)]})
                t["id"] = np.arange(len(self.n), len(self.n) + len(t))
                for values, n in zip(t[by].itertuples(index=False, name=None), t["n"], strict=True):
                    key = tuple(sorted(zip(by, values, strict=True)))
                    self.index[key] = len(self.n)
                    self.keys.append(key)
                    self.n.append(int(n))
                self.tables[subset] = t
        self.true = np.array(self.n, dtype=np.int64)
        self.lines: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        for subset, t in self.tables.items():
            for d in subset:
                parent = tuple(c for c in subset if c != d)
                pt, on = self.tables[parent], [*self.fixed, *parent]
                if on:
                    m = t[[*on, "id"]].merge(pt[[*on, "id"]], on=on, suffixes=("", "_p"))
                    child, par = m["id"].to_numpy(), m["id_p"].to_numpy()
                else:
                    child, par = t["id"].to_numpy(), np.full(len(t), pt["id"].iloc[0])
                up, pidx = np.unique(par, return_inverse=True)
                self.lines.append((child, pidx, up))
        finest = self.tables[self.dims]
        on = [*self.fixed, *self.dims]
        self.row_cell = df.merge(finest[[*on, "id"]], on=on, how="left")["id"].to_numpy()

    def id(self, **filters: Any) -> int | None:
        """The group the filters select (None: no row has them)."""
        return self.index.get(tuple(sorted(filters.items())))

    def selectable(self) -> np.ndarray:
        """Whether each group can be selected (no unknown value in its key)."""
        return np.array([all(v != UNKNOWN for _, v in key) for key in self.keys])

    def members(self, choices: dict[str, Iterable[Any]], fixed: dict[str, Any] | None = None) -> list[int]:
        """The groups of the table of `choices`' dims whose values are among the choices (the parts of a union)."""
        names = list(choices)
        out = []
        for values in itertools.product(*(list(choices[k]) for k in names)):
            i = self.index.get(tuple(sorted({**(fixed or {}), **dict(zip(names, values, strict=True))}.items())))
            if i is not None:
                out.append(i)
        return out

    def cells_of_rows(self, positions: np.ndarray) -> list[int] | None:
        """The finest groups whose rows are exactly these rows (positions in the frame), or None when the rows split
        a finest group (a figure's group cut by job title is no union of explore's groups)."""
        cells, counts = np.unique(self.row_cell[positions], return_counts=True)
        whole = self.true[cells]
        return cells.tolist() if (counts == whole).all() else None


class Attack:
    """What a reader knows of every group's size: bounds, lines, and the unions other surfaces publish."""

    def __init__(self, lattice: Lattice) -> None:
        self.lattice = lattice
        self.big = int(lattice.true.sum())
        self.lo = np.zeros(len(lattice.true), dtype=np.int64)
        self.hi = np.full(len(lattice.true), self.big, dtype=np.int64)
        self.true = lattice.true.copy()
        self._unions: list[tuple[int, list[int]]] = []
        self._new: list[list[int]] = []  # [lo, hi, true] of each union, until run() joins them to the arrays

    def bound(self, i: int, lo: int | None = None, hi: int | None = None) -> None:
        if i >= len(self.lo):
            row = self._new[i - len(self.lo)]
            row[0], row[1] = max(row[0], lo if lo is not None else 0), min(row[1], hi if hi is not None else self.big)
            return
        if lo is not None:
            self.lo[i] = max(self.lo[i], lo)
        if hi is not None:
            self.hi[i] = min(self.hi[i], hi)

    def union(self, members: list[int], lo: int | None = None, hi: int | None = None) -> int:
        """A published count of the union of these groups (disjoint): a new group, the sum of its members."""
        i = len(self.lo) + len(self._new)
        self._new.append([0, self.big, int(self.true[members].sum()) if members else 0])
        self._unions.append((i, members))
        self.bound(i, lo, hi)
        return i

    def true_of(self, i: int) -> int:
        """The true size of a group (a union's before run())."""
        return int(self.true[i]) if i < len(self.true) else self._new[i - len(self.true)][2]

    def run(self) -> None:
        """Propagate every bound through every line and union until nothing changes."""
        if self._new:
            extra = np.array(self._new, dtype=np.int64)
            self.lo, self.hi = np.concatenate([self.lo, extra[:, 0]]), np.concatenate([self.hi, extra[:, 1]])
            self.true = np.concatenate([self.true, extra[:, 2]])
            self._new = []
        batches = list(self.lattice.lines)
        if self._unions:
            child = np.concatenate([np.asarray(m, dtype=np.int64) for _, m in self._unions])
            pidx = np.concatenate([np.full(len(m), k) for k, (_, m) in enumerate(self._unions)])
            batches.append((child, pidx, np.array([i for i, _ in self._unions], dtype=np.int64)))
        lo, hi = self.lo, self.hi
        while True:
            changed = False
            for child, pidx, up in batches:
                k = len(up)
                slo = np.bincount(pidx, lo[child], minlength=k).astype(np.int64)
                shi = np.bincount(pidx, hi[child], minlength=k).astype(np.int64)
                plo, phi = np.maximum(lo[up], slo), np.minimum(hi[up], shi)
                if (plo != lo[up]).any() or (phi != hi[up]).any():
                    changed = True
                    lo[up], hi[up] = plo, phi
                clo = np.maximum(lo[child], plo[pidx] - (shi[pidx] - hi[child]))
                chi = np.minimum(hi[child], phi[pidx] - (slo[pidx] - lo[child]))
                if (clo != lo[child]).any() or (chi != hi[child]).any():
                    changed = True
                    np.maximum.at(lo, child, clo)
                    np.minimum.at(hi, child, chi)
            if not changed:
                break
        bad = (lo > self.true) | (hi < self.true)
        assert not bad.any(), "the attack's model of what is printed is wrong: a derived bound excludes the truth"

    def pinned(self) -> np.ndarray:
        """The lattice's groups whose size the reader has worked out exactly."""
        k = len(self.lattice.true)
        return self.lo[:k] == self.hi[:k]

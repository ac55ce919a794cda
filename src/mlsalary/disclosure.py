"""Statistical disclosure control for explore: which groups may be shown, done as statistics offices do it.

Explore shows groups of aijobs.net postings cut by up to six filters (``DIMENSIONS``). Each group is a *cell* of a
lattice of tables; every cell with fewer than 5 postings is hidden (primary suppression, ``stats.PRIVACY_FLOOR``).
That alone is not enough: a shown parent minus its shown children gives the size of the hidden ones — e.g. AI
engineers at US employers (653), on site (507) and remote (145) leave exactly 1 hybrid. So:

- **Complementary suppression.** For every cell (the whole data included) and every filter it does not fix, its
  children by that filter — plus the postings where that field is unknown, which no filter can select — are
  checked: when the hidden children hold 1 to 4 postings together, the smallest shown child is hidden too; repeated
  over all tables until nothing changes. Every parent is treated as known, shown or not, so a hidden parent that
  could itself be worked out gives nothing away either. Suppression only ever grows, so this ends.
- **Order statistics.** A published quantile or interval bound must have at least 5 postings at or below it and
  5 at or above it (``stats.intervals.TAIL_FLOOR``): a group's minimum or maximum is never printed, so two nested
  groups cannot be subtracted into one posting's pay.

The pattern is computed once per state of the database (on first use, and by the server's watcher after a pull),
over the same population explore counts: distinct full-time postings (``POPULATION``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

#: Explore's filters (the API's names) and the units view's columns they select on.
DIMENSIONS: dict[str, str] = {
    "role": "role",
    "level": "level",
    "country": "company_country",
    "remote": "remote",
    "company_size": "company_size",
    "year": "year",
}
#: Who explore and this pattern count (the figures' population: one value per distinct full-time posting).
POPULATION = "source = 'aijobs' AND dup_rank = 1 AND employment_type = 'full_time'"
UNKNOWN = "\x00unknown"  # a field with no value: a group no filter can select, hidden like a small one



class Pattern:
    """The shown/hidden state of every cell: `status(filters)` is 'shown', 'primary' (fewer than 5) or
    'complementary' (hidden so that no hidden group can be worked out), with the cell's n."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.cells: dict[tuple[tuple[str, Any], ...], tuple[int, str]] = {}
        self.total = len(frame)
        self._build(frame)

    @staticmethod
    def key(filters: dict[str, Any]) -> tuple[tuple[str, Any], ...]:
        return tuple(sorted((k, v) for k, v in filters.items() if k in DIMENSIONS and v not in (None, "")))

    def status(self, filters: dict[str, Any]) -> tuple[int, str]:
        """(n, status) of the cell the filters select; an empty cell is (0, 'primary')."""
        from mlsalary.stats import PRIVACY_FLOOR

        key = self.key(filters)
        if not key:
            return self.total, "shown" if self.total >= PRIVACY_FLOOR else "primary"
        return self.cells.get(key, (0, "primary"))

    def _build(self, frame: pd.DataFrame) -> None:
        import itertools

        from mlsalary.stats import PRIVACY_FLOOR

        dims = list(DIMENSIONS)
        df = frame[dims].astype(object).where(frame[dims].notna(), UNKNOWN)
        tables: dict[tuple[str, ...], pd.DataFrame] = {}
        for size in range(1, len(dims) + 1):
            for subset in itertools.combinations(dims, size):
                t = df.groupby(list(subset), sort=True).size().rename("n").reset_index()
                unknown = (t[list(subset)] == UNKNOWN).any(axis=1)
                t["hidden"] = (t["n"] < PRIVACY_FLOOR) | unknown
                t["selectable"] = ~unknown
                tables[subset] = t
        changed = True
        while changed:
            changed = False
            for child_dims, child in tables.items():
                for d in child_dims:
                    parent = [c for c in child_dims if c != d]
                    if self._complement(child, parent):
                        changed = True
        for subset, t in tables.items():
            for row in t[t["selectable"]].itertuples(index=False):
                values = row[: len(subset)]
                key = tuple(sorted(zip(subset, values, strict=True)))
                n = int(row.n)  # type: ignore[arg-type]
                self.cells[key] = (n, "primary" if n < PRIVACY_FLOOR else "complementary" if row.hidden else "shown")

    @staticmethod
    def _complement(child: pd.DataFrame, parent: list[str]) -> bool:
        """Within each parent, hide the smallest shown child where the hidden children hold 1-4 records. True when
        anything was hidden."""
        import pandas as pd

        from mlsalary.stats import exposes

        hidden_n = child["n"].where(child["hidden"], 0)
        if parent:
            sums = hidden_n.groupby([child[c] for c in parent]).transform("sum")
        else:
            sums = pd.Series(hidden_n.sum(), index=child.index)
        exposed = exposes(sums)
        if not exposed.any():
            return False
        candidates = child[exposed & ~child["hidden"]]
        if candidates.empty:
            return False
        order = candidates.sort_values("n", kind="stable")  # the smallest; ties in the table's (sorted) order
        pick = order.groupby(parent, sort=False).head(1).index if parent else order.index[:1]
        child.loc[pick, "hidden"] = True
        return True


def pattern() -> Pattern | None:
    """The pattern of the database as it is (computed once per state of the database, web.cache). None inside a web
    request while the server's watcher computes the pattern of data a pull just swapped in (the request says the
    data is being updated: an old pattern must not decide what new counts may show)."""
    from mlsalary.web import cache

    return cache.fresh("disclosure", _build)


def _build() -> Pattern:
    from mlsalary import store

    frame = store.query(f"SELECT {', '.join(DIMENSIONS.values())} FROM units WHERE {POPULATION}")
    frame.columns = list(DIMENSIONS)
    return Pattern(frame)

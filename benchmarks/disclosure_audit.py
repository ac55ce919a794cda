"""The disclosure audit behind mlsalary.disclosure's rule: how many of explore's groups of 1-4 postings the
differencing attack (tests/attack.py: chains of subtractions with bounds through every line of every table of the six
filters, to a fixed point) works out under each way of printing counts, on the mirror.

    MLSALARY_MIRROR=../shared/data python benchmarks/disclosure_audit.py

Pulls the aijobs.net snapshot into a temporary store first. Prints, for each rule, the groups of 1-4 worked out (of
all of them), and the seconds the attack took. The rules: exact counts with only the floor of 5 (what explore printed
before complementary suppression); counts rounded to 5; rounded to 10 (``disclosure.ROUND_TO``) — each with whether
a group has numbers (30 or more) and, for the rounded ones, the years explore prints: the first and last year with
any posting (as it printed them) or with at least 5 (as it prints them now); and the rule: rounded to 10 with no
count under the minimum n (``disclosure.floor``). The population is ``disclosure.POPULATION`` (abroad, only postings
stated in the country's own currency), whose thin country tables the earlier rule did not hold on.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from attack import Attack, Lattice
from common import fresh_store_from_mirror


def rounded(base: int, least: int | None = None) -> Any:
    """What a reader learns of a count printed by mlsalary.disclosure's rule at another base and floor."""
    from mlsalary import disclosure

    return lambda n: disclosure.bounds(disclosure.published(n, base, least), base, least)


def main() -> None:
    fresh_store_from_mirror()
    from mlsalary import api, disclosure, stats, store

    api.pull(["aijobs"])
    cols = ", ".join(f"{c} AS {k}" for k, c in disclosure.DIMENSIONS.items())
    units = store.query(f"SELECT {cols} FROM units WHERE {disclosure.POPULATION}")
    lattice = Lattice(units, tuple(disclosure.DIMENSIONS))
    small = lattice.selectable() & (lattice.true >= 1) & (lattice.true < stats.PRIVACY_FLOOR)
    low = stats.min_n()
    exact = lambda n: (n, n) if n >= 5 else (0, 4)  # noqa: E731
    five = stats.PRIVACY_FLOOR
    rules = [("exact counts, floor 5", exact, None),
             ("rounded to 5, floor 5, years as first/last with any", rounded(5, five), 1),
             ("rounded to 10, floor 5, years as first/last with any", rounded(10, five), 1),
             ("rounded to 10, floor 5, years with 5+ (the rule until stop 36)", rounded(10, five), 5),
             (f"rounded to 10, no count under {low}, years with 5+ (the rule)", rounded(10), 5)]  # fmt: skip
    print(f"groups of 1-4 postings among explore's groups: {int(small.sum()):,} of {len(lattice.true):,}")
    for name, rule, year_floor in rules:
        t = time.perf_counter()
        attack = Attack(lattice)
        for i in np.flatnonzero(lattice.selectable()):
            n = int(lattice.true[i])
            lo, hi = rule(n)
            if n >= 5:
                lo, hi = (max(lo, low), hi) if n >= low else (lo, min(hi, low - 1))
            attack.bound(int(i), lo, hi)
        if year_floor:
            for subset, table in lattice.tables.items():
                if "year" in subset:
                    continue
                keys = table[table["n"] >= low]
                with_year = lattice.tables[tuple(d for d in lattice.dims if d in (*subset, "year"))]
                for row in keys.itertuples(index=False):
                    key = dict(zip(subset, row[: len(subset)], strict=True))
                    if disclosure.UNKNOWN in key.values():
                        continue
                    sub = with_year
                    for k, v in key.items():
                        sub = sub[sub[k] == v]
                    years = sorted(sub.loc[sub["n"] >= year_floor, "year"])
                    for y in years[:1] + years[-1:]:
                        attack.bound(int(sub.loc[sub["year"] == y, "id"].iloc[0]), lo=year_floor)
        attack.run()
        found = int((attack.pinned() & small).sum())
        print(f"{name:66s} {found:7,} worked out   ({time.perf_counter() - t:5.1f} s)")


if __name__ == "__main__":
    main()

"""What the figures read from the store, loaded once, and the helpers that turn rows into shown (or suppressed)
statistics."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, TypeVar

from mlsalary import stats
from mlsalary.figures.model import Group

if TYPE_CHECKING:
    import pandas as pd

T = TypeVar("T")

OBS_COLUMNS = (
    "obs_id, source, year, pay_kind, role, specialization, level, employment_type, company_country, "
    "employee_country, remote, company_size, education, industry, ml_centrality, amount_usd, amount_usd_real, "
    "amount_low_usd, amount_high_usd, posting_part, dup_rank, employer_key, worksite_city, worksite_state, "
    "job_title_raw, currency, amount_local"
)
#: The units view adds each posting's range ends (NULL for singles and other sources).
UNIT_COLUMNS = OBS_COLUMNS + ", range_low_usd, range_high_usd"
OEWS_CODES = ("15-2051", "15-1221")
#: The order the figures read rows in: the published order of each source's files. A seeded bootstrap (the
#: negotiation room's) and every tie broken by first appearance depend on it, and SQL gives no order unasked: the
#: units view joins, and a vintage's rows are ranked by a window (vintage.views) — unordered, two runs of
#: `mlsalary figures --as-of` gave two intervals.
ROW_ORDER = "source, source_file, source_record, obs_id"


@dataclass
class Data:
    """The store's data the figures use. `loaded` names the loaded sources and `as_of` their data dates.

    `obs` holds one row per counted unit (the store's ``units`` view: a posting, a respondent); `rows` the published
    rows (a posting's two range ends apart). A figure never reads them directly: ``bind`` gives it the frame its
    declaration names — its unit and its duplicate policy — so a declaration cannot drift from its computation.
    """

    loaded: dict[str, str]  # source -> version
    obs: pd.DataFrame
    skills: pd.DataFrame
    oews: pd.DataFrame
    rows: pd.DataFrame | None = None
    as_of: dict[str, date] = field(default_factory=dict)
    #: Frames already cut from this data (a source's rows, a bound view): the figures ask for the same ones again
    #: and again, and each cut copies every column.
    _cuts: dict[tuple[str, ...], Any] = field(default_factory=dict, repr=False, compare=False)
    #: What the figure being measured declares it holds fixed (FigureDef.strata): a comparison is measured within
    #: them (figures.measure.within) — read from here, so that the declaration is what is computed.
    strata: tuple[str, ...] = ()
    #: Under a vintage (--as-of), the sources the store holds of which nothing was public by its date, each with the
    #: date its first rows were (vintage.unpublished): not `loaded` in the vintage, and not for want of a pull.
    unpublished: dict[str, date] = field(default_factory=dict)

    def holding(self, strata: tuple[str, ...]) -> Data:
        """This data, for a figure that holds `strata` fixed (its cuts shared)."""
        import dataclasses

        return dataclasses.replace(self, strata=tuple(strata))

    def cut(self, key: tuple[str, ...], make: Callable[[], T]) -> T:
        """make(), once for this data: a population several figures ask for (`key` names it)."""
        if key not in self._cuts:
            self._cuts[key] = make()
        return self._cuts[key]

    def source(self, name: str) -> pd.DataFrame:
        return self.cut(("source", name), lambda: self.obs[self.obs["source"] == name])

    def bind(self, unit: str, duplicate_policy: str | None) -> Data:
        """The data as a figure declares it: counted in `unit` (schema.COUNT_UNITS; 'rows' counts published rows),
        with its duplicate policy applied ('one_per_group': the first of each duplicate group; 'all_rows': all)."""
        from mlsalary import schema

        if unit not in schema.COUNT_UNITS:
            raise ValueError(f"unknown unit {unit!r}: one of {', '.join(schema.COUNT_UNITS)}")
        if duplicate_policy not in (None, *schema.DUPLICATE_POLICIES):
            raise ValueError(f"unknown duplicate policy {duplicate_policy!r}")
        # What a bound view holds depends only on its rows (published rows, or units whatever they count) and on
        # whether it keeps one of each duplicate group: figures counting postings and respondents share one, and
        # the cuts made of it (dropping the repeats copies every column of every unit: 0.14 s).
        rows = "rows" if unit == "rows" else "units"
        return self.cut(("bind", rows, str(duplicate_policy == "one_per_group")),
                        lambda: self._bound(unit, duplicate_policy))  # fmt: skip

    def _bound(self, unit: str, duplicate_policy: str | None) -> Data:
        if unit == "rows" and self.rows is None:
            self.rows = load_rows()  # published rows: read only when a figure asks to count them
        frame = self.rows if unit == "rows" and self.rows is not None else self.obs
        if duplicate_policy == "one_per_group" and len(frame):
            frame = frame[frame["dup_rank"] == 1]
        return Data(self.loaded, frame, self.skills, self.oews, self.rows, self.as_of, unpublished=self.unpublished)


def load() -> Data:
    """Read the store (read-only). An absent database gives empty tables: every figure is then source_missing."""
    import pandas as pd

    from mlsalary import config, store, vintage

    if not config.db_path().is_file():
        empty = pd.DataFrame()
        return Data({}, empty, empty, empty, empty)
    with store.read_only() as con:
        found = con.execute("SELECT name, coalesce(version, ''), data_as_of FROM sources").fetchall()
        tables = {name: frame(con.sql(sql)) for name, sql in queries().items()}
        hidden = vintage.unpublished(con)
    loaded = {name: version for name, version, _ in found}
    as_of = {name: d for name, _, d in found if d is not None}
    return Data(loaded, tables["obs"], tables["skills"], tables["oews"], None, as_of, unpublished=hidden)


def queries() -> dict[str, str]:
    """What load() reads from the store: the counted units, their skills, OEWS's national ML-adjacent medians."""
    codes = ", ".join(f"'{c}'" for c in OEWS_CODES)
    return {
        "obs": f"SELECT {UNIT_COLUMNS} FROM units ORDER BY {ROW_ORDER}",
        "skills": "SELECT obs_id, skill FROM skills",
        "oews": "SELECT year, area_type, area_code, area_name, occupation_code, soc_2018_code, employment, "
                "annual_median, wage_rse, top_coded, top_code_usd FROM aggregates "
                f"WHERE source = 'oews' AND industry_code = '000000' AND soc_2018_code IN ({codes})",
    }  # fmt: skip


def frame(rel: Any) -> pd.DataFrame:
    """A query's rows as pandas, by way of Arrow: the frame DuckDB's own .df() makes of load()'s queries (tested
    equal), in a fraction of the time (the mirror's 132,880 units: 0.14 against 0.5 s). Each column in one piece: the
    figures cut these frames thousands of times, and a cut of a column in pieces costs several times more (a small
    cut of the units, 8 ms against 1.2 ms)."""
    table = rel.arrow()  # a reader from DuckDB 2 on, a table before it (pyproject allows duckdb>=1.1)
    return (table.read_all() if hasattr(table, "read_all") else table).combine_chunks().to_pandas()


def load_rows() -> pd.DataFrame:
    """The published rows (a posting's two range ends apart), for a figure that declares it counts rows."""
    from mlsalary import store

    with store.read_only() as con:
        return con.sql(f"SELECT {OBS_COLUMNS} FROM observations ORDER BY {ROW_ORDER}").df()


def latest_full_year(df: pd.DataFrame) -> int | None:
    """The latest full year of a frame's rows (stats.periods)."""
    from mlsalary.stats.periods import latest_full_year as rule

    return rule(df["year"].tolist())


#: The columns estimate() reads (a comparison over many strata narrows its rows to these first: figures.measure.within).
PAY_COLUMNS = ("pay_kind", "amount_low_usd", "amount_high_usd", "amount_usd", "amount_usd_real")


def estimate(df: pd.DataFrame, q: float = 0.5, real: bool = False) -> stats.Estimate:
    """The q-quantile of a group's pay: points (amount_usd) or bands (amount_low/high_usd, interval-censored)."""
    bands = int((df["pay_kind"] == "survey_band").sum()) if len(df) else 0
    if bands and bands == len(df):
        return stats.band_quantile(df["amount_low_usd"].tolist(), df["amount_high_usd"].tolist(), q)
    if bands:
        raise ValueError("a group mixes pay bands and point amounts; compute them separately")
    column = "amount_usd_real" if real else "amount_usd"
    return stats.quantile(df[column].dropna().to_numpy() if len(df) else [], q)


def group(label: str, e: stats.Estimate | stats.Ratio, n_min: int | None = None, note: str = "") -> Group:
    """A breakdown row with the suppression rules applied (n_min: the smallest group behind a ratio)."""
    n = e.n if n_min is None else n_min
    vis = stats.visibility(n)
    if vis == "hidden":
        return Group(label, None, None, None, None, "suppressed", "fewer than 5 records")
    if vis == "suppressed":
        return Group(label, None, None, None, n, "suppressed", f"n = {n} < {stats.min_n()}")
    lower = getattr(e, "lower_bound_only", False)
    return Group(label, e.value, e.ci_low, e.ci_high, n, "ok", note or ("lower bound (open top band)" if lower else ""))

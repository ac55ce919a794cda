"""Figures from H-1B filings (LCA), each declared beside its measure: the spread of offered pay between employers,
and ML-intensive employers against the rest.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mlsalary import schema, stats
from mlsalary.figures.data import Data, group, latest_full_year
from mlsalary.figures.measure import (
    LCA_CAVEAT,
    ONE,
    FigureDef,
    Out,
    stratum_of,
)
from mlsalary.figures.model import Group

if TYPE_CHECKING:
    import pandas as pd


#: An employer counts in a comparison cell with at least this many filings (the privacy floor).
EMPLOYER_MIN_FILINGS = stats.PRIVACY_FLOOR


def worksite_metros(d: Data) -> Any:
    """The OEWS metro (name) of each LCA filing's worksite: its city is one of the metro's principal cities or a
    place an alias leads to, in one of its states; None otherwise."""
    import pandas as pd

    from mlsalary import wages

    metros = d.oews[d.oews["area_type"] == "metro"][["area_code", "area_name"]].drop_duplicates()
    if metros.empty:
        raise LookupError("no OEWS metros loaded")
    where: dict[tuple[str, str], str] = {}
    for code, name in metros.itertuples(index=False):
        cities, states = wages.metro_places(str(code), str(name))
        for c in cities:
            for s in states:
                where.setdefault((c, s), str(name))
    lca = d.source("lca")
    keys = list(zip(lca["worksite_city"].fillna(""), lca["worksite_state"].fillna(""), strict=True))
    return pd.Series([where.get(k) for k in keys], index=lca.index, dtype=object)


def employer_spread(d: Data) -> Out:
    """The share of the variation in (log) offered base among data scientists in the same metro and year that lies
    between employers (employers with >= 5 filings in the cell; cells with >= 2 such employers): 1 - within / total
    sum of squares, pooled over cells. 95% interval: a bootstrap over employers within cells (seeded)."""
    import numpy as np

    df = d.source("lca").assign(metro=worksite_metros(d))
    df = df[(df["role"] == "data_scientist") & df["metro"].notna() & df["amount_usd"].notna()]
    year = latest_full_year(df)
    if year is None:
        raise LookupError("no filings")
    df = df[df["year"].isin([year - 1, year])].assign(y=lambda f: np.log(f["amount_usd"]))
    size = df.groupby(["metro", "year", "employer_key"])["y"].transform("size")
    df = df[size >= EMPLOYER_MIN_FILINGS]
    employers = df.groupby(["metro", "year"])["employer_key"].transform("nunique")
    df = df[employers >= 2]
    if df.empty:
        raise LookupError("no comparable employers")
    # Each cell as its employers' sufficient statistics (filings n, sum s and sum of squares q of log pay): the
    # share and its bootstrap (employers drawn with replacement within each cell) are sums over them.
    def stats_of(frame: Any) -> list[tuple[Any, Any, Any]]:
        out = []
        for _, part in frame.assign(y2=frame["y"] ** 2).groupby(["metro", "year"]):
            g = part.groupby("employer_key")
            out.append((g.size().to_numpy(float), g["y"].sum().to_numpy(), g["y2"].sum().to_numpy()))
        return out

    def share_of(cells_: list[tuple[Any, Any, Any]], draws: Any = None) -> Any:
        total = within = 0.0
        for i, (n, s_, q) in enumerate(cells_):
            if draws is not None:
                n, s_, q = n[draws[i]], s_[draws[i]], q[draws[i]]
            n_all, s_all, q_all = n.sum(-1), s_.sum(-1), q.sum(-1)
            total = total + q_all - s_all**2 / n_all
            within = within + (q - s_**2 / n).sum(-1)
        return 1 - within / total

    cells = stats_of(df)
    value = float(share_of(cells))
    rng = np.random.default_rng(0)
    draws = [rng.integers(0, len(c[0]), (400, len(c[0]))) for c in cells]
    boots = share_of(cells, draws)
    q_lo, q_hi = (float(x) for x in np.percentile(boots, [2.5, 97.5]))
    # the basic (reverse-percentile) interval: resampling few employers per cell biases the share down, and the
    # basic interval corrects that first-order bias where the plain percentile interval would inherit it
    lo, hi = max(0.0, 2 * value - q_hi), min(1.0, 2 * value - q_lo)
    est = stats.Estimate(value * 100, lo * 100, hi * 100, len(df), "between-employer share of variance; basic "
                         "bootstrap interval over employers within metro x year cells (400 draws, seeded)")  # fmt: skip
    by_metro = df.groupby("metro")
    rows = []
    for metro, part in sorted(by_metro, key=lambda mp: -len(mp[1]))[:8]:
        n = len(part)
        shown = stats.visibility(n) == "shown"
        rows.append(Group(str(metro), float(share_of(stats_of(part))) * 100 if shown else None, None,
                          None, n if n >= stats.PRIVACY_FLOOR else None, "ok" if shown else "suppressed",
                          f"{part['employer_key'].nunique()} employers"))  # fmt: skip
    return Out(est, len(df), len(df), sorted({int(y) for y in df["year"]}), rows, method=est.method,
               group_unit="share")  # fmt: skip


def ml_filings(lca: pd.DataFrame) -> pd.Series:
    """The filings of ML roles — but a research scientist whose title names no machine learning is not counted as
    one: H-1B filings cover every occupation, and a plain "Research Scientist" there is as often in biology,
    chemistry or a university lab (normalize.titles.ML_TERMS)."""
    from mlsalary.normalize import titles

    ml = lca["role"].isin(schema.ML_ROLES)
    research = lca["role"] == "research_scientist"
    titled = lca.loc[research, "job_title_raw"]
    named = {t: titles.names_ml(t) for t in titled.unique()}  # each title read once
    ml[research] = titled.map(named).astype(bool)
    return ml


def ml_intensity_gap(d: Data) -> Out:
    """ML-role filings (ML, AI and MLOps engineers, research and applied scientists whose titles name ML) at
    employers whose filings are mostly ML roles vs at the others, each filing's base relative to the median of its
    own role, year and metro (cells of >= 5 filings): median relative pay at ML-intensive employers / at the others -
    1."""
    lca = d.source("lca").assign(metro=worksite_metros(d))
    ml = ml_filings(lca)
    intensity = lca.assign(ml=ml).groupby("employer_key")["ml"].mean()
    df = lca[ml & lca["metro"].notna() & lca["amount_usd"].notna()]
    cell = df.groupby(stratum_of(df, d.strata))["amount_usd"]  # the declared strata: role, year and metro
    df = df.assign(rel=df["amount_usd"] / cell.transform("median"), cell_n=cell.transform("size"))
    df = df[df["cell_n"] >= EMPLOYER_MIN_FILINGS]
    heavy = df["employer_key"].map(intensity).to_numpy() >= 0.5
    a, b = df[heavy], df[~heavy]
    ea, eb = stats.quantile(a["rel"].to_numpy(), 0.5), stats.quantile(b["rel"].to_numpy(), 0.5)
    r = stats.ratio(ea, eb)
    rows = [group("mostly ML roles (>= 50% of their filings)", ea), group("other employers", eb)]
    return Out(r, min(ea.n, eb.n), ea.n + eb.n, sorted({int(y) for y in df["year"]}), rows, True, method=r.method,
               group_unit="ratio", compared=[("at ML-intensive employers", ea.n), ("at the others", eb.n)],
               held_fixed="each filing relative to its stratum's median (strata of 5 or more filings)",
               strata=d.strata)  # fmt: skip


#: This topic's figures, in the order the report shows them (figures.catalogue gathers every topic's).
FIGURES: tuple[FigureDef, ...] = (
    FigureDef(
        "employer-spread",
        "company_size",
        "How much does pay vary between employers for the same role and metro?",
        "share",
        ("lca", "oews"),
        "Share of the variation in offered base (log) among data scientists in the same US metro and year that lies "
        "between employers: 1 - within-employer / total sum of squares, pooled over metro x year cells of the latest "
        "two years (H-1B filings; employers with 5+ filings in a cell, cells with 2+ such employers; worksites "
        "matched to BLS metros by city and state).",
        employer_spread,
        ONE,
        (LCA_CAVEAT, "A worksite in a suburb that is neither a metro's principal city nor one of its aliases is left "
         "out."),
        "bars",
        count_unit="filings",
        says="Share of the pay variation among data scientists in one metro and year that lies between employers: "
        "{value}",
    ),
    FigureDef(
        "ml-intensity-gap",
        "company_size",
        "Do employers whose filings are mostly ML roles pay ML practitioners more?",
        "percent",
        ("lca", "oews"),
        "ML-role filings (ML, AI and MLOps engineers, applied scientists, and research scientists whose titles name "
        "ML: a plain 'Research Scientist' filing is as often biology or chemistry), each relative to the median "
        "of its own role, year and metro (cells of 5+ filings): median at employers whose own filings are at least "
        "half ML roles / median at the others - 1 (H-1B filings, every year; ML intensity is measured from each "
        "employer's own filings of data job titles).",
        ml_intensity_gap,
        ONE,
        (LCA_CAVEAT, "The filings held are data job titles only: intensity is the ML share among an employer's "
         "data-job filings, not among all its staff.", "The answer depends on which titles count as ML roles: "
         "counting plain 'Research Scientist' filings as ML (in intensity and among the filings compared) moves it "
         "toward zero (docs/methodology.md)."),
        "bars",
        count_unit="filings",
        asks=1,
        strata=("role", "year", "metro"),
    ),
)

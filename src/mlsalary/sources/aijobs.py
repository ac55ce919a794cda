"""aijobs.net salary data (formerly ai-jobs.net), CC0 1.0.

The unit is the **posting**. Since 2022 almost every row is one end of an employer's posted salary range: a range is
published as two adjacent rows, its maximum first, then its minimum, that share all nine non-pay fields. The rule
(``pair_postings``), applied in file order to the rows that pass the checks:

    a row followed by the next published row with the same nine non-pay fields and a salary not above it forms one
    posted range (that row is its ``max``, the next its ``min``); every other row is a ``single`` value.

Pairing is greedy from the top, so a run of identical rows pairs up two by two. A range whose other end was
quarantined leaves a single. Every row is kept (read = loaded + quarantined counts published rows) and carries its
``posting_id`` (the record of the posting's first row) and ``posting_part``; the store's ``units`` view turns each
posting into one observation at its midpoint. Duplicates are decided per posting: a posting with the same nine fields
and the same minimum and maximum as an earlier one is a re-listing (``dup_rank`` > 1 on both its rows).

aijobs.net stopped publishing after its data update of 2025-08-03: its data is final, and 2025 covers January to
August. Accepted files: the official ``salaries.csv``; the dated snapshots ``salaries_YYYY-MM-DD.csv`` (the newest is
used: it contains the older ones); Kaggle's copies (``ds_salaries*.csv``), which may start with a blank line and an
extra unnamed index column; and the copy bundled with mlsalary (``mlsalary/data/aijobs/``), used when nothing else is
at hand. The older dated snapshots beside the file read are its history: each posting's ``published_on`` is the
date of the earliest one that holds it (mlsalary.vintage).
"""
from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from mlsalary import config
from mlsalary.errors import DownloadError, SchemaError, SourceError
from mlsalary.normalize import geo, levels, money, titles
from mlsalary.sources import (
    FetchedFile,
    ParseResult,
    ProgressFn,
    QuarantineRows,
    SourceMeta,
    contract,
    retrieve,
    textfile,
)

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

#: The date of the snapshot shipped inside the package (BUNDLED).
BUNDLED_DATE = "2025-08-09"

META = SourceMeta(
    name="aijobs",
    title="aijobs.net salaries (formerly ai-jobs.net)",
    licence="CC0 1.0 (public domain dedication)",
    homepage="https://aijobs.net/salaries/",
    citation="aijobs.net, Salaries dataset, https://github.com/foorilla/ai-jobs-net-salaries (CC0 1.0)",
    unit="annual gross salary, local currency and USD as converted by aijobs.net; mostly employers' posted ranges "
    "(two rows each), some single values",
    period="2020 to August 2025 (final: aijobs.net stopped publishing after 2025-08-03)",
    download_urls=("https://raw.githubusercontent.com/foorilla/ai-jobs-net-salaries/main/salaries.csv",),
    expected_files="salaries.csv, salaries_YYYY-MM-DD.csv or ds_salaries*.csv",
    how_to_provide=(
        'run "mlsalary data pull aijobs" online, pass the file with --from, '
        "or set MLSALARY_MIRROR to a folder holding aijobs/salaries.csv"
    ),
    count_unit="postings",
    pay_kinds=("posted_range", "reported_or_posted"),
    bundled=f"the final snapshot ({BUNDLED_DATE}) ships with mlsalary",
    final_data="2025-08-03",
    refresh="aijobs.net stopped publishing in August 2025: this data is final, there is nothing newer to fetch",
    max_bytes=64 << 20,  # its final file (2025-08-09) is 8.3 MB, and aijobs.net has stopped publishing
    published="snapshot",
)

COLUMNS = (
    "work_year",
    "experience_level",
    "employment_type",
    "job_title",
    "salary",
    "salary_currency",
    "salary_in_usd",
    "employee_residence",
    "remote_ratio",
    "company_location",
    "company_size",
)
#: The nine non-pay fields the two rows of one posted range share.
POSTING_FIELDS = tuple(c for c in COLUMNS if c not in ("salary", "salary_in_usd"))
_INDEX_COLUMNS = {"", "unnamed: 0", "index", "id"}
_CSV = r"\.csv(\.xz|\.gz|\.bz2)?$"  # a CSV file name's ending, compressed or not
_DATED = re.compile(r"salaries_(\d{4}-\d{2}-\d{2})" + _CSV)
#: The snapshot shipped inside the package (CC0; its licence file beside it): the default when nothing else is at hand.
BUNDLED = f"data/aijobs/salaries_{BUNDLED_DATE}.csv.xz"


def pick(folder: Path) -> list[Path]:
    """The file to read in a folder — salaries.csv, else the newest dated snapshot, else a Kaggle copy — followed by
    the older dated snapshots beside it, newest first: its history, read only to date each posting (vintage)."""
    official = folder / "salaries.csv"
    dated = sorted((p for p in folder.glob("salaries_*") if _DATED.search(p.name)), key=lambda p: p.name)
    if official.exists():  # not only a regular file: anything else is refused with its reason (retrieve)
        return [official, *reversed(dated)]
    if dated:
        return [*reversed(dated)]
    kaggle = sorted(folder.glob("ds_salaries*.csv"))
    return kaggle[-1:] if kaggle else []


def fetch(
    from_path: Path | None = None, offline: bool = False, progress: ProgressFn | None = None
) -> list[FetchedFile]:
    local = retrieve.resolve_local(META, from_path, pick)
    if local:
        return local
    dest = retrieve.source_cache(META.name) / "salaries.csv"
    if offline or config.offline():
        return cached_or_bundled(dest, "offline")
    url = META.download_urls[0]
    try:
        digest = retrieve.download(url, dest, progress=progress)
    except DownloadError as e:
        return cached_or_bundled(dest, f"the download failed ({e})")
    return [FetchedFile(dest, digest, f"download:{url}")]


def cached_or_bundled(dest: Path, why: str) -> list[FetchedFile]:
    """The cached download when there is a complete one, else the bundled snapshot; `why` no fresh copy was taken."""
    digest = retrieve.cached(dest)
    return [FetchedFile(dest, digest, f"cache:{dest}", why)] if digest else [bundled(why)]


def bundled(why: str) -> FetchedFile:
    """The snapshot shipped inside the package; `why` it is taken."""
    from importlib import resources

    path = Path(str(resources.files("mlsalary").joinpath(BUNDLED)))
    want = retrieve.known_sha256(path.with_name("SHA256SUMS"), path.name)
    if want is None:
        raise SourceError(f"aijobs: the bundled snapshot's checksum is missing ({path.with_name('SHA256SUMS')}); "
                          "reinstall mlsalary")  # fmt: skip
    digest = retrieve.verified(path, want, "reinstall mlsalary, or give a copy with --from")
    return FetchedFile(path, digest, f"package:mlsalary/{BUNDLED}", why)


def stem(path: Path) -> str:
    """A file's name without .csv and a compression suffix: the bundled and the mirror's copy give the same ids."""
    return re.sub(_CSV, "", path.name)


def version_of(path: Path) -> str:
    m = _DATED.search(path.name)
    if m:
        return m.group(1)
    if path.name == "salaries.csv":
        return "retrieved " + datetime.fromtimestamp(path.stat().st_mtime, UTC).date().isoformat()
    return stem(path)


def parse(files: list[FetchedFile]) -> ParseResult:
    """Rows of one aijobs file -> observations + quarantine. Pure: reads only the given files (the first is the data;
    any others are older snapshots, read only to date each posting: ``first_published``).

    Each rule checks one field's value (``_checks``); it runs once per distinct value of that column and the verdicts
    are mapped back onto the rows, so a file of 74,000 rows costs a few hundred checks. A row's reason is the first
    failing field in column order.
    """
    import numpy as np
    import pandas as pd

    ff, *history = files
    path = ff.path
    data = textfile.read_bytes(path, META.name)
    tab = textfile.table(data, path, META.name)
    header = tab.header
    lowered = [h.lower() for h in header]
    skip_first = 1 if lowered and lowered[0] in _INDEX_COLUMNS and lowered[1:2] == ["work_year"] else 0
    lowered = lowered[skip_first:]
    missing = [c for c in COLUMNS if c not in lowered]
    if missing:
        raise SchemaError(
            f"aijobs: {path.name}: missing column(s) {', '.join(missing)} "
            f"(found: {', '.join(header[:12])}); expected the aijobs.net layout: {', '.join(COLUMNS)}"
        )
    q = QuarantineRows()
    names = list(tab.frame.columns[:-1])  # the last column is the record number

    reject = q.rejecter(META.name, path.name, header)

    for row, reason, detail in tab.problems():
        reject(row.record, row.fields, reason, detail)
    n_read = tab.rows_read
    src = tab.frame
    df = pd.DataFrame({c: src[names[lowered.index(c) + skip_first]].str.strip() for c in COLUMNS})
    df["record"] = src["record"].to_numpy()

    lo, hi = config.plausible_pay_range()
    checks = _checks(lo, hi, datetime.now(UTC).year + 1)
    problem = pd.Series([None] * len(df), index=df.index, dtype=object)
    for col in COLUMNS:
        verdicts = {v: checks[col](v) for v in df[col].unique()}
        found = df[col].map(verdicts)
        problem = problem.where(problem.notna(), found)
    # Rows without salary_in_usd are converted at the year's average ECB rate, when there is one.
    year = pd.to_numeric(df["work_year"], errors="coerce")
    currency = df["salary_currency"].str.upper()
    amount_local = pd.to_numeric(df["salary"], errors="coerce").astype("float64")
    usd_given = df["salary_in_usd"] != ""
    amount_usd = pd.to_numeric(df["salary_in_usd"].where(usd_given), errors="coerce").astype("float64")
    for i in map(int, np.flatnonzero((~usd_given & problem.isna()).to_numpy())):
        y, cur, amt = int(year.iloc[i]), currency.iloc[i], float(amount_local.iloc[i])
        try:
            usd = money.to_usd(amt, cur, y)
        except money.ConversionError as e:
            problem.iloc[i] = ("no_exchange_rate", f"salary_in_usd is empty and {e}")
            continue
        if not lo <= usd <= hi:
            problem.iloc[i] = (
                "implausible_pay",
                f"salary {amt:,.0f} {cur} is {usd:,.0f} USD, outside the plausible range {lo:,.0f}-{hi:,.0f}",
            )
        amount_usd.iloc[i] = usd
    bad = problem.notna().to_numpy()
    by_record = src.set_index("record")[names]
    for rec, (reason, detail) in zip(df["record"][bad], problem[bad], strict=True):
        reject(int(rec), list(by_record.loc[rec]), reason, detail)
    q.sort()

    ok = ~bad
    df, year, currency, amount_local, amount_usd = df[ok], year[ok], currency[ok], amount_local[ok], amount_usd[ok]
    usd_given = usd_given[ok]
    part, posting = pair_postings(df, amount_local.to_numpy())
    dup_group, dup_rank = posting_duplicates(df, part, posting, amount_local.to_numpy(), amount_usd.to_numpy())
    titles_ = {t: titles.map_title(t) for t in df["job_title"].unique()}
    countries = {
        c: geo.to_iso2(c) for c in pd.unique(df[["company_location", "employee_residence"]].to_numpy().ravel())
    }
    real_base = money.cpi_base_year()
    factors = {int(y): money.real_factor(int(y), real_base) for y in year.unique()}
    factor = year.map(factors).astype("float64")
    remote = pd.to_numeric(df["remote_ratio"]).astype(int).map(levels.AIJOBS_REMOTE).fillna("hybrid")
    out = contract.observation_frame(
        len(df),
        {
            "obs_id": "aijobs:" + stem(path) + ":" + df["record"].astype(str),
            "source": "aijobs",
            "source_file": path.name,
            "source_record": df["record"],
            "year": year.astype("int64"),
            "pay_kind": np.where(part == "single", "reported_or_posted", "posted_range"),
            "job_title_raw": df["job_title"],
            "role": df["job_title"].map(lambda t: titles_[t][0]),
            "specialization": df["job_title"].map(lambda t: titles_[t][1]),
            "level": df["experience_level"].str.upper().map(levels.AIJOBS_LEVELS),
            "employment_type": df["employment_type"].str.upper().map(levels.AIJOBS_EMPLOYMENT),
            "company_country": df["company_location"].map(countries),
            "employee_country": df["employee_residence"].map(countries),
            "remote": remote,
            "company_size": df["company_size"].str.upper().map(levels.AIJOBS_COMPANY_SIZE),
            "experience_basis": "source_level",
            "amount_local": amount_local,
            "currency": currency,
            "amount_usd": amount_usd,
            "amount_usd_real": amount_usd * factor,
            "real_base_year": factor.notna().map({True: real_base, False: None}),
            "usd_conversion": usd_given.map({True: "source", False: "ecb_year_average"}),
            "posting_id": posting,
            "posting_part": part,
            "dup_group": dup_group,
            "dup_rank": dup_rank,
        },
    )
    max_year = int(year.max()) if len(year) else None
    own_date = data_as_of(path, max_year) or config.today()
    out["published_on"] = first_published(df, posting, history, own_date)
    notes = []
    if ff.origin.startswith("package:"):
        notes.append(
            f"aijobs: loaded the copy bundled with mlsalary ({path.name}, aijobs.net's final data; CC0): {ff.note}, "
            "and no copy was given with --from, MLSALARY_MIRROR or in the cache"
        )
    elif ff.note and ff.note != "offline":
        notes.append(f"aijobs: {ff.note}; loaded the cached copy {path.name}")
    return ParseResult(
        rows_read=n_read,
        version=version_of(path),
        observations=out,
        quarantine=q,
        data_as_of=data_as_of(path, max_year),
        notes=notes,
    )


def _keys(df: pd.DataFrame) -> pd.Series:
    """One text key per row of the eleven published fields (numbers as whole numbers, codes in capitals): the same
    row published in two snapshots has the same key."""
    import pandas as pd

    parts = []
    for c in COLUMNS:
        v = df[c].astype(str).str.strip()
        if c in ("work_year", "salary", "salary_in_usd", "remote_ratio"):
            v = pd.to_numeric(v, errors="coerce").round().astype("Int64").astype(str)
        elif c != "job_title":
            v = v.str.upper()
        parts.append(v)
    out = parts[0]
    for v in parts[1:]:
        out = out + "\x1f" + v
    return out


def first_published(df: pd.DataFrame, posting: np.ndarray, history: list[FetchedFile], own: date) -> pd.Series:
    """The date each row's posting was first public (vintage ``snapshot`` rule): the earliest older snapshot holding
    the row, matched on all eleven fields and counting copies (a row published twice in an older snapshot dates two
    copies); a posting is public when all its rows are; otherwise the file's own date. The older snapshots are taken
    oldest first, and each holds at least as many copies of a row as the one before it held (snapshots grow)."""
    import numpy as np
    import pandas as pd

    published = np.full(len(df), np.datetime64(own, "D"))
    older = []
    for f in history:
        m = _DATED.search(f.path.name)
        if m and date.fromisoformat(m.group(1)) < own:
            older.append((date.fromisoformat(m.group(1)), f))
    if older:
        keys = _keys(df).to_numpy()
        # Copies of a key, oldest row first (the file lists its newest rows at the top): older snapshots date them.
        copy = pd.Series(-df["record"].to_numpy()).groupby(keys).rank(method="first").to_numpy() - 1
        held = np.zeros(len(df))
        dated = np.zeros(len(df), dtype=bool)
        for day, f in sorted(older, key=lambda t: t[0]):
            tab = textfile.table(textfile.read_bytes(f.path, META.name), f.path, META.name)
            lowered = [h.lower() for h in tab.header]
            if any(c not in lowered for c in COLUMNS):
                raise SchemaError(f"aijobs: {f.path.name}: an older snapshot without the aijobs.net columns "
                                  f"({', '.join(COLUMNS)}); remove it from {f.path.parent}")  # fmt: skip
            cols = list(tab.frame.columns[:-1])
            old = pd.DataFrame({c: tab.frame[cols[lowered.index(c)]] for c in COLUMNS})
            counts = _keys(old).value_counts()
            held = np.maximum(held, pd.Series(keys).map(counts).fillna(0).to_numpy())
            now = ~dated & (copy < held)
            published[now] = np.datetime64(day, "D")
            dated |= now
    per_posting = pd.Series(published).groupby(posting).transform("max")
    return pd.Series(per_posting.to_numpy()).dt.date


def pair_postings(df: pd.DataFrame, pay: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The posting rule (module docstring), vectorised: (posting_part, posting_id) for each row, in file order.

    A row i can open a range when row i+1 is the next published row (consecutive record numbers), has the same nine
    non-pay fields and a salary not above row i's. Within a run of such rows, pairs form greedily from the top: the
    rows at even distance from the run's start open a range, the row after each of them closes it.
    """
    import numpy as np

    n = len(df)
    rec = df["record"].to_numpy()
    can = np.zeros(n, dtype=bool)
    if n > 1:
        link = (rec[1:] == rec[:-1] + 1) & (pay[1:] <= pay[:-1])
        for c in POSTING_FIELDS:
            v = df[c].to_numpy()
            link &= v[1:] == v[:-1]
        can[:-1] = link
    idx = np.arange(n)
    run_start = np.maximum.accumulate(np.where(can, -1, idx)) + 1  # first index of each run of can=True
    opens = can & ((idx - run_start) % 2 == 0)
    closes = np.zeros(n, dtype=bool)
    closes[1:] = opens[:-1]
    part = np.where(opens, "max", np.where(closes, "min", "single")).astype(object)
    posting = np.where(closes, np.roll(rec, 1), rec).astype("int64")
    return part, posting


def posting_duplicates(
    df: pd.DataFrame, part: np.ndarray, posting: np.ndarray, local: np.ndarray, usd: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(dup_group, dup_rank) per row, decided per posting: postings with the same nine fields and the same minimum
    and maximum (local and USD) are one posting listed again; both rows of a posting get its group and rank."""
    import numpy as np
    import pandas as pd

    first = part != "min"  # each posting's first row
    nxt = np.roll(np.arange(len(part)), -1)
    opens = part == "max"
    low_local = np.where(opens, local[nxt], local)
    low_usd = np.where(opens, usd[nxt], usd)
    key = pd.DataFrame({c: df[c].to_numpy()[first] for c in POSTING_FIELDS})
    key["low_local"], key["high_local"] = low_local[first], local[first]
    key["low_usd"], key["high_usd"] = low_usd[first], usd[first]
    key["posting"] = posting[first]
    groups = key.groupby(list(key.columns[:-1]), sort=False, dropna=False)["posting"]
    by_posting = pd.DataFrame(
        {"group": groups.transform("first").to_numpy(), "rank": groups.cumcount().to_numpy() + 1},
        index=key["posting"].to_numpy(),
    )
    per_row = by_posting.loc[posting]
    return per_row["group"].to_numpy("int64"), per_row["rank"].to_numpy("int64")


def data_as_of(path: Path, max_year: int | None) -> date | None:
    """The date a file's data is as of: a dated snapshot's date; a live or Kaggle copy's retrieval date or last work
    year's end — never later than the source's final data (META.final_data)."""
    m = _DATED.search(path.name)
    if m:
        found = date.fromisoformat(m.group(1))
    elif path.name == "salaries.csv":
        found = datetime.fromtimestamp(path.stat().st_mtime, UTC).date()
    elif max_year is not None:
        found = date(max_year, 12, 31)
    else:
        return None
    return min(found, date.fromisoformat(META.final_data)) if META.final_data else found


#: A plain decimal number in ASCII digits (Python's float() would also take "1_000", full-width or other digits).
_DECIMAL = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", re.ASCII)


def _number(text: str) -> float | None:
    """A finite number written as a plain ASCII decimal, else None."""
    if not _DECIMAL.fullmatch(text):
        return None
    x = float(text)
    return x if x == x and x not in (float("inf"), float("-inf")) else None


Check = Callable[[str], "tuple[str, str] | None"]


def _checks(lo: float, hi: float, max_year: int) -> dict[str, Check]:
    """One rule per column: value -> (reason, detail) when the value cannot be used, else None."""

    def year(y: str) -> tuple[str, str] | None:
        if not y.isdigit() or not 2000 <= int(y) <= max_year:
            return "bad_year", f'work_year "{y}" is not a year between 2000 and {max_year}'
        return None

    def code(col: str, table: dict[str, str], reason: str) -> Check:
        def check(v: str) -> tuple[str, str] | None:
            return None if v.upper() in table else (reason, f'{col} "{v}" is not one of {", ".join(table)}')

        return check

    def title(v: str) -> tuple[str, str] | None:
        return None if v else ("missing_job_title", "job_title is empty")

    def pay(col: str, optional: bool = False) -> Check:
        def check(v: str) -> tuple[str, str] | None:
            if optional and v == "":
                return None
            x = _number(v)
            if x is None:
                return "salary_not_numeric", f'{col} "{v}" is not a number'
            if x <= 0:
                return "pay_not_positive", f'{col} "{v}" is not a positive amount'
            if optional and not lo <= x <= hi:
                return "implausible_pay", f'{col} "{v}" is outside the plausible range {lo:,.0f}-{hi:,.0f} USD'
            return None

        return check

    def currency(v: str) -> tuple[str, str] | None:
        return (
            None
            if geo.is_currency(v)
            else ("unknown_currency", f'salary_currency "{v}" is not an ISO 4217 currency code')
        )

    def country(col: str) -> Check:
        def check(v: str) -> tuple[str, str] | None:
            return None if geo.to_iso2(v) else ("unknown_country", f'{col} "{v}" is not an ISO 3166-1 country code')

        return check

    def remote(v: str) -> tuple[str, str] | None:
        rr = _number(v)
        if rr is None or rr != int(rr) or not 0 <= rr <= 100:
            return "bad_remote_ratio", f'remote_ratio "{v}" is not a whole percentage 0-100'
        return None

    return {
        "work_year": year,
        "experience_level": code("experience_level", levels.AIJOBS_LEVELS, "unknown_experience_level"),
        "employment_type": code("employment_type", levels.AIJOBS_EMPLOYMENT, "unknown_employment_type"),
        "job_title": title,
        "salary": pay("salary"),
        "salary_currency": currency,
        "salary_in_usd": pay("salary_in_usd", optional=True),
        "employee_residence": country("employee_residence"),
        "remote_ratio": remote,
        "company_location": country("company_location"),
        "company_size": code("company_size", levels.AIJOBS_COMPANY_SIZE, "unknown_company_size"),
    }

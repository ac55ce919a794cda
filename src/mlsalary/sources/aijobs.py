"""aijobs.net salary data (formerly ai-jobs.net), CC0 1.0.

The unit is the **posting**. Since 2022 almost every row is one end of an employer's posted salary range: a range is
published as two adjacent rows, its maximum first, then its minimum, that share all nine non-pay fields. The rule
(``postings.pairs``), applied in file order to the rows that pass the checks:

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

import contextlib
import re
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlsalary import config
from mlsalary.errors import DownloadError, SchemaError, SourceError
from mlsalary.normalize import geo, levels, money, titles
from mlsalary.overlap import Ahead
from mlsalary.sources import (
    FetchedFile,
    ParseResult,
    ProgressFn,
    QuarantineRows,
    SourceMeta,
    contract,
    postings,
    retrieve,
    stream,
)

if TYPE_CHECKING:
    import numpy as np
    import pyarrow as pa

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
    # Its final file (2025-08-09) is 8.3 MB and aijobs.net has stopped publishing; read in batches (flat memory), a
    # copy a hundred times as large still loads (benchmarks/aijobs.py).
    max_bytes=1 << 30,
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
#: A file is read this much at a time (stream.batches): 1,514,450 generated rows read in 8 MB blocks peaked at
#: 1,178 MB, in 2 MB blocks at 911 MB, 2 s slower (benchmarks/aijobs.py).
BLOCK_BYTES = 2 << 20
#: The columns holding numbers (a row's key writes them as whole numbers: postings.Keys).
NUMBERS = ("work_year", "salary", "salary_in_usd", "remote_ratio")
#: The nine non-pay fields the two rows of one posted range share.
POSTING_FIELDS = tuple(c for c in COLUMNS if c not in ("salary", "salary_in_usd"))
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
    """Rows of one aijobs file -> observations + quarantine, whole (parse_batches' parts combined). Pure."""
    return ParseResult.combine(list(parse_batches(files)))


def parse_batches(files: list[FetchedFile]) -> Iterator[ParseResult]:
    """Rows of one aijobs file -> observations + quarantine, in parts: the file is read in batches (stream.batches),
    so memory stays flat however long it is. Pure: reads only the given files (the first is the data; any others are
    older snapshots, read only to date each posting: ``_first_published``).

    Two passes over the file. The first checks every row (each rule runs once per distinct value of its column:
    ``_checks``; a row's reason is the first failing field in column order), quarantines the rows that fail, and keeps
    a few numbers per usable row (record, pay, a code per field of the posting's key); the rules that need the whole
    file — the posting pairs (``postings.pairs``, across batch boundaries), re-listings (``postings.relisted``) and
    first publication — run on those numbers. The second pass reads the file again and writes each batch's
    observations (a file that changed between the passes is refused).
    """
    import numpy as np
    import pyarrow as pa

    ff, *history = files
    path = ff.path
    dated = [(date.fromisoformat(m.group(1)), f.path) for f in history if (m := _DATED.search(f.path.name))]
    # The older snapshots' keys are read by a thread of their own while the first pass reads the file.
    reading = Ahead(((day, _keys_of(p)) for day, p in dated), waiting=len(dated) + 1, name="aijobs-history")
    with contextlib.closing(reading):
        scan = _Scan(path, dating=bool(dated))
        rec, local, usd = (scan.concat(c) for c in ("record", "local", "usd"))
        (key9,) = postings.numbered(scan.concat("key9"))
        part, posting = postings.pairs(rec, local, key9)
        dup_group, dup_rank = postings.relisted(part, posting, key9, local, usd)
        usd_given, years = scan.concat("usd_given"), scan.concat("year")
        max_year = int(years.max()) if len(years) else None
        as_of = data_as_of(path, max_year)
        own = as_of or config.today()
        published = postings.first_published(scan.key_of, scan.concat("key11"), rec, posting, own,
                                             [(day, read) for day, read in reading if day < own])  # fmt: skip
    real_base = money.cpi_base_year()
    factors = {int(y): money.real_factor(int(y), real_base) for y in np.unique(years)}
    notes = []
    if ff.origin.startswith("package:"):
        notes.append(
            f"aijobs: loaded the copy bundled with mlsalary ({path.name}, aijobs.net's final data; CC0): {ff.note}, "
            "and no copy was given with --from, MLSALARY_MIRROR or in the cache"
        )
    elif ff.note and ff.note != "offline":
        notes.append(f"aijobs: {ff.note}; loaded the cached copy {path.name}")
    titles_: dict[str, tuple[str, str | None]] = {}
    countries: dict[str, str | None] = {}
    start, changed = 0, SourceError(f"aijobs: {path.name} changed while it was being read; pull again")
    for i, batch in enumerate(_read(path)[1]):
        if i >= len(scan.ok) or len(scan.ok[i]) != batch.table.num_rows:
            raise changed
        ok = scan.ok[i]
        k = int(ok.sum())
        at = slice(start, start + k)
        start += k
        obs = _observations(path, batch.table.filter(pa.array(ok)), {
            "record": rec[at], "year": years[at], "local": local[at], "usd": usd[at],
            "usd_given": usd_given[at], "part": part[at], "posting": posting[at],
            "dup_group": dup_group[at], "dup_rank": dup_rank[at], "published": published[at]},
            factors, real_base, titles_, countries)  # fmt: skip
        yield ParseResult(rows_read=batch.rows_read, version=version_of(path), observations=obs,
                          quarantine=scan.quarantine[i], data_as_of=as_of, notes=notes if i == 0 else [])  # fmt: skip
    if start != len(rec):  # fewer rows the second time
        raise changed
    if not scan.ok:  # a file with a header and no rows: one empty part, so the accounting is still written
        yield ParseResult(rows_read=0, version=version_of(path), observations=_observations(path, None, {}, {},
                          real_base, titles_, countries), data_as_of=as_of, notes=notes)  # fmt: skip


def _read(path: Path) -> tuple[list[str], Iterator[stream.Batch]]:
    """The file's header (stripped, lower case) and its batches of the eleven columns (SchemaError when one is
    missing). Kaggle's copies' extra index column is not read."""
    header, batches = stream.batches(path, META.name, COLUMNS, upper=False, block_bytes=BLOCK_BYTES)
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise SchemaError(
            f"aijobs: {path.name}: missing column(s) {', '.join(missing)} "
            f"(found: {', '.join(header[:12])}); expected the aijobs.net layout: {', '.join(COLUMNS)}"
        )
    return header, batches


class _Scan:
    """The first pass over a file (parse_batches): per batch, the quarantine and which rows are usable; per usable
    row, in file order, `record`, `year`, `local` and `usd` pay, `usd_given`, `key9` (the posting's nine fields, as
    codes: equal fields, equal codes) and, when older snapshots are to date the rows (`dating`), `key11` (the eleven
    published fields' key codes: `key_of`)."""

    def __init__(self, path: Path, dating: bool) -> None:
        import numpy as np
        import pyarrow as pa
        import pyarrow.compute as pc

        lo, hi = config.plausible_pay_range()
        checks = _checks(lo, hi, datetime.now(UTC).year + 1)
        verdicts: dict[str, dict[str, tuple[str, str] | None]] = {c: {} for c in COLUMNS}
        self.key_of = _row_keys()
        posting_key = postings.Keys(POSTING_FIELDS, numbers=(), as_written=POSTING_FIELDS)  # the fields as written
        self.ok: list[np.ndarray] = []
        self.quarantine: list[QuarantineRows] = []
        self.parts: dict[str, list[np.ndarray]] = {c: [] for c in ("record", "year", "local", "usd", "usd_given",
                                                                    "key9", "key11")}  # fmt: skip
        for batch in _read(path)[1]:
            q = QuarantineRows()
            reject = q.rejecter(META.name, path.name, list(COLUMNS))
            for rec, reason, detail, kept in batch.problems:
                reject(rec, [kept.get(c, "") for c in COLUMNS] if kept else [], reason, detail)
            t = batch.table
            cols = {c: pc.utf8_trim_whitespace(t.column(c)) for c in COLUMNS}
            n = t.num_rows
            problem: list[tuple[str, str] | None] = [None] * n
            bad = np.zeros(n, dtype=bool)
            encoded = {}
            for c in COLUMNS:
                encoded[c] = postings.encoded(cols[c])
                distinct, codes = encoded[c][0].to_pylist(), encoded[c][1]
                seen = verdicts[c]
                found = [seen[v] if v in seen else seen.setdefault(v, checks[c](v)) for v in distinct]
                fails = np.array([f is not None for f in found], dtype=bool)[codes] & ~bad
                for j in np.flatnonzero(fails):
                    problem[j] = found[codes[j]]
                bad |= fails
            year = postings.per_value(cols["work_year"], lambda v: int(v) if v.isdigit() else -1, np.int64)
            local = postings.numbers(cols["salary"])
            given = np.asarray(pc.not_equal(cols["salary_in_usd"], "").to_numpy(zero_copy_only=False), dtype=bool)
            usd = postings.numbers(cols["salary_in_usd"])
            currency = pc.utf8_upper(cols["salary_currency"])
            # Rows without salary_in_usd are converted at the year's average ECB rate, when there is one.
            for j in np.flatnonzero(~given & ~bad):
                y, cur, amt = int(year[j]), currency[j].as_py(), float(local[j])
                try:
                    converted = money.to_usd(amt, cur, y)
                except money.ConversionError as e:
                    problem[j], bad[j] = ("no_exchange_rate", f"salary_in_usd is empty and {e}"), True
                    continue
                if not lo <= converted <= hi:
                    problem[j] = ("implausible_pay", f"salary {amt:,.0f} {cur} is {converted:,.0f} USD, outside the "
                                  f"plausible range {lo:,.0f}-{hi:,.0f}")  # fmt: skip
                    bad[j] = True
                usd[j] = converted
            records = t.column("record").to_numpy()
            if bad.any():
                rows = t.filter(pa.array(bad))
                for j, row in zip(np.flatnonzero(bad), rows.to_pylist(), strict=True):
                    reason, detail = problem[j]  # type: ignore[misc]
                    reject(int(records[j]), [row[c] for c in COLUMNS], reason, detail)
            q.sort()
            ok = ~bad
            self.ok.append(ok)
            self.quarantine.append(q)
            for name, v in (("record", records), ("year", year), ("local", local), ("usd", usd), ("usd_given", given)):
                self.parts[name].append(v[ok])
            self.parts["key9"].append(posting_key.codes_of(encoded, n)[ok])
            if dating:
                self.parts["key11"].append(self.key_of.codes_of(encoded, n)[ok])

    def concat(self, name: str) -> np.ndarray:
        """A value's parts as one array; a key's are let go as they are taken (decided once, not held twice)."""
        import numpy as np

        if parts := (self.parts.pop(name) if name.startswith("key") else self.parts[name]):
            return np.concatenate(parts)
        return np.zeros((0, len(POSTING_FIELDS if name == "key9" else COLUMNS)) if name.startswith("key") else 0)


def _observations(path: Path, t: pa.Table | None, g: dict[str, np.ndarray], factors: dict[int, float | None],
                  real_base: int, titles_: dict[str, tuple[str, str | None]],
                  countries: dict[str, str | None]) -> pa.Table:  # fmt: skip
    """The observations of one batch's usable rows (`t`) with the whole-file values `g` for them (record, year, pay,
    posting part and id, re-listing group and rank, first publication), built column-wise as Arrow: each text rule
    runs once per distinct value of its column."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    if t is None or not t.num_rows:
        return contract.observation_table(0, {"source": "aijobs"})
    cols = {c: pc.utf8_trim_whitespace(t.column(c)) for c in COLUMNS}

    def each(c: str, fn: Callable[[str], Any]) -> pa.Array:
        return pa.array(postings.per_value(cols[c], fn, object), type=pa.string())

    def title(v: str) -> tuple[str, str | None]:
        if v not in titles_:
            titles_[v] = titles.map_title(v)
        return titles_[v]

    def country(v: str) -> str | None:
        if v not in countries:
            countries[v] = geo.to_iso2(v)
        return countries[v]

    years, where = np.unique(g["year"], return_inverse=True)
    factor = np.array([np.nan if factors.get(int(y)) is None else factors[int(y)] for y in years])[where.ravel()]
    usd = g["usd"]
    record = pa.array(g["record"], type=pa.int64())
    return contract.observation_table(t.num_rows, {
        "obs_id": pc.binary_join_element_wise(f"aijobs:{stem(path)}:", pc.cast(record, pa.string()), ""),
        "source": "aijobs",
        "source_file": path.name,
        "source_record": record,
        "year": pa.array(g["year"], type=pa.int64()),
        "pay_kind": pa.array(np.where(g["part"] == "single", "reported_or_posted", "posted_range")),
        "job_title_raw": cols["job_title"],
        "role": each("job_title", lambda v: title(v)[0]),
        "specialization": each("job_title", lambda v: title(v)[1]),
        "level": each("experience_level", lambda v: levels.AIJOBS_LEVELS.get(v.upper())),
        "employment_type": each("employment_type", lambda v: levels.AIJOBS_EMPLOYMENT.get(v.upper())),
        "company_country": each("company_location", country),
        "employee_country": each("employee_residence", country),
        "remote": each("remote_ratio", lambda v: levels.AIJOBS_REMOTE.get(int(float(v)), "hybrid")),
        "company_size": each("company_size", lambda v: levels.AIJOBS_COMPANY_SIZE.get(v.upper())),
        "experience_basis": "source_level",
        "amount_local": pa.array(g["local"], type=pa.float64(), from_pandas=True),
        "currency": pc.utf8_upper(cols["salary_currency"]),
        "amount_usd": pa.array(usd, type=pa.float64(), from_pandas=True),
        "amount_usd_real": pa.array(usd * factor, type=pa.float64(), from_pandas=True),  # NaN factor: NULL
        "real_base_year": pa.array(np.full(len(factor), real_base), type=pa.int64(), mask=np.isnan(factor)),
        "usd_conversion": pa.array(np.where(g["usd_given"], "source", "ecb_year_average")),
        "posting_id": pa.array(g["posting"], type=pa.int64()),
        "posting_part": pa.array(g["part"], type=pa.string()),
        "dup_group": pa.array(g["dup_group"], type=pa.int64()),
        "dup_rank": pa.array(g["dup_rank"], type=pa.int64()),
        "published_on": pa.array(g["published"].astype("datetime64[D]"), type=pa.date32()),
    })  # fmt: skip


def _row_keys() -> postings.Keys:
    """The key of a published row: its eleven fields (a row published in two snapshots has the same key)."""
    return postings.Keys(COLUMNS, numbers=NUMBERS, as_written=("job_title",))


def _keys_of(path: Path) -> tuple[postings.Keys, np.ndarray]:
    """An older snapshot's rows' key codes (rows x columns) and the Keys that made them."""
    import numpy as np

    try:
        _, batches = _read(path)
    except SchemaError:
        raise SchemaError(f"aijobs: {path.name}: an older snapshot without the aijobs.net columns "
                          f"({', '.join(COLUMNS)}); remove it from {path.parent}") from None  # fmt: skip
    keys = _row_keys()
    codes = [keys.codes(b.table) for b in batches]
    return keys, np.concatenate(codes) if codes else np.zeros((0, len(COLUMNS)), dtype=np.int32)


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
            x = postings.number(v)
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
        rr = postings.number(v)
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

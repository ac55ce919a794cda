"""H-1B Labor Condition Application (LCA) filings: the Department of Labor's disclosure data (OFLC; public domain).

An LCA is what an employer files before hiring on an H-1B (or E-3, H-1B1) visa: employer, job title, SOC code,
worksite, the wage it will pay (from/to, with its unit) and the prevailing-wage level it chose. One observation is
one **filing** (not a hire, not a person): the base pay offered (no bonus, no stock), in US dollars a year.

Two layouts are read:

- **Official** (OFLC disclosure files, FY2020 onwards: xlsx, or CSV exports of them; one file per quarter), by
  header name. Only the columns in ``OFFICIAL_COLUMNS`` are ever read: the files' contact, attorney and preparer
  names, e-mails, phones and addresses never reach the store, not even the quarantine. Rules, in order (each
  quarantine reason in brackets):
  certified cases only [withdrawn: "Withdrawn" and "Certified - Withdrawn"; denied]; H-1B, E-3 and H-1B1 visa
  classes [other_visa_class]; full-time positions [part_time]; a wage with a known unit, annualised (hour x 2,080,
  week x 52, bi-weekly x 26, month x 12, year x 1) [no_pay, unknown_wage_unit]; within the plausibility rule
  [implausible_pay]; one filing per CASE_NUMBER [duplicate_case: the same case in another file or row]. The wage
  range is kept (amount_low_usd = from, amount_high_usd = to when filed above from) and its midpoint is the value, as
  for a posted range. PW_WAGE_LEVEL I-IV is kept and mapped to a level — I entry, II mid, III and IV senior — with
  the caveat that it is the prevailing-wage level the employer chose for the job, not the person's seniority.
  The year is that of the decision (DECISION_DATE; RECEIVED_DATE when it is blank). They are read in batches and
  their rules applied column by column (sources/oflc.py), quarters in fiscal-year order (pick); a filing without a
  case number is a filing of its own.
- **h1bdata.info's copy** (the mirror's ``h1b/h1bdata_data_jobs_2015-2019.csv``: company, title, salary, location,
  date, year): the same public filings of data job titles as republished by h1bdata.info, which lists certified
  filings with an annual base salary. It has no case number, visa class, wage level or unit: rows identical in every
  field are kept and marked as duplicates (dup_rank > 1), not dropped. Level is unknown.

Both: job titles map to roles with the shared title rules (normalize.titles); the employer's filed name is kept and
normalised into an ``employer_key`` (normalize.companies.employer_key); the worksite's city and state are kept (a
metro is matched at query time from the OEWS metro names: wages.metro_cities).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from mlsalary import config
from mlsalary.sources import FetchedFile, ParseResult, ProgressFn, QuarantineRows, SourceMeta, contract, oflc, retrieve

if TYPE_CHECKING:
    import pandas as pd

META = SourceMeta(
    name="lca",
    title="H-1B Labor Condition Application disclosure data (US Department of Labor, OFLC)",
    licence="US government work, public domain",
    homepage="https://www.dol.gov/agencies/eta/foreign-labor/performance",
    citation="U.S. Department of Labor, Employment and Training Administration, Office of Foreign Labor "
    "Certification, LCA Programs (H-1B, H-1B1, E-3) disclosure data; 2015-2019 data-job filings as republished by "
    "h1bdata.info",
    unit="base wage offered in an H-1B visa filing, annualised US dollars (a filing, not a hire; no bonus or stock)",
    period="FY2020 onwards (official quarterly files); 2015-2019 (h1bdata.info copy of data job titles)",
    download_urls=tuple(
        "https://www.dol.gov/sites/dolgov/files/ETA/oflc/pdfs/"
        + ("LCA_Dislclosure_Data_FY2026_Q3.xlsx" if (fy, q) == (2026, 3) else f"LCA_Disclosure_Data_FY{fy}_Q{q}.xlsx")
        for fy in range(2020, 2027) for q in (1, 2, 3, 4)
    ),  # every quarter of FY2020-FY2026 (FY2026 Q3 is published under that spelling)
    expected_files="LCA_Disclosure_Data_FY20YY_QN.xlsx (or a CSV export), or h1bdata_*.csv",
    how_to_provide=(
        "download the quarterly LCA disclosure files from https://www.dol.gov/agencies/eta/foreign-labor/performance "
        '(section "LCA Programs") and run "mlsalary data pull lca --from <the file or its folder>" (or put them in '
        "the mirror's h1b/ folder)"
    ),
    count_unit="filings",
    pay_kinds=("employer_filed",),
    refresh="OFLC publishes each fiscal quarter's disclosure file a few weeks after the quarter ends",
    folder="h1b",
    max_bytes=4 << 30,  # an OFLC quarter's xlsx is 100-200 MB, over 1 GB of XML unpacked
    published="mid_next_year",
    # Its reader takes as long as the store's writes: 2,000,000 generated filings, interleaved, load in 11.25-11.38 s
    # with 1 part waiting, 10.10-10.12 s with 4, 9.43-10.06 s with 8, 9.35-9.52 s with 16; peak 1,132-1,244 MB
    # whichever (each part is at most a block of its file: stream.BLOCK_BYTES).
    parts_ahead=16,
)

H1BDATA_COLUMNS = ("company", "title", "salary", "location", "date", "year")
_LOCATION = re.compile(r".+,\s*[A-Za-z]{2}")



#: An official quarterly file's name: OFLC's own spelling varies (FY2026 Q3 was published as
#: "LCA_Dislclosure_Data_FY2026_Q3.xlsx"), so any LCA_*Data_FY<year>[_Q<n>] name is one.
_OFFICIAL_NAME = re.compile(r"^LCA_\w*Data_FY_?(\d{4})(?:_Q([1-4]))?\.(?:xlsx|csv(?:\.\w+)?|zip)$", re.IGNORECASE)


def pick(folder: Path) -> list[Path]:
    """Official quarterly files (xlsx or CSV) in fiscal year and quarter order — a case met again in a later quarter
    is the repeat —, then h1bdata.info copies."""
    official = []
    for p in folder.iterdir() if folder.is_dir() else []:
        m = _OFFICIAL_NAME.match(p.name)
        if m and p.is_file():
            official.append(((int(m.group(1)), int(m.group(2) or 0), p.name), p))
    copies = sorted(p for p in folder.glob("h1bdata_*.csv*") if p.is_file())
    return [p for _, p in sorted(official)] + copies


def fetch(
    from_path: Path | None = None, offline: bool = False, progress: ProgressFn | None = None
) -> list[FetchedFile]:
    """The user's files, the mirror's h1b/ folder, or — online — every official quarter of META.download_urls.

    Online, each quarter is taken from the download cache when it is there and downloaded (with progress) when it is
    not, so a pull that stopped half-way resumes with the quarters it lacks. A quarter the server does not have (HTTP
    404: not published yet) is left out and named; any other failure stops the source (the store keeps its data)."""
    from mlsalary.errors import DownloadError
    from mlsalary.progress import step

    local = retrieve.resolve_local(META, from_path, pick)
    if local:
        return local
    got: list[FetchedFile] = []
    lacking: list[str] = []
    for i, url in enumerate(META.download_urls, start=1):
        dest = retrieve.source_cache(META.name) / Path(url).name
        digest = retrieve.cached(dest)
        if digest:
            got.append(FetchedFile(dest, digest, f"cache:{dest}"))
            continue
        if offline or config.offline():
            lacking.append(dest.name)
            continue
        try:
            with step(f"lca: downloading {dest.name} (quarter {i} of {len(META.download_urls)})"):
                digest = retrieve.download(url, dest, progress=progress)
        except DownloadError as e:
            if "HTTP 404" in str(e):
                lacking.append(dest.name)
                continue
            raise retrieve.unavailable(META, f"the download of {dest.name} failed ({e}); the quarters downloaded so "
                                       "far are kept for the next pull") from None  # fmt: skip
        got.append(FetchedFile(dest, digest, f"download:{url}"))
    if not got:
        why = "offline, and nothing in the mirror or the cache" if offline or config.offline() else \
            f"no quarter could be downloaded ({', '.join(lacking[:3])}{' …' if len(lacking) > 3 else ''} answered 404)"
        raise retrieve.unavailable(META, why)
    if lacking:  # said on the first file: the pull's notes carry it
        got[0] = dataclasses.replace(got[0], note=f"not available: {', '.join(lacking)}")
    return got


def parse(files: list[FetchedFile]) -> ParseResult:
    """LCA files -> observations (one per certified full-time filing) and quarantine, whole. Pure."""
    return ParseResult.combine(list(parse_batches(files)))


def parse_batches(files: list[FetchedFile]) -> Iterator[ParseResult]:
    """The same as parse(), in parts of some tens of thousands of rows (an official file is read in batches: memory
    stays flat however many quarters are given); the store writes each part as it comes (store.ingest)."""
    from mlsalary.progress import step

    seen = oflc.Cases()  # case numbers already taken: one filing per case, across the batches and files too
    cache = oflc.Cache()
    said = [f"lca: {f.note}" for f in files if f.note]  # e.g. the quarters the server did not have
    if said:
        yield ParseResult(rows_read=0, version="", notes=said)
    for i, f in enumerate(files, start=1):
        with step(f"lca: {f.path.name} (file {i} of {len(files)})"):
            if f.path.name.lower().startswith("h1bdata"):
                yield _parse_h1bdata(f.path)
            else:
                yield from oflc.parse(f.path, seen, cache, META.name)


def _joined(df: pd.DataFrame, columns: tuple[str, ...]) -> pd.Series:
    """The row's fields joined into one key (every field equal = the same key)."""
    out = df[columns[0]].astype(str)
    for c in columns[1:]:
        out = out + "\x1f" + df[c].astype(str)
    return out


def _parse_h1bdata(path: Path) -> ParseResult:
    """h1bdata.info's copy (module docstring), column by column: each rule runs over whole columns (amounts as the
    official files' are read: oflc.money_column); the one-line reasons are written for the rows that fail only."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    tab = contract.read_table(path, META.name)
    contract.require_columns(tab, H1BDATA_COLUMNS, META.name, path,
                             "h1bdata.info's export (company, title, salary, location, date, year)")  # fmt: skip
    header = tab.header
    df = tab.select(list(H1BDATA_COLUMNS)).fillna("")
    q = QuarantineRows()
    reject = q.rejecter(META.name, path.name, header)
    for row, reason, detail in tab.problems():
        reject(row.record, row.fields, reason, detail)
    lo, hi = config.plausible_pay_range()

    def column(c: str) -> pa.Array:
        return pa.array(df[c].astype(str).tolist(), type=pa.string())

    salary, year, location = column("salary"), column("year"), column("location")
    pay = oflc.money_column(salary)
    y = pc.utf8_trim_whitespace(year)
    digits = pc.match_substring_regex(y, r"^[0-9]{1,9}$").to_numpy(zero_copy_only=False)
    years_all = np.zeros(len(df), dtype=np.int64)
    years_all[digits] = pc.cast(pc.filter(y, pa.array(digits)), pa.int64()).to_numpy(zero_copy_only=False)
    with np.errstate(invalid="ignore"):
        reasons = np.select(
            [np.isnan(pay), ~((pay >= lo) & (pay <= hi)),
             ~(digits & (years_all >= 2000) & (years_all <= config.today().year)),
             ~pc.match_substring_regex(pc.utf8_trim_whitespace(location), f"^(?:{_LOCATION.pattern})$"
                                       ).to_numpy(zero_copy_only=False)],
            ["no_pay", "implausible_pay", "bad_year", "bad_location"], "")  # fmt: skip
    bad = reasons != ""
    for i in np.flatnonzero(bad):
        reason, v = str(reasons[i]), float(pay[i])
        detail = {"no_pay": f'salary "{salary[i].as_py()}" is not an amount',
                  "implausible_pay": f"salary {v:,.0f} USD is outside the plausible range {lo:,.0f}-{hi:,.0f} "
                                     f"{config.PLAUSIBILITY_HINT}",
                  "bad_year": f'year "{y[i].as_py()}" is not a year from 2000 to now',
                  "bad_location": f'location "{location[i].as_py()}" is not "CITY, ST"'}[reason]  # fmt: skip
        reject(int(df["record"].iloc[i]), tab.rows[i], reason, detail)
    q.sort()
    d = df[~bad].reset_index(drop=True)
    pay, years = pay[~bad], years_all[~bad]
    loc = d["location"].str.rsplit(",", n=1)
    last = pc.max(oflc.date_column(pa.array(d["date"].astype(str).tolist(), type=pa.string()))).as_py()
    identity = _joined(d, H1BDATA_COLUMNS)  # rows identical in every field are one filing listed again
    record = d["record"].astype("int64")
    blank = [""] * len(d)
    filed = pa.table({"JOB_TITLE": d["title"].astype(str), "EMPLOYER_NAME": d["company"].astype(str),
                      "PW_WAGE_LEVEL": blank, "SOC_CODE": blank, "WORKSITE_CITY": loc.str[0].astype(str),
                      "WORKSITE_STATE": loc.str[1].astype(str), "record": record})  # fmt: skip
    obs = oflc.observations(path, filed, years, pay, pay, np.full(len(d), np.nan), oflc.Cache(),
                            dup_group=record.groupby(identity, sort=False).transform("min").to_numpy(),
                            dup_rank=(identity.groupby(identity, sort=False).cumcount() + 1).to_numpy())  # fmt: skip
    return ParseResult(rows_read=tab.rows_read, version="h1bdata.info 2015-2019", observations=obs, quarantine=q,
                       notes=[f"lca: read {path.name} as h1bdata.info's copy (certified filings, annual base "
                              "salary; no case numbers, wage levels or units)"],
                       data_as_of=last.date() if last is not None else None)  # fmt: skip

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
  The year is that of the decision (DECISION_DATE; RECEIVED_DATE when it is blank).
- **h1bdata.info's copy** (the mirror's ``h1b/h1bdata_data_jobs_2015-2019.csv``: company, title, salary, location,
  date, year): the same public filings of data job titles as republished by h1bdata.info, which lists certified
  filings with an annual base salary. It has no case number, visa class, wage level or unit: rows identical in every
  field are kept and marked as duplicates (dup_rank > 1), not dropped. Level is unknown.

Both: job titles map to roles with the shared title rules (normalize.titles); the employer's filed name is kept and
normalised into an ``employer_key`` (``employer_key``); the worksite's city and state are kept (a metro is matched
at query time from the OEWS metro names: wages.metro_cities).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlsalary import config
from mlsalary.errors import SchemaError
from mlsalary.normalize import titles
from mlsalary.sources import FetchedFile, ParseResult, ProgressFn, QuarantineRows, SourceMeta, contract, retrieve

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

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
)

#: The only columns read from an official file (an allow-list: nothing personal is ever read or stored).
OFFICIAL_COLUMNS = (
    "CASE_NUMBER", "CASE_STATUS", "RECEIVED_DATE", "DECISION_DATE", "VISA_CLASS", "JOB_TITLE", "SOC_CODE",
    "SOC_TITLE", "FULL_TIME_POSITION", "BEGIN_DATE", "EMPLOYER_NAME", "NAICS_CODE", "WORKSITE_CITY", "WORKSITE_COUNTY",
    "WORKSITE_STATE", "WORKSITE_POSTAL_CODE", "WAGE_RATE_OF_PAY_FROM", "WAGE_RATE_OF_PAY_TO", "WAGE_UNIT_OF_PAY",
    "PREVAILING_WAGE", "PW_UNIT_OF_PAY", "PW_WAGE_LEVEL",
)  # fmt: skip
#: The columns an official file must have.
REQUIRED = ("CASE_NUMBER", "CASE_STATUS", "VISA_CLASS", "JOB_TITLE", "FULL_TIME_POSITION", "EMPLOYER_NAME",
            "WORKSITE_CITY", "WORKSITE_STATE", "WAGE_RATE_OF_PAY_FROM", "WAGE_UNIT_OF_PAY")  # fmt: skip
H1BDATA_COLUMNS = ("company", "title", "salary", "location", "date", "year")
VISA_CLASSES = {"H-1B", "E-3 AUSTRALIAN", "E-3", "H-1B1 CHILE", "H-1B1 SINGAPORE"}
#: Wage units -> hours, weeks, ... in a year (a full-time year: 2,080 hours).
UNITS_PER_YEAR = {"YEAR": 1.0, "HOUR": 2080.0, "WEEK": 52.0, "BI-WEEKLY": 26.0, "MONTH": 12.0}
#: PW_WAGE_LEVEL -> level (the prevailing-wage level the employer chose; not the person's seniority).
WAGE_LEVEL_TO_LEVEL = {"I": "entry", "II": "mid", "III": "senior", "IV": "senior"}
LEVEL_CAVEAT = ("the level of an LCA is the prevailing-wage level (I-IV) the employer chose for the job, not the "
                "person's seniority: I is mapped to entry, II to mid, III and IV to senior")  # fmt: skip

#: Legal forms dropped from the end of an employer's name, repeatedly ("GOOGLE LLC", "Google Inc." -> GOOGLE).
LEGAL_SUFFIXES = ("INCORPORATED", "INC", "LLC", "L L C", "LTD", "LIMITED", "CORPORATION", "CORP", "COMPANY", "CO",
                  "LLP", "LP", "PLC", "PC", "PLLC", "GMBH", "AG", "SA", "NV", "BV", "USA INC")  # fmt: skip
_LOCATION = re.compile(r".+,\s*[A-Za-z]{2}")
_SUFFIX_RE = re.compile(r"(?:\s+(?:" + "|".join(re.escape(s) for s in LEGAL_SUFFIXES) + r"))+$")


def employer_key(name: str | None) -> str | None:
    """A filed employer name as one key: upper case, '&' as AND, punctuation dropped (so "AMAZON.COM" and
    "AMAZONCOM" meet), a leading THE and trailing legal forms removed, then the company it belongs to by the declared
    groups (normalize.companies: Amazon's entities are AMAZON, Facebook is META PLATFORMS). None for a blank name."""
    from mlsalary.normalize import companies

    if not name or not name.strip():
        return None
    k = name.upper().replace("&", " AND ")
    k = re.sub(r"[.,'\"`’()]", "", k)
    k = re.sub(r"[^A-Z0-9]+", " ", k).strip()
    k = re.sub(r"^THE\s+", "", k)
    k = _SUFFIX_RE.sub("", k).strip()
    return companies.group_of(k or name.strip().upper())


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
        got[0] = FetchedFile(got[0].path, got[0].sha256, got[0].origin,
                             note=f"not available: {', '.join(lacking)}")  # fmt: skip
    return got


def parse(files: list[FetchedFile]) -> ParseResult:
    """LCA files -> observations (one per certified full-time filing) and quarantine, whole. Pure."""
    return ParseResult.combine(list(parse_batches(files)))


def parse_batches(files: list[FetchedFile]) -> Iterator[ParseResult]:
    """The same as parse(), in parts of some tens of thousands of rows (an official file is read in batches: memory
    stays flat however many quarters are given); the store writes each part as it comes (store.ingest)."""
    from mlsalary.progress import step

    seen: set[str] = set()  # case numbers already taken: one filing per case, across the batches and files too
    cache = _Cache()
    said = [f"lca: {f.note}" for f in files if f.note]  # e.g. the quarters the server did not have
    if said:
        yield ParseResult(rows_read=0, version="", notes=said)
    for i, f in enumerate(files, start=1):
        with step(f"lca: {f.path.name} (file {i} of {len(files)})"):
            if f.path.name.lower().startswith("h1bdata"):
                yield _parse_h1bdata(f.path)
            else:
                yield from _parse_official(f.path, seen, cache)


class _Cache:
    """Per distinct value, across batches: a title's (role, specialization), a filed name's employer key."""

    def __init__(self) -> None:
        self.titles: dict[str, tuple[str, str]] = {}
        self.keys: dict[str, str | None] = {}

    def title(self, values: pd.Series) -> tuple[list[str], list[str]]:
        new = [t for t in values.unique() if t not in self.titles]
        self.titles.update({t: titles.map_title(t) for t in new})
        mapped = [self.titles[t] for t in values]
        return [m[0] for m in mapped], [m[1] for m in mapped]

    def titles_of(self, values: list[str]) -> tuple[list[str], list[str]]:
        """(roles, specializations) of distinct titles."""
        new = [t for t in values if t not in self.titles]
        self.titles.update({t: titles.map_title(t) for t in new})
        return [self.titles[t][0] for t in values], [self.titles[t][1] for t in values]

    def keys_of(self, values: list[str]) -> list[str | None]:
        """Employer keys of distinct filed names."""
        new = [e for e in values if e not in self.keys]
        self.keys.update({e: employer_key(e) for e in new})
        return [self.keys[e] for e in values]

    def key(self, values: pd.Series) -> pd.Series:
        new = [e for e in values.unique() if e not in self.keys]
        self.keys.update({e: employer_key(e) for e in new})
        return values.map(self.keys)


def _money(text: str) -> float | None:
    t = text.strip().replace("$", "").replace(",", "")
    if not t:
        return None
    try:
        v = float(t)
    except ValueError:
        return None
    return v if v == v and v not in (float("inf"), float("-inf")) else None


def _date(text: str) -> date | None:
    t = text.strip()[:10]
    m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", t)
    if m:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    m = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", text.strip().split(" ")[0])
    if m:
        return date(int(m.group(3)), int(m.group(1)), int(m.group(2)))
    return None


def _raw(row: dict[str, str]) -> str:
    import json

    return json.dumps({k: v for k, v in row.items() if v}, ensure_ascii=False)


#: Quarantine reasons of official rows, in the order the rules are tried (a row's reason is the first that holds).
REASONS = ("withdrawn", "denied", "not_certified", "other_visa_class", "part_time", "no_pay", "unknown_wage_unit",
           "duplicate_case", "implausible_pay")  # fmt: skip
_NUMBER = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"


def _money_column(values: pa.Array) -> Any:
    """Amounts as floats ("$75.00", "3,000"), NaN where a value is not a finite amount."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    cleaned = pc.replace_substring_regex(pc.utf8_trim_whitespace(values), "[$,]", "")
    number = pc.cast(pc.if_else(pc.match_substring_regex(cleaned, _NUMBER), cleaned, None), pa.float64())
    out = number.to_numpy(zero_copy_only=False).astype(float, copy=True)
    out[~np.isfinite(out)] = np.nan
    return out


def _date_column(values: pa.Array) -> pa.Array:
    """Dates written as ISO (2024-01-17, with or without a time) or as m/d/yyyy; null otherwise."""
    import pyarrow.compute as pc

    v = pc.utf8_trim_whitespace(values)
    iso = pc.strptime(pc.utf8_slice_codeunits(v, 0, 10), format="%Y-%m-%d", unit="s", error_is_null=True)
    first = pc.list_element(pc.split_pattern(v, " ", max_splits=1), 0)
    return pc.coalesce(iso, pc.strptime(first, format="%m/%d/%Y", unit="s", error_is_null=True))


def _json_rows(table: pa.Table, columns: tuple[str, ...]) -> list[str]:
    """Each row's non-empty `columns` as JSON (as _raw writes it), built column-wise; a row holding a control
    character is written by json.dumps (it escapes them)."""
    import numpy as np
    import pyarrow.compute as pc

    parts = []
    for c in columns:
        v = table.column(c)
        esc = pc.replace_substring(pc.replace_substring(v, "\\", "\\\\"), '"', '\\"')
        text = pc.binary_join_element_wise(f'"{c}": "', esc, '"', "")
        parts.append(pc.if_else(pc.equal(v, ""), None, text))
    body = pc.binary_join_element_wise(*parts, ", ", null_handling="skip")
    out: list[str] = pc.binary_join_element_wise("{", pc.coalesce(body, ""), "}", "").to_pylist()
    control = np.zeros(table.num_rows, dtype=bool)
    for c in columns:
        control |= pc.match_substring_regex(table.column(c), "[\\x00-\\x1f]").to_numpy(zero_copy_only=False)
    for j in np.flatnonzero(control):
        out[j] = _raw({c: table.column(c)[j].as_py() for c in columns})
    return out


def _official_table(path: Path, d: pa.Table, years: Any, mid: Any, low: Any, high: Any, cache: _Cache) -> pa.Table:
    """The observations of an official batch's kept rows, built column by column as Arrow arrays (the same values
    _frame gives the h1bdata.info copy: a title's role, a name's key, looked up once per distinct value)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    from mlsalary.normalize import money
    from mlsalary.sources import contract

    n = d.num_rows

    def trimmed(c: str, up: bool = False) -> Any:
        v = pc.utf8_trim_whitespace(d.column(c))
        v = pc.utf8_upper(v) if up else v
        return pc.if_else(pc.equal(v, ""), None, v)

    def looked_up(values: Any, lookup: Any) -> list[Any]:
        """lookup(distinct values) -> lists of results, one per distinct value; then spread row by row."""
        enc = pc.dictionary_encode(pc.fill_null(values, ""))
        enc = enc.combine_chunks() if isinstance(enc, pa.ChunkedArray) else enc
        return [pa.array(r, type=pa.string()).take(enc.indices) for r in lookup(enc.dictionary.to_pylist())]

    title = pc.utf8_trim_whitespace(d.column("JOB_TITLE"))
    roles, specs = looked_up(title, cache.titles_of)
    (keys,) = looked_up(pc.utf8_trim_whitespace(d.column("EMPLOYER_NAME")), lambda es: [cache.keys_of(es)])
    levels = list(WAGE_LEVEL_TO_LEVEL)
    at = pc.index_in(pc.utf8_upper(pc.utf8_trim_whitespace(d.column("PW_WAGE_LEVEL"))), value_set=pa.array(levels))
    real_base = money.cpi_base_year()
    uniq, where = np.unique(years, return_inverse=True)
    factor = np.array([money.real_factor(int(y), real_base) or np.nan for y in uniq], dtype=float)[where.ravel()]
    record = d.column("record")

    def num(v: Any) -> Any:
        return pa.array(v, type=pa.float64(), from_pandas=True)  # NaN is NULL, as a frame's NaN is

    return contract.observation_table(n, {
        "obs_id": pc.binary_join_element_wise(f"lca:{path.name.split('.')[0]}:", pc.cast(record, pa.string()), ""),
        "source": "lca", "source_file": path.name, "source_record": record, "year": years,
        "pay_kind": "employer_filed", "job_title_raw": pc.if_else(pc.equal(title, ""), None, title),
        "role": roles, "specialization": specs,
        "level": pa.array(list(WAGE_LEVEL_TO_LEVEL.values()), type=pa.string()).take(at),
        "employment_type": "full_time", "company_country": "US",
        "experience_basis": pc.if_else(pc.is_valid(at), "source_level", None),
        "amount_local": num(mid), "currency": "USD", "amount_usd": num(mid), "amount_usd_real": num(mid * factor),
        "real_base_year": pa.array(np.where(np.isnan(factor), 0, real_base), mask=np.isnan(factor), type=pa.int32()),
        "usd_conversion": "source", "amount_low_usd": num(low), "amount_high_usd": num(high),
        "employer": trimmed("EMPLOYER_NAME"), "employer_key": keys,
        "soc_code": trimmed("SOC_CODE"), "wage_level": pa.array(levels, type=pa.string()).take(at),
        "worksite_city": trimmed("WORKSITE_CITY", up=True), "worksite_state": trimmed("WORKSITE_STATE", up=True),
        "dup_group": record, "dup_rank": np.ones(n, dtype=np.int32),
    })  # fmt: skip


def _details(path: Path, t: pa.Table, why: Any, annual: Any, lo: float, hi: float) -> list[str]:
    """The one-line reason of each quarantined row (`why`: its reason), built column-wise."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    def join(*parts: Any) -> Any:
        return pc.binary_join_element_wise(*parts, "")

    case = pc.utf8_trim_whitespace(t.column("CASE_NUMBER"))
    status = t.column("CASE_STATUS")
    units = ", ".join(u.title() for u in UNITS_PER_YEAR)
    texts = {
        "withdrawn": join("case ", case, ' is "', status, '": not a certified filing'),
        "denied": join("case ", case, " was denied: not a certified filing"),
        "not_certified": join("case ", case, ' has status "', status, '"'),
        "other_visa_class": join('visa class "', t.column("VISA_CLASS"), '" is not H-1B, E-3 or H-1B1'),
        "part_time": join("case ", case, " is not a full-time position"),
        "no_pay": join('WAGE_RATE_OF_PAY_FROM "', t.column("WAGE_RATE_OF_PAY_FROM"), '" is not an amount'),
        "unknown_wage_unit": join('WAGE_UNIT_OF_PAY "', t.column("WAGE_UNIT_OF_PAY"), f'" is not one of {units}'),
        "duplicate_case": join("case ", case, " is listed again (in this file or an earlier one): one filing per case"),
    }
    out = np.empty(t.num_rows, dtype=object)
    for reason, text in texts.items():
        hit = why == reason
        if hit.any():
            out[hit] = np.array(text.filter(pa.array(hit)).to_pylist(), dtype=object)
    for j in np.flatnonzero(why == "implausible_pay"):
        out[j] = (f"{annual[j]:,.0f} USD a year is outside the plausible range {lo:,.0f}-{hi:,.0f} "
                  f"{config.PLAUSIBILITY_HINT}")  # fmt: skip
    head = join(f"lca: {path.name} row ", pc.cast(t.column("record"), pa.string()), ": ")
    return [f"{h}{d} (quarantined)" for h, d in zip(head.to_pylist(), out, strict=True)]


def _parse_official(path: Path, seen_cases: set[str], cache: _Cache) -> Iterator[ParseResult]:
    """An official file in batches (stream.batches): the rules of the module docstring, column by column."""
    import numpy as np
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    from mlsalary.sources import stream

    header, parts = stream.batches(path, META.name, OFFICIAL_COLUMNS,
                                   member_suffix=".xlsx" if path.suffix == ".zip" else ".csv",
                                   header_has="CASE_NUMBER")  # fmt: skip
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise SchemaError(f"lca: {path.name}: missing column(s) {', '.join(missing)}; expected OFLC's LCA disclosure "
                          "layout (FY2020 onwards)")  # fmt: skip
    lo, hi = config.plausible_pay_range()
    first = True

    def upper(table: pa.Table, c: str) -> Any:
        return pc.utf8_upper(pc.utf8_trim_whitespace(table.column(c)))

    def text(table: pa.Table, c: str, strip: bool = True) -> pd.Series:
        v = pc.utf8_trim_whitespace(table.column(c)) if strip else table.column(c)
        return pd.Series(v.to_pylist(), dtype=object)

    def isin(values: Any, allowed: Any) -> Any:
        return pc.is_in(values, value_set=pa.array(sorted(allowed))).to_numpy(zero_copy_only=False)

    for batch in parts:
        t = batch.table
        n = t.num_rows
        q = QuarantineRows()
        for rec, why_, detail, kept in batch.problems:  # malformed rows: only their allowed fields, when aligned
            q.add(path.name, rec, why_, f"lca: {path.name} row {rec}: {detail} (quarantined)", _raw(kept))
        status = upper(t, "CASE_STATUS")
        case_arr = pc.utf8_trim_whitespace(t.column("CASE_NUMBER"))
        frm, to = _money_column(t.column("WAGE_RATE_OF_PAY_FROM")), _money_column(t.column("WAGE_RATE_OF_PAY_TO"))
        unit = upper(t, "WAGE_UNIT_OF_PAY").to_pylist()
        per_year = np.array([UNITS_PER_YEAR.get(u, np.nan) for u in unit], dtype=float)
        annual_from = frm * per_year
        annual_to = np.where(to > frm, to * per_year, np.nan)
        tests = [
            pc.match_substring(status, "WITHDRAWN").to_numpy(zero_copy_only=False),
            pc.starts_with(status, "DENIED").to_numpy(zero_copy_only=False),
            pc.not_equal(status, "CERTIFIED").to_numpy(zero_copy_only=False),
            ~isin(upper(t, "VISA_CLASS"), VISA_CLASSES),
            ~isin(upper(t, "FULL_TIME_POSITION"), ("Y", "YES")),
            np.isnan(frm),
            np.isnan(per_year),
        ]
        code = np.select(tests, list(range(1, len(tests) + 1)), 0)
        plausible = (annual_from >= lo) & (annual_from <= hi)
        # One filing per case: the first certified, plausible filing of a case is taken (here or in an earlier
        # batch or file); any later row of the same case is a repeat, whatever its pay.
        enc = pc.dictionary_encode(case_arr).combine_chunks() if isinstance(case_arr, pa.ChunkedArray) else \
            pc.dictionary_encode(case_arr)  # fmt: skip
        code_of = enc.indices.to_numpy(zero_copy_only=False)
        distinct = enc.dictionary.to_pylist()
        has_case = np.array([bool(c) for c in distinct], dtype=bool)[code_of]
        candidate = (code == 0) & has_case
        takes = candidate & plausible
        first_at = np.full(len(distinct), n, dtype=np.int64)  # per case: the row that takes it in this batch
        np.minimum.at(first_at, code_of[takes], np.flatnonzero(takes))
        before = np.array([c in seen_cases for c in distinct], dtype=bool)[code_of]
        repeat = candidate & (before | (first_at[code_of] < np.arange(n)))
        code = np.where(repeat, REASONS.index("duplicate_case") + 1, code)
        code = np.where((code == 0) & ~plausible, REASONS.index("implausible_pay") + 1, code)
        keep = code == 0
        seen_cases.update(distinct[i] for i in np.unique(code_of[keep & has_case]))
        if not keep.all():
            bad = t.filter(pa.array(~keep))
            why = np.array(("", *REASONS), dtype=object)[code[~keep]]
            q.add_many(path.name, bad.column("record").to_pylist(), why.tolist(),
                       _details(path, bad, why, annual_from[~keep], lo, hi), _json_rows(bad, OFFICIAL_COLUMNS))
        q.sort()
        d = t.filter(pa.array(keep))
        low, high = annual_from[keep], annual_to[keep]
        mid = np.where(np.isnan(high), low, (low + np.nan_to_num(high)) / 2)
        decided = pc.coalesce(_date_column(d.column("DECISION_DATE")), _date_column(d.column("RECEIVED_DATE")))
        if decided.null_count:  # a certified filing without any date cannot be placed in a year
            raise SchemaError(f"lca: {path.name}: {decided.null_count} certified rows have no DECISION_DATE or "
                              "RECEIVED_DATE; expected OFLC's layout")  # fmt: skip
        years = pc.year(decided).to_numpy(zero_copy_only=False).astype(np.int64)
        obs = _official_table(path, d, years, mid, low, high, cache)
        notes = [f"lca: read {path.name} as OFLC's disclosure layout; {LEVEL_CAVEAT}"] if first else []
        first = False
        as_of = pc.max(decided).as_py() if len(decided) else None
        yield ParseResult(rows_read=batch.rows_read, version=path.stem, observations=obs, quarantine=q, notes=notes,
                          data_as_of=as_of.date() if as_of is not None else None)  # fmt: skip


def _frame(path: Path, record: Any, years: Any, title: Any, mapped: tuple[list[str], list[str]], level: Any,
           employer: Any, soc: Any, wage_level: Any, city: Any, state: Any, mid: Any, low: Any,
           high: Any, identity: Any, keys: Any = None) -> pd.DataFrame:  # fmt: skip
    """The observations; `identity` says which rows are the same filing (duplicate groups: dup_group is the first
    row's record, dup_rank counts repeats)."""
    import numpy as np
    import pandas as pd

    from mlsalary.normalize import money

    n = len(mid)
    real_base = money.cpi_base_year()
    factors = {int(y): money.real_factor(int(y), real_base) for y in set(years.tolist())}
    factor = pd.Series(years).map({y: np.nan if f is None else f for y, f in factors.items()}).to_numpy(dtype=float)
    rec = pd.Series(record).reset_index(drop=True)
    stem = path.name.split(".")[0]
    emp = pd.Series(employer).reset_index(drop=True)
    if keys is None:
        keys = emp.map({e: employer_key(e) for e in emp.unique()})
    ident = pd.Series(identity).reset_index(drop=True)
    first_rec = rec.groupby(ident, sort=False).transform("min")
    dup_rank = ident.groupby(ident, sort=False).cumcount() + 1
    return contract.observation_frame(n, {
        "obs_id": f"lca:{stem}:" + rec.astype(str),
        "source": "lca",
        "source_file": path.name,
        "source_record": rec,
        "year": years.astype("int64"),
        "pay_kind": "employer_filed",
        "job_title_raw": pd.Series(title).reset_index(drop=True).replace("", None),
        "role": mapped[0],
        "specialization": mapped[1],
        "level": pd.Series(level).reset_index(drop=True),
        "employment_type": "full_time",
        "company_country": "US",
        "experience_basis": pd.Series(level).reset_index(drop=True).notna().map({True: "source_level", False: None}),
        "amount_local": mid,
        "currency": "USD",
        "amount_usd": mid,
        "amount_usd_real": mid * factor,
        "real_base_year": pd.Series([real_base if f == f else None for f in factor], dtype=object),
        "usd_conversion": "source",
        "amount_low_usd": low,
        "amount_high_usd": high,
        "employer": emp.replace("", None),
        "employer_key": pd.Series(keys).reset_index(drop=True),
        "soc_code": pd.Series(soc).reset_index(drop=True),
        "wage_level": pd.Series(wage_level).reset_index(drop=True),
        "worksite_city": pd.Series(city).reset_index(drop=True).str.strip().str.upper().replace("", None),
        "worksite_state": pd.Series(state).reset_index(drop=True).str.strip().str.upper().replace("", None),
        "dup_group": first_rec.astype("int64"),
        "dup_rank": dup_rank.astype("int64"),
    })  # fmt: skip


def _joined(df: pd.DataFrame, columns: tuple[str, ...]) -> pd.Series:
    """The row's fields joined into one key (every field equal = the same key)."""
    out = df[columns[0]].astype(str)
    for c in columns[1:]:
        out = out + "\x1f" + df[c].astype(str)
    return out


def _parse_h1bdata(path: Path) -> ParseResult:
    import numpy as np

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

    salaries, years_, locations = (df[c].astype(str).tolist() for c in ("salary", "year", "location"))
    this_year = config.today().year

    def check_row(i: int) -> tuple[str, str] | None:
        v = _money(salaries[i])
        if v is None:
            return "no_pay", f'salary "{salaries[i]}" is not an amount'
        if not lo <= v <= hi:
            return "implausible_pay", (f"salary {v:,.0f} USD is outside the plausible range {lo:,.0f}-{hi:,.0f} "
                                       f"{config.PLAUSIBILITY_HINT}")  # fmt: skip
        y = years_[i].strip()
        if not (y.isdigit() and 2000 <= int(y) <= this_year):
            return "bad_year", f'year "{y}" is not a year from 2000 to now'
        if not _LOCATION.fullmatch(locations[i].strip()):
            return "bad_location", f'location "{locations[i]}" is not "CITY, ST"'
        return None

    problems = [check_row(i) for i in range(len(df))]
    bad = np.array([p is not None for p in problems], dtype=bool)
    for i in np.flatnonzero(bad):
        reason, detail = problems[i]  # type: ignore[misc]
        rec = int(df["record"].iloc[i])
        fields = tab.rows[i]
        reject(rec, fields, reason, detail)
    q.sort()
    d = df[~bad].reset_index(drop=True)
    pay = d["salary"].map(_money).to_numpy(dtype=float)
    loc = d["location"].str.rsplit(",", n=1)
    city, state = loc.str[0].str.strip(), loc.str[1].str.strip()
    title = d["title"].str.strip()
    mapped = {t: titles.map_title(t) for t in title.unique()}
    years = d["year"].astype(int).to_numpy()
    dates = [_date(x) for x in d["date"]]
    obs = _frame(path, d["record"], years, title, ([mapped[t][0] for t in title], [mapped[t][1] for t in title]),
                 [None] * len(d),
                 d["company"].str.strip(), [None] * len(d), [None] * len(d), city, state, pay, pay,
                 np.full(len(d), np.nan), _joined(d, H1BDATA_COLUMNS))  # fmt: skip
    return ParseResult(rows_read=tab.rows_read, version="h1bdata.info 2015-2019", observations=obs, quarantine=q,
                       notes=[f"lca: read {path.name} as h1bdata.info's copy (certified filings, annual base "
                              "salary; no case numbers, wage levels or units)"],
                       data_as_of=max((x for x in dates if x), default=None))  # fmt: skip

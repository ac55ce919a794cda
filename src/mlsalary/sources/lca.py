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
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlsalary import config
from mlsalary.errors import SchemaError
from mlsalary.normalize import titles
from mlsalary.sources import FetchedFile, ParseResult, ProgressFn, QuarantineRows, SourceMeta, contract, retrieve

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
    download_urls=(
        "https://www.dol.gov/sites/dolgov/files/ETA/oflc/pdfs/LCA_Disclosure_Data_FY2025_Q4.xlsx",
    ),
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


def pick(folder: Path) -> list[Path]:
    """Official quarterly files (xlsx or CSV) and h1bdata.info copies, in name order."""
    found = sorted({*folder.glob("LCA_Disclosure_Data_*.xlsx"), *folder.glob("LCA_Disclosure_Data_*.csv*"),
                    *folder.glob("h1bdata_*.csv*")})  # fmt: skip
    return [p for p in found if p.is_file()]


def fetch(
    from_path: Path | None = None, offline: bool = False, progress: ProgressFn | None = None
) -> list[FetchedFile]:
    """The user's files, the mirror's h1b/ folder or the cache; online, the newest official quarterly file."""
    local = retrieve.resolve_local(META, from_path, pick)
    if local:
        return local
    dest = retrieve.source_cache(META.name) / Path(META.download_urls[0]).name
    digest = retrieve.cached(dest)
    if digest:
        return [FetchedFile(dest, digest, f"cache:{dest}")]
    if offline or config.offline():
        raise retrieve.unavailable(META, "offline, and nothing in the mirror or the cache")
    from mlsalary.errors import DownloadError

    url = META.download_urls[0]
    try:
        digest = retrieve.download(url, dest, progress=progress)
    except DownloadError as e:
        raise retrieve.unavailable(META, f"the download failed ({e})") from None
    return [FetchedFile(dest, digest, f"download:{url}")]


def parse(files: list[FetchedFile]) -> ParseResult:
    """LCA files -> observations (one per certified full-time filing) and quarantine. Pure."""
    seen: set[str] = set()  # case numbers already taken: one filing per case, across the files too
    return ParseResult.combine([_parse_file(f.path, seen) for f in files])


def _parse_file(path: Path, seen: set[str]) -> ParseResult:
    if path.name.lower().startswith("h1bdata"):
        return _parse_h1bdata(path)
    return _parse_official(path, seen)


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


def _parse_official(path: Path, seen_cases: set[str]) -> ParseResult:
    import numpy as np

    tab = contract.read_table(path, META.name, member_suffix=".xlsx" if path.suffix == ".zip" else ".csv",
                              header_has="CASE_NUMBER")  # fmt: skip
    contract.require_columns(tab, REQUIRED, META.name, path, "OFLC's LCA disclosure layout (FY2020 onwards)",
                             upper=True)  # fmt: skip
    header = tab.header
    present = [c for c in OFFICIAL_COLUMNS if c in header]
    df = tab.select(present)  # the allow-list: no other column is ever read
    for c in OFFICIAL_COLUMNS:
        if c not in df.columns:
            df[c] = ""
    df = df.fillna("")
    q = QuarantineRows()
    for row, why, detail in tab.problems():  # malformed rows: only their allowed fields are kept
        # A row whose fields do not line up with the header is kept without its values: by position, a missing field
        # would put a contact's name, e-mail or phone under an allowed column (NAICS_CODE = "Smith").
        aligned = len(row.fields) == len(header)
        kept = {h: row.fields[j] for j, h in enumerate(header) if h in OFFICIAL_COLUMNS} if aligned else {}
        q.add(path.name, row.record, why, f"lca: {path.name} row {row.record}: {detail} (quarantined)", _raw(kept))
    lo, hi = config.plausible_pay_range()
    reasons: list[tuple[str, str] | None] = []
    annual_from = np.full(len(df), np.nan)
    annual_to = np.full(len(df), np.nan)
    cols = {c: df[c].astype(str).tolist() for c in OFFICIAL_COLUMNS}
    for i in range(len(df)):
        status = cols["CASE_STATUS"][i].strip().upper()
        visa = cols["VISA_CLASS"][i].strip().upper()
        case = cols["CASE_NUMBER"][i].strip()
        unit = cols["WAGE_UNIT_OF_PAY"][i].strip().upper()
        frm, to = _money(cols["WAGE_RATE_OF_PAY_FROM"][i]), _money(cols["WAGE_RATE_OF_PAY_TO"][i])
        reason: tuple[str, str] | None = None
        if "WITHDRAWN" in status:
            reason = ("withdrawn", f'case {case} is "{cols["CASE_STATUS"][i]}": not a certified filing')
        elif status.startswith("DENIED"):
            reason = ("denied", f"case {case} was denied: not a certified filing")
        elif status != "CERTIFIED":
            reason = ("not_certified", f'case {case} has status "{cols["CASE_STATUS"][i]}"')
        elif visa not in VISA_CLASSES:
            reason = ("other_visa_class", f'visa class "{cols["VISA_CLASS"][i]}" is not H-1B, E-3 or H-1B1')
        elif cols["FULL_TIME_POSITION"][i].strip().upper() not in ("Y", "YES"):
            reason = ("part_time", f"case {case} is not a full-time position")
        elif frm is None:
            reason = ("no_pay", f'WAGE_RATE_OF_PAY_FROM "{cols["WAGE_RATE_OF_PAY_FROM"][i]}" is not an amount')
        elif unit not in UNITS_PER_YEAR:
            reason = ("unknown_wage_unit", f'WAGE_UNIT_OF_PAY "{cols["WAGE_UNIT_OF_PAY"][i]}" is not one of '
                      f"{', '.join(u.title() for u in UNITS_PER_YEAR)}")  # fmt: skip
        elif case and case in seen_cases:
            reason = ("duplicate_case", f"case {case} is listed again (in this file or an earlier one): one filing "
                      "per case")  # fmt: skip
        else:
            k = UNITS_PER_YEAR[unit]
            annual_from[i] = frm * k
            annual_to[i] = to * k if to is not None and to > frm else np.nan
            if not lo <= annual_from[i] <= hi:
                reason = ("implausible_pay", f"{annual_from[i]:,.0f} USD a year is outside the plausible range "
                          f"{lo:,.0f}-{hi:,.0f} {config.PLAUSIBILITY_HINT}")  # fmt: skip
        if reason is None and case:
            seen_cases.add(case)
        reasons.append(reason)
    bad = np.array([r is not None for r in reasons], dtype=bool)
    for j in np.flatnonzero(bad):
        why, detail = reasons[j]  # type: ignore[misc]
        q.add(path.name, int(df["record"].iloc[j]), why, f"lca: {path.name} row {df['record'].iloc[j]}: {detail} "
              "(quarantined)", _raw({c: cols[c][j] for c in OFFICIAL_COLUMNS}))  # fmt: skip
    q.sort()
    keep = ~bad
    d = df[keep].reset_index(drop=True)
    low, high = annual_from[keep], annual_to[keep]
    mid = np.where(np.isnan(high), low, (low + np.nan_to_num(high)) / 2)
    decided = [(_date(a) or _date(b)) for a, b in zip(d["DECISION_DATE"], d["RECEIVED_DATE"], strict=True)]
    years = np.array([x.year if x else 0 for x in decided])
    no_date = years == 0
    if no_date.any():  # a certified filing without any date cannot be placed in a year
        raise SchemaError(f"lca: {path.name}: {int(no_date.sum())} certified rows have no DECISION_DATE or "
                          "RECEIVED_DATE; expected OFLC's layout")  # fmt: skip
    title = d["JOB_TITLE"].str.strip()
    mapped = {t: titles.map_title(t) for t in title.unique()}
    level = d["PW_WAGE_LEVEL"].str.strip().str.upper()
    obs = _frame(path, d["record"], years, title, [mapped[t] for t in title], level.map(WAGE_LEVEL_TO_LEVEL),
                 d["EMPLOYER_NAME"].str.strip(), d["SOC_CODE"].str.strip().replace("", None),
                 level.where(level.isin(list(WAGE_LEVEL_TO_LEVEL)), None), d["WORKSITE_CITY"],
                 d["WORKSITE_STATE"], mid, low, high, d["CASE_NUMBER"].str.strip())  # fmt: skip
    return ParseResult(rows_read=tab.rows_read, version=path.stem, observations=obs, quarantine=q,
                       notes=[f"lca: read {path.name} as OFLC's disclosure layout; {LEVEL_CAVEAT}"],
                       data_as_of=max((x for x in decided if x), default=None))  # fmt: skip


def _frame(path: Path, record: Any, years: Any, title: Any, mapped: list[tuple[str, str]], level: Any,
           employer: Any, soc: Any, wage_level: Any, city: Any, state: Any, mid: Any, low: Any,
           high: Any, identity: Any) -> pd.DataFrame:  # fmt: skip
    """The observations; `identity` says which rows are the same filing (duplicate groups: dup_group is the first
    row's record, dup_rank counts repeats)."""
    import numpy as np
    import pandas as pd

    from mlsalary.normalize import money

    n = len(mid)
    real_base = money.cpi_base_year()
    factors = {int(y): money.real_factor(int(y), real_base) for y in set(years.tolist())}
    factor = np.array([factors[int(y)] if factors[int(y)] is not None else np.nan for y in years], dtype=float)
    rec = pd.Series(record).reset_index(drop=True)
    stem = path.name.split(".")[0]
    emp = pd.Series(employer).reset_index(drop=True)
    keys = {e: employer_key(e) for e in emp.unique()}
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
        "role": [m[0] for m in mapped],
        "specialization": [m[1] for m in mapped],
        "level": pd.Series(level).reset_index(drop=True),
        "employment_type": "full_time",
        "company_country": "US",
        "experience_basis": pd.Series(level).reset_index(drop=True).map(lambda v: "source_level" if v else None),
        "amount_local": mid,
        "currency": "USD",
        "amount_usd": mid,
        "amount_usd_real": mid * factor,
        "real_base_year": pd.Series([real_base if f == f else None for f in factor], dtype=object),
        "usd_conversion": "source",
        "amount_low_usd": low,
        "amount_high_usd": high,
        "employer": emp.replace("", None),
        "employer_key": emp.map(keys),
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
    obs = _frame(path, d["record"], years, title, [mapped[t] for t in title], [None] * len(d),
                 d["company"].str.strip(), [None] * len(d), [None] * len(d), city, state, pay, pay,
                 np.full(len(d), np.nan), _joined(d, H1BDATA_COLUMNS))  # fmt: skip
    return ParseResult(rows_read=tab.rows_read, version="h1bdata.info 2015-2019", observations=obs, quarantine=q,
                       notes=[f"lca: read {path.name} as h1bdata.info's copy (certified filings, annual base "
                              "salary; no case numbers, wage levels or units)"],
                       data_as_of=max((x for x in dates if x), default=None))  # fmt: skip

"""Stack Overflow Annual Developer Survey, 2023-2025 layouts (ODbL 1.0).

One row is one respondent. Pay is self-reported: ``ConvertedCompYearly`` is the survey's own conversion of
``CompTotal`` in ``Currency`` to US dollars per year, kept as ``amount_usd`` (``usd_conversion = 'source'``), with
``CompTotal`` and the currency code kept as ``amount_local`` / ``currency``.

Rows that cannot be pay observations are quarantined with a reason, never trimmed silently:

- ``no_pay``: ConvertedCompYearly is empty (the respondent skipped the question or was not asked it);
- ``salary_not_numeric``: it is not a number;
- ``implausible_pay``: it is outside the plausibility rule, MLSALARY_MIN_PAY_USD..MLSALARY_MAX_PAY_USD
  (default 1,000-5,000,000 USD a year; config.py). The files hold values such as $1 and $6.3M.

Column names and answer labels differ by year: ``LAYOUTS`` holds, per survey year, the columns read and the labels
that differ; the taxonomies shared with other sources (education, industry, skills) live in ``mlsalary.normalize``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from mlsalary import config
from mlsalary.errors import SchemaError
from mlsalary.normalize import education, geo, industry, labels, levels, money, skills
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
    import pandas as pd

META = SourceMeta(
    name="stackoverflow",
    pay_kinds=("self_reported",),
    title="Stack Overflow Annual Developer Survey",
    licence="Open Database License (ODbL) 1.0",
    homepage="https://survey.stackoverflow.co/",
    citation="Stack Overflow, Annual Developer Survey, https://survey.stackoverflow.co/ (ODbL 1.0)",
    unit="self-reported total annual compensation, local currency and USD as converted by Stack Overflow",
    period="one survey a year (May); layouts 2023, 2024 and 2025",
    download_urls=tuple(
        f"https://survey.stackoverflow.co/datasets/stack-overflow-developer-survey-{y}.zip" for y in (2023, 2024, 2025)
    ),
    expected_files="stack-overflow-developer-survey-YYYY.zip or survey_results_public*.csv[.bz2|.gz]",
    refresh=(
        "Stack Overflow publishes each year's survey (fielded in May-June) later that year or the next; "
        'run "mlsalary data pull stackoverflow" online for the newest layout mlsalary reads'
    ),
    how_to_provide=(
        'run "mlsalary data pull stackoverflow" online, pass the survey zip or CSV with --from, '
        "or set MLSALARY_MIRROR to a folder holding stackoverflow/"
    ),
    attribution=(
        "Contains information from the Stack Overflow Annual Developer Survey, made available under the Open "
        "Database License (ODbL) 1.0: https://opendatacommons.org/licenses/odbl/1-0/. Databases built from it, "
        "such as this store, remain under the ODbL."
    ),
    max_bytes=512 << 20,  # the official survey_results_public.csv is about 150 MB a year
    published="year_end",
)

# --- labels shared by every layout (normal form: normalize.labels.key) ---

#: DevType -> role. Single choice in 2023-2025; the 2025 survey renamed several job types.
DEVTYPE_ROLES: dict[str, str] = {
    # machine learning and AI
    "ai/ml engineer": "ml_engineer",  # 2025
    "applied scientist": "applied_scientist",  # 2025
    "developer, ai": "ai_engineer",  # 2024
    "developer, ai apps or physical ai": "ai_engineer",  # 2025
    # "Data scientist or machine learning specialist" (2023-2024) mixes the two: it is counted as data science,
    # so machine-learning figures never include data scientists who are not ML specialists.
    "data scientist or machine learning specialist": "data_scientist",
    "data scientist": "data_scientist",  # 2025
    "data engineer": "data_engineer",
    "engineer, data": "data_engineer",  # 2023
    "data or business analyst": "data_analyst",
    # software development
    "developer, full-stack": "software_engineer",
    "developer, back-end": "software_engineer",
    "developer, front-end": "software_engineer",
    "developer, desktop or enterprise applications": "software_engineer",
    "developer, mobile": "software_engineer",
    "developer, embedded applications or devices": "software_engineer",
    "developer, game or graphics": "software_engineer",
    "developer, qa or test": "software_engineer",
    "developer experience": "software_engineer",
    "blockchain": "software_engineer",
    "architect, software or solutions": "software_engineer",  # 2025
    # infrastructure
    "devops specialist": "infrastructure_engineer",
    "devops engineer or professional": "infrastructure_engineer",  # 2025
    "cloud infrastructure engineer": "infrastructure_engineer",
    "engineer, site reliability": "infrastructure_engineer",
    "system administrator": "infrastructure_engineer",
    "database administrator": "infrastructure_engineer",
    "database administrator or engineer": "infrastructure_engineer",  # 2025
    # research not stated to be machine learning
    "academic researcher": "researcher",
    "research & development role": "researcher",
    "scientist": "researcher",
    # management
    "engineering manager": "manager",
    "senior executive (c-suite, vp, etc.)": "manager",
    "founder, technology or otherwise": "manager",  # 2025
    "project manager": "manager",
    "product manager": "manager",
    # everything else
    "other (please specify):": "other",
    "student": "other",
    "educator": "other",
    "developer advocate": "other",
    "designer": "other",
    "ux, research ops or ui design professional": "other",  # 2025
    "marketing or sales professional": "other",
    "security professional": "other",
    "cybersecurity or infosec professional": "other",  # 2025
    "hardware engineer": "other",
    "financial analyst or engineer": "other",  # 2025
    "support engineer or analyst": "other",  # 2025
    "retired": "other",  # 2025
}
#: Job types that set the level to executive.
EXECUTIVE_DEVTYPES = ("senior executive (c-suite, vp, etc.)", "founder, technology or otherwise")

#: OrgSize -> company_size (small < 20 employees, medium 20-499, large >= 500; the survey's bands do not allow
#: the aijobs.net boundaries of 50 and 250).
ORG_SIZES: dict[str, str | None] = {
    "just me - i am a freelancer, sole proprietor, etc.": "small",
    "2 to 9 employees": "small",
    "10 to 19 employees": "small",
    "less than 20 employees": "small",  # 2025
    "20 to 99 employees": "medium",
    "100 to 499 employees": "medium",
    "500 to 999 employees": "large",
    "1,000 to 4,999 employees": "large",
    "5,000 to 9,999 employees": "large",
    "10,000 or more employees": "large",
    "i don't know": None,
}


def remote_of(label: str) -> str | None:
    """RemoteWork -> remote | hybrid | onsite (2025 splits hybrid and adds 'Your choice')."""
    k = labels.key(label)
    if k == "remote":
        return "remote"
    if k.startswith(("hybrid", "your choice")):
        return "hybrid"
    if k == "in-person":
        return "onsite"
    return None


def employment_of(label: str) -> str | None:
    """Employment (multi-select until 2024) -> the main employment type: full time, else part time, else freelance.

    2025's single "Employed" does not say full or part time: None (unknown)."""
    k = labels.key(label)
    if "employed, full-time" in k:
        return "full_time"
    if "employed, part-time" in k:
        return "part_time"
    if "independent contractor" in k:
        return "freelance"
    return None


#: Columns every layout must have, and columns read when present (NULL when a year's file lacks them). Skills are
#: read from every ';'-separated "...HaveWorkedWith" column a file has (languages, databases, platforms, frameworks,
#: tools — 2025 folded the tools into PlatformHaveWorkedWith and dropped the library question), so a renamed or new
#: question is not missed; only the languages question is required.
REQUIRED = ("ResponseId", "EdLevel", "YearsCode", "DevType", "Country", "ConvertedCompYearly", "LanguageHaveWorkedWith")
OPTIONAL = ("MainBranch", "Employment", "RemoteWork", "OrgSize", "Currency", "CompTotal", "Industry")


@dataclass(frozen=True)
class Layout:
    """The columns one survey year is read from."""

    year: int
    experience: tuple[str, ...]  # years of professional experience, first non-empty wins
    # Columns only this layout has, used to recognise a file whose name carries no year.
    signature: tuple[str, ...]
    fielded_until: date  # the survey's last day of fielding: the date its data is as of

    @property
    def required(self) -> tuple[str, ...]:
        return REQUIRED + self.experience


LAYOUTS: dict[int, Layout] = {
    # Fielding periods as Stack Overflow's methodology pages state them: 2023 May 8-19, 2024 May 19-June 20,
    # 2025 May 29-June 23.
    2023: Layout(2023, ("WorkExp", "YearsCodePro"), ("AISearchHaveWorkedWith",), date(2023, 5, 19)),
    2024: Layout(2024, ("WorkExp", "YearsCodePro"), ("AISearchDevHaveWorkedWith",), date(2024, 6, 20)),
    2025: Layout(2025, ("WorkExp",), ("AIModelsHaveWorkedWith",), date(2025, 6, 23)),  # 2025 dropped YearsCodePro
}

_YEAR_IN_NAME = re.compile(r"(?<!\d)(20\d\d)(?!\d)")


def pick(folder: Path) -> list[Path]:
    """One file per survey year in a folder: the official zip, else survey_results_public*.csv[.bz2|.gz]."""
    by_year: dict[int, Path] = {}
    for p in sorted(folder.glob("survey_results_public*")):
        if p.name.endswith((".csv", ".csv.bz2", ".csv.gz")):
            by_year[_year_of(p)] = p
    for p in sorted(folder.glob("stack-overflow-developer-survey-*.zip")):
        by_year[_year_of(p)] = p
    return [by_year[y] for y in sorted(by_year)]


def _year_of(p: Path) -> int:
    m = _YEAR_IN_NAME.search(p.name)
    return int(m.group(1)) if m else 0


def fetch(
    from_path: Path | None = None, offline: bool = False, progress: ProgressFn | None = None
) -> list[FetchedFile]:
    """The user's file or folder, else the mirror, else every survey year in the cache or downloaded."""
    local = retrieve.resolve_local(META, from_path, pick)
    if local:
        return local
    cache = retrieve.source_cache(META.name)
    found: list[FetchedFile] = []
    for url in META.download_urls:
        dest = cache / url.rsplit("/", 1)[-1]
        digest = retrieve.cached(dest)
        if digest:
            found.append(FetchedFile(dest, digest, f"cache:{dest}"))
        elif not (offline or config.offline()):
            digest = retrieve.download(url, dest, progress=progress)
            found.append(FetchedFile(dest, digest, f"download:{url}"))
    if not found:
        raise retrieve.unavailable(META, "offline and not in the mirror or the cache")
    return sorted(found, key=lambda f: _year_of(f.path))


def layout_for(path: Path, columns: list[str]) -> Layout:
    """The layout of a file: by the year in its name, else by the columns only one layout has.

    Raises SchemaError listing the columns the file lacks."""
    have = set(columns)
    m = _YEAR_IN_NAME.search(path.name)
    if m and int(m.group(1)) in LAYOUTS:
        candidates = [LAYOUTS[int(m.group(1))]]
    else:
        candidates = [lay for lay in LAYOUTS.values() if set(lay.signature) <= have] or list(LAYOUTS.values())
    best = min(candidates, key=lambda lay: (len(set(lay.required) - have), -lay.year))
    missing = [c for c in best.required if c not in have]
    if missing:
        years = ", ".join(str(y) for y in LAYOUTS)
        raise SchemaError(
            f"stackoverflow: {path.name}: not a known survey layout ({years}): it lacks column(s) "
            f"{', '.join(missing)} of the {best.year} layout; pass the official survey_results_public.csv"
        )
    return best


def _years(value: str) -> tuple[float | None, float | None]:
    """A years answer -> (low, high): '7' -> (7, 7); 'Less than 1 year' -> (0, 1); 'More than 50' -> (50, None)."""
    k = labels.key(value)
    if not k:
        return None, None
    if k.startswith("less than"):
        return 0.0, 1.0
    m = re.match(r"more than (\d+)", k)
    if m:
        return float(m.group(1)), None
    try:
        x = float(k)
    except ValueError:
        return None, None
    return (x, x) if x >= 0 else (None, None)


def parse(files: list[FetchedFile]) -> ParseResult:
    """Survey files (one per year) -> observations, skills and quarantine. Pure: reads only the given files."""
    return ParseResult.combine([_parse_file(f.path) for f in files])


def _parse_file(path: Path) -> ParseResult:
    import numpy as np
    import pandas as pd

    if path.name.lower().endswith(".zip"):
        data = textfile.zip_member(path, path.read_bytes(), META.name, ".csv", prefer="survey_results_public.csv")
    else:
        data = textfile.read_bytes(path, META.name)
    tab = textfile.table(data, path, META.name)
    lay = layout_for(path, tab.header)
    q = QuarantineRows()
    # The official files write "NA" for an unanswered question; a file without a column reads as unanswered.
    skill_columns = [c for c in tab.header if c.endswith("HaveWorkedWith")]
    used = [*REQUIRED, *OPTIONAL, *lay.experience, *skill_columns]
    src = tab.select([c for c in used if c in tab.header])
    answers = pd.DataFrame(
        {c: src[c].str.strip().replace("NA", "") if c in src.columns else "" for c in used}, index=src.index
    )
    answers["record"] = src["record"]
    header = tab.header

    reject = q.rejecter(META.name, path.name, header, skip_empty=True)

    for row, reason, detail in tab.problems():
        reject(row.record, row.fields, reason, detail)

    lo, hi = config.plausible_pay_range()
    pay_text = answers["ConvertedCompYearly"]
    missing_pay = pay_text == ""
    pay = pd.to_numeric(pay_text.where(~missing_pay), errors="coerce")
    problem: list[tuple[str, str] | None] = [None] * len(src)
    for i in np.flatnonzero(missing_pay.to_numpy()):
        problem[i] = ("no_pay", "ConvertedCompYearly is empty (no pay reported)")
    for i in np.flatnonzero((~missing_pay & pay.isna()).to_numpy()):
        problem[i] = ("salary_not_numeric", f'ConvertedCompYearly "{pay_text.iloc[i]}" is not a number')
    for i in np.flatnonzero((pay.notna() & ~pay.between(lo, hi)).to_numpy()):
        problem[i] = (
            "implausible_pay",
            f"ConvertedCompYearly {pay.iloc[i]:,.0f} USD is outside the plausible range {lo:,.0f}-{hi:,.0f} "
            + config.PLAUSIBILITY_HINT,
        )
    bad = np.array([p is not None for p in problem], dtype=bool)
    for i in np.flatnonzero(bad):
        reason, detail = problem[i]  # type: ignore[misc]
        reject(tab.records[i], tab.rows[i], reason, detail)
    q.sort()

    df = answers[~bad].reset_index(drop=True)
    out = _observations(df, lay, path, pay[~bad].reset_index(drop=True))
    return ParseResult(
        rows_read=tab.rows_read,
        version=f"{lay.year} survey",
        observations=out,
        skills=_skills(df, skill_columns, out["obs_id"]),
        quarantine=q,
        notes=[f"stackoverflow: read {path.name} as the {lay.year} layout"],
        data_as_of=lay.fielded_until,
    )


def _mapped(series: pd.Series, fn: object) -> pd.Series:
    """Apply a label function once per distinct value."""
    values = {v: fn(v) for v in series.unique()}  # type: ignore[operator]
    return series.map(values)


def _observations(df: pd.DataFrame, lay: Layout, path: Path, pay: pd.Series) -> pd.DataFrame:
    import numpy as np
    import pandas as pd

    year = lay.year
    dev = df["DevType"].map(labels.key)
    role = dev.map(DEVTYPE_ROLES).fillna("other")
    # Years of professional experience: the first layout column with a number.
    years_exp = pd.Series(np.nan, index=df.index)
    basis = pd.Series([None] * len(df), index=df.index, dtype=object)
    for col in lay.experience:
        low = _mapped(df[col], lambda v: _years(v)[0]).astype("float64")
        take = years_exp.isna() & low.notna()
        years_exp[take] = low[take]
        basis[take] = "work_experience" if col == "WorkExp" else "years_coding_pro"
    level = years_exp.map(levels.level_from_years)
    level[dev.isin(EXECUTIVE_DEVTYPES)] = "executive"
    coding = _mapped(df["YearsCode"], _years)
    currency = _mapped(df["Currency"], lambda v: v[:3].upper() if geo.is_currency(v[:3]) else None)
    comp_total = pd.to_numeric(df["CompTotal"], errors="coerce")
    real_base = money.cpi_base_year()
    factor = money.real_factor(year, real_base)
    country = _mapped(df["Country"], geo.to_iso2)
    return contract.observation_frame(
        len(df),
        {
            "obs_id": f"stackoverflow:{path.name.split('.')[0]}:" + df["record"].astype(str),
            "source": "stackoverflow",
            "source_file": path.name,
            "source_record": df["record"],
            "year": year,
            "pay_kind": "self_reported",
            "job_title_raw": df["DevType"].where(df["DevType"] != "", None),
            "role": role,
            "specialization": "none",
            "level": level,
            "years_experience": years_exp,
            "employment_type": _mapped(df["Employment"], employment_of),
            "employee_country": country,
            "remote": _mapped(df["RemoteWork"], remote_of),
            "company_size": df["OrgSize"].map(labels.key).map(ORG_SIZES),
            "education": _mapped(df["EdLevel"], education.education_of),
            "industry": _mapped(df["Industry"], industry.industry_of),
            "years_coding_low": coding.map(lambda t: t[0]),
            "years_coding_high": coding.map(lambda t: t[1]),
            "experience_basis": basis,
            "amount_local": comp_total,
            "currency": currency,
            "amount_usd": pay,
            "amount_usd_real": pay * factor if factor is not None else np.nan,
            "real_base_year": real_base if factor is not None else None,
            "usd_conversion": "source",
            "dup_group": df["record"],
            "dup_rank": 1,
        }
    )


def _skills(df: pd.DataFrame, columns: list[str], obs_id: pd.Series) -> pd.DataFrame:
    """The long (obs_id, source, skill, category) table from the ';'-separated 'HaveWorkedWith' columns."""
    import pandas as pd

    parts = []
    for col in columns:
        cell = df[col].where(df[col] != "")
        long = pd.DataFrame({"obs_id": obs_id, "label": cell.str.split(";")}).explode("label").dropna()
        found = {v: skills.skill_of(v) for v in long["label"].unique()}
        long["hit"] = long["label"].map(found)
        long = long[long["hit"].notna()]
        parts.append(
            pd.DataFrame(
                {
                    "obs_id": long["obs_id"],
                    "skill": long["hit"].map(lambda t: t[0]),
                    "category": long["hit"].map(lambda t: t[1]),
                }
            )
        )
    out = pd.concat(parts, ignore_index=True).drop_duplicates(["obs_id", "skill"])
    out.insert(1, "source", "stackoverflow")
    return out.reset_index(drop=True)

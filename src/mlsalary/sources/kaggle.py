"""Kaggle Machine Learning & Data Science Survey, 2021 and 2022 (Kaggle's terms for the survey data).

The responses CSV has two header rows: column ids (``Q25``, ``Q7_Part_3``, ``Q17_4``...) and then the question
text. Question numbers differ by year: ``LAYOUTS`` maps each field to its column id per year, and the parser checks
each mapped column's question text, so a file of another year or layout gets a clear error rather than wrong data.
Multi-select questions are spread over columns ``Qnn_k`` (2022) or ``Qnn_Part_k`` / ``Qnn_A_Part_k`` (2021), one
per answer, holding the answer's label when it is selected.

Pay is a band of US dollars ("100,000-124,999", "$0-999", ">$1,000,000"): stored as ``amount_low_usd`` and
``amount_high_usd`` (the band's stated figures; NULL high for the open top band) with ``pay_kind = 'survey_band'``,
never as a point value. Statistics treat it as interval-censored.

Rows that cannot be pay observations are quarantined with a reason:

- ``no_pay``: the compensation question is unanswered (Kaggle did not ask students or the unemployed);
- ``implausible_pay``: the whole band lies outside the plausibility rule (default 1,000-5,000,000 USD a year;
  config.py) — in practice the "$0-999" band;
- ``unknown_pay_band``: an answer that is not a band.

Kaggle's data is downloaded by the user with a Kaggle account; mlsalary never downloads it (see ``fetch``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from mlsalary import config
from mlsalary.errors import SchemaError, SourceError
from mlsalary.normalize import education, geo, industry, labels, levels, skills
from mlsalary.sources import (
    FetchedFile,
    ParseResult,
    ProgressFn,
    QuarantineRows,
    SourceMeta,
    contract,
    retrieve,
    stream,
)

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

META = SourceMeta(
    name="kaggle-survey",
    pay_kinds=("survey_band",),
    title="Kaggle Machine Learning & Data Science Survey",
    licence="Kaggle's terms for the survey data (Kaggle account required to download)",
    homepage="https://www.kaggle.com/c/kaggle-survey-2022",
    citation="Kaggle, State of Machine Learning and Data Science Survey 2021 and 2022, https://www.kaggle.com/c/kaggle-survey-2022",
    unit="yearly compensation in US dollar bands, self-reported",
    period="2021 and 2022 surveys (fielded in September and October)",
    download_urls=(
        "https://www.kaggle.com/competitions/kaggle-survey-2021/data",
        "https://www.kaggle.com/competitions/kaggle-survey-2022/data",
    ),
    expected_files="kaggle-survey-2021.zip, kaggle-survey-2022.zip (or kaggle_survey_YYYY_responses.csv)",
    downloadable=False,
    refresh="Kaggle has not run its ML & DS survey since 2022: the 2022 survey is the newest there is",
    how_to_provide=(
        "Kaggle's survey files need a Kaggle account, so mlsalary cannot download them: sign in at "
        "https://www.kaggle.com/competitions/kaggle-survey-2022/data (and .../kaggle-survey-2021/data), download "
        'the zips, and run "mlsalary data pull kaggle-survey --from <the zip or its folder>" '
        "(or set MLSALARY_MIRROR to a folder holding kaggle-survey/)"
    ),
    attribution=(
        "Kaggle Machine Learning & Data Science Survey data are used under Kaggle's terms for the survey "
        "(https://www.kaggle.com/c/kaggle-survey-2022/rules); download them yourself with a Kaggle account."
    ),
    max_bytes=256 << 20,  # a year's responses CSV is about 40 MB
    published="year_end",
)


@dataclass(frozen=True)
class Layout:
    """Column ids of one survey year, and words the question text of each must contain."""

    year: int
    single: dict[str, tuple[str, str]]  # field -> (column id, words in its question)
    multi: dict[str, tuple[str, str]]  # field -> (column id prefix, words in the first column's question)
    fielded_until: date  # the survey's last day of fielding (Kaggle's methodology notes): its data's date


LAYOUTS: dict[int, Layout] = {
    2021: Layout(
        2021,
        single={
            "country": ("Q3", "country"),
            "education": ("Q4", "formal education"),
            "title": ("Q5", "title"),
            "years_coding": ("Q6", "writing code"),
            "years_ml": ("Q15", "machine learning methods"),
            "industry": ("Q20", "industry"),
            "company_size": ("Q21", "size of the company"),
            "ml_use": ("Q23", "incorporate machine learning"),
            "pay": ("Q25", "compensation"),
        },
        multi={
            "languages": ("Q7_", "programming languages"),
            "frameworks": ("Q16_", "machine learning frameworks"),
            "cv_methods": ("Q18_", "computer vision"),
            "nlp_methods": ("Q19_", "natural language processing"),
            "cloud": ("Q27_A_", "cloud computing platforms"),
            "data_products": ("Q32_A_", "big data products"),
        },
        fielded_until=date(2021, 10, 4),  # fielded September 1 - October 4, 2021
    ),
    2022: Layout(
        2022,
        single={
            "country": ("Q4", "country"),
            "education": ("Q8", "formal education"),
            "title": ("Q23", "title"),
            "years_coding": ("Q11", "writing code"),
            "years_ml": ("Q16", "machine learning methods"),
            "industry": ("Q24", "industry"),
            "company_size": ("Q25", "size of the company"),
            "ml_use": ("Q27", "incorporate machine learning"),
            "pay": ("Q29", "compensation"),
        },
        multi={
            "languages": ("Q12_", "programming languages"),
            "frameworks": ("Q17_", "machine learning frameworks"),
            "cv_methods": ("Q19_", "computer vision"),
            "nlp_methods": ("Q20_", "natural language processing"),
            "cloud": ("Q31_", "cloud computing platforms"),
            "data_products": ("Q35_", "data products"),
        },
        fielded_until=date(2022, 10, 16),  # fielded September 16 - October 16, 2022
    ),
}

#: Title answers (both years) -> role.
TITLE_ROLES: dict[str, str] = {
    "machine learning engineer": "ml_engineer",  # 2021
    "machine learning/ mlops engineer": "ml_engineer",  # 2022
    "research scientist": "research_scientist",
    "data scientist": "data_scientist",
    "statistician": "data_scientist",
    "data analyst": "data_analyst",  # 2021
    "data analyst (business, marketing, financial, quantitative, etc)": "data_analyst",  # 2022
    "business analyst": "data_analyst",
    "data engineer": "data_engineer",
    "data architect": "data_engineer",
    "data administrator": "infrastructure_engineer",
    "dba/database engineer": "infrastructure_engineer",
    "software engineer": "software_engineer",
    "program/project manager": "manager",
    "product manager": "manager",
    "manager (program, project, operations, executive-level, etc)": "manager",
    "teacher / professor": "researcher",
    "engineer (non-software)": "other",
    "developer relations/advocacy": "other",
    "developer advocate": "other",
    "student": "other",
    "currently not employed": "other",
    "other": "other",
}

COMPANY_SIZES: dict[str, str] = {
    "0-49 employees": "small",
    "50-249 employees": "medium",
    "250-999 employees": "large",
    "1000-9,999 employees": "large",
    "10,000 or more employees": "large",
}

ML_USE: dict[str, str | None] = {
    "we have well established ml methods (i.e., models in production for more than 2 years)": "production_established",
    "we recently started using ml methods (i.e., models in production for less than 2 years)": "production_recent",
    "we use ml methods for generating insights (but do not put working models into production)": "insights_only",
    "we are exploring ml methods (and may one day put a model into production)": "exploring",
    "no (we do not use ml methods)": "none",
    "i do not know": None,
}

#: Method answers that add a method skill besides the question's own (nlp / computer_vision).
METHOD_SKILLS = {"transformer language models": "transformer_lm", "generative networks": "generative_networks"}

_YEAR_IN_NAME = re.compile(r"(?<!\d)(20\d\d)(?!\d)")
_NOT_SELECTED = {"", "none", "nan"}
_NO_COUNTRY = {"other", "i do not wish to disclose my location"}


def pick(folder: Path) -> list[Path]:
    """One file per survey year: the official zip, else the responses CSV."""
    by_year: dict[int, Path] = {}
    for pattern in ("kaggle_survey_*_responses.csv*", "kaggle-survey-*.zip"):
        for p in sorted(folder.glob(pattern)):
            m = _YEAR_IN_NAME.search(p.name)
            if m:
                by_year[int(m.group(1))] = p
    return [by_year[y] for y in sorted(by_year)]


def fetch(
    from_path: Path | None = None, offline: bool = False, progress: ProgressFn | None = None
) -> list[FetchedFile]:
    """The user's file or folder, or the mirror. Never downloads: Kaggle requires an account (see META)."""
    local = retrieve.resolve_local(META, from_path, pick)
    if local:
        return local
    raise retrieve.unavailable(META, "not in the mirror and not given with --from")


def parse(files: list[FetchedFile]) -> ParseResult:
    """Survey files (one per year) -> observations (pay bands), skills and quarantine. Pure."""
    return ParseResult.combine(list(parse_batches(files)))


def parse_batches(files: list[FetchedFile]) -> Iterator[ParseResult]:
    """parse, one part per survey file: a pull writes one year while it reads the next (the mirror's two years:
    2.93-3.06 s against 2.78-2.93 s, interleaved; peak memory 700-800 MB against 815-830 MB, both years held at once
    — bounded, a survey is one file a year)."""
    for f in files:
        yield _parse_file(f.path)


@dataclass
class Responses:
    """A responses CSV read whole (pyarrow's reader: stream.batches): every column as Arrow strings plus `record`
    (data rows only, numbered from the first respondent), the question texts (the second row) by column, the
    malformed rows (record, reason, detail, fields) and the rows read."""

    header: list[str]
    table: pa.Table
    questions: list[str]
    problems: list[tuple[int, str, str, dict[str, str]]]
    rows_read: int

    def frame(self, columns: list[str]) -> pd.DataFrame:
        """The named columns (first occurrence of each name) plus `record`, as pandas strings."""
        import pandas as pd
        import pyarrow as pa

        names = [*dict.fromkeys(columns), "record"]
        return self.table.select(names).to_pandas(types_mapper={pa.string(): pd.StringDtype("pyarrow")}.get)


def read_responses(path: Path) -> Responses:
    """The responses table and the question texts."""
    import pyarrow as pa
    import pyarrow.compute as pc

    header, parts = stream.batches(path, META.name, None, member_suffix="_responses.csv", upper=None)
    tables, problems, rows_read = [], [], 0
    for b in parts:
        tables.append(b.table)
        problems += b.problems
        rows_read += b.rows_read
    table = pa.concat_tables(tables) if tables else None
    if table is None or not table.num_rows or table.column("record")[0].as_py() != 1:
        raise SourceError(f"kaggle-survey: {path.name}: the second row (question texts) is missing or malformed")
    first = table.slice(0, 1).to_pylist()[0]
    questions = [first.get(h, "") for h in header]
    rest = table.slice(1)
    rest = rest.set_column(rest.column_names.index("record"), "record", pc.subtract(rest.column("record"), 1))
    moved = [(rec - 1, why, detail, kept) for rec, why, detail, kept in problems]
    return Responses(header, rest, questions, moved, rows_read - 1)


def layout_for(path: Path, header: list[str], questions: list[str]) -> Layout:
    """The layout whose column ids exist with the expected question texts; SchemaError naming what is wrong."""
    m = _YEAR_IN_NAME.search(path.name)
    candidates = [LAYOUTS[int(m.group(1))]] if m and int(m.group(1)) in LAYOUTS else list(LAYOUTS.values())
    problems: dict[int, list[str]] = {}
    for lay in candidates:
        problems[lay.year] = _layout_problems(lay, header, questions)
        if not problems[lay.year]:
            return lay
    year, found = min(problems.items(), key=lambda kv: len(kv[1]))
    raise SchemaError(
        f"kaggle-survey: {path.name}: not the Kaggle {year} survey layout: {'; '.join(found[:4])}; "
        "pass the official kaggle_survey_2021/2022 responses file"
    )


def _layout_problems(lay: Layout, header: list[str], questions: list[str]) -> list[str]:
    where = {h: i for i, h in enumerate(header)}
    out = []
    for name, (col, words) in lay.single.items():
        if col not in where:
            out.append(f"column {col} ({name}) is missing")
        elif words not in questions[where[col]].lower():
            out.append(f'column {col} ({name}) does not ask about "{words}"')
    for name, (prefix, words) in lay.multi.items():
        cols = [h for h in header if h.startswith(prefix)]
        if not cols:
            out.append(f"columns {prefix}* ({name}) are missing")
        elif words not in questions[where[cols[0]]].lower():
            out.append(f'column {cols[0]} ({name}) does not ask about "{words}"')
    return out


def pay_band(label: str) -> tuple[float, float | None] | None:
    """'100,000-124,999' -> (100000, 124999); '>$1,000,000' -> (1000000, None); None when not a band."""
    text = label.replace("$", "").replace(",", "").strip()
    m = re.fullmatch(r"(\d+)\s*-\s*(\d+)", text)
    if m:
        return float(m.group(1)), float(m.group(2))
    m = re.fullmatch(r">\s*(\d+)", text)
    if m:
        return float(m.group(1)), None
    return None


def years_band(label: str) -> tuple[float | None, float | None]:
    """Kaggle's years answers -> (low, high): '1-3 years' -> (1, 3); '< 1 years' -> (0, 1); '20+ years' ->
    (20, None); 'I have never written code' / 'I do not use machine learning methods' -> (0, 0)."""
    k = labels.key(label)
    if not k:
        return None, None
    if k.startswith(("i have never", "i do not use")):
        return 0.0, 0.0
    if k.startswith(("<", "under")):
        return 0.0, 1.0
    m = re.match(r"(\d+)\s*(\+|or more)", k)
    if m:
        return float(m.group(1)), None
    m = re.match(r"(\d+)\s*-\s*(\d+)", k)
    if m:
        return float(m.group(1)), float(m.group(2))
    return None, None


def _parse_file(path: Path) -> ParseResult:
    import numpy as np
    import pyarrow as pa

    tab = read_responses(path)
    header = tab.header
    lay = layout_for(path, header, tab.questions)
    prefixes = tuple(prefix for prefix, _ in lay.multi.values())
    src = tab.frame([c for c, _ in lay.single.values()] + [h for h in header if h.startswith(prefixes)])
    q = QuarantineRows()

    reject = q.rejecter(META.name, path.name, header, skip_empty=True)

    for rec, reason, detail, kept in tab.problems:
        reject(rec, [kept.get(h, "") for h in header] if kept else [], reason, detail)

    lo, hi = config.plausible_pay_range()
    pay_col = lay.single["pay"][0]

    def check(label: str) -> tuple[str, str] | None:
        if not label.strip():
            return "no_pay", f"{pay_col} (yearly compensation) is unanswered"
        band = pay_band(label)
        if band is None:
            return "unknown_pay_band", f'{pay_col} "{label}" is not a pay band like "100,000-124,999"'
        low, high = band
        if (high is not None and high < lo) or low > hi:
            return (
                "implausible_pay",
                f'{pay_col} band "{label}" lies outside the plausible range {lo:,.0f}-{hi:,.0f} USD '
                + config.PLAUSIBILITY_HINT,
            )
        return None

    bad, problem = contract.screen(src[pay_col], check)
    if bad.any():  # the rows as the file has them, without their unanswered questions (built column-wise)
        rows = tab.table.filter(pa.array(bad))
        why = [problem[i] for i in np.flatnonzero(bad)]
        records = rows.column("record").to_pylist()
        q.add_many(path.name, records, [r for r, _ in why],
                   [f"kaggle-survey: {path.name} row {rec}: {d} (quarantined)" for rec, (_, d) in zip(records, why,
                                                                                                     strict=True)],
                   stream.json_rows(rows, list(dict.fromkeys(header))))  # fmt: skip
    q.sort()
    df = src[~bad].reset_index(drop=True)
    obs = _observations(df, lay, path)
    return ParseResult(
        rows_read=tab.rows_read,
        version=f"{lay.year} survey",
        observations=obs,
        skills=_skills(df, lay, obs["obs_id"]),
        quarantine=q,
        notes=[f"kaggle-survey: read {path.name} as the {lay.year} layout"],
        data_as_of=lay.fielded_until,
    )


def _band(label: str) -> tuple[float | None, float | None]:
    """A kept row's pay band (its label was checked: contract.screen), its open top as None."""
    band = pay_band(label)
    assert band is not None, label
    return band


def _by_value(series: pd.Series, fn: Callable[[str], object]) -> pd.Series:
    """fn applied once per distinct value (survey columns have few distinct answers)."""
    values = {v: fn(v) for v in series.unique()}
    return series.map(values).astype(object)


def _col(df: pd.DataFrame, lay: Layout, field: str) -> pd.Series:
    return df[lay.single[field][0]].str.strip()


def _multi_columns(df: pd.DataFrame, lay: Layout, field: str) -> list[str]:
    return [c for c in df.columns if c.startswith(lay.multi[field][0])]


def _any_selected(df: pd.DataFrame, cols: list[str]) -> pd.Series:
    import numpy as np
    import pandas as pd

    hit = np.zeros(len(df), dtype=bool)
    for c in cols:  # decided once per distinct answer (a column has a handful), then looked up
        chosen = [v for v in df[c].unique() if not (isinstance(v, str) and v.strip().lower() in _NOT_SELECTED)]
        hit |= df[c].isin(chosen).to_numpy()
    return pd.Series(hit, index=df.index)


def _observations(df: pd.DataFrame, lay: Layout, path: Path) -> pd.DataFrame:
    import numpy as np

    # Every rule on an answer runs once per distinct answer (a question has a few dozen), then is looked up.
    pay, coding, ml = _col(df, lay, "pay"), _col(df, lay, "years_coding"), _col(df, lay, "years_ml")
    level_of = {v: levels.level_from_band(*years_band(v)) for v in coding.unique()}
    level = coding.map(level_of).astype(object)
    nlp = _any_selected(df, _multi_columns(df, lay, "nlp_methods"))
    cv = _any_selected(df, _multi_columns(df, lay, "cv_methods"))
    specialization = np.select([nlp & cv, nlp, cv], ["multiple", "nlp", "computer_vision"], default="none")
    title = _col(df, lay, "title")
    country = _col(df, lay, "country")
    countries = {c: None if labels.key(c) in _NO_COUNTRY else geo.to_iso2(c) for c in country.unique()}
    stem = path.name.split(".")[0]
    return contract.observation_frame(
        len(df),
        {
            "obs_id": f"kaggle-survey:{stem}:" + df["record"].astype(str),
            "source": "kaggle-survey",
            "source_file": path.name,
            "source_record": df["record"],
            "year": lay.year,
            "pay_kind": "survey_band",
            "job_title_raw": title.where(title != "", None),
            "role": _by_value(title, lambda v: TITLE_ROLES.get(labels.key(v), "other")),
            "specialization": specialization,
            "level": level,
            "employee_country": country.map(countries),
            "company_size": _by_value(_col(df, lay, "company_size"), lambda v: COMPANY_SIZES.get(labels.key(v))),
            "education": _by_value(_col(df, lay, "education"), education.education_of),
            "industry": _by_value(_col(df, lay, "industry"), industry.industry_of),
            "ml_centrality": _by_value(_col(df, lay, "ml_use"), lambda v: ML_USE.get(labels.key(v))),
            "years_coding_low": _by_value(coding, lambda v: years_band(v)[0]),
            "years_coding_high": _by_value(coding, lambda v: years_band(v)[1]),
            "years_ml_low": _by_value(ml, lambda v: years_band(v)[0]),
            "years_ml_high": _by_value(ml, lambda v: years_band(v)[1]),
            "experience_basis": coding.map({v: "years_coding_band" if lv else None for v, lv in level_of.items()}),
            "currency": "USD",
            "usd_conversion": "source",
            "amount_low_usd": _by_value(pay, lambda v: _band(v)[0]),
            "amount_high_usd": _by_value(pay, lambda v: _band(v)[1]),
            "dup_group": df["record"],
            "dup_rank": 1,
        }
    )


def _skills(df: pd.DataFrame, lay: Layout, obs_id: pd.Series) -> pd.DataFrame:
    """One row per (respondent, skill): tools from the multi-select questions, methods from the method questions."""
    import pandas as pd

    rows: list[pd.DataFrame] = []

    def add(mask: pd.Series, skill: str) -> None:
        ids = obs_id[mask.to_numpy()]
        rows.append(pd.DataFrame({"obs_id": ids, "skill": skill, "category": skills.category_of(skill)}))

    for field in ("languages", "frameworks", "cloud", "data_products"):
        for c in _multi_columns(df, lay, field):
            values = df[c].str.strip()
            for label in values.unique():
                hit = skills.skill_of(label) if label else None
                if hit:
                    add(values == label, hit[0])
    for field, skill in (("nlp_methods", "nlp"), ("cv_methods", "computer_vision")):
        cols = _multi_columns(df, lay, field)
        add(_any_selected(df, cols), skill)
        for c in cols:  # each distinct answer's normal form, once; then the rows holding the answers a prefix picks
            keyed = {v: labels.key(v) for v in df[c].unique()}
            for prefix, extra in METHOD_SKILLS.items():
                add(df[c].isin([v for v, k in keyed.items() if k.startswith(prefix)]), extra)
    out = pd.concat(rows, ignore_index=True).drop_duplicates(["obs_id", "skill"])
    out.insert(1, "source", "kaggle-survey")
    return out.reset_index(drop=True)

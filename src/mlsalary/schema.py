"""The tables of the mlsalary store: columns, types, units and allowed values — the single source of truth.

Two kinds of pay data live side by side:

- ``observations``: one row = one reported, posted, filed or surveyed annual pay figure for one person or one
  job (aijobs.net rows, Stack Overflow and Kaggle survey responses, H-1B filings). Money is annual, in the
  currency of the row (``amount_local``) and in US dollars (``amount_usd`` nominal; ``amount_usd_real`` in
  constant dollars of ``real_base_year``, deflated with the US CPI-U annual average). Survey bands have no point
  amount: their bounds are ``amount_low_usd`` / ``amount_high_usd``.
- ``aggregates``: published statistics about many workers (BLS OEWS). They are kept as published — percentiles,
  employment, relative standard errors, footnotes — and are never mixed with person-level rows or
  re-estimated. A top-coded percentile is NULL with its name listed in ``top_coded`` and the cap in
  ``top_code_usd``: censored at the cap, never a plain number.
- ``skills``: a long table, one row per (observation, skill) — the languages, frameworks, platforms and methods a
  survey respondent reports using (normalize.skills). Observations from sources without skills have no rows here.

Bookkeeping tables: ``sources`` (one row per loaded source: files, checksums, licence, row accounting),
``quarantine`` (every row that could not be used, with a reason) and ``meta`` (schema version).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

#: Raised whenever what a stored column means changes, so an older store asks to be pulled again instead of answering
#: by the old meaning (5: employer_key is the company, by normalize.companies' declared groups; 6: published_on, the
#: date each row was first published, for vintages).
SCHEMA_VERSION = 6

# Allowed values (enums). Each normalizer returns one of these or None (unknown).
PAY_KINDS = (
    "self_reported",  # a person states their own pay (surveys)
    "posted_range",  # one end of an employer's advertised range (aijobs.net: the posting's two adjacent rows)
    "reported_or_posted",  # a single value in an aggregator mixing self-reports and postings (aijobs.net singles)
    "employer_filed",  # filed by the employer with a government agency (H-1B LCA)
    "survey_band",  # a pay band chosen in a survey: amount_low..amount_high, interval-censored
    "published_percentile",  # an official published statistic (OEWS; lives in ``aggregates``)
)
ROLES = (
    "ml_engineer",
    "research_scientist",
    "applied_scientist",
    "data_scientist",
    "mlops_engineer",
    "ai_engineer",
    "data_engineer",
    "data_analyst",
    "software_engineer",
    "infrastructure_engineer",  # DevOps, cloud, site reliability, database administration
    "researcher",  # academic or R&D research not stated to be machine learning
    "manager",
    "other",
)
#: The roles counted as "machine learning roles" by figures and the estimate.
ML_ROLES = ("ml_engineer", "research_scientist", "applied_scientist", "mlops_engineer", "ai_engineer")
SPECIALIZATIONS = (
    "nlp",
    "computer_vision",
    "genai_llm",
    "reinforcement_learning",
    "distributed_systems",
    "recommender",
    "multiple",  # several at once (a survey respondent using both NLP and computer-vision methods)
    "none",
)
LEVELS = ("entry", "mid", "senior", "executive")
EMPLOYMENT_TYPES = ("full_time", "part_time", "contract", "freelance")
REMOTE = ("onsite", "hybrid", "remote")
COMPANY_SIZES = ("small", "medium", "large")
EDUCATION_LEVELS = ("below_bachelor", "bachelor", "master", "doctorate", "other")
INDUSTRIES = (
    "tech_software",
    "internet_services",
    "finance",
    "healthcare_pharma",
    "manufacturing_automotive",
    "retail_ecommerce",
    "government",
    "education_academia",
    "energy",
    "media_advertising",
    "other",
)
#: "Does your employer incorporate machine learning methods into its business?" (Kaggle), from most to least.
ML_CENTRALITY = ("production_established", "production_recent", "insights_only", "exploring", "none")
#: What `level` and `years_experience` were derived from.
EXPERIENCE_BASES = ("source_level", "work_experience", "years_coding_pro", "years_coding_band")
SKILL_CATEGORIES = ("language", "ml_framework", "data_platform", "cloud", "devops", "method")
DUPLICATE_POLICIES = ("all_rows", "one_per_group")
#: Which row of a posting a published row is: the range's maximum (first), its minimum (second), or a single value.
POSTING_PARTS = ("max", "min", "single")
#: The prevailing-wage levels of an H-1B LCA (the employer's choice of the DOL wage level for the job).
WAGE_LEVELS = ("I", "II", "III", "IV")
#: What one counted observation is, by source (a figure's `unit`): a job posting (aijobs.net: a posted range or a
#: single value, however many rows it was published as), a survey respondent, a published aggregate (OEWS), or a
#: published row as it stands in the file (diagnostics only: a posting's two range ends are two rows).
COUNT_UNITS = ("postings", "respondents", "filings", "published aggregate", "rows")


@dataclass(frozen=True)
class Column:
    name: str
    sql_type: str
    doc: str
    allowed: tuple[str, ...] | None = None


OBSERVATION_COLUMNS: tuple[Column, ...] = (
    Column("obs_id", "VARCHAR NOT NULL", "Stable id: '<source>:<file stem>:<source_record>'."),
    Column("source", "VARCHAR NOT NULL", "Source name, e.g. 'aijobs'."),
    Column("source_file", "VARCHAR NOT NULL", "File name the row was read from."),
    Column("source_record", "BIGINT NOT NULL", "1-based data row number in that file (header excluded)."),
    Column("year", "INTEGER NOT NULL", "Year the pay refers to (aijobs: work_year)."),
    Column("pay_kind", "VARCHAR NOT NULL", "What kind of pay figure this is.", PAY_KINDS),
    Column("job_title_raw", "VARCHAR", "The job title exactly as in the source."),
    Column("role", "VARCHAR NOT NULL", "Role mapped from the title (normalize.titles).", ROLES),
    Column("specialization", "VARCHAR NOT NULL", "Specialization from the title.", SPECIALIZATIONS),
    Column("level", "VARCHAR", "Seniority level, NULL when unknown.", LEVELS),
    Column("years_experience", "DOUBLE", "Years of professional experience, NULL when unknown."),
    Column("employment_type", "VARCHAR", "Employment type.", EMPLOYMENT_TYPES),
    Column("company_country", "VARCHAR", "Employer's country, ISO 3166-1 alpha-2."),
    Column("employee_country", "VARCHAR", "Worker's country of residence, ISO 3166-1 alpha-2."),
    Column("remote", "VARCHAR", "Work arrangement.", REMOTE),
    Column(
        "company_size",
        "VARCHAR",
        "Employer size. The sources' own bands differ: aijobs small <50 employees, medium 50-250, large >250; "
        "Kaggle small <50, medium 50-249, large >=250; Stack Overflow small <20, medium 20-499, large >=500.",
        COMPANY_SIZES,
    ),
    Column("education", "VARCHAR", "Highest degree (normalize.education).", EDUCATION_LEVELS),
    Column("industry", "VARCHAR", "Employer's industry (normalize.industry).", INDUSTRIES),
    Column("ml_centrality", "VARCHAR", "How far the employer uses machine learning (Kaggle only).", ML_CENTRALITY),
    Column("years_coding_low", "DOUBLE", "Years writing code, including study: lower bound (equal bounds = exact)."),
    Column("years_coding_high", "DOUBLE", "Years writing code: upper bound; NULL = open-ended band (e.g. '20+')."),
    Column("years_ml_low", "DOUBLE", "Years using machine-learning methods: lower bound (Kaggle only)."),
    Column("years_ml_high", "DOUBLE", "Years using machine-learning methods: upper bound; NULL = open-ended."),
    Column("experience_basis", "VARCHAR", "What level and years_experience were derived from.", EXPERIENCE_BASES),
    Column("amount_local", "DOUBLE", "Annual pay in the row's own currency (point value; NULL for bands)."),
    Column("currency", "VARCHAR", "ISO 4217 code of amount_local."),
    Column("amount_usd", "DOUBLE", "Annual pay in nominal US dollars of `year` (NULL for bands)."),
    Column("amount_usd_real", "DOUBLE", "amount_usd in constant dollars of real_base_year (US CPI-U)."),
    Column("real_base_year", "INTEGER", "Base year of amount_usd_real; NULL when CPI for `year` is not out."),
    Column("usd_conversion", "VARCHAR", "How amount_usd was obtained: 'source' or 'ecb_year_average'."),
    Column("amount_low_usd", "DOUBLE", "Lower bound of a pay band in USD (survey_band), or of the wage range an "
           "employer filed (employer_filed: WAGE_RATE_OF_PAY_FROM, annualised)."),
    Column("amount_high_usd", "DOUBLE", "Upper bound of a pay band in USD as stated (e.g. 124999); NULL = open-ended "
           "(survey_band) or no upper end filed (employer_filed: WAGE_RATE_OF_PAY_TO, annualised)."),
    Column("employer", "VARCHAR", "The employer's name as filed (H-1B LCA only)."),
    Column("employer_key", "VARCHAR", "The filed name normalised (case, punctuation, legal suffixes: "
           "sources/lca.py employer_key): one key per employer however it is spelt."),
    Column("soc_code", "VARCHAR", "SOC occupation code as filed, 'NN-NNNN' (H-1B LCA; NULL where not filed)."),
    Column("wage_level", "VARCHAR", "The prevailing-wage level the employer chose, I-IV (H-1B LCA): not a job level.",
           WAGE_LEVELS),
    Column("worksite_city", "VARCHAR", "City of the worksite, upper case (H-1B LCA)."),
    Column("worksite_state", "VARCHAR", "US state of the worksite, postal code (H-1B LCA)."),
    Column(
        "posting_id",
        "BIGINT",
        "Postings (aijobs.net): source_record of the posting's first row — a posted range is two adjacent rows "
        "(maximum, then minimum) with the same nine non-pay fields; both carry this id. NULL for sources counted "
        "in respondents.",
    ),
    Column("posting_part", "VARCHAR", "Which part of its posting the row is (NULL outside postings).", POSTING_PARTS),
    Column(
        "dup_group",
        "BIGINT NOT NULL",
        "Postings: posting_id of the first posting with the same fields and the same minimum and maximum (a posting "
        "listed again); other sources: source_record of the first row with exactly the same content.",
    ),
    Column(
        "dup_rank",
        "INTEGER NOT NULL",
        "1 for the first posting (or row) of its duplicate group, 2, 3... for repeats; a posting's rows share it.",
    ),
    Column("published_on", "DATE NOT NULL", "The date the row was first public, by its source's declared rule "
           "(SourceMeta.published; aijobs.net: the earliest snapshot holding the posting): what a vintage "
           "(--as-of) keeps."),
)

AGGREGATE_COLUMNS: tuple[Column, ...] = (
    Column("source", "VARCHAR NOT NULL", "Source name ('oews')."),
    Column("source_file", "VARCHAR NOT NULL", "File the statistic was read from."),
    Column("year", "INTEGER NOT NULL", "Reference year (OEWS: May of that year)."),
    Column("release", "VARCHAR NOT NULL", "Publisher's release name, e.g. 'May 2025'."),
    Column("published_on", "DATE NOT NULL", "The date the statistic was public, by its source's declared rule "
           "(SourceMeta.published)."),
    Column("area_type", "VARCHAR NOT NULL", "national | state | metro | nonmetro | territory."),
    Column("area_code", "VARCHAR NOT NULL", "BLS area code (7 digits; national '0000000')."),
    Column("area_name", "VARCHAR NOT NULL", "Area name as published."),
    Column("industry_code", "VARCHAR NOT NULL", "NAICS-based OEWS industry code ('000000' = cross-industry)."),
    Column("industry_name", "VARCHAR NOT NULL", "Industry name as published."),
    Column("occupation_code", "VARCHAR NOT NULL", "SOC code as published, 'NN-NNNN'."),
    Column("occupation_title", "VARCHAR NOT NULL", "Occupation title as published."),
    Column("soc_2018_code", "VARCHAR NOT NULL", "Nearest SOC 2018 code (see sources/oews.py SOC_CHANGES)."),
    Column("soc_note", "VARCHAR", "How this code relates to its SOC 2018 successor, when it differs."),
    Column("employment", "DOUBLE", "Estimated employment (excludes the self-employed)."),
    Column("employment_rse", "DOUBLE", "Relative standard error of employment, percent."),
    Column("annual_mean", "DOUBLE", "Mean annual wage, USD."),
    Column("wage_rse", "DOUBLE", "Relative standard error of the mean wage, percent."),
    Column("annual_p10", "DOUBLE", "10th percentile annual wage, USD (NULL when top-coded or not released)."),
    Column("annual_p25", "DOUBLE", "25th percentile annual wage, USD."),
    Column("annual_median", "DOUBLE", "Median annual wage, USD."),
    Column("annual_p75", "DOUBLE", "75th percentile annual wage, USD."),
    Column("annual_p90", "DOUBLE", "90th percentile annual wage, USD."),
    Column("top_coded", "VARCHAR[] NOT NULL", "Names of the statistics that are top-coded (>= top_code_usd)."),
    Column("not_released", "VARCHAR[] NOT NULL", "Names of the statistics BLS did not release."),
    Column("top_code_usd", "DOUBLE", "The top-coding cap stated by the publisher for this release, USD/year."),
    Column("footnotes", "VARCHAR[] NOT NULL", "Publisher's footnote texts attached to this cell."),
)

SKILL_COLUMNS: tuple[Column, ...] = (
    Column("obs_id", "VARCHAR NOT NULL", "The observation (observations.obs_id)."),
    Column("source", "VARCHAR NOT NULL", "Source name."),
    Column("skill", "VARCHAR NOT NULL", "Skill id, e.g. 'python', 'pytorch', 'spark', 'nlp' (normalize.skills)."),
    Column("category", "VARCHAR NOT NULL", "Kind of skill.", SKILL_CATEGORIES),
)

#: The wage statistics of an aggregate row, in the order BLS publishes them.
AGGREGATE_WAGE_STATS = ("annual_mean", "annual_p10", "annual_p25", "annual_median", "annual_p75", "annual_p90")

SOURCES_DDL = """
CREATE TABLE IF NOT EXISTS sources (
    name VARCHAR PRIMARY KEY,
    title VARCHAR NOT NULL,
    licence VARCHAR NOT NULL,
    homepage VARCHAR NOT NULL,
    version VARCHAR,            -- the data's own date or release, e.g. '2025-01-19' or 'May 2014-May 2025'
    files VARCHAR[] NOT NULL,   -- file names read
    sha256 VARCHAR[] NOT NULL,  -- their checksums, same order
    origin VARCHAR NOT NULL,    -- where they came from: user path, mirror, cache, download URL or package
    retrieved_at TIMESTAMP NOT NULL,
    data_as_of DATE,            -- the date the data is as of (snapshot, release reference date, end of fielding)
    rows_read BIGINT NOT NULL,
    rows_loaded BIGINT NOT NULL,
    rows_quarantined BIGINT NOT NULL,
    rows_duplicate BIGINT NOT NULL  -- loaded rows of a record listed again (dup_rank > 1; postings: both rows)
)"""

QUARANTINE_DDL = """
CREATE TABLE IF NOT EXISTS quarantine (
    source VARCHAR NOT NULL,
    source_file VARCHAR NOT NULL,
    record BIGINT NOT NULL,     -- 1-based data row number in the file
    reason VARCHAR NOT NULL,    -- a short category, counted by `data status`
    detail VARCHAR NOT NULL,    -- the one-line message naming the field, value and fix
    raw VARCHAR NOT NULL        -- the raw row as JSON
)"""


#: One row per counted unit (what figures, explore and the model count): a posting's two range rows become one row
#: whose amounts are the range's midpoint, with its ends in range_low_usd / range_high_usd (singles: their value,
#: no range); every other source's rows are their own unit. `rows_in_unit` is how many published rows it stands for.
UNITS_SELECT = """
WITH ends AS (
    SELECT source, source_file, posting_id, count(*) AS rows_in_unit,
           min(amount_usd) AS low_usd, max(amount_usd) AS high_usd,
           (min(amount_usd) + max(amount_usd)) / 2 AS mid_usd,
           (min(amount_local) + max(amount_local)) / 2 AS mid_local,
           (min(amount_usd_real) + max(amount_usd_real)) / 2 AS mid_real
    FROM observations WHERE posting_id IS NOT NULL GROUP BY ALL
)
SELECT o.* REPLACE (e.mid_local AS amount_local, e.mid_usd AS amount_usd, e.mid_real AS amount_usd_real),
       CASE WHEN o.posting_part = 'max' THEN e.low_usd END AS range_low_usd,
       CASE WHEN o.posting_part = 'max' THEN e.high_usd END AS range_high_usd,
       e.rows_in_unit
FROM observations o JOIN ends e USING (source, source_file, posting_id)
WHERE o.posting_part <> 'min'
UNION ALL BY NAME
SELECT o.*, CASE WHEN o.pay_kind = 'employer_filed' THEN o.amount_low_usd END AS range_low_usd,
       CASE WHEN o.pay_kind = 'employer_filed' THEN o.amount_high_usd END AS range_high_usd, 1::BIGINT AS rows_in_unit
FROM observations o WHERE o.posting_id IS NULL"""
UNITS_VIEW = "CREATE OR REPLACE VIEW units AS" + UNITS_SELECT


def create_table_sql(table: str, columns: tuple[Column, ...]) -> str:
    cols = ",\n    ".join(f"{c.name} {c.sql_type}" for c in columns)
    return f"CREATE TABLE IF NOT EXISTS {table} (\n    {cols}\n)"


def column_names(columns: tuple[Column, ...]) -> list[str]:
    return [c.name for c in columns]


def all_ddl() -> list[str]:
    return [
        "CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)",
        create_table_sql("observations", OBSERVATION_COLUMNS),
        create_table_sql("aggregates", AGGREGATE_COLUMNS),
        create_table_sql("skills", SKILL_COLUMNS),
        SOURCES_DDL,
        QUARANTINE_DDL,
        UNITS_VIEW,
    ]


def arrow_type(sql_type: str) -> Any:
    """The Arrow type of a column's SQL type (used to hand frames to DuckDB with exact types)."""
    import pyarrow as pa

    base = sql_type.replace("NOT NULL", "").strip()
    types = {
        "VARCHAR": pa.string(),
        "BIGINT": pa.int64(),
        "INTEGER": pa.int32(),
        "DOUBLE": pa.float64(),
        "VARCHAR[]": pa.list_(pa.string()),
        "TIMESTAMP": pa.timestamp("us"),
        "DATE": pa.date32(),
    }
    return types[base]


def to_arrow(df: pd.DataFrame, columns: tuple[Column, ...]) -> Any:
    """The frame as an Arrow table with exactly the declared columns and types (extra columns are dropped).

    A nullable column the frame lacks is filled with NULL (a source that does not carry a field leaves it out);
    a missing NOT NULL column is a KeyError naming it.
    """
    import pyarrow as pa

    if isinstance(df, pa.Table):  # built column-wise by a streaming source: cast, fill, refuse as for a frame
        absent = [c.name for c in columns if c.name not in df.column_names]
        lacking = [c for c in absent if "NOT NULL" in next(x.sql_type for x in columns if x.name == c)]
        if lacking:
            raise KeyError(f"rows lack required column(s) {lacking}")
        arrays = [df.column(c.name).cast(arrow_type(c.sql_type)) if c.name in df.column_names
                  else pa.nulls(df.num_rows, arrow_type(c.sql_type)) for c in columns]  # fmt: skip
        return pa.Table.from_arrays(arrays, schema=pa.schema([pa.field(c.name, arrow_type(c.sql_type))
                                                              for c in columns]))  # fmt: skip
    missing = [c.name for c in columns if c.name not in df.columns]
    required = [c.name for c in columns if c.name in missing and "NOT NULL" in c.sql_type]
    if required:
        raise KeyError(f"rows lack required column(s) {required}")
    if missing:
        df = df.assign(**dict.fromkeys(missing, None))
    fields = [pa.field(c.name, arrow_type(c.sql_type)) for c in columns]
    return pa.Table.from_pandas(df[column_names(columns)], schema=pa.schema(fields), preserve_index=False)


def markdown() -> str:
    """The schema reference (docs/schema.md is this text; a test keeps them equal)."""
    out = [
        "# The mlsalary tables",
        "",
        "Generated from `src/mlsalary/schema.py` by `python -m mlsalary.schema > docs/schema.md`; a test fails when",
        "they differ.",
        "",
        (__doc__ or "").strip(),
        "",
    ]
    for table, cols in (
        ("observations", OBSERVATION_COLUMNS),
        ("aggregates", AGGREGATE_COLUMNS),
        ("skills", SKILL_COLUMNS),
    ):
        out += [f"## `{table}`", "", "| column | type | meaning | allowed values |", "| --- | --- | --- | --- |"]
        for c in cols:
            allowed = ", ".join(f"`{a}`" for a in c.allowed) if c.allowed else ""
            out.append(f"| `{c.name}` | {c.sql_type} | {c.doc} | {allowed} |")
        out.append("")
    out += [
        "## `sources`",
        "",
        "```sql",
        SOURCES_DDL.strip(),
        "```",
        "",
        "## `quarantine`",
        "",
        "```sql",
        QUARANTINE_DDL.strip(),
        "```",
        "",
        "## `units` (a view)",
        "",
        "One row per counted unit — a posting, a survey respondent. Figures, explore and the model read it.",
        "",
        "```sql",
        UNITS_VIEW.strip(),
        "```",
        "",
        f"Machine-learning roles (`ML_ROLES`): {', '.join(ML_ROLES)}.",
        "",
    ]
    return "\n".join(out)


if __name__ == "__main__":
    print(markdown(), end="")

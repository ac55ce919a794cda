"""LCA ingest at scale: a generated OFLC-layout CSV (every allowed column plus personal columns the parser must skip;
seeded; case numbers as OFLC writes them; certified, withdrawn, denied, hourly and yearly wages, ranges), ingested
by `mlsalary data pull lca --from FILE` into a fresh store, against plain pandas reading the same file — each in its
own process, interleaved (A, B, A, B …), at the same priority.

    python benchmarks/lca.py [--rows 2000000] [--repeat 2]

Prints, for both sides: wall time (best of the runs) and peak resident memory (the largest of the runs, from the
child's own rusage), and the ratio ingest / read. Targets (issue 25): at 2,000,000 filings, ingest peak <= 1.5 GB and
time <= 3x the pandas read.
"""

from __future__ import annotations

import argparse
import csv
import sys
import tempfile
import time
from pathlib import Path

from common import ingest_against_read

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

PERSONAL = ("EMPLOYER_POC_LAST_NAME", "EMPLOYER_POC_FIRST_NAME", "EMPLOYER_POC_EMAIL", "EMPLOYER_POC_PHONE",
            "EMPLOYER_ADDRESS1", "AGENT_ATTORNEY_LAST_NAME", "AGENT_ATTORNEY_EMAIL_ADDRESS",
            "PREPARER_EMAIL")  # fmt: skip
TITLES = ("Machine Learning Engineer", "Data Scientist", "Senior Data Scientist", "Software Engineer", "Data Analyst",
          "Research Scientist", "Applied Scientist II", "Data Engineer")  # fmt: skip
CITIES = (("Seattle", "WA"), ("Redmond", "WA"), ("San Jose", "CA"), ("New York", "NY"), ("Austin", "TX"),
          ("Boston", "MA"), ("Chicago", "IL"))  # fmt: skip


def case_number(i: int) -> str:
    """The i-th filing's case number as OFLC writes it: "I-200-" + the received date's year and day of the year +
    a six-digit sequence number (I-200-25015-000123), at most 999,999 a day."""
    day, seq = divmod(i, 999_999)
    return f"I-200-25{15 + day:03d}-{seq:06d}"


def generate(path: Path, rows: int, seed: int = 0) -> None:
    import random

    from mlsalary.sources.oflc import OFFICIAL_COLUMNS

    rng = random.Random(seed)
    header = [*OFFICIAL_COLUMNS, *PERSONAL]
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        for i in range(rows):
            hourly = rng.random() < 0.1
            base = rng.lognormvariate(11.8, 0.3)
            city, state = rng.choice(CITIES)
            status = rng.choices(["Certified", "Withdrawn", "Denied", "Certified - Withdrawn"], [90, 4, 2, 4])[0]
            row = {
                "CASE_NUMBER": case_number(i), "CASE_STATUS": status, "RECEIVED_DATE": "2025-01-15",
                "DECISION_DATE": "2025-01-22", "VISA_CLASS": "H-1B", "JOB_TITLE": rng.choice(TITLES),
                "SOC_CODE": "15-2051", "SOC_TITLE": "Data Scientists", "FULL_TIME_POSITION": "Y",
                "BEGIN_DATE": "2025-07-01", "EMPLOYER_NAME": f"Employer {rng.randint(1, 20000)} Inc.",
                "NAICS_CODE": "541511", "WORKSITE_CITY": city, "WORKSITE_COUNTY": "", "WORKSITE_STATE": state,
                "WORKSITE_POSTAL_CODE": "98000",
                "WAGE_RATE_OF_PAY_FROM": f"{base / 2080:.2f}" if hourly else f"{base:.0f}",
                "WAGE_RATE_OF_PAY_TO": f"{base * 1.2:.0f}" if not hourly and rng.random() < 0.3 else "",
                "WAGE_UNIT_OF_PAY": "Hour" if hourly else "Year", "PREVAILING_WAGE": f"{base * 0.9:.0f}",
                "PW_UNIT_OF_PAY": "Year", "PW_WAGE_LEVEL": rng.choice(["I", "II", "III", "IV"]),
                **{p: f"person{i}@example.com" for p in PERSONAL},
            }  # fmt: skip
            w.writerow([row[h] for h in header])


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--rows", type=int, default=2_000_000)
    ap.add_argument("--repeat", type=int, default=2)
    args = ap.parse_args()
    path = Path(tempfile.mkdtemp(prefix="mlsalary-lca-")) / "LCA_Disclosure_Data_FY2025_Q2.csv"
    t = time.perf_counter()
    generate(path, args.rows)
    mb = path.stat().st_size / 1e6
    print(f"generated OFLC-layout file: {args.rows:,} filings, {mb:,.0f} MB ({time.perf_counter() - t:.0f} s)")
    ingest_s, read_s, peak = ingest_against_read("lca", path, args.repeat)
    print(f"ratio ingest / read: {ingest_s / read_s:.2f} (target <= 3); ingest peak {peak:,.0f} MB (target <= 1,536); "
          f"{args.rows / ingest_s:,.0f} filings/s")  # fmt: skip


if __name__ == "__main__":
    main()

"""LCA ingest at the size of one official quarterly file: a generated OFLC-layout CSV of 200,000 filings (every
allowed column plus personal columns the parser must skip; seeded; certified, withdrawn, denied, hourly and yearly
wages, ranges), ingested by `mlsalary data pull lca --from FILE` into a fresh store, against plain pandas reading the
same file — in the same run.

    python benchmarks/lca.py [--rows 200000] [--repeat 3]

Prints rows per second, the ingest time and its ratio to the pandas read, and the peak resident memory of the
ingest (its own process). Targets: ingest <= 60 s and <= 1.5 GB RSS.
"""

from __future__ import annotations

import argparse
import csv
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import best_of

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

PERSONAL = ("EMPLOYER_POC_LAST_NAME", "EMPLOYER_POC_FIRST_NAME", "EMPLOYER_POC_EMAIL", "EMPLOYER_POC_PHONE",
            "EMPLOYER_ADDRESS1", "AGENT_ATTORNEY_LAST_NAME", "AGENT_ATTORNEY_EMAIL_ADDRESS",
            "PREPARER_EMAIL")  # fmt: skip
TITLES = ("Machine Learning Engineer", "Data Scientist", "Senior Data Scientist", "Software Engineer", "Data Analyst",
          "Research Scientist", "Applied Scientist II", "Data Engineer")  # fmt: skip
CITIES = (("Seattle", "WA"), ("Redmond", "WA"), ("San Jose", "CA"), ("New York", "NY"), ("Austin", "TX"),
          ("Boston", "MA"), ("Chicago", "IL"))  # fmt: skip


def generate(path: Path, rows: int, seed: int = 0) -> None:
    import random

    from mlsalary.sources.lca import OFFICIAL_COLUMNS

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
                "CASE_NUMBER": f"I-200-{i:09d}", "CASE_STATUS": status, "RECEIVED_DATE": "2025-01-15",
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


def ingest(path: Path) -> tuple[float, float]:
    """(seconds, peak RSS in MB) of `mlsalary data pull lca --from FILE` in its own process, into a fresh store."""
    home = tempfile.mkdtemp(prefix="mlsalary-bench-lca-")
    env = {**os.environ, "MLSALARY_HOME": home, "MLSALARY_OFFLINE": "1"}
    env.pop("MLSALARY_MIRROR", None)
    exe = Path(sys.executable).with_name("mlsalary")
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t = time.perf_counter()
    subprocess.run([str(exe), "data", "pull", "lca", "--from", str(path)], env=env, check=True, capture_output=True)
    seconds = time.perf_counter() - t
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # the largest child so far (kB on Linux)
    return seconds, max(peak, before) / 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--rows", type=int, default=200_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    path = Path(tempfile.mkdtemp(prefix="mlsalary-lca-")) / "LCA_Disclosure_Data_FY2025_Q2.csv"
    generate(path, args.rows)
    mb = path.stat().st_size / 1e6
    import pandas as pd

    read_s, _ = best_of(args.repeat, lambda: pd.read_csv(path, low_memory=False))
    runs = [ingest(path) for _ in range(args.repeat)]
    seconds = min(s for s, _ in runs)
    peak = max(p for _, p in runs)
    print(f"generated OFLC-layout file: {args.rows:,} filings, {mb:.0f} MB")
    print(f"ingest (mlsalary data pull lca --from FILE, own process, best of {args.repeat}): {seconds:.1f} s, "
          f"{args.rows / seconds:,.0f} rows/s (target <= 60 s)")  # fmt: skip
    print(f"peak resident memory of the ingest: {peak:,.0f} MB (target <= 1,536 MB)")
    print(f"baseline, pandas read_csv of the same file: {read_s:.2f} s; ratio ingest / read {seconds / read_s:.1f}")


if __name__ == "__main__":
    main()

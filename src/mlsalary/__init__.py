"""mlsalary: what machine learning engineers really earn, from real public data.

The short public API (heavy libraries are imported only when a function is called)::

    import mlsalary
    mlsalary.pull(["oews"])                  # fetch + ingest sources
    mlsalary.status()                        # row accounting per source
    mlsalary.observations()                  # the normalized table as a pandas DataFrame
    mlsalary.oews("15-2051", "Seattle")      # BLS's published wage percentiles
    mlsalary.figures()                       # the headline figures (value, interval, n, sources, caveats)
    mlsalary.claims()                        # common claims about ML pay, with verdicts
    mlsalary.report("report/")               # report.html, figures.md, figures.json
    mlsalary.estimate("ml_engineer", "senior", "US")   # your calibrated pay range, with what moves it
"""

from __future__ import annotations

from mlsalary.api import (
    claims,
    estimate,
    evaluate_model,
    evaluate_offer,
    figures,
    list_sources,
    observations,
    oews,
    pull,
    report,
    sql,
    status,
)

__version__ = "0.1.0"
__all__ = [
    "__version__",
    "claims",
    "estimate",
    "evaluate_model",
    "evaluate_offer",
    "figures",
    "list_sources",
    "observations",
    "oews",
    "pull",
    "report",
    "sql",
    "status",
]

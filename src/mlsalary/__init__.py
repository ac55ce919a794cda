"""mlsalary: what machine learning engineers really earn, from real public data.

The short public API (heavy libraries are imported only when a function is called)::

    import mlsalary
    mlsalary.pull(["oews"])                  # fetch + ingest sources
    mlsalary.status()                        # row accounting per source
    mlsalary.observations()                  # the normalized table as a pandas DataFrame
    mlsalary.oews("15-2051", "Seattle")      # BLS's published wage percentiles
"""

from __future__ import annotations

from mlsalary.api import list_sources, observations, oews, pull, sql, status

__version__ = "0.1.0"
__all__ = ["__version__", "list_sources", "observations", "oews", "pull", "sql", "status"]

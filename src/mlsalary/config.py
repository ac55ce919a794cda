"""Paths and thresholds, as named constants.

Paths come from the environment so that tests and users can point the project anywhere:

- ``MLSALARY_HOME``: where the database and the download cache live. Default: the user data directory
  (platformdirs), e.g. ``~/.local/share/mlsalary``.
- ``MLSALARY_MIRROR``: a folder laid out like ``shared/data`` (one sub-folder per source). When set, sources are
  read from it instead of being downloaded.
- ``MLSALARY_OFFLINE=1``: never touch the network (same as ``--offline``).
"""

from __future__ import annotations

import contextlib
import os
from datetime import date
from pathlib import Path

#: Name of the DuckDB file inside MLSALARY_HOME.
DB_FILENAME = "mlsalary.duckdb"

#: Plausibility rule for an annual pay figure in US dollars (self-reported and aggregated data). A figure outside
#: [MIN, MAX] is quarantined with the reason; nothing is trimmed silently. Override with the environment
#: variables MLSALARY_MIN_PAY_USD / MLSALARY_MAX_PAY_USD.
MIN_PLAUSIBLE_PAY_USD = 1_000.0
MAX_PLAUSIBLE_PAY_USD = 5_000_000.0

#: User-Agent sent with every download (BLS refuses requests without a descriptive one).
USER_AGENT = "mlsalary/0.1 (open-source salary statistics; https://github.com/mlsalary/mlsalary)"

#: Seconds before a download gives up on a silent server.
HTTP_TIMEOUT_S = 60.0


def home() -> Path:
    """The folder holding the database and the cache (created on demand)."""
    env = os.environ.get("MLSALARY_HOME")
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("mlsalary", appauthor=False))


def db_path() -> Path:
    return home() / DB_FILENAME


def cache_dir() -> Path:
    return home() / "cache"


def mirror_dir() -> Path | None:
    env = os.environ.get("MLSALARY_MIRROR")
    return Path(env).expanduser() if env else None


def offline() -> bool:
    return os.environ.get("MLSALARY_OFFLINE", "").strip().lower() in {"1", "true", "yes"}


#: Appended to every implausible-pay quarantine detail: how to change the rule.
PLAUSIBILITY_HINT = "(set MLSALARY_MIN_PAY_USD / MLSALARY_MAX_PAY_USD to change the rule)"


#: A source whose data is older than this many months gets a warning naming the fix (MLSALARY_STALE_MONTHS).
STALE_AFTER_MONTHS = 12


#: A pull that would leave a source with fewer loaded rows than this share of what it has now is refused (the
#: previous data stays) unless the user says --replace: a mistyped --from, an empty or truncated file. Override with
#: MLSALARY_MAX_SHRINK (0.01 = 1%).
MAX_SHRINK = 0.01


def max_shrink() -> float:
    raw = os.environ.get("MLSALARY_MAX_SHRINK", "").strip()
    try:
        return min(max(float(raw), 0.0), 1.0) if raw else MAX_SHRINK
    except ValueError:
        return MAX_SHRINK


#: Host names the web app answers to (the Host header; DNS rebinding cannot reach a local server through another
#: name). MLSALARY_ALLOWED_HOSTS (a comma list) adds more; `mlsalary serve --host X` adds X.
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")


def allowed_hosts() -> set[str]:
    extra = os.environ.get("MLSALARY_ALLOWED_HOSTS", "")
    return {*LOCAL_HOSTS, *(h.strip().lower() for h in extra.split(",") if h.strip())}


#: Requests the web app answers at once (MLSALARY_MAX_REQUESTS); more get a 503 with Retry-After (web.app.LoadShed).
MAX_REQUESTS = 4  # twice the cores of the machine it is measured on; explore answers in ~15 ms


def max_requests() -> int:
    raw = os.environ.get("MLSALARY_MAX_REQUESTS", "").strip()
    return max(int(raw), 1) if raw.isdigit() else MAX_REQUESTS


#: How much a pull, and a server's background work (training, figures), lower their CPU priority (nice), so that a
#: server on the same machine keeps answering meanwhile (MLSALARY_PULL_NICE; 0 keeps the priority).
PULL_NICE = 10


def lower_priority() -> None:
    raw = os.environ.get("MLSALARY_PULL_NICE", "").strip()
    step = int(raw) if raw.isdigit() else PULL_NICE
    current = os.getpriority(os.PRIO_PROCESS, 0)
    if min(step, 19) > current:
        with contextlib.suppress(OSError):  # not allowed here: run at the usual priority
            os.nice(min(step, 19) - current)


def stale_after_months() -> int:
    raw = os.environ.get("MLSALARY_STALE_MONTHS", "").strip()
    return int(raw) if raw.isdigit() else STALE_AFTER_MONTHS


def today() -> date:
    """Today's date, against which the age of data is measured (tests set the clock by replacing this)."""
    return date.today()


def plausible_pay_range() -> tuple[float, float]:
    """The [min, max] annual USD pay accepted by the plausibility rule (see the module docstring)."""
    lo = float(os.environ.get("MLSALARY_MIN_PAY_USD", MIN_PLAUSIBLE_PAY_USD))
    hi = float(os.environ.get("MLSALARY_MAX_PAY_USD", MAX_PLAUSIBLE_PAY_USD))
    return lo, hi

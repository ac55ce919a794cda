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
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from mlsalary.errors import InputError


class SettingError(InputError):
    """An MLSALARY_* variable whose value cannot be used (the message names it, its value and what it takes)."""


@dataclass(frozen=True)
class Setting:
    """A number the user may set through the environment: its variable, default, the range it takes, and what it
    means (README's configuration table lists the same)."""

    name: str
    default: float
    lo: float
    hi: float
    whole: bool
    what: str


def setting(name: str) -> float:
    """The value of a declared setting: its default when the variable is unset or blank, else the variable read as a
    plain number (ASCII digits; no NaN or infinity) within its range. Anything else is a SettingError naming the
    variable and the fix — never a silent fallback to the default, never a crash."""
    s = SETTINGS[name]
    raw = os.environ.get(name, "").strip()
    if not raw:
        return s.default
    kind = "a whole number" if s.whole else "a number"
    fix = f"set {name} to {kind} from {s.lo:g} to {s.hi:g} ({s.what}; default {s.default:g}), or unset it"
    shown = raw.encode("ascii", "backslashreplace").decode()[:40]  # no control or look-alike characters echoed
    if not raw.isascii() or not _NUMBER.fullmatch(raw) or (s.whole and not raw.lstrip("+-").isdigit()):
        raise SettingError(f"{name}={shown!r} is not {kind}: {fix}", name)
    value = float(raw)
    if not s.lo <= value <= s.hi:
        raise SettingError(f"{name}={shown} is out of range: {fix}", name)
    return int(value) if s.whole else value


_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


def check_settings() -> None:
    """Read every declared setting once (a server checks them at start rather than fail a request later)."""
    for name in SETTINGS:
        setting(name)


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
    return setting("MLSALARY_MAX_SHRINK")


#: Host names the web app answers to (the Host header; DNS rebinding cannot reach a local server through another
#: name). MLSALARY_ALLOWED_HOSTS (a comma list) adds more; `mlsalary serve --host X` adds X.
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")


def allowed_hosts() -> set[str]:
    extra = os.environ.get("MLSALARY_ALLOWED_HOSTS", "")
    return {*LOCAL_HOSTS, *(h.strip().lower() for h in extra.split(",") if h.strip())}


#: Requests the web app answers at once (MLSALARY_MAX_REQUESTS); more get a 503 with Retry-After (web.app.LoadShed).
MAX_REQUESTS = 4  # twice the cores of the machine it is measured on; explore answers in ~15 ms


def max_requests() -> int:
    return int(setting("MLSALARY_MAX_REQUESTS"))


#: How much a pull, and a server's background work (training, figures), lower their CPU priority (nice), so that a
#: server on the same machine keeps answering meanwhile (MLSALARY_PULL_NICE; 0 keeps the priority).
PULL_NICE = 10


def lower_priority() -> None:
    step = int(setting("MLSALARY_PULL_NICE"))
    current = os.getpriority(os.PRIO_PROCESS, 0)
    if min(step, 19) > current:
        with contextlib.suppress(OSError):  # not allowed here: run at the usual priority
            os.nice(min(step, 19) - current)


def stale_after_months() -> int:
    return int(setting("MLSALARY_STALE_MONTHS"))


def today() -> date:
    """Today's date, against which the age of data is measured (tests set the clock by replacing this)."""
    return date.today()


def plausible_pay_range() -> tuple[float, float]:
    """The [min, max] annual USD pay accepted by the plausibility rule (see the module docstring)."""
    lo, hi = setting("MLSALARY_MIN_PAY_USD"), setting("MLSALARY_MAX_PAY_USD")
    if lo >= hi:
        raise SettingError(f"MLSALARY_MIN_PAY_USD ({lo:g}) must be below MLSALARY_MAX_PAY_USD ({hi:g}): change one "
                           "of them", "MLSALARY_MIN_PAY_USD")  # fmt: skip
    return lo, hi


#: Seconds a pull waits for another pull on the same home before it stops, naming the other (MLSALARY_PULL_WAIT).
PULL_WAIT_SECONDS = 600.0

#: The smallest n for which a figure's statistic is printed as a number (MLSALARY_MIN_N; stats.suppress raises a
#: lower value to the privacy floor).
DEFAULT_MIN_N = 30

#: Every number the environment may set, declared once: read by setting(), listed in README's configuration table.
SETTINGS: dict[str, Setting] = {s.name: s for s in (
    Setting("MLSALARY_MIN_PAY_USD", MIN_PLAUSIBLE_PAY_USD, 0, 1e9, False, "the least plausible annual pay, USD"),
    Setting("MLSALARY_MAX_PAY_USD", MAX_PLAUSIBLE_PAY_USD, 1, 1e12, False, "the most plausible annual pay, USD"),
    Setting("MLSALARY_STALE_MONTHS", STALE_AFTER_MONTHS, 1, 1200, True, "months before data is called stale"),
    Setting("MLSALARY_MAX_SHRINK", MAX_SHRINK, 0, 1, False, "the share a pull may shrink a source by"),
    Setting("MLSALARY_PULL_WAIT", PULL_WAIT_SECONDS, 0, 86_400, False, "seconds a pull waits for another"),
    Setting("MLSALARY_PULL_NICE", PULL_NICE, 0, 19, True, "how much background work lowers its priority"),
    Setting("MLSALARY_MAX_REQUESTS", MAX_REQUESTS, 1, 10_000, True, "requests the web app answers at once"),
    Setting("MLSALARY_MIN_N", DEFAULT_MIN_N, 0, 1_000_000, True, "the least n a figure is printed with"),
)}  # fmt: skip

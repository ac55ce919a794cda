"""The figures, the claims' verdicts and the sources' header as computed for one version of the database, kept on
disk: a later `mlsalary figures` or `mlsalary claims` of the same data reads them instead of computing them again
(4 s of imports and computation on the mirror).

What they depend on makes the key: the database version the home points at (each pull writes a new one: store.aside)
with its size and modification time, mlsalary's version and the size and modification time of every file of the
package (an edited rule is a new key), every MLSALARY_* setting (the minimum n, the privacy floor …; not the home or
the mirror, which name places) and today's date (the data's age is printed from it). A vintage (--as-of) is never
kept. One file is kept per home — the newest; an unreadable one is computed again; a home that cannot be written
still gets its answer. The file is a pickle in the user's own home, read only by the user's own mlsalary: the same
trust as the database beside it.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")
PREFIX = "figures-"
#: Settings that name places, not rules: they do not change a figure.
PLACES = ("MLSALARY_HOME", "MLSALARY_MIRROR")


def key() -> str | None:
    """The key of what the figures depend on, or None when there is no database (or a vintage is asked)."""
    import mlsalary
    from mlsalary import config, vintage

    db = config.db_path()
    if vintage.current() is not None or not db.is_file():
        return None
    real = db.resolve()
    st = real.stat()
    package = Path(mlsalary.__file__).parent
    code = sorted((str(p.relative_to(package)), s.st_size, s.st_mtime_ns)
                  for p in package.rglob("*") if p.is_file() and p.suffix in (".py", ".csv", ".json", ".gz")
                  for s in (p.stat(),))  # fmt: skip
    settings = sorted((k, v) for k, v in os.environ.items() if k.startswith("MLSALARY_") and k not in PLACES)
    parts = (real.name, st.st_size, st.st_mtime_ns, mlsalary.__version__, code, settings, config.today().isoformat())
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:24]


def folder() -> Path:
    from mlsalary import config

    return config.db_path().parent / "figures-cache"


def computed(make: Callable[[], T]) -> T:
    """make()'s answer for the database as it is: read from the kept file when its key matches, else computed and
    kept (module docstring)."""
    k = key()
    if k is None:
        return make()
    path = folder() / f"{PREFIX}{k}.pickle"
    try:
        with open(path, "rb") as f:
            kept: T = pickle.load(f)  # the user's own file (module docstring)
        return kept
    except FileNotFoundError:
        pass
    except Exception:  # a damaged or older file: computed again
        path.unlink(missing_ok=True)
    value = make()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        part = path.with_name(path.name + f".{os.getpid()}.part")
        with open(part, "wb") as f:
            pickle.dump(value, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(part, path)
        for old in path.parent.glob(f"{PREFIX}*.pickle"):
            if old != path:
                old.unlink(missing_ok=True)
    except OSError:  # a home that cannot be written: the answer all the same
        pass
    return value

"""Finding the saved model without importing scikit-learn: its path, the data fingerprint, load, load-or-train."""

from __future__ import annotations

import hashlib
import json
from contextvars import ContextVar
from pathlib import Path

from mlsalary import config
from mlsalary.model.compact import CompactModel, load
from mlsalary.model.features import TRAINING_SOURCES, population_key

MODEL_VERSION = "4"  # 2: learns from postings (one per posting, at its midpoint), knows its data dates; 3: skill
#: evidence by role, level and country; 4: a conformal offset per end of each range (keyed by quantile)


def model_path() -> Path:
    """MLSALARY_HOME/model/pay_model (.npz arrays + .json metadata); at a vintage (vintage.at), pay_model_as_of_DATE
    beside it: the current model is never replaced by an older vintage's."""
    from mlsalary import vintage

    as_of = vintage.current()
    name = "pay_model" if as_of is None else f"pay_model_as_of_{as_of.isoformat()}"
    return config.home() / "model" / name


def fingerprint() -> str:
    """A digest of what the store holds for the training sources (file checksums and row counts)."""
    from mlsalary import store

    with store.read_only() as con:
        rows = con.execute(
            "SELECT name, sha256, rows_loaded FROM sources WHERE name IN "
            f"({', '.join(repr(s) for s in TRAINING_SOURCES)}) ORDER BY name"
        ).fetchall()
    from mlsalary import vintage

    as_of = vintage.current()  # a vintage is other data: its model is another model
    text = json.dumps([MODEL_VERSION, [[r[0], list(r[1]), r[2]] for r in rows]]
                      + ([] if as_of is None else [as_of.isoformat()]))  # fmt: skip
    return hashlib.sha256(text.encode()).hexdigest()


#: The last usable model this process loaded, under the state it was loaded for (one entry).
_CACHE: dict[tuple[object, ...], CompactModel] = {}
_MISSES: set[tuple[object, ...]] = set()


def _previous() -> CompactModel | None:
    """The last usable model this process loaded for this home, whatever the state since: a request (which never
    trains) is answered by it while the server retrains for data a pull just swapped in (web.pages.watch); the
    answer names its model version and data dates."""
    here = str(model_path().with_suffix(".npz"))  # _stamp()'s first element
    return next((m for state, m in _CACHE.items() if state[0] == here), None)


def _stamp() -> tuple[object, ...]:
    """What identifies the saved model and the store's state without reading them (paths, sizes, mtimes)."""
    out: list[object] = []
    for p in (model_path().with_suffix(".npz"), model_path().with_suffix(".json"), config.db_path()):
        try:
            st = p.stat()
            out += [str(p), st.st_size, st.st_mtime_ns]
        except OSError:
            out += [str(p), None, None]
    return tuple(out)


def current() -> CompactModel | None:
    """The saved model, or None when there is none, it is of another version, the data changed since, or it learnt
    from other rows than the model would now (features.training_where: a rule of who counts changed).

    Within a process the loaded model is kept while neither its files nor the database change, so repeated
    estimates cost no file reads and no database query."""
    stamp = _stamp()
    if stamp in _CACHE:
        return _CACHE[stamp]
    if stamp in _MISSES:  # known unusable for this state: no file read, no query
        return None
    if not may_train.get() and _previous() is not None:  # in a request, after a pull: the server's watcher loads
        return None  # the new model (no file read or query on the request's path); the previous one answers
    compact = load(model_path())
    if compact is None or compact.meta.get("version") != MODEL_VERSION or \
            compact.meta.get("fingerprint") != fingerprint() or compact.meta.get("population") != population_key():
        _MISSES.clear()
        _MISSES.add(stamp)
        return None
    _CACHE.clear()
    _CACHE[stamp] = compact
    return compact


#: False while a web request is served (web.app sets it per request): a request never trains — it gets a 503 naming
#: `mlsalary model train` (the server trains at start when it can).
may_train: ContextVar[bool] = ContextVar("may_train", default=True)


def load_or_train() -> tuple[CompactModel, bool]:
    """(model, trained_now): the saved model, or a new one trained and saved when there is none usable."""
    compact = current()
    if compact is not None:
        return compact, False
    if not may_train.get():
        from mlsalary.errors import ModelNotReady

        last = _previous()  # the data changed under a running server: the previous model of this home answers
        if last is not None:  # until the new one is ready
            return last, False
        fingerprint()  # no data at all: the store's own error, which says how to get data
        raise ModelNotReady(
            "no trained pay model for the data loaded yet: run `mlsalary model train` (a starting server trains one; "
            "try again in a minute)"
        )
    from mlsalary.model.train import train

    return train(save=True), True


def model_version(compact: CompactModel) -> str:
    return f"{compact.meta['version']}-{str(compact.meta['fingerprint'])[:12]}"

"""The saved model in a form that predicts with numpy alone: fast to load (no scikit-learn or pandas import, so a
cold `mlsalary estimate` stays under a second) and fast to call (all trees of the five quantiles walked at once).

Every input is turned into a small integer code: a category into its index, a numeric input (year, the 0/1 flags)
into its offset from the smallest training value; 255 means missing. Every split then becomes one lookup in a
256-bit set of the codes that go left — for a numeric split, the codes whose value is at most the threshold; bit
255 says where missing values go. `export()` builds these arrays from the fitted scikit-learn models and checks, on
training rows, that they predict exactly what scikit-learn predicts; `load()` reads them back with the metadata
(version, data fingerprint, categories, support table, conformal offsets).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    import pandas as pd

    from mlsalary.model.estimator import PayQuantileModel

#: The quantiles of log pay the model predicts (p10, p25, p50, p75, p90).
QUANTILES = (0.1, 0.25, 0.5, 0.75, 0.9)
#: The calibrated intervals: (coverage, index of the lower quantile, index of the upper quantile).
INTERVALS = ((0.8, 0, 4), (0.5, 1, 3))
MISSING = 255
ARRAYS = ("baseline", "tree_model", "start", "feature", "left", "right", "value", "bitset")


@dataclass
class CompactModel:
    columns: list[str]  # model inputs, in the trees' feature order (categorical first)
    categories: dict[str, list[str]]  # categorical input -> its categories (code = index)
    numeric_base: dict[str, float]  # numeric input -> the value of code 0
    offsets: dict[str, float]  # conformal offset of each end of the 80% and 50% ranges, by quantile (log scale)
    meta: dict[str, Any]  # version, fingerprint, latest_year, support, rows, calibration, depth
    baseline: npt.NDArray[np.float64]  # (5,) each quantile model's starting value
    tree_model: npt.NDArray[np.int64]  # (T,) the quantile model of each tree
    start: npt.NDArray[np.int64]  # (T,) flat index of each tree's root
    feature: npt.NDArray[np.int64]  # (nodes,) input tested by each node (flat over all trees)
    left: npt.NDArray[np.int64]  # (nodes,) flat index of the left child (a leaf: itself)
    right: npt.NDArray[np.int64]
    value: npt.NDArray[np.float64]  # (nodes,) leaf values
    bitset: npt.NDArray[np.int64]  # (nodes * 8,) 8 words of 32 bits: the codes going left
    _support: dict[tuple[str, str, str], int] | None = field(default=None, repr=False)

    def encode(self, rows: list[dict[str, Any]]) -> npt.NDArray[np.int64]:
        """Input rows (plain values) -> codes; a missing value or an unseen category -> 255."""
        import numpy as np

        out = np.full((len(rows), len(self.columns)), MISSING, dtype=np.int64)
        for i, row in enumerate(rows):
            for j, col in enumerate(self.columns):
                v = row.get(col)
                if v is None or v != v:
                    continue
                if col in self.categories:
                    cats = self.categories[col]
                    if v in cats:
                        out[i, j] = cats.index(v)
                else:
                    out[i, j] = min(max(round(float(v) - self.numeric_base[col]), 0), MISSING - 1)
        return out

    def raw(self, codes: npt.NDArray[np.int64]) -> npt.NDArray[np.float64]:
        """The five uncalibrated log-pay quantiles of each row (rows x 5), sorted."""
        import numpy as np

        n_rows, n_cols = codes.shape
        flat_codes = codes.ravel()
        row_base = (np.arange(n_rows) * n_cols)[None, :]
        node = np.repeat(self.start[:, None], n_rows, axis=1)  # (T, R)
        for _ in range(int(self.meta["depth"])):
            c = np.take(flat_codes, row_base + np.take(self.feature, node))
            goes_left = (np.take(self.bitset, node * 8 + (c >> 5)) >> (c & 31)) & 1
            node = np.where(goes_left == 1, np.take(self.left, node), np.take(self.right, node))
        sums = np.zeros((len(QUANTILES), n_rows))
        np.add.at(sums, self.tree_model, np.take(self.value, node))
        return np.sort((sums + self.baseline[:, None]).T, axis=1)

    def quantiles(self, codes: npt.NDArray[np.int64]) -> npt.NDArray[np.float64]:
        """Calibrated log-pay quantiles p10, p25, p50, p75, p90 (rows x 5)."""
        return widen(self.raw(codes), self.offsets)

    def support(self) -> dict[tuple[str, str, str], int]:
        """role x level x country -> training records (built once)."""
        if self._support is None:
            self._support = {(r, lv, c): int(n) for r, lv, c, n in self.meta["support"]}
        return self._support


def widen(q: npt.NDArray[np.float64], offsets: dict[str, float]) -> npt.NDArray[np.float64]:
    """Quantiles (rows x 5) with each end of a calibrated interval moved out by its own conformal offset (keyed by
    the end's quantile; a negative offset moves it in), sorted again so that they never cross."""
    import numpy as np

    for _, lo, hi in INTERVALS:
        q[:, lo] -= offsets[str(QUANTILES[lo])]
        q[:, hi] += offsets[str(QUANTILES[hi])]
    return np.sort(q, axis=1)


def _words(bits: npt.NDArray[np.bool_]) -> npt.NDArray[np.int64]:
    """(k, 256) booleans -> (k, 8) words of 32 bits."""
    import numpy as np

    weights = (1 << np.arange(32, dtype=np.int64))[None, None, :]
    return (bits.reshape(len(bits), 8, 32).astype(np.int64) * weights).sum(axis=2)


def export(model: PayQuantileModel, x: pd.DataFrame, meta: dict[str, Any]) -> CompactModel:
    """Flatten the fitted models; raises RuntimeError if the arrays do not predict what scikit-learn predicts."""
    import numpy as np

    first = model.models_[0]
    names = list(first.feature_names_in_)
    is_cat = list(first.is_categorical_)
    cat_cols = [n for n, c in zip(names, is_cat, strict=True) if c]
    num_cols = [n for n, c in zip(names, is_cat, strict=True) if not c]
    columns = cat_cols + num_cols
    encoder = first._preprocessor.named_transformers_["encoder"] if cat_cols else None
    categories = {n: [str(v) for v in encoder.categories_[i]] for i, n in enumerate(cat_cols)}  # type: ignore[union-attr]
    numeric_base = {}
    for n in num_cols:
        values = x[n].dropna().to_numpy(dtype="float64")
        base = float(values.min()) if len(values) else 0.0
        if len(values) and (np.any(values != np.round(values)) or values.max() - base > MISSING - 1):
            raise RuntimeError(f"internal: numeric input {n} is not a small integer; the compact model cannot hold it")
        numeric_base[n] = base
    trees = [(k, p[0].nodes, p[0].raw_left_cat_bitsets) for k, m in enumerate(model.models_) for p in m._predictors]
    codes = np.arange(MISSING + 1)
    parts: dict[str, list[Any]] = {"feature": [], "left": [], "right": [], "value": [], "bitset": []}
    start, offset, depth = [], 0, 0
    for _, nodes, cat_bits in trees:
        k = len(nodes)
        start.append(offset)
        leaf = nodes["is_leaf"].astype(bool)
        own = np.arange(k)
        parts["left"].append(np.where(leaf, own, nodes["left"]) + offset)
        parts["right"].append(np.where(leaf, own, nodes["right"]) + offset)
        parts["feature"].append(np.where(leaf, 0, nodes["feature_idx"]))
        parts["value"].append(nodes["value"].astype("float64"))
        bits = np.zeros((k, MISSING + 1), dtype=bool)
        for i in np.flatnonzero(~leaf):
            node = nodes[i]
            if node["is_categorical"]:
                words = cat_bits[node["bitset_idx"]].astype(np.int64)
                bits[i] = (words[codes >> 5] >> (codes & 31)) & 1 == 1
            else:
                col = columns[int(node["feature_idx"])]
                bits[i] = numeric_base[col] + codes <= node["num_threshold"]
            bits[i, MISSING] = bool(node["missing_go_to_left"])
        parts["bitset"].append(_words(bits).ravel())
        offset += k
        depth = max(depth, int(nodes["depth"].max()))
    compact = CompactModel(
        columns=columns, categories=categories, numeric_base=numeric_base,
        offsets=dict(model.offsets_), meta={**meta, "depth": depth + 1},
        baseline=np.array([float(m._baseline_prediction.ravel()[0]) for m in model.models_]),
        tree_model=np.array([k for k, _, _ in trees], np.int64), start=np.array(start, np.int64),
        feature=np.concatenate(parts["feature"]).astype(np.int64), left=np.concatenate(parts["left"]).astype(np.int64),
        right=np.concatenate(parts["right"]).astype(np.int64), value=np.concatenate(parts["value"]),
        bitset=np.concatenate(parts["bitset"]).astype(np.int64),
    )  # fmt: skip
    rows = x.head(2000)
    plain = [{str(c): v for c, v in rec.items()} for rec in rows.astype(object).to_dict("records")]
    if not np.allclose(compact.quantiles(compact.encode(plain)), model.predict_quantiles(rows), atol=1e-9):
        raise RuntimeError("internal: the compact model does not reproduce scikit-learn's predictions; please report")
    return compact


def save(compact: CompactModel, path: Path) -> None:
    """<path>.npz (arrays) + <path>.json (metadata), each written atomically."""
    import numpy as np

    from mlsalary.files import atomic, write_text

    with atomic(path.with_suffix(".npz"), suffix=".npz") as tmp:
        np.savez(tmp, **{n: getattr(compact, n) for n in ARRAYS})
    info = {"columns": compact.columns, "categories": compact.categories, "numeric_base": compact.numeric_base,
            "offsets": compact.offsets, "meta": compact.meta}  # fmt: skip
    write_text(path.with_suffix(".json"), json.dumps(info))


def load(path: Path) -> CompactModel | None:
    """The saved model, or None when it is missing or unreadable."""
    import numpy as np

    try:
        info = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
        with np.load(path.with_suffix(".npz")) as npz:
            arrays = {n: npz[n] for n in ARRAYS}
        return CompactModel(**info, **arrays)
    except (OSError, ValueError, KeyError, TypeError):
        return None

"""A quantile model of annual pay with conformal calibration that respects time.

``PayQuantileModel`` follows scikit-learn's conventions: parameters only in ``__init__``; ``fit`` returns self;
learned state ends in ``_``; prediction starts with ``check_is_fitted``; seeded (``random_state``).

- Five gradient-boosting quantile regressions (scikit-learn's HistGradientBoostingRegressor, loss="quantile") of log
  pay give p10, p25, p50, p75, p90 (sorted, so they never cross).
- **Calibration (conformalized quantile regression that hedges against drift).** A model is always used on a year
  it has not seen, and pay data drift from year to year by an amount no one knows in advance. The conformity scores
  e = max(q_lo - y, y - q_hi) of the 80% (p10, p90) and 50% (p25, p75) intervals are pooled in equal parts from two
  views of the newest training year: *a year ahead* (a model trained on the years before it, scored on it: last
  year's drift, seen by a model with less data) and *within the year* (two-fold cross-fitting: a model trained on
  everything but one half of that year, scored on that half: no drift). Each view alone misses on next-year data
  (on the mirror, trained to 2024 and tested on 2025 postings: 86% and 77% for the 80% range); their pool is the
  average of the two scenarios. The ceil((n+1)(1-alpha))-th smallest pooled score is the offset added on each side of
  the final model's interval (the model refit on every training year). Only rows of sources the earlier years have are
  scored (a source first seen in the newest year would measure its novelty, not drift). When the training rows
  reach into a partial year after the newest full one, the final model has seen that share of the year it is used
  on: the year-ahead view is given the same share of its scored year (seeded sample) and scores the rest. When the
  years are too few, a seeded random split is used instead (plain split-conformal). `mlsalary model evaluate`
  measures the coverage.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils.validation import check_is_fitted

from mlsalary.model.compact import INTERVALS, QUANTILES, widen

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    import pandas as pd


class PayQuantileModel(BaseEstimator, RegressorMixin):
    def __init__(
        self,
        calibrate: bool = True,
        max_iter: int = 300,
        learning_rate: float = 0.05,
        min_samples_leaf: int = 40,
        min_calibration_rows: int = 300,
        random_state: int = 0,
    ) -> None:
        self.calibrate = calibrate
        self.max_iter = max_iter
        self.learning_rate = learning_rate
        self.min_samples_leaf = min_samples_leaf
        self.min_calibration_rows = min_calibration_rows
        self.random_state = random_state

    def _fit_quantiles(self, x: pd.DataFrame, y: npt.NDArray[np.float64]) -> list[Any]:
        """The five quantile models; a column the given rows never carry is left out of them."""
        from sklearn.ensemble import HistGradientBoostingRegressor

        cols = [c for c in x.columns if x[c].notna().any()]
        x = x[cols]
        return [
            HistGradientBoostingRegressor(
                loss="quantile",
                quantile=q,
                max_iter=self.max_iter,
                learning_rate=self.learning_rate,
                min_samples_leaf=self.min_samples_leaf,
                categorical_features="from_dtype",
                random_state=self.random_state,
            ).fit(x, y)
            for q in QUANTILES
        ]

    @staticmethod
    def _predict_with(models: list[Any], x: pd.DataFrame) -> npt.NDArray[np.float64]:
        import numpy as np

        cols = list(models[0].feature_names_in_)
        return np.sort(np.column_stack([m.predict(x[cols]) for m in models]), axis=1)

    def fit(self, x: pd.DataFrame, y: npt.NDArray[np.float64]) -> PayQuantileModel:
        """x: feature frame (with a `year` column); y: log annual pay in USD."""
        import numpy as np

        y = np.asarray(y, dtype="float64")
        self.offsets_ = {str(cov): 0.0 for cov, _, _ in INTERVALS}
        self.calibration_ = "none"
        self.calibration_n_ = 0
        if self.calibrate:
            parts, how = self._calibration_splits(x)
            scores: dict[str, list[Any]] = {str(cov): [] for cov, _, _ in INTERVALS}
            for fit_mask, cal_mask in parts:
                pred = self._predict_with(self._fit_quantiles(x[fit_mask], y[fit_mask]), x[cal_mask])
                yc = y[cal_mask]
                for cov, lo, hi in INTERVALS:
                    scores[str(cov)].append(np.maximum(pred[:, lo] - yc, yc - pred[:, hi]))
            for cov, _, _ in INTERVALS:
                pooled = np.sort(np.concatenate(scores[str(cov)]))
                n = len(pooled)
                k = min(n - 1, int(np.ceil((n + 1) * cov)) - 1)
                self.offsets_[str(cov)] = float(pooled[k])
            self.calibration_ = how
            self.calibration_n_ = int(sum(int(cal.sum()) for _, cal in parts))
        self.models_ = self._fit_quantiles(x, y)
        self.n_features_in_ = x.shape[1]
        self.feature_names_in_ = np.asarray(list(x.columns), dtype=object)
        return self

    def _calibration_splits(self, x: pd.DataFrame) -> tuple[list[tuple[Any, Any]], str]:
        """(fit rows, scored rows) pairs whose conformity scores are pooled, and how they were chosen."""
        import numpy as np

        from mlsalary.stats.periods import latest_full_year

        years = x["year"].to_numpy()
        newest = latest_full_year(years.tolist()) or 0
        before = years < newest  # a thin, partial year after the newest is neither fitted nor scored here
        known = x["source"].isin(set(x.loc[before, "source"].dropna())).to_numpy()
        scored = (years == newest) & known
        if scored.sum() >= self.min_calibration_rows and before.sum() >= self.min_calibration_rows:
            rng = np.random.default_rng(self.random_state)
            half = rng.integers(0, 2, len(x)) == 1
            within = [(~((years == newest) & side), scored & side) for side in (half, ~half)]
            # Rehearse the model's own situation: when the training data reach into a partial year after the newest
            # full one, the final model has seen that share of the year it is used on, so the year-ahead view sees
            # the same share of its scored year (a seeded sample) and scores the rest.
            later = years > newest
            alike = x["source"].isin(set(x.loc[later, "source"].dropna())).to_numpy()  # the partial year's sources
            share = float(later.sum()) / max(1, int(((years == newest) & alike).sum()))
            peek = (years == newest) & alike & (rng.random(len(x)) < share)
            ahead = (before | peek, scored & ~peek)
            seen = f", {share:.1%} of {newest} seen as the final model sees {newest + 1}" if peek.any() else ""
            how = (f"drift hedge: a year ahead (trained before {newest}{seen}, scored on {newest}) pooled with "
                   f"within {newest} (two-fold)")  # fmt: skip
            return [ahead, *within], how
        rng = np.random.default_rng(self.random_state)
        cal = rng.random(len(x)) < 0.25
        return [(~cal, cal)], "random 25% split (too few years for a calibration across years)"

    def predict_quantiles(self, x: pd.DataFrame, calibrated: bool = True) -> npt.NDArray[np.float64]:
        """Log-pay quantiles p10, p25, p50, p75, p90 (columns), widened by the conformal offsets."""
        check_is_fitted(self, "models_")
        q = self._predict_with(self.models_, x)
        return widen(q, self.offsets_) if calibrated else q

    def predict(self, x: pd.DataFrame) -> npt.NDArray[np.float64]:
        """The median of log pay."""
        return self.predict_quantiles(x)[:, 2]

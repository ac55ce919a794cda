"""A quantile model of annual pay with conformal calibration that respects time.

``PayQuantileModel`` follows scikit-learn's conventions: parameters only in ``__init__``; ``fit`` returns self;
learned state ends in ``_``; prediction starts with ``check_is_fitted``; seeded (``random_state``).

- Five gradient-boosting quantile regressions (scikit-learn's HistGradientBoostingRegressor, loss="quantile") of log
  pay give p10, p25, p50, p75, p90 (sorted, so they never cross).
- **Calibration (conformalized quantile regression, one year ahead).** Pay data drifts from year to year, and a
  model is always used on a year it has not seen. So the conformity scores are those of a model trained on the
  years before the newest training year, scored on that newest year: e = max(q_lo - y, y - q_hi) for the 80% (p10,
  p90) and 50% (p25, p75) intervals. The ceil((n+1)(1-alpha))-th smallest score is the offset added on each side
  of the final model's interval (the model refit on every training year); `mlsalary model evaluate` measures the
  coverage this gives against the uncalibrated model. When the years are too few for this, a seeded random split is
  used instead (plain split-conformal).
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
            fit_mask, cal_mask, how = self._calibration_split(x)
            models = self._fit_quantiles(x[fit_mask], y[fit_mask])
            pred = self._predict_with(models, x[cal_mask])
            yc = y[cal_mask]
            for cov, lo, hi in INTERVALS:
                scores = np.sort(np.maximum(pred[:, lo] - yc, yc - pred[:, hi]))
                n = len(scores)
                k = min(n - 1, int(np.ceil((n + 1) * cov)) - 1)
                self.offsets_[str(cov)] = float(scores[k])
            self.calibration_, self.calibration_n_ = how, int(cal_mask.sum())
        self.models_ = self._fit_quantiles(x, y)
        self.n_features_in_ = x.shape[1]
        self.feature_names_in_ = np.asarray(list(x.columns), dtype=object)
        return self

    def _calibration_split(self, x: pd.DataFrame) -> tuple[Any, Any, str]:
        import numpy as np

        from mlsalary.stats.periods import latest_full_year

        years = x["year"].to_numpy()
        newest = latest_full_year(years.tolist()) or 0
        fit_mask = years < newest  # a thin, partial year after it is neither fitted nor scored here
        # Only rows of sources the earlier years have: a source first seen in the newest year (a survey of that
        # year alone) would measure the novelty of the source, not the drift of a year.
        cal = (years == newest) & x["source"].isin(set(x.loc[fit_mask, "source"].dropna())).to_numpy()
        if cal.sum() >= self.min_calibration_rows and fit_mask.sum() >= self.min_calibration_rows:
            return fit_mask, cal, f"one year ahead: trained before {newest}, scored on {newest}"
        rng = np.random.default_rng(self.random_state)
        cal = rng.random(len(x)) < 0.25
        return ~cal, cal, "random 25% split (too few years for one-year-ahead calibration)"

    def predict_quantiles(self, x: pd.DataFrame, calibrated: bool = True) -> npt.NDArray[np.float64]:
        """Log-pay quantiles p10, p25, p50, p75, p90 (columns), widened by the conformal offsets."""
        check_is_fitted(self, "models_")
        q = self._predict_with(self.models_, x)
        return widen(q, self.offsets_) if calibrated else q

    def predict(self, x: pd.DataFrame) -> npt.NDArray[np.float64]:
        """The median of log pay."""
        return self.predict_quantiles(x)[:, 2]

"""A quantile model of annual pay with conformal calibration that respects time.

``PayQuantileModel`` follows scikit-learn's conventions: parameters only in ``__init__``; ``fit`` returns self;
learned state ends in ``_``; prediction starts with ``check_is_fitted``; seeded (``random_state``).

- Five gradient-boosting quantile regressions (scikit-learn's HistGradientBoostingRegressor, loss="quantile") of log
  pay give p10, p25, p50, p75, p90 (sorted, so they never cross).
- **Calibration (conformalized quantile regression that hedges against drift).** A model is always used on a year it has
  not seen, and pay data drift from year to year by an amount no one knows in advance. Each end of the 80% (p10, p90)
  and 50% (p25, p75) ranges has its own conformity scores — how far a row falls below the lower end, q_lo - y, or above
  the upper one, y - q_hi (negative: inside) — so that a drift up moves the upper end, not both; they are pooled in
  equal parts from two views of each source's newest full year (``calibration_plan``: the year is found per source, not
  per store, so a survey whose one year runs past the postings' years cannot take its place): *a year ahead* (a model
  trained on the years before it, scored on it: last year's drift, seen by a model with less data) and *within the year*
  (two-fold cross-fitting: a model trained on everything but one half of that year, scored on that half: no drift). Each
  view alone misses on next-year data (on the mirror, trained to 2024 and tested on 2025 postings: 86% and 77% for the
  80% range); their pool is the average of the two scenarios. At each end, the ceil((n+1)(1-alpha/2))-th smallest pooled
  score is the offset by which that end of the final model's range moves out (the model refit on every training year),
  so each end misses alpha/2 of the pooled rows. (One offset for both ends, the larger of the two scores, was the rule
  until the backtest of 2026-12-07: chosen by a rule written before it was run — a lower pooled pinball loss with both
  coverages inside 0.78-0.82 and 0.47-0.53 — 0.08703 against 0.08712, coverage 0.801 and 0.491.) Only sources with
  earlier years of their own are scored (a source first seen in its newest year would measure its novelty, not drift).
  When a source's rows reach into a partial year after its newest full one, the final model has seen that share of the
  year it is used on: the year-ahead view is given the same share of that source's scored year (seeded sample) and
  scores the rest. When no year-ahead view can be formed, a seeded random split is used instead (plain split-conformal)
  and the reason is kept (``calibration_fallback_``, the model's metadata, `mlsalary model evaluate`'s output): never
  silently. `mlsalary model evaluate` and `mlsalary model backtest` measure the coverage.
"""

from __future__ import annotations

from dataclasses import dataclass
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
        n_jobs: int | None = None,
    ) -> None:
        self.calibrate = calibrate
        self.max_iter = max_iter
        self.learning_rate = learning_rate
        self.min_samples_leaf = min_samples_leaf
        self.min_calibration_rows = min_calibration_rows
        self.random_state = random_state
        self.n_jobs = n_jobs

    def _fit_quantiles(self, x: pd.DataFrame, y: npt.NDArray[np.float64]) -> list[Any]:
        """The five quantile models; a column the given rows never carry is left out of them."""
        return self._fit_many([(x, y)])[0]

    def _fit_many(self, sets: list[tuple[pd.DataFrame, npt.NDArray[np.float64]]]) -> list[list[Any]]:
        """The five quantile models of each (x, y) set. The fits are independent: with n_jobs > 1 they run in that
        many child processes (one native thread each; children.pool: they end with this process), which is where the
        time goes — the quantile loss updates its leaves in Python, so threads inside one fit barely help. Results are
        the same either way (each fit is seeded)."""
        params = {"max_iter": self.max_iter, "learning_rate": self.learning_rate,
                  "min_samples_leaf": self.min_samples_leaf, "random_state": self.random_state}  # fmt: skip
        tasks = [(i, j) for i in range(len(sets)) for j in range(len(QUANTILES))]
        trimmed = [_carried(x) for x, _ in sets]
        if (self.n_jobs or 1) <= 1:
            fitted = [_fit_one(params, trimmed[i], sets[i][1], QUANTILES[j]) for i, j in tasks]
        else:
            from mlsalary import children

            pool = children.pool(lower=False, workers=min(int(self.n_jobs or 1), len(tasks)), native_threads=1)
            try:  # largest first, so the last task to start is a short one
                order = sorted(tasks, key=lambda t: -len(trimmed[t[0]]))
                futures = {t: pool.submit(_fit_one, params, trimmed[t[0]], sets[t[0]][1], QUANTILES[t[1]])
                           for t in order}  # fmt: skip
                done = {t: f.result() for t, f in futures.items()}
            except BaseException:
                children.kill(pool)
                raise
            pool.shutdown(wait=True)
            fitted = [done[t] for t in tasks]
        n = len(QUANTILES)
        return [fitted[i * n : (i + 1) * n] for i in range(len(sets))]

    @staticmethod
    def _predict_with(models: list[Any], x: pd.DataFrame) -> npt.NDArray[np.float64]:
        import numpy as np

        cols = list(models[0].feature_names_in_)
        return np.sort(np.column_stack([m.predict(x[cols]) for m in models]), axis=1)

    def fit(self, x: pd.DataFrame, y: npt.NDArray[np.float64]) -> PayQuantileModel:
        """x: feature frame (with a `year` column); y: log annual pay in USD."""
        import numpy as np

        y = np.asarray(y, dtype="float64")
        self.offsets_ = {str(QUANTILES[end]): 0.0 for _, lo, hi in INTERVALS for end in (lo, hi)}
        self.calibration_ = "none"
        self.calibration_n_ = 0
        self.calibration_fallback_: str | None = None
        if self.calibrate:
            parts, how = self._calibration_splits(x)
            scores: dict[str, list[Any]] = {end: [] for end in self.offsets_}
            *views, final = self._fit_many([*((x[f], y[f]) for f, _ in parts), (x, y)])
            for (_, cal_mask), models in zip(parts, views, strict=True):
                if not cal_mask.any():  # a fold that drew no row (only on tiny data): nothing to score
                    continue
                pred = self._predict_with(models, x[cal_mask])
                yc = y[cal_mask]
                for _, lo, hi in INTERVALS:  # how far outside each end a row falls (negative: inside)
                    scores[str(QUANTILES[lo])].append(pred[:, lo] - yc)
                    scores[str(QUANTILES[hi])].append(yc - pred[:, hi])
            for cov, lo, hi in INTERVALS:  # each end misses (1 - cov) / 2 of the pooled rows
                for end in (lo, hi):
                    pooled = np.sort(np.concatenate(scores[str(QUANTILES[end])]))
                    n = len(pooled)
                    k = min(n - 1, int(np.ceil((n + 1) * (1 - (1 - cov) / 2))) - 1)
                    self.offsets_[str(QUANTILES[end])] = float(pooled[k])
            self.calibration_ = how
            self.calibration_n_ = int(sum(int(cal.sum()) for _, cal in parts))
            self.models_ = final
        else:
            self.models_ = self._fit_quantiles(x, y)
        self.n_features_in_ = x.shape[1]
        self.feature_names_in_ = np.asarray(list(x.columns), dtype=object)
        return self

    def _calibration_splits(self, x: pd.DataFrame) -> tuple[list[tuple[Any, Any]], str]:
        """(fit rows, scored rows) pairs whose conformity scores are pooled, and how they were chosen (the rule in
        ``calibration_plan``)."""
        import numpy as np

        plan = calibration_plan(x["year"].to_numpy(), x["source"].to_numpy(), self.min_calibration_rows)
        rng = np.random.default_rng(self.random_state)
        if plan.fallback is not None:
            self.calibration_fallback_ = plan.fallback
            cal = rng.random(len(x)) < 0.25
            return [(~cal, cal)], f"random 25% split (fallback: {plan.fallback})"
        years = x["year"].to_numpy()
        half = rng.integers(0, 2, len(x)) == 1
        draw = rng.random(len(x))
        parts: list[tuple[Any, Any]] = []
        said: list[str] = []
        for year in sorted(set(plan.newest[s] for s in plan.scored)):
            scored = plan.scored_rows(year)
            within = [(~((years == year) & side), scored & side) for side in (half, ~half)]
            # Rehearse the model's own situation: when a source's rows reach into a partial year after its newest
            # full one, the final model has seen that share of the year it is used on, so the year-ahead view sees
            # the same share of the source's scored year (a seeded sample) and scores the rest.
            peek = np.zeros(len(x), dtype=bool)
            seen = []
            for source in plan.scored_in(year):
                share = plan.share_seen[source]
                if share > 0:
                    peek |= (x["source"].to_numpy() == source) & (years == year) & (draw < share)
                    seen.append(f"{share:.1%} of {source} {year} seen as the final model sees {year + 1}")
            ahead = ((years < year) | peek, scored & ~peek)
            parts += [ahead, *within]
            names = ", ".join(plan.scored_in(year))
            said.append(f"{names}: a year ahead (trained before {year}{''.join(', ' + t for t in seen)}, scored on "
                        f"{year}) pooled with within {year} (two-fold)")  # fmt: skip
        unscored = [f"{s} (newest full year {plan.newest[s]}, no earlier year)" for s in plan.unscored]
        rest = f"; not scored: {', '.join(unscored)}" if unscored else ""
        return parts, "drift hedge: " + "; ".join(said) + rest

    def predict_quantiles(self, x: pd.DataFrame, calibrated: bool = True) -> npt.NDArray[np.float64]:
        """Log-pay quantiles p10, p25, p50, p75, p90 (columns), widened by the conformal offsets."""
        check_is_fitted(self, "models_")
        q = self._predict_with(self.models_, x)
        return widen(q, self.offsets_) if calibrated else q

    def predict(self, x: pd.DataFrame) -> npt.NDArray[np.float64]:
        """The median of log pay."""
        return self.predict_quantiles(x)[:, 2]


def _carried(x: pd.DataFrame) -> pd.DataFrame:
    """The columns the given rows carry at all (a column they never carry is left out of their models)."""
    return x[[c for c in x.columns if x[c].notna().any()]]


def _fit_one(params: dict[str, Any], x: pd.DataFrame, y: npt.NDArray[np.float64], quantile: float) -> Any:
    """One quantile model (module level, so that a child process can run it)."""
    from sklearn.ensemble import HistGradientBoostingRegressor

    return HistGradientBoostingRegressor(loss="quantile", quantile=quantile, categorical_features="from_dtype",
                                         **params).fit(x, y)  # fmt: skip


@dataclass
class CalibrationPlan:
    """Which rows the drift-hedged calibration scores, by the rule written before it was scored (``calibration_plan``).

    newest: each source's newest full year (stats.periods, over that source's own rows); scored: the sources whose
    newest full year has earlier years of the same source before it; unscored: the others; share_seen: per scored
    source, its rows after its newest full year as a share of that year's (what the final model has seen of the
    year it is used on); fallback: why no year-ahead calibration can be formed, or None."""

    years: Any
    sources: Any
    newest: dict[str, int]
    scored: list[str]
    unscored: list[str]
    share_seen: dict[str, float]
    fallback: str | None = None

    def scored_in(self, year: int) -> list[str]:
        """The scored sources whose newest full year is `year`."""
        return [s for s in self.scored if self.newest[s] == year]

    def scored_rows(self, year: int) -> Any:
        import numpy as np

        return np.isin(self.sources, self.scored_in(year)) & (self.years == year)


def calibration_plan(years: Any, sources: Any, min_rows: int) -> CalibrationPlan:
    """The calibration's rule, per source (not per store: a survey whose only year runs past the postings' years must
    not become "the newest year" and leave nothing to score):

    1. each source's newest full year is found among its own rows;
    2. a source is scored when it has rows in years before its newest full year (a model trained on those years has
       seen it: a source first seen in its newest year would measure its novelty, not drift); its scored rows are
       those of its newest full year;
    3. the year-ahead view for a year Y trains on every row (any source) of the years before Y; the within-year view
       cross-fits the scored rows of Y in two folds;
    4. when the scored rows, or the rows before the earliest scored year, are fewer than `min_rows`, there is no
       year-ahead calibration: the model falls back to a seeded random 25% split and names why (never silently).
    """
    import numpy as np

    from mlsalary.stats.periods import latest_full_year

    years = np.asarray(years)
    sources = np.asarray(sources, dtype=object)
    newest: dict[str, int] = {}
    scored: list[str] = []
    unscored: list[str] = []
    share: dict[str, float] = {}
    for source in sorted({str(s) for s in sources if s is not None and s == s}):
        own = years[sources == source]
        y = latest_full_year(own.tolist())
        if y is None:
            continue
        newest[source] = y
        if (own < y).any():
            scored.append(source)
            share[source] = float((own > y).sum()) / max(1, int((own == y).sum()))
        else:
            unscored.append(source)
    plan = CalibrationPlan(years, sources, newest, scored, unscored, share)
    if not scored:
        plan.fallback = ("no source has a year before its newest full year "
                         f"({', '.join(f'{s}: {y}' for s, y in newest.items()) or 'no rows'})")  # fmt: skip
        return plan
    n_scored = int(sum(int(plan.scored_rows(y).sum()) for y in {newest[s] for s in scored}))
    n_before = int((years < min(newest[s] for s in scored)).sum())
    if n_scored < min_rows or n_before < min_rows:
        plan.fallback = (f"{n_scored:,} rows in the scored sources' newest full years and {n_before:,} before them; "
                         f"the calibration across years needs {min_rows:,} of each")  # fmt: skip
    return plan

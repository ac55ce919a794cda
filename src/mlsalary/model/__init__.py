"""The personal pay estimate: a calibrated quantile model (estimator), its features, evaluation and explanations."""

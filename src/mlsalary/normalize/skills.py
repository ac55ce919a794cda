"""Tools and methods people report using -> skill ids, shared by every survey source.

``SKILLS`` lists each tracked skill with its category and the answer labels (normal form, see
normalize.labels.key) that mean it in the Stack Overflow and Kaggle surveys. Labels not listed are not tracked
skills (web frameworks, editors, hosting services...). Kaggle's method questions give the ``method`` skills: a
respondent who uses any NLP method gets ``nlp``, any computer-vision method ``computer_vision`` (see
sources/kaggle.py).
"""

from __future__ import annotations

SKILLS: dict[str, tuple[str, tuple[str, ...]]] = {
    # languages
    "python": ("language", ("python",)),
    "r": ("language", ("r",)),
    "sql": ("language", ("sql",)),
    "scala": ("language", ("scala",)),
    "java": ("language", ("java",)),
    "cpp": ("language", ("c++",)),
    "c": ("language", ("c",)),
    "julia": ("language", ("julia",)),
    "go": ("language", ("go",)),
    "rust": ("language", ("rust",)),
    "javascript": ("language", ("javascript",)),
    "typescript": ("language", ("typescript",)),
    "matlab": ("language", ("matlab",)),
    "bash": ("language", ("bash", "bash/shell (all shells)")),
    # machine-learning frameworks and libraries
    "pytorch": ("ml_framework", ("pytorch", "torch/pytorch")),
    "pytorch_lightning": ("ml_framework", ("pytorch lightning",)),
    "tensorflow": ("ml_framework", ("tensorflow",)),
    "keras": ("ml_framework", ("keras",)),
    "scikit_learn": ("ml_framework", ("scikit-learn",)),
    "hugging_face": ("ml_framework", ("hugging face transformers", "huggingface")),
    "jax": ("ml_framework", ("jax",)),
    "xgboost": ("ml_framework", ("xgboost",)),
    "lightgbm": ("ml_framework", ("lightgbm",)),
    "catboost": ("ml_framework", ("catboost",)),
    "fastai": ("ml_framework", ("fast.ai",)),
    "opencv": ("ml_framework", ("opencv",)),
    "cuda": ("ml_framework", ("cuda",)),
    "mlflow": ("ml_framework", ("mlflow",)),
    # big-data systems and data platforms
    "spark": ("data_platform", ("apache spark", "spark")),
    "hadoop": ("data_platform", ("hadoop",)),
    "kafka": ("data_platform", ("apache kafka", "kafka")),
    "databricks": ("data_platform", ("databricks", "databricks sql")),
    "snowflake": ("data_platform", ("snowflake",)),
    "bigquery": ("data_platform", ("bigquery", "google cloud bigquery")),
    "redshift": ("data_platform", ("amazon redshift",)),
    # cloud platforms
    "aws": ("cloud", ("amazon web services (aws)",)),
    "gcp": ("cloud", ("google cloud", "google cloud platform (gcp)")),
    "azure": ("cloud", ("microsoft azure",)),
    # containers and orchestration
    "docker": ("devops", ("docker",)),
    "kubernetes": ("devops", ("kubernetes",)),
    # methods (Kaggle's method questions; not matched by label)
    "nlp": ("method", ()),
    "computer_vision": ("method", ()),
    "transformer_lm": ("method", ()),
    "generative_networks": ("method", ()),
}

#: Skills that mark big-data systems (the "big-data premium").
BIG_DATA = ("spark", "hadoop", "kafka", "databricks")

_BY_LABEL: dict[str, tuple[str, str]] = {
    label: (skill, category) for skill, (category, labels) in SKILLS.items() for label in labels
}


def skill_of(label: str) -> tuple[str, str] | None:
    """(skill, category) for an answer label, or None when it is not a tracked skill."""
    from mlsalary.normalize.labels import key

    return _BY_LABEL.get(key(label))


def category_of(skill: str) -> str:
    return SKILLS[skill][0]

"""Education answers -> below_bachelor | bachelor | master | doctorate | other (None = not answered).

Caveats, shown with education figures: Stack Overflow's "Professional degree (JD, MD, Ph.D, Ed.D, etc.)" puts PhDs
together with other professional doctorates; Kaggle asks for the highest degree "attained or plan to attain within
the next 2 years", so some respondents report a degree they are still studying for.
"""

from __future__ import annotations

from functools import lru_cache

from mlsalary.normalize.labels import compile_rules, first_match, key

# First match wins, on the label's normal form (normalize.labels.key).
RULES = compile_rules(
    (
        (None, r"^$|prefer not"),
        ("below_bachelor", r"without earning|some college|associate degree|secondary|high school|primary|elementary"),
        ("doctorate", r"doctor|ph\.?\s?d"),
        ("master", r"master"),
        ("bachelor", r"bachelor"),
        ("other", r"."),
    )
)


@lru_cache(maxsize=256)
def education_of(label: str | None) -> str | None:
    """The education level of an answer label."""
    return first_match(RULES, key(label))[1]

"""Shared helpers for survey answer labels: one normal form, and ordered regex rule tables."""

from __future__ import annotations

import re

_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u00a0": " "})
_SPACE = re.compile(r"\s+")


def key(label: str | None) -> str:
    """The normal form of a label: straight quotes, single spaces, lower case, stripped."""
    if label is None:
        return ""
    return _SPACE.sub(" ", str(label).translate(_QUOTES)).strip().lower()


def first_match(rules: tuple[tuple[str | None, re.Pattern[str]], ...], label: str | None) -> tuple[bool, str | None]:
    """(matched, value) of the first rule whose pattern matches the label's normal form."""
    k = key(label)
    for value, pattern in rules:
        if pattern.search(k):
            return True, value
    return False, None


def compile_rules(rules: tuple[tuple[str | None, str], ...]) -> tuple[tuple[str | None, re.Pattern[str]], ...]:
    return tuple((value, re.compile(pattern)) for value, pattern in rules)

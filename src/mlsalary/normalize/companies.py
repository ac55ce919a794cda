"""Which filed employer names are one company, and which names people type lead to it.

- ``data/employer_groups.csv``: filed keys (employer_key's normal form, below) that belong to one company,
  each rule with its evidence — an exact key, or a key and every key that starts with it as a whole word (AMAZON
  takes AMAZON WEB SERVICES, not AMAZONIA). Applied when filings are read, so an employer is one key everywhere:
  the employer pages, the ranking, the figures that count employers.
- ``data/employer_aliases.csv``: names people type that are not a filed name (meta, aws, alphabet), with the
  company they mean. A typed name is looked up here before any partial match, so "meta" is Meta Platforms
  (Facebook), never an unrelated firm filed as "Meta".
"""

from __future__ import annotations

import csv
import functools
import io
import re
from importlib import resources


@functools.lru_cache(maxsize=1)
def _rules() -> tuple[dict[str, str], tuple[tuple[str, str], ...]]:
    """(exact key -> group, (prefix, group) longest first) from the declared table."""
    text = resources.files("mlsalary").joinpath("data/employer_groups.csv").read_text(encoding="utf-8")
    exact: dict[str, str] = {}
    prefix: list[tuple[str, str]] = []
    for row in csv.DictReader(io.StringIO(text)):
        if row["match"] == "exact":
            exact[row["filed_key"]] = row["group"]
        elif row["match"] == "prefix":
            prefix.append((row["filed_key"], row["group"]))
        else:
            raise ValueError(f"data/employer_groups.csv: match {row['match']!r} is neither exact nor prefix")
    return exact, tuple(sorted(prefix, key=lambda p: -len(p[0])))


def group_of(key: str) -> str:
    """The company a filed key belongs to (the key itself when no rule takes it)."""
    exact, prefix = _rules()
    if key in exact:
        return exact[key]
    for start, group in prefix:
        if key == start or key.startswith(start + " "):
            return group
    return key


def _typed(name: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", name.lower()).split())


@functools.lru_cache(maxsize=1)
def _aliases() -> dict[str, str]:
    text = resources.files("mlsalary").joinpath("data/employer_aliases.csv").read_text(encoding="utf-8")
    return {_typed(row["typed"]): row["group"] for row in csv.DictReader(io.StringIO(text))}


def alias(name: str) -> str | None:
    """The company a typed name means when it is a declared alias (case, spaces and punctuation aside)."""
    return _aliases().get(_typed(name))


#: Legal forms dropped from the end of an employer's name, repeatedly ("GOOGLE LLC", "Google Inc." -> GOOGLE).
LEGAL_SUFFIXES = ("INCORPORATED", "INC", "LLC", "L L C", "LTD", "LIMITED", "CORPORATION", "CORP", "COMPANY", "CO",
                  "LLP", "LP", "PLC", "PC", "PLLC", "GMBH", "AG", "SA", "NV", "BV", "USA INC")  # fmt: skip
_SUFFIX_RE = re.compile(r"(?:\s+(?:" + "|".join(re.escape(s) for s in LEGAL_SUFFIXES) + r"))+$")


def employer_key(name: str | None) -> str | None:
    """A filed employer name as one key: upper case, '&' as AND, punctuation dropped (so "AMAZON.COM" and
    "AMAZONCOM" meet), a leading THE and trailing legal forms removed, then the company it belongs to by the declared
    groups (this module's: Amazon's entities are AMAZON, Facebook is META PLATFORMS). None for a blank name."""
    if not name or not name.strip():
        return None
    k = name.upper().replace("&", " AND ")
    k = re.sub(r"[.,'\"`’()]", "", k)
    k = re.sub(r"[^A-Z0-9]+", " ", k).strip()
    k = re.sub(r"^THE\s+", "", k)
    k = _SUFFIX_RE.sub("", k).strip()
    return group_of(k or name.strip().upper())

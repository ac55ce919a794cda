"""Employer industry answers -> the shared industry taxonomy (schema.INDUSTRIES); None = not answered.

The taxonomy is coarse on purpose so that every source maps into it: tech_software, internet_services, finance
(banking, fintech, insurance, accounting), healthcare_pharma, manufacturing_automotive, retail_ecommerce,
government (incl. military/defence), education_academia, energy (incl. oil, gas, mining), media_advertising
(incl. marketing), other. Transportation and logistics, legal services, non-profits and hospitality are ``other``.
"""

from __future__ import annotations

from functools import lru_cache

from mlsalary.normalize.labels import compile_rules, first_match, key

# First match wins, on the label's normal form. Retail comes before tech so that "Online Business/Internet-based
# Sales" is retail; tech comes before internet so that "Information Services, IT, Software Development, or other
# Technology" (Stack Overflow 2023) is tech.
RULES = compile_rules(
    (
        (None, r"^$"),
        ("retail_ecommerce", r"retail|e-?commerce|wholesale|internet-based sales"),
        ("finance", r"fintech|financ|bank|insurance|accounting"),
        ("healthcare_pharma", r"health|medical|pharma"),
        ("tech_software", r"software|computer|technology|\bit\b"),
        ("internet_services", r"internet|online service|telecom"),
        ("manufacturing_automotive", r"manufactur|automotive|fabrication"),
        ("government", r"government|public service|military|defen[cs]e"),
        ("education_academia", r"education|academ|universit"),
        ("energy", r"energy|oil|gas\b|mining|utilit"),
        ("media_advertising", r"media|advertis|marketing|broadcast"),
        ("other", r"."),
    )
)


@lru_cache(maxsize=256)
def industry_of(label: str | None) -> str | None:
    """The industry of an answer label."""
    return first_match(RULES, key(label))[1]

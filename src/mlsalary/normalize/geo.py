"""Countries -> ISO 3166-1 alpha-2 (pycountry), tolerant of alpha-3 codes, names and a few common aliases."""

from __future__ import annotations

from functools import lru_cache

# Names that surveys use and pycountry does not resolve (or resolves ambiguously).
_ALIASES = {
    "UK": "GB",
    "UNITED KINGDOM OF GREAT BRITAIN AND NORTHERN IRELAND": "GB",
    "UNITED STATES OF AMERICA": "US",
    "USA": "US",
    "RUSSIA": "RU",
    "SOUTH KOREA": "KR",
    "REPUBLIC OF KOREA": "KR",
    "IRAN": "IR",
    "IRAN, ISLAMIC REPUBLIC OF...": "IR",
    "VIET NAM": "VN",
    "HONG KONG (S.A.R.)": "HK",
    "TAIWAN": "TW",
    "CZECH REPUBLIC": "CZ",
    "TURKEY": "TR",
    "VENEZUELA, BOLIVARIAN REPUBLIC OF...": "VE",
    "PALESTINE": "PS",
    "DEMOCRATIC REPUBLIC OF THE CONGO": "CD",
    "CONGO, REPUBLIC OF THE...": "CG",
    "CAPE VERDE": "CV",
    "KOSOVO": "XK",  # user-assigned code, used by the EU and the World Bank; Kosovo has no ISO 3166-1 code
}


@lru_cache(maxsize=4096)
def to_iso2(value: str | None) -> str | None:
    """ISO 3166-1 alpha-2 code for a code or country name, or None when it is not a country."""
    if value is None:
        return None
    v = str(value).strip()
    if not v:
        return None
    up = v.upper()
    if up in _ALIASES:
        return _ALIASES[up]
    import pycountry

    if len(up) == 2:
        c = pycountry.countries.get(alpha_2=up)
        return c.alpha_2 if c else None
    if len(up) == 3:
        c = pycountry.countries.get(alpha_3=up)
        if c:
            return c.alpha_2
    try:
        return str(pycountry.countries.lookup(v).alpha_2)
    except LookupError:
        return None


@lru_cache(maxsize=512)
def require_iso2(country: str) -> str:
    """The ISO code of a country a user named; an InputError naming the field `country` when it is unknown."""
    from mlsalary.errors import InputError

    iso = to_iso2(country)
    if iso is None:
        raise InputError(
            f"unknown country {country!r}: give an ISO code such as US, GB, DE, IN or a country name", "country"
        )
    return iso


def is_currency(code: str | None) -> bool:
    """True for an ISO 4217 currency code."""
    if not code:
        return False
    import pycountry

    return pycountry.currencies.get(alpha_3=str(code).strip().upper()) is not None

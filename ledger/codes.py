"""Checks against maintained code lists: MST tax codes, ISO 3166 countries, ISO 4217
currencies, HS codes. Each returns the normalised value or raises ``ValueError`` naming the rule.
"""

from __future__ import annotations

import re
from functools import cache

from ledger.errors import excerpt

VEHICLE_HEADINGS = ("8703", "8711")  # cars and motorcycles: frame and engine numbers (55.1b.5)
_HS_CODE = re.compile(r"\d{4,10}")
# control characters, bidirectional marks, embeddings, overrides and isolates, zero-width
# spaces and joiners that are not letters' shaping, separators, lone surrogates, tag characters
_HIDDEN = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200b\u200e\u200f\u2028-\u202e\u2060-\u206f"
    "\ufeff\ufff9-\ufffb\ud800-\udfff\U000e0000-\U000e007f]"
)


def hs_code(value: str) -> str:
    if not _HS_CODE.fullmatch(value):
        raise ValueError("an HS code is 4 to 10 digits, digits only")
    return value


def plain_text(value: str) -> str:
    """Identifiers and free text carry no control characters (NUL, line breaks) and no
    invisible formatting such as bidirectional overrides, which can disguise what is shown."""
    found = _HIDDEN.search(value)
    if found is not None:
        code = f"U+{ord(found.group()):04X}"
        raise ValueError(f"must not contain the control or formatting character {code}")
    return value


def is_vehicle(hs: str) -> bool:
    return hs.startswith(VEHICLE_HEADINGS)


@cache
def _countries() -> frozenset[str]:
    import pycountry

    return frozenset(c.alpha_2 for c in pycountry.countries)


@cache
def _currencies() -> frozenset[str]:
    import pycountry

    return frozenset(c.alpha_3 for c in pycountry.currencies)


def country(value: str) -> str:
    code = value.upper()
    if code not in _countries():
        raise ValueError(f"{excerpt(value)} is not an ISO 3166 alpha-2 country code")
    return code


def currency(value: str) -> str:
    code = value.upper()
    if code not in _currencies():
        raise ValueError(f"{excerpt(value)} is not an ISO 4217 currency code")
    return code


def vietnamese_tax_code(value: str) -> str:
    """An MST: 10 digits with a check digit, or 10 + '-' + 3 for a branch."""
    from stdnum.exceptions import ValidationError
    from stdnum.vn import mst

    try:
        return str(mst.format(mst.validate(value)))
    except ValidationError as error:
        raise ValueError(
            f"{excerpt(value)} is not a valid Vietnamese tax code (MST): {error}"
        ) from None

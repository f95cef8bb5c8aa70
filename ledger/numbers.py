"""How the product writes a decimal: exact, no exponent, no trailing zeros ("40.5")."""

from __future__ import annotations

from decimal import Decimal


def decimal_text(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text

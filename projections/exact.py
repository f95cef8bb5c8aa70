"""Exact quantities in two integers, units (rounded down) and nanos (0 to 10^9 - 1), so that
SQL sums stay exact on every backend (SQLite has no exact decimal column)."""

from __future__ import annotations

from decimal import Decimal

NANOS = 10**9


def exact_parts(value: Decimal) -> tuple[int, int]:
    """``value`` as (units, nanos): units rounded down, nanos from 0 to 10^9 - 1."""
    scaled = value.scaleb(9)
    if scaled != scaled.to_integral_value():
        raise ValueError(f"{value} has more than 9 decimal places")
    return divmod(int(scaled), NANOS)


def from_parts(units: int, nanos: int) -> Decimal:
    return Decimal(units) + Decimal(nanos).scaleb(-9)

"""Rule packs: the numbers of the law, one versioned data file each (DOMAIN.md §4).

A change of law is a new JSON file beside these, not a code edit.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import Any

from ledger.calendar import add_period
from ledger.errors import LedgerError

DEFAULT_PACK = "vn-2015"


@dataclass(frozen=True)
class Span:
    """A length of law: some days, or some calendar months."""

    days: int = 0
    months: int = 0

    def after(self, day: date) -> date:
        return add_period(day, days=self.days, months=self.months)


@dataclass(frozen=True)
class RulePack:
    name: str
    title: str
    first_warehousing_date: str  # "effective_at" or "registered_on"
    storage_limit: Span
    max_extension: Span
    extensions_allowed: int
    liquidation_after_deadline_days: int
    report_form: str
    report_period: str
    report_due_days: int
    settlement_days: int
    settlement_extension_days: int
    due_soon_days: int
    late_entry_default: timedelta
    late_ex_warehousing: dict[str, timedelta]
    not_for_inland_prefixes: tuple[str, ...]
    not_for_inland_exempt_in_port_area: bool
    # e-commerce (DOMAIN.md §7): an order worth at most this (VND, the whole order) is exempt
    # from licences, conditions and inspection; a result is due in the ledger within this
    order_exemption_value: Decimal
    result_update_limit: timedelta
    # warnings (DOMAIN.md §8): a licence line below this share of its grant is low; one
    # within this many days of its last valid day is expiring
    licence_low_percent: Decimal
    licence_expiring_days: int

    def is_not_for_inland(self, hs_code: str, *, warehouse_in_port_area: bool) -> bool:
        if warehouse_in_port_area and self.not_for_inland_exempt_in_port_area:
            return False
        return hs_code.startswith(self.not_for_inland_prefixes)

    def late_entry_threshold(self, destination: str | None = None) -> timedelta:
        """How long after the fact an entry may reach the ledger before it counts as late."""
        if destination is not None and destination in self.late_ex_warehousing:
            return self.late_ex_warehousing[destination]
        return self.late_entry_default


def _span(data: dict[str, int]) -> Span:
    return Span(days=data.get("days", 0), months=data.get("months", 0))


def _from_data(data: dict[str, Any]) -> RulePack:
    late = data["late_entry"]
    return RulePack(
        name=data["name"],
        title=data["title"],
        first_warehousing_date=data["first_warehousing_date"],
        storage_limit=_span(data["storage_limit"]),
        max_extension=_span(data["max_extension"]),
        extensions_allowed=data["extensions_allowed"],
        liquidation_after_deadline_days=data["liquidation_after_deadline_days"],
        report_form=data["report"]["form"],
        report_period=data["report"]["period"],
        report_due_days=data["report"]["due_days_after_period"],
        settlement_days=data["settlement"]["days"],
        settlement_extension_days=data["settlement"]["extension_days"],
        due_soon_days=data["due_soon_days"],
        late_entry_default=timedelta(minutes=late["default_minutes"]),
        late_ex_warehousing={
            k: timedelta(minutes=v) for k, v in late["ex_warehousing_minutes"].items()
        },
        not_for_inland_prefixes=tuple(data["not_for_inland"]["hs_prefixes"]),
        not_for_inland_exempt_in_port_area=data["not_for_inland"][
            "exempt_when_warehouse_in_port_area"
        ],
        order_exemption_value=Decimal(data["ecommerce"]["exemption_value_vnd"]),
        result_update_limit=timedelta(minutes=data["ecommerce"]["result_update_limit_minutes"]),
        licence_low_percent=Decimal(data["warnings"]["licence_low_percent"]),
        licence_expiring_days=data["warnings"]["licence_expiring_days"],
    )


def available_packs() -> list[str]:
    files = resources.files(__name__).iterdir()
    return sorted(f.name.removesuffix(".json") for f in files if f.name.endswith(".json"))


@cache
def load_pack(name: str = DEFAULT_PACK) -> RulePack:
    if name not in available_packs():
        raise LedgerError(
            "unknown_rule_pack",
            f"rule pack {name!r} does not exist; available: {', '.join(available_packs())}",
            "rule_pack",
        )
    text = resources.files(__name__).joinpath(f"{name}.json").read_text(encoding="utf-8")
    return _from_data(json.loads(text))

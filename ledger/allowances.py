"""A buyer's exempt quantities in one calendar year (DOMAIN.md §7, ``quantity_list``),
folded from the buyer's allowance stream for that year.

Uses only add up within a year, so the most a buyer has used at any effective time is what
the year's standing uses come to: an order fits at its own time and every later one exactly
when it fits in that.
"""

from __future__ import annotations

from decimal import Decimal

from ledger.ecommerce_events import AllowanceGivenBack, AllowanceUsed, order_key
from ledger.events import Event
from ledger.folds import Fold


class Allowance(Fold):
    def __init__(self) -> None:
        self.uses: dict[str, AllowanceUsed] = {}  # standing, by platform/order_no
        self._used: dict[str, Decimal] = {}  # standing, by goods-list entry

    def apply(self, event: Event) -> None:
        if isinstance(event, AllowanceUsed):
            self.uses[order_key(event.platform, event.order_no)] = event
            self._used[event.hs_prefix] = self.used(event.hs_prefix) + event.quantity
        elif isinstance(event, AllowanceGivenBack):
            gone = self.uses.pop(order_key(event.platform, event.order_no), None)
            if gone is not None:
                self._used[gone.hs_prefix] -= gone.quantity

    def used(self, hs_prefix: str) -> Decimal:
        return self._used.get(hs_prefix, Decimal(0))

"""E-commerce orders (DOMAIN.md §7), each with its basis and the licences deducted; an order
is seen by whoever sees its lot."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from projections.asked import day_asked
from projections.questions.question import (
    Ask,
    Asked,
    Asking,
    Lot,
    Quantity,
    Question,
    Row,
    as_of,
)


@dataclass(frozen=True, kw_only=True)
class OfOrders(Asked):
    platform: Annotated[str | None, Ask("Only this platform's orders.", max_length=64)] = None
    buyer: Annotated[str | None, Ask("Only this buyer's orders.", max_length=64)] = None
    lot: Lot = None
    from_day: Annotated[
        str | None, Ask("Effective on or after this date, YYYY-MM-DD.", flag="from")
    ] = None
    to_day: Annotated[
        str | None, Ask("Effective on or before this date, YYYY-MM-DD.", flag="to")
    ] = None


class OrderRow(Row):
    order_no: str
    platform: str
    buyer_id: str
    lot_id: str
    quantity: Quantity
    customs_value: Quantity
    effective_at: str
    basis: Literal["not_controlled", "low_value", "quantity_list", "deducted"]
    licence_nos: list[str]


def answer(asking: Asking, asked: OfOrders) -> Iterable[dict[str, Any]]:
    from projections.ecommerce_queries import OrderFilters

    filters = OrderFilters(
        asked.platform,
        asked.buyer,
        asked.lot,
        day_asked(asked.from_day, "from"),
        day_asked(asked.to_day, "to"),
    )
    return asking.model.orders(asking.caller, filters, asking.when)


QUESTION = Question(
    name="orders",
    summary="E-commerce orders with their basis and the licences deducted",
    doc="E-commerce orders, with their basis and the licences deducted (DOMAIN.md §7).",
    asked=OfOrders,
    row=OrderRow,
    answer=answer,
    area="e-commerce",
    title=as_of("Orders"),
)

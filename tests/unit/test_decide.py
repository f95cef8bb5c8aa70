"""Decisions at their own seam: given recorded events, when a typed intent, then the exact
events or the exact error. No database, no handler: ``ledger.decide`` and ``History`` alone."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from commands.handlers import Decision, I, handle
from ledger import intents
from ledger.decide import movements, reference, warehousing
from ledger.errors import LedgerError
from ledger.events import Event, LotExWarehoused, LotSplitOff, MoveDispatched
from ledger.intents import ACCOUNT_INTENT_TYPES, INTENT_TYPES, SUBSCRIPTION_INTENT_TYPES, Envelope
from ledger.recorded import History
from ledger.rulepacks import load_pack
from ledger.values import GoodsLine
from tests.support import NOW, OWNER_A, WAREHOUSE_OWNER, at

PACK = load_pack("vn-2015")
ENVELOPE = Envelope(actor="clerk", recorded_at=NOW, command_id="c-1")
WINE = "22042100"  # HS 2204: not for inland, unless from a warehouse inside a port (vn-2015)


def world(history: History) -> None:
    """An owner, a port-area warehouse PORT and an inland warehouse W1, both owned by A."""
    given(
        history,
        reference.register_enterprise,
        intents.RegisterEnterprise(tax_code=OWNER_A, name="A", address="VN"),
    )
    given(
        history,
        reference.register_enterprise,
        intents.RegisterEnterprise(tax_code=WAREHOUSE_OWNER, name="W", address="VN"),
    )
    for warehouse_id, in_port_area in (("PORT", True), ("W1", False)):
        given(history, reference.register_warehouse, intents.RegisterWarehouse(
            warehouse_id=warehouse_id, name=warehouse_id, owner_tax_code=OWNER_A,
            province="Hai Phong", customs_office="HP", in_port_area=in_port_area))  # fmt: skip


def given(history: History, decision: Decision[I], intent: I) -> list[Event]:
    events = list(decision(intent, ENVELOPE, history, PACK))
    history.add(events)
    return events


def wine_in(history: History, warehouse_id: str) -> None:
    given(history, warehousing.warehouse_goods, intents.WarehouseGoods(
        declaration_no="D1", registered_on=date(2026, 2, 10), effective_at=at("2026-02-11 09:00"),
        warehouse_id=warehouse_id, goods_owner_tax_code=OWNER_A, contract_no=None,
        expires_on=date(2027, 2, 10), source="abroad", transport_doc="BL-1",
        lines=(GoodsLine(line_no=1, description="red wine", hs_code=WINE, quantity=Decimal(100),
                         unit="bottle", customs_value=Decimal(1), currency="USD",
                         origin_country="FR"),),
    ))  # fmt: skip


def move(history: History, to: str, when: str, quantity: str = "100") -> list[Event]:
    return given(history, movements.dispatch_move, intents.DispatchMove(
        lot_id="D1/1", effective_at=at(when), quantity=Decimal(quantity), to_warehouse_id=to,
        contract_no=None, approval_ref="CV-1", seal_no="S-1"))  # fmt: skip


def wine_moved(history: History, start: str, to: str) -> None:
    """The wine warehoused in ``start`` on 11 February, moved whole to ``to`` on 1 June."""
    world(history)
    wine_in(history, start)
    move(history, to, "2026-06-01 08:00")
    given(history, movements.receive_move, intents.ReceiveMove(
        lot_id="D1/1", effective_at=at("2026-06-01 16:00"), seal_intact=True))  # fmt: skip


def inland_sale(when: str) -> intents.ExWarehouse:
    return intents.ExWarehouse(
        lot_id="D1/1",
        effective_at=at(when),
        quantity=Decimal(10),
        destination="inland",
        bill_no="PX-1",
        import_declaration_no="NK-1",
        purpose="domestic_sale",
    )


def test_a_backdated_inland_sale_is_judged_in_the_port_warehouse_it_left_from() -> None:
    history = History()
    wine_moved(history, "PORT", "W1")  # the lot is inland-side now
    with pytest.raises(LedgerError) as now_inland:
        movements.ex_warehouse(inland_sale("2026-07-01 10:00"), ENVELOPE, history, PACK)
    assert now_inland.value.code == "not_for_inland"
    # dated 1 March, while the lot sat in the port warehouse: the port exemption applies, and
    # what refuses it is the history: the whole move of June needs all 100 bottles
    with pytest.raises(LedgerError) as then_in_port:
        movements.ex_warehouse(inland_sale("2026-03-01 10:00"), ENVELOPE, history, PACK)
    error = then_in_port.value
    assert (error.code, error.field) == ("insufficient_balance", "effective_at")
    assert "version 2, MoveDispatched" in error.message


def test_an_inland_sale_from_the_port_warehouse_is_built_whole() -> None:
    history = History()
    world(history)
    wine_in(history, "PORT")
    (sold,) = movements.ex_warehouse(inland_sale("2026-03-01 10:00"), ENVELOPE, history, PACK)
    assert sold == LotExWarehoused(
        effective_at=at("2026-03-01 10:00"),
        recorded_at=NOW,
        actor="clerk",
        command_id="c-1",
        lot_id="D1/1",
        quantity=Decimal(10),
        destination="inland",
        bill_no="PX-1",
        import_declaration_no="NK-1",
        purpose="domestic_sale",
    )


def test_a_backdated_inland_sale_is_refused_where_the_lot_was_inland_then() -> None:
    history = History()
    wine_moved(history, "W1", "PORT")
    movements.ex_warehouse(inland_sale("2026-07-01 10:00"), ENVELOPE, history, PACK)  # from PORT
    with pytest.raises(LedgerError) as then_inland:
        movements.ex_warehouse(inland_sale("2026-03-01 10:00"), ENVELOPE, history, PACK)
    error = then_inland.value
    assert (error.code, error.field) == ("not_for_inland", "destination")
    assert "from warehouse W1" in error.message


def test_a_partial_move_is_built_whole_from_the_facts_at_its_time() -> None:
    history = History()
    world(history)
    wine_in(history, "PORT")
    dispatched, child = move(history, "W1", "2026-03-01 08:00", quantity="40")
    assert dispatched == MoveDispatched(
        **ENVELOPE.stamp(at("2026-03-01 08:00")),
        lot_id="D1/1",
        quantity=Decimal(40),
        travelling_lot_id="D1/1.1",
        from_warehouse_id="PORT",
        to_warehouse_id="W1",
        contract_no=None,
        approval_ref="CV-1",
        seal_no="S-1",
    )
    assert isinstance(child, LotSplitOff)
    assert (child.lot_id, child.parent_lot_id, child.warehouse_id, child.quantity) == (
        "D1/1.1",
        "D1/1",
        "W1",
        Decimal(40),
    )
    assert child.first_warehoused_on == date(2026, 2, 11)
    assert history.lot("D1/1").current().on_hand == Decimal(60)  # type: ignore[union-attr]
    assert history.lot("D1/1.1").current().in_transit == Decimal(40)  # type: ignore[union-attr]


def test_every_command_has_a_handler() -> None:
    assert handle.handled() == frozenset(
        INTENT_TYPES + ACCOUNT_INTENT_TYPES + SUBSCRIPTION_INTENT_TYPES
    )

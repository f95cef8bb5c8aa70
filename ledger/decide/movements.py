"""Goods leaving, changing hands and moving between warehouses (55.3 – 55.6)."""

from __future__ import annotations

from dataclasses import replace

from ledger.calendar import local_date
from ledger.decide.common import facts_when, record_on_lot, refuse_field, require_field
from ledger.decide.warehousing import check_rent_contract
from ledger.errors import LedgerError, NotFound
from ledger.events import (
    LotEvent,
    LotExWarehoused,
    LotSplitOff,
    MoveDispatched,
    MoveReceived,
    OwnershipTransferred,
)
from ledger.lot import Lot, LotFacts
from ledger.registry import Enterprise, RentContract, Warehouse
from ledger.rulepacks import RulePack

DESTINATIONS = ("abroad", "inland", "non_tariff_zone")
INLAND_PURPOSES = ("domestic_sale", "processing", "machinery_rental")


def ex_warehouse(
    lot: Lot, warehouse: Warehouse | None, proposed: LotExWarehoused, pack: RulePack
) -> list[LotEvent]:
    facts = facts_when(lot, proposed)
    _check_destination(proposed)
    if proposed.destination == "inland":
        in_port_area = warehouse.in_port_area if warehouse is not None else False
        if pack.is_not_for_inland(facts.goods.hs_code, warehouse_in_port_area=in_port_area):
            raise LedgerError(
                "not_for_inland",
                f"HS {facts.goods.hs_code} is on the {pack.name} not-for-inland list: lot "
                f"{lot.lot_id} may not be brought into the inland (55.4b)",
                "destination",
            )
    record_on_lot(lot, proposed)
    return [proposed]


def _check_destination(proposed: LotExWarehoused) -> None:
    destination = proposed.destination
    if destination not in DESTINATIONS:
        raise LedgerError(
            "invalid_destination",
            f"destination must be one of {', '.join(DESTINATIONS)}, not {destination!r}",
            "destination",
        )
    if destination == "abroad":
        rule = "goods brought abroad need an export declaration and a border gate (55.3)"
        require_field(proposed.export_declaration_no, "export_declaration_no", rule)
        require_field(proposed.border_gate, "border_gate", rule)
    if destination == "inland":
        require_field(
            proposed.import_declaration_no,
            "import_declaration_no",
            "import procedures come first for goods brought into the inland (55.4c)",
        )
        if proposed.purpose not in INLAND_PURPOSES:
            raise LedgerError(
                "invalid_purpose",
                f"purpose must be one of {', '.join(INLAND_PURPOSES)} for goods brought into "
                f"the inland (55.4a), not {proposed.purpose!r}",
                "purpose",
            )
    else:
        refuse_field(proposed.purpose, "purpose", "a purpose is given only for the inland")


def transfer_ownership(
    lot: Lot,
    *,
    warehouse: Warehouse | None,
    new_owner: Enterprise | None,
    new_contract: RentContract | None,
    proposed: OwnershipTransferred,
) -> list[LotEvent]:
    facts = facts_when(lot, proposed)
    if new_owner is None:
        raise NotFound(
            "unknown_enterprise",
            f"the new owner {proposed.new_owner_tax_code} is not a registered enterprise",
            "new_owner_tax_code",
        )
    if proposed.new_owner_tax_code == facts.goods_owner_tax_code:
        raise LedgerError(
            "same_owner",
            f"lot {lot.lot_id} already belongs to {proposed.new_owner_tax_code}",
            "new_owner_tax_code",
        )
    if facts.in_transit > 0 and facts.on_hand == 0:
        raise LedgerError(
            "lot_in_transit", f"lot {lot.lot_id} is in transit and has nothing on hand", "lot_id"
        )
    _check_contract_at(
        warehouse,
        contract_no=proposed.new_contract_no,
        contract=new_contract,
        owner=proposed.new_owner_tax_code,
        facts=facts,
        proposed=proposed,
        field="new_contract_no",
        rule="the new owner needs its own rent contract for this warehouse (55.6b.3)",
    )
    if proposed.quantity == facts.on_hand:
        record_on_lot(lot, proposed)
        return [proposed]
    child_id = f"{lot.lot_id}.{lot.splits_recorded + 1}"
    parent_event = replace(proposed, new_lot_id=child_id)
    record_on_lot(lot, parent_event)
    child = _split_off(facts, parent_event, child_id, cause="transfer")
    child = replace(
        child,
        goods_owner_tax_code=proposed.new_owner_tax_code,
        contract_no=proposed.new_contract_no,
    )
    return [parent_event, child]


def dispatch_move(
    lot: Lot,
    *,
    destination: Warehouse | None,
    contract: RentContract | None,
    proposed: MoveDispatched,
) -> list[LotEvent]:
    facts = facts_when(lot, proposed)
    if destination is None:
        raise NotFound(
            "unknown_warehouse",
            f"destination warehouse {proposed.to_warehouse_id} is not registered",
            "to_warehouse_id",
        )
    if destination.warehouse_id == facts.warehouse_id:
        raise LedgerError(
            "same_warehouse",
            f"lot {lot.lot_id} is already in warehouse {facts.warehouse_id}",
            "to_warehouse_id",
        )
    _check_contract_at(
        destination,
        contract_no=proposed.contract_no,
        contract=contract,
        owner=facts.goods_owner_tax_code,
        facts=facts,
        proposed=proposed,
        field="contract_no",
        rule="the goods owner needs a rent contract at the destination warehouse (55.5)",
    )
    proposed = replace(proposed, from_warehouse_id=facts.warehouse_id)
    if proposed.quantity == facts.on_hand:
        whole = replace(proposed, travelling_lot_id=lot.lot_id)
        record_on_lot(lot, whole)
        return [whole]
    child_id = f"{lot.lot_id}.{lot.splits_recorded + 1}"
    parent_event = replace(proposed, travelling_lot_id=child_id)
    record_on_lot(lot, parent_event)
    child = _split_off(facts, parent_event, child_id, cause="move")
    child = replace(child, warehouse_id=proposed.to_warehouse_id, contract_no=proposed.contract_no)
    return [parent_event, child]


def receive_move(lot: Lot, proposed: MoveReceived) -> list[LotEvent]:
    facts = facts_when(lot, proposed)
    if facts.in_transit <= 0:
        raise LedgerError(
            "not_in_transit",
            f"lot {lot.lot_id} has nothing in transit at {proposed.effective_at.isoformat()}",
            "lot_id",
        )
    received = replace(proposed, quantity=facts.in_transit, warehouse_id=facts.warehouse_id)
    record_on_lot(lot, received)
    return [received]


def _check_contract_at(
    warehouse: Warehouse | None,
    *,
    contract_no: str | None,
    contract: RentContract | None,
    owner: str,
    facts: LotFacts,
    proposed: LotEvent,
    field: str,
    rule: str,
) -> None:
    warehouse_id = warehouse.warehouse_id if warehouse is not None else facts.warehouse_id
    owns_it = warehouse is not None and warehouse.owner_tax_code == owner
    if contract_no is None:
        if owns_it:
            return
        raise LedgerError("contract_required", f"{field} is required: {rule}", field)
    check_rent_contract(
        contract,
        contract_no=contract_no,
        warehouse_id=warehouse_id,
        goods_owner_tax_code=owner,
        on=local_date(proposed.effective_at),
        moment=proposed.effective_at,
        field=field,
    )


def _split_off(facts: LotFacts, parent_event: LotEvent, child_id: str, cause: str) -> LotSplitOff:
    """The child keeps its parent's goods line, first warehousing date and extension (§2)."""
    quantity = (
        parent_event.quantity
        if isinstance(parent_event, OwnershipTransferred | MoveDispatched)
        else None
    )
    assert quantity is not None
    return LotSplitOff(
        effective_at=parent_event.effective_at,
        recorded_at=parent_event.recorded_at,
        actor=parent_event.actor,
        command_id=parent_event.command_id,
        lot_id=child_id,
        parent_lot_id=facts.lot_id,
        cause=cause,
        quantity=quantity,
        declaration_no=facts.declaration_no,
        registered_on=facts.registered_on,
        first_warehoused_on=facts.first_warehoused_on,
        extension_days=facts.extension_days,
        warehouse_id=facts.warehouse_id,
        goods_owner_tax_code=facts.goods_owner_tax_code,
        contract_no=facts.contract_no,
        declared_expires_on=None,
        goods=facts.goods,
    )

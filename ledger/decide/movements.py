"""Goods leaving, changing hands and moving between warehouses (55.3 – 55.6).

Every reference fact is the one in force where and when the movement took effect: the
warehouse the lot was in at ``effective_at``, not the one it is in now.
"""

from __future__ import annotations

from decimal import Decimal

from ledger.calendar import local_date
from ledger.decide.common import (
    facts_when,
    record_on_lot,
    refuse_field,
    require_field,
    require_found,
)
from ledger.decide.warehousing import check_rent_contract
from ledger.errors import Invalid, LedgerError
from ledger.events import (
    Handover,
    LotEvent,
    LotExWarehoused,
    MoveDispatched,
    MoveReceived,
    OwnershipTransferred,
)
from ledger.facts import LotFacts
from ledger.intents import (
    DispatchMove,
    Envelope,
    ExWarehouse,
    LotIntent,
    ReceiveMove,
    TransferOwnership,
)
from ledger.lot import Lot
from ledger.recorded import Recorded
from ledger.registry import Warehouse
from ledger.rulepacks import RulePack

DESTINATIONS = ("abroad", "inland", "non_tariff_zone")
INLAND_PURPOSES = ("domestic_sale", "processing", "machinery_rental")


def ex_warehouse(
    intent: ExWarehouse, envelope: Envelope, recorded: Recorded, pack: RulePack
) -> list[LotEvent]:
    lot = recorded.lot(intent.lot_id)
    facts = facts_when(lot, intent.effective_at, envelope)
    _check_destination(intent)
    if intent.destination == "inland":
        check_may_go_inland(facts, recorded, pack, "destination")
    return record_on_lot(lot, envelope.event(LotExWarehoused, intent))


def check_may_go_inland(facts: LotFacts, recorded: Recorded, pack: RulePack, field: str) -> None:
    """Goods on the pack's not-for-inland list may not go inland (55.4b), unless the pack
    exempts a warehouse inside a port area and this one is."""
    warehouse = recorded.warehouse(facts.warehouse_id)
    in_port_area = warehouse.in_port_area if warehouse is not None else False
    if pack.is_not_for_inland(facts.goods.hs_code, warehouse_in_port_area=in_port_area):
        raise LedgerError(
            "not_for_inland",
            f"HS {facts.goods.hs_code} is on the {pack.name} not-for-inland list: lot "
            f"{facts.lot_id} may not be brought into the inland from warehouse "
            f"{facts.warehouse_id} (55.4b)",
            field,
        )


def _check_destination(intent: ExWarehouse) -> None:
    destination = intent.destination
    if destination not in DESTINATIONS:
        raise Invalid(
            "invalid_destination",
            f"destination must be one of {', '.join(DESTINATIONS)}, not {destination!r}",
            "destination",
        )
    if destination == "abroad":
        rule = "goods brought abroad need an export declaration and a border gate (55.3)"
        require_field(intent.export_declaration_no, "export_declaration_no", rule)
        require_field(intent.border_gate, "border_gate", rule)
    if destination == "inland":
        require_field(
            intent.import_declaration_no,
            "import_declaration_no",
            "import procedures come first for goods brought into the inland (55.4c)",
        )
        if intent.purpose not in INLAND_PURPOSES:
            raise Invalid(
                "invalid_purpose",
                f"purpose must be one of {', '.join(INLAND_PURPOSES)} for goods brought into "
                f"the inland (55.4a), not {intent.purpose!r}",
                "purpose",
            )
    else:
        refuse_field(intent.purpose, "purpose", "a purpose is given only for the inland")


def transfer_ownership(
    intent: TransferOwnership, envelope: Envelope, recorded: Recorded, pack: RulePack
) -> list[LotEvent]:
    lot = recorded.lot(intent.lot_id)
    facts = facts_when(lot, intent.effective_at, envelope)
    require_found(
        recorded.enterprise(intent.new_owner_tax_code),
        "unknown_enterprise",
        f"the new owner {intent.new_owner_tax_code} is not a registered enterprise",
        "new_owner_tax_code",
    )
    if intent.new_owner_tax_code == facts.goods_owner_tax_code:
        raise LedgerError(
            "same_owner",
            f"lot {lot.lot_id} already belongs to {intent.new_owner_tax_code}",
            "new_owner_tax_code",
        )
    if facts.in_transit > 0 and facts.on_hand == 0:
        raise LedgerError(
            "lot_in_transit", f"lot {lot.lot_id} is in transit and has nothing on hand", "lot_id"
        )
    _check_contract_at(
        recorded,
        recorded.warehouse(facts.warehouse_id),
        contract_no=intent.new_contract_no,
        owner=intent.new_owner_tax_code,
        facts=facts,
        intent=intent,
        field="new_contract_no",
        rule="the new owner needs its own rent contract for this warehouse (55.6b.3)",
    )
    transferred = envelope.event(
        OwnershipTransferred, intent, new_lot_id=_receiving_lot(lot, facts, intent.quantity)
    )
    return _recorded_with_split(lot, facts, transferred)


def dispatch_move(
    intent: DispatchMove, envelope: Envelope, recorded: Recorded, pack: RulePack
) -> list[LotEvent]:
    lot = recorded.lot(intent.lot_id)
    facts = facts_when(lot, intent.effective_at, envelope)
    destination = require_found(
        recorded.warehouse(intent.to_warehouse_id),
        "unknown_warehouse",
        f"destination warehouse {intent.to_warehouse_id} is not registered",
        "to_warehouse_id",
    )
    if destination.warehouse_id == facts.warehouse_id:
        raise LedgerError(
            "same_warehouse",
            f"lot {lot.lot_id} is already in warehouse {facts.warehouse_id}",
            "to_warehouse_id",
        )
    _check_contract_at(
        recorded,
        destination,
        contract_no=intent.contract_no,
        owner=facts.goods_owner_tax_code,
        facts=facts,
        intent=intent,
        field="contract_no",
        rule="the goods owner needs a rent contract at the destination warehouse (55.5)",
    )
    travelling = _receiving_lot(lot, facts, intent.quantity)
    dispatched = envelope.event(
        MoveDispatched, intent, travelling_lot_id=travelling, from_warehouse_id=facts.warehouse_id
    )
    return _recorded_with_split(lot, facts, dispatched)


def receive_move(
    intent: ReceiveMove, envelope: Envelope, recorded: Recorded, pack: RulePack
) -> list[MoveReceived]:
    lot = recorded.lot(intent.lot_id)
    facts = facts_when(lot, intent.effective_at, envelope)
    if facts.in_transit <= 0:
        raise LedgerError(
            "not_in_transit",
            f"lot {lot.lot_id} has nothing in transit at {intent.effective_at.isoformat()}",
            "lot_id",
        )
    received = envelope.event(
        MoveReceived, intent, quantity=facts.in_transit, warehouse_id=facts.warehouse_id
    )
    record_on_lot(lot, received)
    return [received]


def _check_contract_at(
    recorded: Recorded,
    warehouse: Warehouse | None,
    *,
    contract_no: str | None,
    owner: str,
    facts: LotFacts,
    intent: LotIntent,
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
        recorded.contract(contract_no),
        contract_no=contract_no,
        warehouse_id=warehouse_id,
        goods_owner_tax_code=owner,
        on=local_date(intent.effective_at),
        moment=intent.effective_at,
        field=field,
    )


def _receiving_lot(lot: Lot, facts: LotFacts, quantity: Decimal) -> str:
    """The lot that goes: this one when all of it goes, else the next lot split off it."""
    return lot.lot_id if quantity == facts.on_hand else lot.next_split_id()


def _recorded_with_split(lot: Lot, facts: LotFacts, handover: Handover) -> list[LotEvent]:
    """The transfer or move, and for a partial one the lot it splits off (§2)."""
    events = record_on_lot(lot, handover)
    child = handover.split_off(facts)
    return events if child is None else [*events, child]

"""Pure decisions: given what is recorded and a proposed fact, the events to record or a
``LedgerError`` naming the rule. No I/O, no clock: time comes in on the proposed event."""

from ledger.decide.common import existing_lot
from ledger.decide.customs import extend_storage, liquidate_overdue, place_hold, release_hold
from ledger.decide.declarations import extend_settlement, settle_declaration
from ledger.decide.inspections import record_stock_count, submit_report
from ledger.decide.movements import dispatch_move, ex_warehouse, receive_move, transfer_ownership
from ledger.decide.reference import (
    extend_rent_contract,
    register_enterprise,
    register_rent_contract,
    register_warehouse,
)
from ledger.decide.reversal import counterpart, reverse_entry, target_of
from ledger.decide.warehousing import warehouse_goods

__all__ = [
    "counterpart",
    "dispatch_move",
    "ex_warehouse",
    "existing_lot",
    "extend_rent_contract",
    "extend_settlement",
    "extend_storage",
    "liquidate_overdue",
    "place_hold",
    "receive_move",
    "record_stock_count",
    "register_enterprise",
    "register_rent_contract",
    "register_warehouse",
    "release_hold",
    "reverse_entry",
    "settle_declaration",
    "submit_report",
    "target_of",
    "transfer_ownership",
    "warehouse_goods",
]

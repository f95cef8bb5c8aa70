"""Pure decisions: given a typed intent, its envelope and what is recorded (``Recorded``),
the whole events to record, or a ``LedgerError`` naming the rule. No I/O, no clock."""

from ledger.decide.customs import change_hold, extend_storage, liquidate_overdue
from ledger.decide.declarations import extend_settlement, settle_declaration
from ledger.decide.ecommerce import (
    ex_warehouse_order,
    publish_goods_list,
    register_licence,
    resume_exemption,
    revoke_licence,
    stop_exemption,
)
from ledger.decide.inspections import record_stock_count, submit_report
from ledger.decide.movements import dispatch_move, ex_warehouse, receive_move, transfer_ownership
from ledger.decide.reference import (
    extend_rent_contract,
    register_enterprise,
    register_rent_contract,
    register_warehouse,
)
from ledger.decide.reversal import reverse_entry
from ledger.decide.users import (
    add_user,
    disable_user,
    end_subscription,
    issue_token,
    revoke_tokens,
    subscribe_warnings,
)
from ledger.decide.warehousing import warehouse_goods

__all__ = [
    "add_user",
    "change_hold",
    "disable_user",
    "dispatch_move",
    "end_subscription",
    "ex_warehouse",
    "ex_warehouse_order",
    "extend_rent_contract",
    "extend_settlement",
    "extend_storage",
    "issue_token",
    "liquidate_overdue",
    "publish_goods_list",
    "receive_move",
    "record_stock_count",
    "register_enterprise",
    "register_licence",
    "register_rent_contract",
    "register_warehouse",
    "resume_exemption",
    "reverse_entry",
    "revoke_licence",
    "revoke_tokens",
    "settle_declaration",
    "stop_exemption",
    "submit_report",
    "subscribe_warnings",
    "transfer_ownership",
    "warehouse_goods",
]

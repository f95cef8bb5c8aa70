"""Every word a page shows that comes from the ledger's vocabulary rather than a template:
column names, statuses, kinds of finding. Declared once here with a marker that Babel
extracts (``N_``), translated when a page is rendered."""

from __future__ import annotations

from api.web.language import N_, current, gettext
from ledger.findings import KINDS

COLUMNS = {
    "lot_id": N_("Lot"),
    "declaration_no": N_("Declaration"),
    "warehouse_id": N_("Warehouse"),
    "goods_owner_tax_code": N_("Goods owner"),
    "hs_code": N_("HS code"),
    "description": N_("Goods"),
    "unit": N_("Unit"),
    "on_hand": N_("On hand"),
    "in_transit": N_("In transit"),
    "first_warehoused_on": N_("First warehoused"),
    "deadline": N_("Deadline"),
    "days_in_storage": N_("Days in storage"),
    "days_left": N_("Days left"),
    "status": N_("Status"),
    "emptied_on": N_("Emptied on"),
    "settlement_due_on": N_("Settlement due"),
    "settled_on": N_("Settled on"),
    "warning_id": N_("Warning"),
    "kind": N_("Kind"),
    "subject": N_("Subject"),
    "raised_on": N_("Raised on"),
    "detail": N_("Detail"),
    "version": N_("Entry"),
    "event": N_("Event"),
    "effective_at": N_("Effective"),
    "recorded_at": N_("Recorded"),
    "quantity_in": N_("In"),
    "quantity_out": N_("Out"),
    "balance": N_("Balance"),
    "related_lot_id": N_("Related lot"),
    "reversed": N_("Reversed"),
    "period": N_("Period"),
    "form": N_("Form"),
    "due_on": N_("Due on"),
    "submitted_at": N_("Submitted"),
    "standing": N_("Standing"),
    "lots": N_("Lots"),
    "licence_no": N_("Licence"),
    "issuer": N_("Issuer"),
    "valid_until": N_("Valid until"),
    "hs_prefix": N_("HS prefix"),
    "granted": N_("Granted"),
    "deducted": N_("Deducted"),
    "remaining": N_("Remaining"),
    "late": N_("Recorded late"),
    "order_no": N_("Order"),
    "platform": N_("Platform"),
    "buyer_id": N_("Buyer"),
    "quantity": N_("Quantity"),
    "customs_value": N_("Customs value (VND)"),
    "basis": N_("Basis"),
    "licence_nos": N_("Licences deducted"),
    "exempt_quantity": N_("Exempt quantity"),
    "used": N_("Used"),
    "left": N_("Left"),
    "notice_ref": N_("Notice"),
    "ministry": N_("Ministry"),
    "hs_prefixes": N_("HS prefixes"),
    "reason": N_("Reason"),
}

FIELDS = {  # the words of a form's inputs that are not a column's
    "amends": N_("Amends the report already submitted"),
    "approval_ref": N_("Approval reference"),
    "bill_no": N_("Bill of lading / delivery note"),
    "border_gate": N_("Border gate"),
    "container_no": N_("Container"),
    "contract_no": N_("Warehouse rental contract"),
    "currency": N_("Currency"),
    "customs_value": N_("Customs value"),
    "days": N_("Days"),
    "decision_ref": N_("Decision reference"),
    "destination": N_("Destination"),
    "engine_no": N_("Engine number"),
    "expires_on": N_("Contract expires on"),
    "export_declaration_no": N_("Export declaration"),
    "frame_no": N_("Frame number"),
    "import_declaration_no": N_("Import declaration"),
    "intact": N_("Seal intact"),
    "line_no": N_("Line"),
    "lines": N_("Goods lines"),
    "new_contract_no": N_("New owner's rental contract"),
    "new_owner_tax_code": N_("New owner (tax code)"),
    "notice_no": N_("Transfer notice"),
    "origin_country": N_("Country of origin"),
    "purpose": N_("Purpose"),
    "quantity": N_("Quantity"),
    "reason": N_("Reason"),
    "ref": N_("Reference"),
    "registered_on": N_("Declaration registered on"),
    "seal_intact": N_("The seal arrived intact"),
    "seal_no": N_("Seal"),
    "seals": N_("Seals"),
    "source": N_("Where the goods come from"),
    "to_warehouse_id": N_("To warehouse"),
    "trading_contract_no": N_("Trading contract"),
    "transport_doc": N_("Transport document"),
}

COMMANDS = {  # the forms' names
    "warehouse_goods": N_("Warehouse goods"),
    "ex_warehouse": N_("Ex-warehouse goods"),
    "transfer_ownership": N_("Transfer ownership"),
    "dispatch_move": N_("Dispatch a move to another warehouse"),
    "receive_move": N_("Receive a move"),
    "place_hold": N_("Place a customs hold"),
    "release_hold": N_("Release a customs hold"),
    "extend_storage": N_("Extend the storage time"),
    "submit_report": N_("Submit a periodic report"),
}

QUESTIONS = {  # a question's answer as a page's section names it
    "balances": N_("Balances"),
    "stock": N_("Stock per goods item"),
    "clocks": N_("Storage clocks"),
    "settlements": N_("Settlements"),
    "warnings": N_("Warnings"),
    "overdue": N_("Overdue lots"),
    "reports": N_("Periodic reports"),
    "stock-card": N_("Stock card"),
    "licences": N_("Licences"),
    "orders": N_("Orders"),
    "allowance": N_("Allowance"),
}

STATUSES = {
    "ok": N_("in time"),
    "due_soon": N_("due soon"),
    "overdue": N_("overdue"),
    "closed": N_("closed"),
    "open": N_("open"),
    "awaiting_settlement": N_("awaiting settlement"),
    "settlement_overdue": N_("settlement overdue"),
    "settled": N_("settled"),
    "on_time": N_("on time"),
    "late": N_("late"),
    "missing": N_("missing"),
    "not_yet_due": N_("not yet due"),
    "valid": N_("valid"),
    "exhausted": N_("exhausted"),
    "expired": N_("expired"),
    "revoked": N_("revoked"),
}

ECOMMERCE = {  # DOMAIN.md §7: licence kinds, the bases of an order, a stop notice's reasons
    "licence": N_("licence"),
    "condition": N_("condition"),
    "specialised_inspection": N_("specialised inspection result"),
    "not_controlled": N_("not controlled"),
    "low_value": N_("low value"),
    "quantity_list": N_("within the exempt quantity"),
    "deducted": N_("deducted from a licence"),
    "food_safety": N_("food safety"),
    "epidemic": N_("epidemic"),
    "health": N_("health"),
    "environment": N_("environment"),
    "morality": N_("morality"),
    "economy": N_("economy"),
    "security": N_("security"),
}


ROLES = {
    "warehouse_owner": N_("warehouse owner"),
    "goods_owner": N_("goods owner"),
    "customs_officer": N_("customs officer"),
    "provincial_inspector": N_("provincial inspector"),
    "auditor": N_("auditor"),
    "admin": N_("administrator"),
}


def role_label(role: str) -> str:
    return gettext(ROLES.get(role, role))


def field_label(name: str) -> str:
    """An input's label: the field's word, or the column's of the same name."""
    return gettext(FIELDS.get(name) or COLUMNS.get(name) or name.replace("_", " "))


def question_label(name: str) -> str:
    return gettext(QUESTIONS.get(name, name.replace("-", " ")))


def command_label(name: str) -> str:
    return gettext(COMMANDS.get(name, name.replace("_", " ")))


def column_label(name: str) -> str:
    return gettext(COLUMNS.get(name, name.replace("_", " ")))


def status_label(status: str) -> str:
    return gettext(STATUSES[status]) if status in STATUSES else status


def ecommerce_label(value: str) -> str:
    """A licence kind, an order's basis or a stop notice's reason in the page's language."""
    return gettext(ECOMMERCE[value]) if value in ECOMMERCE else value.replace("_", " ")


def finding_label(kind: str) -> str:
    """A kind of finding or warning in the page's language, from the one catalogue of
    findings (``ledger/findings.py``), which names each kind in Vietnamese and English."""
    found = _KINDS.get(kind)
    if found is None:
        return kind.replace("_", " ")
    return found.vi if current() == "vi" else found.en


_KINDS = {found.code: found for found in KINDS}


# --- the lot page: its stock card's events, its storage clock's marks, its lineage ---------

COLUMNS.update(
    {
        "parent_lot_id": N_("Parent lot"),
        "depth": N_("Generation"),
        "cause": N_("How it came to be"),
        "created_at": N_("Came to be"),
        "split_out": N_("Split off"),
        "children_in": N_("Children received"),
        "balanced": N_("Balanced"),
        "taken_out": N_("Otherwise out"),
        "on": N_("Day"),
        "at": N_("Moment"),
        "mark": N_("Mark"),
        "days": N_("Days"),
        "quantity": N_("Quantity"),
        "on_hand_before": N_("On hand before"),
        "in_transit_before": N_("In transit before"),
        "on_hand_after": N_("On hand after"),
        "in_transit_after": N_("In transit after"),
        "position": N_("Position in the log"),
        "chain_hash": N_("Chain hash"),
        "chained": N_("Digest matches the chain"),
        "topic": N_("Stored kind"),
        "stored": N_("Stored event"),
    }
)

EVENTS = {  # a lot event's kind (the stock card's ``event``), as a person says it
    "LotWarehoused": N_("warehoused"),
    "LotSplitOff": N_("split off from its parent"),
    "LotExWarehoused": N_("ex-warehoused"),
    "OwnershipTransferred": N_("ownership transferred"),
    "MoveDispatched": N_("move dispatched"),
    "MoveReceived": N_("move received"),
    "StorageExtended": N_("storage extended"),
    "HoldPlaced": N_("hold placed"),
    "HoldReleased": N_("hold released"),
    "LotLiquidated": N_("liquidated"),
    "EntryReversed": N_("entry reversed"),
    "OrderExWarehoused": N_("e-commerce order"),
}

MARKS = {  # the marks on a lot's storage clock (the ``clock-timeline`` question)
    "first_warehousing": N_("first warehousing: the clock starts"),
    "warehoused": N_("warehoused"),
    "split_off": N_("split off"),
    "split": N_("split a part off"),
    "transfer": N_("ownership transferred"),
    "move_dispatched": N_("move dispatched"),
    "move_received": N_("move received"),
    "extension": N_("storage extended"),
    "hold_placed": N_("hold placed"),
    "hold_released": N_("hold released"),
    "liquidated": N_("liquidated"),
    "storage_limit": N_("storage limit"),
    "extended_limit": N_("extended storage limit"),
    "contract_expiry": N_("rent contract expires"),
    "deadline": N_("deadline"),
}

CAUSES = {  # how a lot of a lineage came to be
    "warehoused": N_("warehoused"),
    "transfer": N_("split off by an ownership transfer"),
    "move": N_("split off by a move"),
}


def event_label(kind: str) -> str:
    return gettext(EVENTS[kind]) if kind in EVENTS else kind


def mark_label(mark: str) -> str:
    return gettext(MARKS[mark]) if mark in MARKS else mark.replace("_", " ")


def cause_label(cause: str) -> str:
    return gettext(CAUSES[cause]) if cause in CAUSES else cause.replace("_", " ")

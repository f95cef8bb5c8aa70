"""Every rule ``decide`` enforces, given/when/then at the pure seam: a ``History`` of recorded
events in, a typed intent (parsed from the command vocabulary, DOMAIN.md §6), and the exact
refusal out — no service, no store, no handler. One case per rule code; a test enumerates
every code the decisions can raise (read from ``ledger/``'s source) and fails when one has
no case here, so a new rule comes with its given/when/then."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from commands.handlers import handle
from commands.parsing import parse_command
from ledger.errors import LedgerError
from ledger.events import Event
from ledger.intents import (
    AddUser,
    DisableUser,
    EndSubscription,
    Envelope,
    Intent,
    IssueToken,
    SubscribeWarnings,
)
from ledger.recorded import History
from ledger.rulepacks import load_pack
from tests.support import (
    NOW,
    OWNER_A,
    WAREHOUSE_OWNER,
    contract,
    dispatch,
    enterprise,
    ex_warehousing,
    goods_list,
    hold,
    licence,
    line,
    order,
    receipt,
    resume_notice,
    reversal,
    revocation,
    stop_notice,
    transfer,
    warehouse,
    warehousing,
    world,
)

PACK = load_pack("vn-2015")
LEDGER = Path(__file__).resolve().parents[2] / "ledger"
Given = dict[str, Any] | Intent


class Decide:
    """Given these commands recorded, when this one is decided: its events, or its refusal."""

    def __init__(self, now: datetime = NOW) -> None:
        self.history = History()
        self.now = now
        self.count = 0

    @staticmethod
    def intent(command: Given) -> Intent:
        """A command of the vocabulary, parsed by its model (validated as at every door); an
        account command (``bonded users``, ``tokens``) as its typed intent."""
        if isinstance(command, Intent):
            return command
        return parse_command(command).intent

    def decide(self, command: Given) -> list[Event]:
        intent = self.intent(command)
        self.count += 1
        envelope = Envelope(actor="clerk", recorded_at=self.now, command_id=f"c-{self.count}")
        decision = handle.decision_for(type(intent))
        return list(decision(intent, envelope, self.history, PACK))

    def given(self, *commands: Given) -> Decide:
        for command in commands:
            self.history.add(self.decide(command))
        return self

    def when(self, command: Given) -> list[Event]:
        return self.decide(command)


@dataclass(frozen=True)
class Case:
    """Given ``given`` recorded (the world first, unless ``bare``), when ``when``: refused
    with the rule's code, naming ``field``."""

    given: tuple[Given, ...]
    when: Given
    field: str | None
    bare: bool = False
    now: datetime = NOW
    note: str = ""


# --- commands the shared builders do not make ------------------------------------------------

NOBODY = "0101245486"  # a well-formed tax code no enterprise of the world has
WINE = "22042100"  # HS 2204: on vn-2015's not-for-inland list


def unchecked(command: dict[str, Any], **fields: Any) -> Intent:
    """The command's intent with ``fields`` set past its model: for a rule decide guards
    although the model refuses such a request first (``invalid_command``) at every door."""
    return replace(parse_command(command).intent, **fields)


def contract_extension(contract_no: str, expires_on: str) -> dict[str, Any]:
    return {
        "command": "extend_rent_contract",
        "contract_no": contract_no,
        "expires_on": expires_on,
        "effective_at": "2026-06-01",
    }


def inland(**extra: Any) -> dict[str, Any]:
    """A domestic sale of 10 of lot D1/1: into the inland under an import declaration."""
    sale = {"import_declaration_no": "NK-1", "purpose": "domestic_sale", **extra}
    return ex_warehousing(
        destination="inland", export_declaration_no=None, border_gate=None, **sale
    )


def storage_extension(days: int, when: str = "2026-06-01") -> dict[str, Any]:
    return {
        "command": "extend_storage",
        "lot_id": "D1/1",
        "days": days,
        "effective_at": when,
        "approval_ref": "CV-EXT-1",
        "reason": "buyer delayed",
    }


def liquidation(when: str) -> dict[str, Any]:
    return {
        "command": "liquidate_overdue",
        "lot_id": "D1/1",
        "quantity": "100",
        "effective_at": when,
        "decision_ref": "QD-TL-1",
        "method": "auction",
    }


def settlement(declaration_no: str = "D1", when: str = "2026-06-10") -> dict[str, Any]:
    return {"command": "settle_declaration", "declaration_no": declaration_no, "effective_at": when}


def count(*counts: tuple[str, str], warehouse_id: str = "W1") -> dict[str, Any]:
    return {
        "command": "record_stock_count",
        "warehouse_id": warehouse_id,
        "effective_at": "2026-06-30T16:00:00+07:00",
        "counts": [{"lot_id": lot_id, "counted_quantity": q} for lot_id, q in counts],
    }


def report(period: str = "2026-Q1", **extra: Any) -> dict[str, Any]:
    return {"command": "submit_report", "warehouse_id": "W1", "period": period, **extra}


EMPTIED = (warehousing(), ex_warehousing(quantity="100"))  # D1's one lot, all gone abroad
SETTLED = (*EMPTIED, settlement())
SHOP = (warehousing(), goods_list(), licence())  # HS 8542 needs a licence; L1 grants 100
CLERK = AddUser(name="clerk", role="warehouse_owner", enterprise=WAREHOUSE_OWNER)
SUBSCRIBED = SubscribeWarnings(name="clerk", subscription_id="s-1", url="https://example.test/w")


# One case per code. Three of them rule_codes() does not find, a helper making or passing the
# code (unknown_declaration, lot_has_later_entries, split_child_moved_on): refusals all the same.
RULES: dict[str, Case] = {
    # --- reference data: enterprises, warehouses, rent contracts -----------------------------
    "enterprise_exists": Case((), enterprise(OWNER_A, "Hanoi Trading"), "tax_code"),
    "warehouse_exists": Case((), warehouse("W1", WAREHOUSE_OWNER), "warehouse_id"),
    "unknown_enterprise": Case((), warehouse("W9", NOBODY), "owner_tax_code"),
    "contract_exists": Case((), contract("C-A-W1", "W1", OWNER_A), "contract_no"),
    "unknown_warehouse": Case((), contract("C-A-W9", "W9", OWNER_A), "warehouse_id"),
    "contract_dates": Case(
        (), contract("C-A-W3", "W3", OWNER_A, expires_on="2026-01-01"), "expires_on"
    ),
    "unknown_contract": Case((), contract_extension("C-404", "2027-12-31"), "contract_no"),
    "extension_not_later": Case((), contract_extension("C-A-W1", "2027-06-30"), "expires_on"),
    # --- warehousing: the declaration and its lots -------------------------------------------
    "declaration_exists": Case((warehousing("D1"),), warehousing("D1"), "declaration_no"),
    "effective_in_future": Case(
        (), warehousing("D1", effective_at="2026-11-24T10:00:00+07:00"), "effective_at"
    ),
    "warehoused_before_registration": Case(
        (), warehousing("D1", effective_at="2026-02-09T09:00:00+07:00"), "effective_at"
    ),
    "expiry_before_registration": Case(
        (), warehousing("D1", expires_on="2026-02-10"), "expires_on"
    ),
    "contract_required": Case((), warehousing("D1", contract_no=None), "contract_no"),
    "contract_other_warehouse": Case((), warehousing("D1", contract_no="C-A-W2"), "contract_no"),
    "contract_other_owner": Case((), warehousing("D1", contract_no="C-B-W1"), "contract_no"),
    "contract_not_valid": Case(
        (),
        warehousing("D1", registered_on="2025-12-30", effective_at="2025-12-30T09:00:00+07:00"),
        "contract_no",
        note="C-A-W1 starts on 2026-01-01",
    ),
    "expiry_after_contract": Case((), warehousing("D1", expires_on="2027-07-01"), "expires_on"),
    "invalid_source": Case((), warehousing("D1", source="smuggled"), "source"),
    "missing_field": Case((), warehousing("D1", source="inland"), "export_declaration_no"),
    "unexpected_field": Case(
        (), warehousing("D1", export_declaration_no="XK-1"), "export_declaration_no"
    ),
    "no_lines": Case(
        (),
        unchecked(warehousing("D1"), lines=()),
        "lines",
        note="the model asks for at least one line first",
    ),
    "duplicate_line_no": Case((), warehousing("D1", line(1), line(1)), "lines[1].line_no"),
    # --- movements: ex-warehousing, transfers, moves, holds ----------------------------------
    "unknown_lot": Case((), ex_warehousing("D9/1"), "lot_id"),
    "before_lot_existed": Case(
        (warehousing(),), ex_warehousing(when="2026-02-10T10:00:00+07:00"), "effective_at"
    ),
    "insufficient_balance": Case((warehousing(),), ex_warehousing(quantity="101"), "quantity"),
    "invalid_destination": Case(
        (warehousing(),), ex_warehousing(destination="moon"), "destination"
    ),
    "invalid_purpose": Case((warehousing(),), inland(purpose="gift"), "purpose"),
    "not_for_inland": Case((warehousing("D1", line(hs_code=WINE)),), inland(), "destination"),
    "same_owner": Case(
        (warehousing(),),
        transfer(new_owner_tax_code=OWNER_A, new_contract_no="C-A-W1"),
        "new_owner_tax_code",
    ),
    "lot_in_transit": Case(
        (warehousing(), dispatch(quantity="100")),
        transfer(when="2026-05-01T12:00:00+07:00"),
        "lot_id",
    ),
    "same_warehouse": Case((warehousing(),), dispatch(to_warehouse_id="W1"), "to_warehouse_id"),
    "not_in_transit": Case((warehousing(),), receipt("D1/1"), "lot_id"),
    "lot_on_hold": Case(
        (warehousing(), hold()), ex_warehousing(when="2026-03-06T10:00:00+07:00"), "lot_id"
    ),
    "already_on_hold": Case(
        (warehousing(), hold()), hold(when="2026-03-06T10:00:00+07:00"), "lot_id"
    ),
    "not_on_hold": Case((warehousing(),), hold(release=True), "lot_id"),
    # --- customs: storage extensions and liquidation -----------------------------------------
    "already_extended": Case(
        (warehousing(), storage_extension(100)), storage_extension(10, "2026-06-02"), "lot_id"
    ),
    "lot_closed": Case(EMPTIED, storage_extension(10), "lot_id"),
    "extension_too_long": Case(
        (warehousing(),), storage_extension(366), "days", note="past 2028-02-11"
    ),
    "not_overdue": Case((warehousing(),), liquidation("2026-11-01"), "effective_at"),
    # --- declarations: settlement ------------------------------------------------------------
    "unknown_declaration": Case(
        (), settlement("D9"), "declaration_no", note="raised by errors.unknown_declaration"
    ),
    "declaration_not_empty": Case((warehousing(),), settlement(), "declaration_no"),
    "already_settled": Case(SETTLED, settlement(when="2026-06-11"), "declaration_no"),
    # --- inspections and reports -------------------------------------------------------------
    "no_counts": Case(
        (warehousing(),),
        unchecked(count(("D1/1", "100")), counts=()),
        "counts",
        note="the model asks for at least one count first",
    ),
    "duplicate_lot": Case(
        (warehousing(),), count(("D1/1", "1"), ("D1/1", "2")), "counts[1].lot_id"
    ),
    "lot_elsewhere": Case(
        (warehousing(),), count(("D1/1", "100"), warehouse_id="W2"), "counts[0].lot_id"
    ),
    "submission_backdated": Case(
        (warehousing(),), report(effective_at="2026-11-01"), "effective_at"
    ),
    "invalid_period": Case(
        (warehousing(),),
        unchecked(report(), period="2026-Q5"),
        "period",
        note="the model reads the period first",
    ),
    "period_not_ended": Case((warehousing(),), report("2026-Q4"), "period"),
    "period_before_goods": Case((warehousing(),), report("2025-Q4"), "period"),
    "report_already_submitted": Case((warehousing(), report()), report(), "period"),
    "nothing_to_amend": Case((warehousing(),), report(amends=True), "amends"),
    # --- reversals ---------------------------------------------------------------------------
    "unknown_version": Case((warehousing(),), reversal("D1/1", 9), "version"),
    "cannot_reverse_reversal": Case(
        (warehousing(), ex_warehousing(), reversal("D1/1", 2)), reversal("D1/1", 3), "version"
    ),
    "already_reversed": Case(
        (warehousing(), ex_warehousing(), reversal("D1/1", 2)), reversal("D1/1", 2), "version"
    ),
    "declaration_settled": Case(SETTLED, reversal("D1/1", 2), "lot_id"),
    "lot_has_later_entries": Case(
        (warehousing(), ex_warehousing()),
        reversal("D1/1", 1),
        "version",
        note="a default argument of reversal._require_nothing_after_creation",
    ),
    "split_child_moved_on": Case(
        (
            warehousing(),
            transfer(quantity="30"),
            ex_warehousing("D1/1.1", quantity="5", when="2026-04-02T10:00:00+07:00"),
        ),
        reversal("D1/1", 2),
        "version",
        note="an argument of reversal._require_nothing_after_creation",
    ),
    "later_movements_depend_on_it": Case(
        (
            warehousing(),
            transfer(quantity="100"),
            ex_warehousing(when="2026-04-05T10:00:00+07:00"),
        ),
        reversal("D1/1", 2),
        "version",
    ),
    "handover_no_longer_whole": Case(
        (warehousing(), ex_warehousing(), dispatch(quantity="90")),
        reversal("D1/1", 2),
        "version",
        note="the move took the whole lot, 90; undoing the 10 gone before would leave 10",
    ),
    # --- e-commerce: goods lists, stop notices, licences, orders -----------------------------
    "invalid_hs_prefix": Case(
        (), goods_list("GL-1", {"hs_prefix": "8", "requires": []}), "entries/0/hs_prefix"
    ),
    "duplicate_hs_prefix": Case(
        (),
        goods_list("GL-1", {"hs_prefix": "8542"}, {"hs_prefix": "8542"}),
        "entries/1/hs_prefix",
    ),
    "duplicate_requirement": Case(
        (),
        goods_list("GL-1", {"hs_prefix": "8542", "requires": ["licence", "licence"]}),
        "entries/0/requires",
    ),
    "list_ref_used": Case((goods_list(),), goods_list(), "list_ref"),
    "notice_ref_used": Case((stop_notice(),), stop_notice(when="2026-06-01"), "notice_ref"),
    "unknown_notice": Case((), resume_notice("N-9"), "notice_ref"),
    "notice_not_in_force": Case(
        (stop_notice(), resume_notice()), resume_notice(when="2026-06-01"), "notice_ref"
    ),
    "resumed_before_stopped": Case(
        (stop_notice(),), resume_notice(when="2026-03-01"), "effective_at"
    ),
    "licence_exists": Case((licence(),), licence(), "licence_no"),
    "released_in_future": Case((), licence(released="2026-11-24T08:00:00+07:00"), "released_at"),
    "invalid_validity": Case((), licence(valid_until="2026-01-31"), "valid_until"),
    "unknown_licence": Case((), revocation("L9"), "licence_no"),
    "licence_revoked": Case((licence(), revocation()), revocation(when="2026-07-01"), "licence_no"),
    "deduction_after_revocation": Case(
        (*SHOP, order("O-1", "10", when="2026-05-01T10:00:00+07:00")),
        revocation(when="2026-05-01"),
        "effective_at",
    ),
    "order_no_used": Case((warehousing(), order()), order(), "order_no"),
    "licence_kind_named_twice": Case(
        (*SHOP, licence("L2")), order("O-1", "10", licence_nos=["L1", "L2"]), "licence_nos/1"
    ),
    "licence_not_usable": Case(
        (warehousing(), goods_list(), licence("L1", "5")),
        order("O-1", "10", licence_nos=["L1"]),
        "licence_nos",
    ),
    "licence_required": Case((warehousing(), goods_list()), order("O-1", "10"), "licence_nos"),
    # --- users: accounts, tokens, subscriptions (typed intents: no command vocabulary) -------
    "user_exists": Case((CLERK,), CLERK, "name"),
    "unknown_user": Case((), DisableUser(name="clerk"), "name"),
    "user_disabled": Case(
        (CLERK, DisableUser(name="clerk")), IssueToken(name="clerk", token_hash="h-1"), "name"
    ),
    "subscription_exists": Case((CLERK, SUBSCRIBED), SUBSCRIBED, "subscription_id"),
    "unknown_subscription": Case(
        (CLERK,), EndSubscription(name="clerk", subscription_id="s-9"), "subscription_id"
    ),
}

# Codes a decision names that no command can reach, each with why: the coverage test leaves
# them out, and fails once one has its case or is no longer named.
UNREACHABLE: dict[str, str] = {
    "lot_exists": "no lot is created twice: declaration_exists comes first; split ids never recur",
}


@pytest.mark.parametrize("code", sorted(RULES))
def test_each_rule_refuses_at_the_decide_seam(code: str) -> None:
    case = RULES[code]
    decide = Decide(case.now).given(*(() if case.bare else world()), *case.given)
    with pytest.raises(LedgerError) as refused:
        decide.when(case.when)
    assert (refused.value.code, refused.value.field) == (code, case.field), refused.value.message


def rule_codes() -> set[str]:
    """Every code a decision can refuse with: the first argument of each ledger error (or
    ``Violation``, or ``require_found``'s second) and each ``(code, message)`` an event kind
    yields as a refusal, in ``ledger/decide``, ``ledger/entries.py``, ``ledger/lot.py``,
    ``ledger/events.py`` and ``ledger/errors.py`` (``unknown_lot``, ``unknown_declaration``)."""
    errors = {"LedgerError", "Invalid", "Conflict", "NotFound", "Violation"}
    sources = [*sorted((LEDGER / "decide").glob("*.py"))]
    sources += [LEDGER / name for name in ("entries.py", "lot.py", "events.py", "errors.py")]
    found: set[str] = set()
    for source in sources:
        for node in ast.walk(ast.parse(source.read_text())):
            if isinstance(node, ast.Call):
                name = getattr(node.func, "id", getattr(node.func, "attr", None))
                position = 1 if name == "require_found" else 0 if name in errors else None
                if position is not None and len(node.args) > position:
                    argument = node.args[position]
                    if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                        found.add(argument.value)
            if isinstance(node, ast.Yield) and isinstance(node.value, ast.Tuple):
                first = node.value.elts[0] if node.value.elts else None
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    found.add(first.value)
    return {code for code in found if re.fullmatch(r"[a-z]+(_[a-z]+)*", code)}


def test_every_rule_of_decide_has_its_case() -> None:
    codes = rule_codes()
    missing = codes - set(RULES) - set(UNREACHABLE)
    assert not missing, f"rules with no given/when/then here: {sorted(missing)}"
    assert not set(UNREACHABLE) & set(RULES), "a rule with its case is reachable"
    assert set(UNREACHABLE) <= codes, "an unreachable code no decision names any more"

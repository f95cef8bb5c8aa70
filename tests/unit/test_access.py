"""Who may do what (DOMAIN.md §1, §3), as the ledger decides it: each role's commands and
each role's scope, checked before any rule; users and their rights recorded as events."""

from __future__ import annotations

from typing import Any

import pytest

from ledger import intents as i
from ledger.access import RECORDS
from ledger.errors import LedgerError
from ledger.events import UserAdded
from ledger.intents import AddUser, DisableUser, IssueToken, RevokeTokens
from ledger.roles import Role
from ledger.users import OPERATOR, User
from tests.support import (
    OWNER_A,
    OWNER_B,
    WAREHOUSE_OWNER,
    Harness,
    dispatch,
    ex_warehousing,
    hold,
    receipt,
    refused,
    reversal,
    warehouse,
    warehousing,
)

W1_OWNER = User("saigon", Role.WAREHOUSE_OWNER, enterprise=WAREHOUSE_OWNER)
W3_OWNER = User("hanoi", Role.WAREHOUSE_OWNER, enterprise=OWNER_A)
HCM_OFFICER = User("officer", Role.CUSTOMS_OFFICER, office="HCM Port 1")
OTHER_OFFICER = User("officer2", Role.CUSTOMS_OFFICER, office="Da Nang")
HCM_INSPECTOR = User("inspector", Role.PROVINCIAL_INSPECTOR, province="Ho Chi Minh City")
HANOI_INSPECTOR = User("inspector2", Role.PROVINCIAL_INSPECTOR, province="Ha Noi")
AUDITOR = User("auditor", Role.AUDITOR)
ADMIN = User("admin", Role.ADMIN)
GOODS_OWNER = User("buyer", Role.GOODS_OWNER, enterprise=OWNER_A)

EX_WAREHOUSE = {
    "command": "ex_warehouse",
    "lot_id": "D1/1",
    "quantity": "1",
    "effective_at": "2026-03-01",
    "destination": "abroad",
    "bill_no": "B1",
    "export_declaration_no": "X1",
    "border_gate": "Cat Lai",
}
COUNT = {
    "command": "record_stock_count",
    "warehouse_id": "W1",
    "effective_at": "2026-03-02",
    "counts": [{"lot_id": "D1/1", "counted_quantity": "100"}],
}


def refusal(ledger: Harness, command: dict[str, Any], caller: User) -> LedgerError:
    with pytest.raises(LedgerError) as caught:
        ledger.outcome(command, caller)
    return caught.value


@pytest.fixture
def stocked(ledger: Harness) -> Harness:
    ledger.given(warehousing("D1"))
    return ledger


def test_a_warehouse_owner_records_movements_in_its_own_warehouses_only(stocked: Harness) -> None:
    assert stocked.outcome(EX_WAREHOUSE, W1_OWNER).status == "applied"
    assert stocked.lot_events("D1/1")[-1].actor == "saigon"
    # another owner's lot is answered as a lot that does not exist: no hint it is there
    error = refusal(stocked, EX_WAREHOUSE, W3_OWNER)
    assert (error.status, error.code, error.field) == (404, "unknown_lot", "lot_id")
    missing = refusal(stocked, {**EX_WAREHOUSE, "lot_id": "NOPE/1"}, W3_OWNER)
    assert (missing.status, missing.code, missing.message) == (
        404,
        "unknown_lot",
        "lot NOPE/1 does not exist: it has not been recorded",
    )
    assert "D1/1 does not exist" in error.message
    # a warehouse named outright and outside the scope is forbidden, whether it exists or not
    for warehouse_id in ("W1", "W9"):
        named = refusal(stocked, warehousing("D2", warehouse_id=warehouse_id), W3_OWNER)
        assert (named.status, named.code, named.field) == (403, "outside_scope", "warehouse_id")


def test_holds_are_a_customs_officers_of_the_warehouses_office(stocked: Harness) -> None:
    with refused("role_not_allowed", match="customs_officer"):
        stocked.outcome(hold("D1/1", when="2026-03-01"), W1_OWNER)
    assert refusal(stocked, hold("D1/1", when="2026-03-01"), OTHER_OFFICER).status == 404
    assert stocked.outcome(hold("D1/1", when="2026-03-01"), HCM_OFFICER).status == "applied"


def test_stock_counts_are_an_inspectors_of_the_province(stocked: Harness) -> None:
    assert refusal(stocked, COUNT, HANOI_INSPECTOR).status == 403
    assert refusal(stocked, COUNT, HCM_OFFICER).code == "role_not_allowed"
    assert stocked.outcome(COUNT, HCM_INSPECTOR).status == "applied"


def test_auditors_and_goods_owners_never_write_admins_only_reference_data(
    stocked: Harness,
) -> None:
    for caller in (AUDITOR, GOODS_OWNER):
        for command in (EX_WAREHOUSE, COUNT, hold("D1/1", when="2026-03-01")):
            assert refusal(stocked, command, caller).code == "role_not_allowed"
    assert refusal(stocked, EX_WAREHOUSE, ADMIN).code == "role_not_allowed"
    outcome = stocked.outcome(warehouse("W7", WAREHOUSE_OWNER), ADMIN)
    assert outcome.status == "applied"


def test_every_command_is_some_roles_and_the_operators() -> None:
    for intent_type in i.INTENT_TYPES:
        holders = [role for role, kinds in RECORDS.items() if intent_type in kinds]
        assert Role.OPERATOR in holders and len(holders) >= 2, intent_type


def test_a_repeated_command_id_answers_only_the_caller_who_asked_first(stocked: Harness) -> None:
    command = {**EX_WAREHOUSE, "command_id": "ex-1"}
    first = stocked.outcome(command, W1_OWNER)
    assert stocked.outcome(command, W1_OWNER).result == first.result
    with refused("command_id_reused"):
        stocked.outcome(command, User("saigon2", Role.WAREHOUSE_OWNER, enterprise=WAREHOUSE_OWNER))


def test_users_and_their_rights_are_events(ledger: Harness) -> None:
    ledger.account(AddUser, name="saigon", role="warehouse_owner", enterprise=WAREHOUSE_OWNER)
    added = ledger.store.read("user:saigon")[0]
    assert isinstance(added, UserAdded) and added.actor == "operator"
    ledger.account(IssueToken, name="saigon", token_hash="a" * 64)
    ledger.account(IssueToken, name="saigon", token_hash="b" * 64)
    user = User.from_events(ledger.store.read("user:saigon"))
    assert user is not None and user.token_hashes == {"a" * 64, "b" * 64}
    ledger.account(RevokeTokens, name="saigon")
    user = User.from_events(ledger.store.read("user:saigon"))
    assert user is not None and user.token_hashes == frozenset() and user.active
    ledger.account(DisableUser, name="saigon")
    user = User.from_events(ledger.store.read("user:saigon"))
    assert user is not None and not user.active
    with refused("user_disabled"):
        ledger.account(IssueToken, name="saigon", token_hash="c" * 64)


@pytest.mark.parametrize(
    ("fields", "code", "field"),
    [
        ({"role": "warehouse_owner"}, "missing_field", "enterprise"),
        ({"role": "customs_officer", "enterprise": OWNER_B}, "unexpected_field", "enterprise"),
        ({"role": "auditor", "province": "Ha Noi"}, "unexpected_field", "province"),
        ({"role": "goods_owner", "enterprise": "0100000003"}, "unknown_enterprise", "enterprise"),
    ],
)
def test_a_user_acts_for_exactly_the_place_its_role_needs(
    ledger: Harness, fields: dict[str, Any], code: str, field: str
) -> None:
    with refused(code, field):
        ledger.account(AddUser, name="someone", **fields)
    assert ledger.store.read("user:someone") == []


def test_a_disabled_user_may_do_nothing(stocked: Harness) -> None:
    disabled = User("saigon", Role.WAREHOUSE_OWNER, enterprise=WAREHOUSE_OWNER, active=False)
    assert refusal(stocked, EX_WAREHOUSE, disabled).code == "user_disabled"


def test_only_an_admin_or_the_operator_manages_users(ledger: Harness) -> None:
    with refused("role_not_allowed"):
        ledger.account(AddUser, caller=AUDITOR, name="x", role="auditor")
    ledger.account(AddUser, caller=ADMIN, name="x", role="auditor")
    assert ledger.store.read("user:x")[0].actor == "admin"


def test_a_right_is_judged_where_the_lot_was_at_the_commands_moment(stocked: Harness) -> None:
    """D1/1 is in W1 (Saigon's) until 1 May, then moved whole to W3 (Hanoi's). Saigon keeps
    the right to its own past of the lot; Hanoi has none over the time before the lot came."""
    stocked.given(
        ex_warehousing(quantity="10", when="2026-03-01T10:00:00+07:00"),  # version 2
        dispatch(quantity="90", to_warehouse_id="W3", contract_no=None),  # version 3
        receipt("D1/1", when="2026-05-01T16:00:00+07:00"),  # version 4
    )
    # Saigon may reverse its own ex-warehousing of 1 March, in W1: the ledger, not the rights,
    # refuses it (the move took the whole lot), as it would the operator
    judged = refusal(stocked, reversal("D1/1", 2), W1_OWNER)
    assert judged.code == refusal(stocked, reversal("D1/1", 2), OPERATOR).code != "unknown_lot"
    with refused("unknown_lot", "lot_id"):  # the lot was not Hanoi's on 1 March
        stocked.outcome(ex_warehousing(quantity="1", when="2026-03-02T10:00:00+07:00"), W3_OWNER)
    with refused("unknown_lot", "lot_id"):
        stocked.outcome(reversal("D1/1", 3), W3_OWNER)  # Saigon's dispatch, from W1
    stocked.outcome(reversal("D1/1", 4), W3_OWNER)  # Hanoi's own receipt


def test_every_kind_of_command_says_who_may_ask_for_it() -> None:
    kinds = [*i.INTENT_TYPES, *i.ACCOUNT_INTENT_TYPES, *i.SUBSCRIPTION_INTENT_TYPES]
    silent = [kind.__name__ for kind in kinds if not hasattr(kind, "recorded_by")]
    assert not silent, f"declare recorded_by on: {silent}"
    assert RECORDS[Role.WAREHOUSE_OWNER] >= {i.ExWarehouse, i.DispatchMove, i.SubmitReport}
    assert i.PlaceHold in RECORDS[Role.CUSTOMS_OFFICER] - RECORDS[Role.WAREHOUSE_OWNER]
    assert RECORDS[Role.OPERATOR] == frozenset(kinds)

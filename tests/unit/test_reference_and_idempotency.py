"""Reference data (55.1b.2) and command_id idempotency (DOMAIN.md §6)."""

from __future__ import annotations

from tests.support import (
    OWNER_A,
    Harness,
    contract,
    enterprise,
    ex_warehousing,
    refuses,
    warehouse,
    warehousing,
)


def test_enterprise_ids_are_unique_and_vietnamese_tax_codes_are_checked(ledger: Harness) -> None:
    refuses(ledger, enterprise(OWNER_A, "again"), "enterprise_exists", "tax_code")
    refuses(
        ledger,
        enterprise("0100109107", "bad check digit"),
        "invalid_command",
        "tax_code",
        "check digit",
    )
    ledger.when(enterprise("0100109106-001", "a branch"))
    refuses(
        ledger,
        {
            "command": "register_enterprise",
            "tax_code": "X",
            "name": "n",
            "address": "a",
            "country": "QQ",
        },
        "invalid_command",
        "country",
    )


def test_a_foreign_goods_owner_id_is_kept_as_given(ledger: Harness) -> None:
    (event,) = ledger.when(
        {
            "command": "register_enterprise",
            "tax_code": "DE 123/456",
            "name": "GmbH",
            "address": "Berlin",
            "country": "de",
        }
    )
    assert (event.tax_code, event.country) == ("DE 123/456", "DE")


def test_a_warehouse_needs_a_registered_owner_and_a_unique_id(ledger: Harness) -> None:
    refuses(ledger, warehouse("W1", OWNER_A), "warehouse_exists", "warehouse_id")
    refuses(ledger, warehouse("W9", "0200456784"), "unknown_enterprise", "owner_tax_code")


def test_a_contract_belongs_to_one_warehouse_and_one_owner_and_ends_after_it_starts(
    ledger: Harness,
) -> None:
    refuses(ledger, contract("C-A-W1", "W1", OWNER_A), "contract_exists", "contract_no")
    refuses(ledger, contract("C9", "W9", OWNER_A), "unknown_warehouse", "warehouse_id")
    refuses(
        ledger, contract("C9", "W1", "0200456784"), "unknown_enterprise", "goods_owner_tax_code"
    )
    refuses(
        ledger,
        contract("C9", "W1", OWNER_A, expires_on="2026-01-01"),
        "contract_dates",
        "expires_on",
    )


def test_a_contract_extension_must_move_the_expiry_later(ledger: Harness) -> None:
    extend = {
        "command": "extend_rent_contract",
        "contract_no": "C-A-W1",
        "expires_on": "2027-06-30",
        "effective_at": "2026-05-01",
    }
    refuses(ledger, extend, "extension_not_later", "expires_on")
    refuses(ledger, {**extend, "contract_no": "C404"}, "unknown_contract", "contract_no")
    (event,) = ledger.when({**extend, "expires_on": "2027-12-31"})
    assert event.expires_on.isoformat() == "2027-12-31"


def test_the_same_command_id_and_body_answers_as_the_first_time_and_records_nothing(
    ledger: Harness,
) -> None:
    command = {**warehousing("D1"), "command_id": "k-1"}
    first = ledger.outcome(command)
    head = ledger.store.head()
    again = ledger.outcome(command)
    assert (first.status, again.status) == ("applied", "already_applied")
    assert again.result == first.result == {"lot_ids": ["D1/1"]}
    assert ledger.store.head() == head


def test_the_same_command_id_with_another_body_is_refused(ledger: Harness) -> None:
    ledger.given(warehousing("D1"), {**ex_warehousing(quantity="1"), "command_id": "k-2"})
    refuses(
        ledger,
        {**ex_warehousing(quantity="2"), "command_id": "k-2"},
        "command_id_reused",
        "command_id",
    )


def test_a_refused_command_does_not_use_up_its_command_id(ledger: Harness) -> None:
    ledger.given(warehousing("D1"))
    refuses(
        ledger, {**ex_warehousing(quantity="1000"), "command_id": "k-3"}, "insufficient_balance"
    )
    assert ledger.outcome({**ex_warehousing(quantity="1"), "command_id": "k-3"}).status == "applied"


def test_numbers_and_strings_are_the_same_body(ledger: Harness) -> None:
    ledger.given(warehousing("D1"))
    ledger.outcome({**ex_warehousing(quantity="1.50"), "command_id": "k-4"})
    assert (
        ledger.outcome({**ex_warehousing(quantity="1.50"), "command_id": "k-4"}).status
        == "already_applied"
    )


def test_unknown_commands_are_refused_by_name(ledger: Harness) -> None:
    refuses(ledger, {"command": "teleport_goods"}, "unknown_command", "command")

"""Shared test vocabulary: a small world of enterprises, warehouses and contracts, command
builders with sensible defaults, and a harness that runs commands at a chosen clock."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import pytest

from commands.models import ACCOUNT_COMMANDS
from commands.parsing import parse_command
from commands.service import LedgerService, Outcome
from commands.store import EventStore
from ledger.calendar import WAREHOUSE_ZONE
from ledger.errors import LedgerError
from ledger.events import Event
from ledger.intents import Intent
from ledger.rulepacks import load_pack
from ledger.users import OPERATOR, User

WAREHOUSE_OWNER = "0301234562"
OWNER_A = "0100109106"
OWNER_B = "0312345673"
FOREIGN_OWNER = "SG-201912345K"

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=WAREHOUSE_ZONE)


def at(text: str) -> datetime:
    """'2026-02-11 09:00' in the warehouse's zone."""
    return datetime.fromisoformat(text).replace(tzinfo=WAREHOUSE_ZONE)


def world() -> list[dict[str, Any]]:
    """Three enterprises, three warehouses (W3 owned by OWNER_A), four rent contracts."""
    return [
        enterprise(WAREHOUSE_OWNER, "Saigon Bonded Logistics"),
        enterprise(OWNER_A, "Hanoi Trading"),
        enterprise(OWNER_B, "Mekong Foods"),
        {
            "command": "register_enterprise",
            "tax_code": FOREIGN_OWNER,
            "name": "Lion City",
            "address": "Singapore",
            "country": "SG",
        },
        warehouse("W1", WAREHOUSE_OWNER, province="Ho Chi Minh City"),
        warehouse("W2", WAREHOUSE_OWNER, province="Ho Chi Minh City"),
        warehouse("W3", OWNER_A, province="Ha Noi"),
        contract("C-A-W1", "W1", OWNER_A),
        contract("C-B-W1", "W1", OWNER_B),
        contract("C-A-W2", "W2", OWNER_A),
        contract("C-B-W2", "W2", OWNER_B),
    ]


def enterprise(tax_code: str, name: str) -> dict[str, Any]:
    return {"command": "register_enterprise", "tax_code": tax_code, "name": name, "address": "VN"}


def warehouse(warehouse_id: str, owner: str, **extra: Any) -> dict[str, Any]:
    return {
        "command": "register_warehouse",
        "warehouse_id": warehouse_id,
        "name": f"{warehouse_id} store",
        "owner_tax_code": owner,
        "province": "Ho Chi Minh City",
        "customs_office": "HCM Port 1",
        **extra,
    }


def contract(no: str, warehouse_id: str, owner: str, **extra: Any) -> dict[str, Any]:
    return {
        "command": "register_rent_contract",
        "contract_no": no,
        "warehouse_id": warehouse_id,
        "goods_owner_tax_code": owner,
        "starts_on": "2026-01-01",
        "expires_on": "2027-06-30",
        "registered_on": "2026-01-02",
        **extra,
    }


def line(
    line_no: int = 1, quantity: str = "100", hs_code: str = "85423100", **extra: Any
) -> dict[str, Any]:
    return {
        "line_no": line_no,
        "description": f"goods {line_no}",
        "hs_code": hs_code,
        "quantity": quantity,
        "unit": "piece",
        "customs_value": "1000",
        "currency": "USD",
        "origin_country": "SG",
        **extra,
    }


def warehousing(declaration_no: str = "D1", *lines: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "command": "warehouse_goods",
        "declaration_no": declaration_no,
        "registered_on": "2026-02-10",
        "effective_at": "2026-02-11T09:00:00+07:00",
        "warehouse_id": "W1",
        "goods_owner_tax_code": OWNER_A,
        "contract_no": "C-A-W1",
        "expires_on": "2027-02-10",
        "source": "abroad",
        "transport_doc": "BL-1",
        "seals": [{"container_no": "MSKU1", "seal_no": "S1", "intact": True}],
        "lines": list(lines) or [line()],
        **extra,
    }


def ex_warehousing(
    lot_id: str = "D1/1",
    quantity: str = "10",
    when: str = "2026-03-01T10:00:00+07:00",
    **extra: Any,
) -> dict[str, Any]:
    base = {
        "command": "ex_warehouse",
        "lot_id": lot_id,
        "quantity": quantity,
        "effective_at": when,
        "destination": "abroad",
        "bill_no": "PX-1",
        "export_declaration_no": "XK-1",
        "border_gate": "Cat Lai",
    }
    return {**base, **extra}


def transfer(
    lot_id: str = "D1/1",
    quantity: str = "10",
    when: str = "2026-04-01T10:00:00+07:00",
    **extra: Any,
) -> dict[str, Any]:
    return {
        "command": "transfer_ownership",
        "lot_id": lot_id,
        "quantity": quantity,
        "effective_at": when,
        "new_owner_tax_code": OWNER_B,
        "new_contract_no": "C-B-W1",
        "trading_contract_no": "SC-1",
        "notice_no": "TB-1",
        **extra,
    }


def dispatch(
    lot_id: str = "D1/1",
    quantity: str = "10",
    when: str = "2026-05-01T08:00:00+07:00",
    **extra: Any,
) -> dict[str, Any]:
    return {
        "command": "dispatch_move",
        "lot_id": lot_id,
        "quantity": quantity,
        "effective_at": when,
        "to_warehouse_id": "W2",
        "contract_no": "C-A-W2",
        "approval_ref": "CV-1",
        "seal_no": "HQ-1",
        **extra,
    }


def receipt(
    lot_id: str, when: str = "2026-05-01T16:00:00+07:00", intact: bool = True
) -> dict[str, Any]:
    return {
        "command": "receive_move",
        "lot_id": lot_id,
        "effective_at": when,
        "seal_intact": intact,
    }


def hold(
    lot_id: str = "D1/1", when: str = "2026-03-05T10:00:00+07:00", release: bool = False
) -> dict[str, Any]:
    return {
        "command": "release_hold" if release else "place_hold",
        "lot_id": lot_id,
        "effective_at": when,
        "ref": "QD-HOLD-1",
        "reason": "physical inspection",
    }


def reversal(lot_id: str, version: int) -> dict[str, Any]:
    return {
        "command": "reverse_entry",
        "lot_id": lot_id,
        "version": version,
        "reason": "keyed twice",
    }


# --- e-commerce (DOMAIN.md §7) ---------------------------------------------------------------


def goods_list(
    list_ref: str = "GL-1", *entries: dict[str, Any], when: str = "2026-01-01"
) -> dict[str, Any]:
    """By default HS 8542 needs a licence, and a buyer may get 5 a year exempt."""
    return {
        "command": "publish_goods_list",
        "list_ref": list_ref,
        "effective_at": when,
        "entries": list(entries)
        or [{"hs_prefix": "8542", "requires": ["licence"], "exempt_quantity": "5"}],
    }


def licence(
    licence_no: str = "L1",
    quantity: str = "100",
    owner: str = OWNER_A,
    *,
    hs_prefix: str = "8542",
    kind: str = "licence",
    released: str = "2026-02-01T08:00:00+07:00",
    valid_until: str = "2026-12-31",
    **extra: Any,
) -> dict[str, Any]:
    return {
        "command": "register_licence",
        "licence_no": licence_no,
        "kind": kind,
        "issuer": "Ministry of Industry and Trade",
        "goods_owner_tax_code": owner,
        "released_at": released,
        "valid_from": "2026-02-01",
        "valid_until": valid_until,
        "use": "multiple",
        "lines": [{"hs_prefix": hs_prefix, "unit": "piece", "quantity": quantity}],
        **extra,
    }


def order(
    order_no: str = "O-1",
    quantity: str = "1",
    value: str = "2000000",
    *,
    lot_id: str = "D1/1",
    when: str = "2026-03-01T10:00:00+07:00",
    buyer: str = "B-1",
    platform: str = "shopee",
    **extra: Any,
) -> dict[str, Any]:
    """An order worth VND 2,000,000 by default: above the exemption value."""
    return {
        "command": "ex_warehouse_order",
        "order_no": order_no,
        "platform": platform,
        "buyer_id": buyer,
        "lot_id": lot_id,
        "quantity": quantity,
        "customs_value": value,
        "effective_at": when,
        "import_declaration_no": f"IMP-{order_no}",
        "waybill_no": f"WB-{order_no}",
        "payment_ref": f"PAY-{order_no}",
        **extra,
    }


def stop_notice(
    notice_ref: str = "N-1", *prefixes: str, when: str = "2026-04-01"
) -> dict[str, Any]:
    return {
        "command": "stop_exemption",
        "notice_ref": notice_ref,
        "ministry": "Ministry of Health",
        "hs_prefixes": list(prefixes) or ["8542"],
        "reason": "health",
        "effective_at": when,
    }


def resume_notice(notice_ref: str = "N-1", when: str = "2026-05-01") -> dict[str, Any]:
    return {"command": "resume_exemption", "notice_ref": notice_ref, "effective_at": when}


def revocation(licence_no: str = "L1", when: str = "2026-06-01") -> dict[str, Any]:
    return {
        "command": "revoke_licence",
        "licence_no": licence_no,
        "effective_at": when,
        "reason": "goods owner's licence withdrawn",
    }


class Harness:
    """Runs commands through the real service at a clock the test sets."""

    def __init__(self, store: EventStore, pack: str = "vn-2015") -> None:
        self.now = NOW
        self.store = store
        self.service = LedgerService(store, load_pack(pack), clock=lambda: self.now)

    def given(self, *commands: dict[str, Any]) -> None:
        for command in commands:
            self.service.execute(parse_command(command))

    def account(self, intent_type: type[Intent], caller: User = OPERATOR, **fields: Any) -> None:
        """Runs a command of ``bonded users`` / ``bonded tokens``."""
        self.service.execute(ACCOUNT_COMMANDS[intent_type].model_validate(fields), caller)

    def when(self, command: dict[str, Any]) -> list[Event]:
        """The events the command recorded, in recorded order."""
        head = self.store.head()
        self.service.execute(parse_command(command))
        return [self.store.decode(n.topic, n.state) for n in self.store.notifications(head, 10_000)]

    def outcome(self, command: dict[str, Any], caller: User = OPERATOR) -> Outcome:
        return self.service.execute(parse_command(command), caller)

    def lot_events(self, lot_id: str) -> list[Event]:
        return self.store.read(f"lot:{lot_id}")


@contextmanager
def refused(code: str, field: str | None = None, match: str | None = None) -> Iterator[LedgerError]:
    """Expects a ``LedgerError`` with this code (and field, and words in its message)."""
    with pytest.raises(LedgerError) as caught:
        yield caught  # type: ignore[misc]
    error = caught.value
    assert error.code == code, error.as_dict()
    if field is not None:
        assert error.field == field, error.as_dict()
    if match is not None:
        assert match in error.message, error.as_dict()


def refuses(
    harness: Harness,
    command: dict[str, Any],
    code: str,
    field: str | None = None,
    match: str | None = None,
) -> LedgerError:
    """The command is refused with this code, and nothing at all is recorded."""
    head = harness.store.head()
    with refused(code, field, match) as caught:
        harness.service.execute(parse_command(command))
    assert harness.store.head() == head, "a refused command recorded something"
    return caught.value  # type: ignore[attr-defined,no-any-return]

"""Every role × every route × {its own object, another's, a missing one}, as specified
(DOMAIN.md §1): the matrix is data, each cell the status the route must answer.

Roles, in column order: warehouse_owner, goods_owner, customs_officer, provincial_inspector,
auditor, admin. Each cell is "own another missing". 403: outside the role, or a warehouse
named outside the scope (existing or not); 404: a lot or declaration outside the scope, as one
that does not exist; 409: allowed, and refused by the ledger's rules; 201/200: done. Each role
runs its column in a fresh ledger, top to bottom (a hold is placed before it is released).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.http import create_app
from api.wiring import open_ledger
from commands.settings import Settings
from tests.http.world import DECLARATIONS, LOTS, ROLES, WAREHOUSES, furnish
from tests.support import OWNER_A, OWNER_B, ex_warehousing, hold, receipt, warehouse, warehousing

Body = Callable[[str], dict[str, Any]]


def lot_body(build: Callable[..., dict[str, Any]], **extra: Any) -> Body:
    return lambda lot: {**build(lot, **extra)} if extra else build(lot)


COMMANDS: dict[str, tuple[str, Body, str]] = {
    # command: (object kind, body for the object, the six cells)
    "register_enterprise": (
        "enterprise",
        lambda tax_code: {
            "command": "register_enterprise",
            "tax_code": tax_code,
            "name": "New Co",
            "address": "VN",
            "country": "SG",
        },
        "403 403 403|403 403 403|403 403 403|403 403 403|403 403 403|201 409 201",
    ),
    "register_warehouse": (
        "new warehouse",  # new, another's id taken, its owner not registered
        lambda w: warehouse(w, "0100000010" if w == "W8" else OWNER_B),
        "403 403 403|403 403 403|403 403 403|403 403 403|403 403 403|201 409 404",
    ),
    "register_rent_contract": (
        "warehouse",
        lambda w: {
            "command": "register_rent_contract",
            "contract_no": f"C-NEW-{w}",
            "warehouse_id": w,
            "goods_owner_tax_code": OWNER_A,
            "starts_on": "2026-01-01",
            "expires_on": "2027-06-30",
            "registered_on": "2026-01-02",
        },
        "403 403 403|403 403 403|403 403 403|403 403 403|403 403 403|201 201 404",
    ),
    "extend_rent_contract": (
        "contract",
        lambda c: {
            "command": "extend_rent_contract",
            "contract_no": c,
            "expires_on": "2027-12-31",
            "effective_at": "2026-06-01",
        },
        "403 403 403|403 403 403|403 403 403|403 403 403|403 403 403|201 201 404",
    ),
    "warehouse_goods": (
        "warehouse",
        lambda w: warehousing("D2", warehouse_id=w),
        "201 403 403|403 403 403|403 403 403|403 403 403|403 403 403|403 403 403",
    ),
    "ex_warehouse": (
        "lot",
        lambda lot: ex_warehousing(lot, "1", "2026-03-01"),
        "201 404 404|403 403 403|403 403 403|403 403 403|403 403 403|403 403 403",
    ),
    "transfer_ownership": (
        "lot",
        lambda lot: {
            "command": "transfer_ownership",
            "lot_id": lot,
            "quantity": "1",
            "effective_at": "2026-04-01",
            "new_owner_tax_code": OWNER_B,
            "new_contract_no": "C-B-W1",
            "trading_contract_no": "SC-1",
            "notice_no": "TB-1",
        },
        "201 404 404|403 403 403|403 403 403|403 403 403|403 403 403|403 403 403",
    ),
    "dispatch_move": (
        "lot",
        lambda lot: {
            "command": "dispatch_move",
            "lot_id": lot,
            "quantity": "1",
            "effective_at": "2026-05-01",
            "to_warehouse_id": "W2",
            "contract_no": "C-A-W2",
            "approval_ref": "CV-1",
            "seal_no": "HQ-1",
        },
        "201 404 404|403 403 403|403 403 403|403 403 403|403 403 403|403 403 403",
    ),
    "receive_move": (
        "lot",
        lambda lot: receipt(lot, "2026-05-02"),  # the lot itself is not travelling: 409
        "409 404 404|403 403 403|403 403 403|403 403 403|403 403 403|403 403 403",
    ),
    "extend_storage": (
        "lot",
        lambda lot: {
            "command": "extend_storage",
            "lot_id": lot,
            "days": 30,
            "effective_at": "2026-06-01",
            "approval_ref": "CV-2",
            "reason": "buyer found",
        },
        "403 403 403|403 403 403|201 404 404|403 403 403|403 403 403|403 403 403",
    ),
    "place_hold": (
        "lot",
        lambda lot: hold(lot, "2026-06-02"),
        "403 403 403|403 403 403|201 404 404|403 403 403|403 403 403|403 403 403",
    ),
    "release_hold": (
        "lot",
        lambda lot: hold(lot, "2026-06-03", release=True),
        "403 403 403|403 403 403|201 404 404|403 403 403|403 403 403|403 403 403",
    ),
    "liquidate_overdue": (
        "lot",
        lambda lot: {
            "command": "liquidate_overdue",
            "lot_id": lot,
            "quantity": "1",
            "effective_at": "2026-06-04",
            "decision_ref": "QD-1",
            "method": "auction",
        },
        "403 403 403|403 403 403|409 404 404|403 403 403|403 403 403|403 403 403",
    ),
    "settle_declaration": (
        "declaration",
        lambda d: {
            "command": "settle_declaration",
            "declaration_no": d,
            "effective_at": "2026-06-05",
        },
        "403 403 403|403 403 403|409 404 404|403 403 403|403 403 403|403 403 403",
    ),
    "extend_settlement": (
        "declaration",
        lambda d: {
            "command": "extend_settlement",
            "declaration_no": d,
            "effective_at": "2026-06-05",
            "approval_ref": "A",
            "reason": "r",
        },
        "403 403 403|403 403 403|409 404 404|403 403 403|403 403 403|403 403 403",
    ),
    "record_stock_count": (
        "warehouse",
        lambda w: {
            "command": "record_stock_count",
            "warehouse_id": w,
            "effective_at": "2026-06-06",
            "counts": [
                {"lot_id": {"W1": "D1/1", "W4": "D4/1"}.get(w, "NOPE/1"), "counted_quantity": "99"}
            ],
        },
        "403 403 403|403 403 403|403 403 403|201 403 403|403 403 403|403 403 403",
    ),
    "submit_report": (
        "warehouse",
        lambda w: {
            "command": "submit_report",
            "warehouse_id": w,
            "period": "2026-Q1",
        },
        "201 403 403|403 403 403|403 403 403|403 403 403|403 403 403|403 403 403",
    ),
    "reverse_entry": (
        "lot",
        lambda lot: {"command": "reverse_entry", "lot_id": lot, "version": 2, "reason": "typo"},
        "201 404 404|403 403 403|403 403 403|403 403 403|403 403 403|403 403 403",
    ),
}

QUESTIONS: dict[str, tuple[str, Callable[[str], str], str]] = {
    # route: (object kind, path for the object, the six cells)
    "balances": (
        "warehouse",
        lambda w: f"/balances?warehouse={w}",
        "200 403 403|200 200 404|200 403 403|200 403 403|200 200 404|403 403 403",
    ),
    "clocks": (
        "warehouse",
        lambda w: f"/clocks?warehouse={w}&as_of=2026-06-30",
        "200 403 403|200 200 404|200 403 403|200 403 403|200 200 404|403 403 403",
    ),
    "overdue": (
        "warehouse",
        lambda w: f"/overdue?warehouse={w}&known_at=2026-11-01",
        "200 403 403|200 200 404|200 403 403|200 403 403|200 200 404|403 403 403",
    ),
    "settlements": (
        "warehouse",
        lambda w: f"/settlements?warehouse={w}",
        "200 403 403|200 200 404|200 403 403|200 403 403|200 200 404|403 403 403",
    ),
    "stock-card": (
        "lot",
        lambda lot: f"/lots/{lot}/stock-card",
        "200 404 404|200 404 404|200 404 404|200 404 404|200 200 404|403 403 403",
    ),
}

OBJECTS = {
    "lot": LOTS,
    "warehouse": WAREHOUSES,
    "declaration": DECLARATIONS,
    "enterprise": ("SG-NEW-1", OWNER_A, "SG-NEW-2"),
    "contract": ("C-A-W1", "C-B-W1", "C-NOPE"),
    "new warehouse": ("W7", "W4", "W8"),
}


def cells(row: str, role: str) -> list[int]:
    return [int(cell) for cell in row.split("|")[ROLES.index(role)].split()]


@pytest.fixture(params=ROLES)
def as_role(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[str, TestClient, dict[str, str]]]:
    ledger = open_ledger(Settings(f"sqlite:///{tmp_path / 'matrix.db'}"))
    tokens = furnish(ledger)
    with TestClient(create_app(ledger)) as client:
        yield request.param, client, {"Authorization": f"Bearer {tokens[request.param]}"}
    ledger.close()


def test_every_role_every_route_every_object(
    as_role: tuple[str, TestClient, dict[str, str]],
) -> None:
    role, client, auth = as_role
    seen: list[tuple[str, str, int, int]] = []
    for name, (kind, body, row) in COMMANDS.items():
        for thing, expected in zip(OBJECTS[kind], cells(row, role), strict=True):
            answer = client.post(f"/commands/{name}", json=body(thing), headers=auth)
            seen.append((name, thing, expected, answer.status_code))
            if answer.status_code >= 400:
                assert answer.headers["content-type"] == "application/problem+json"
    for route, (kind, path, row) in QUESTIONS.items():
        for thing, expected in zip(OBJECTS[kind], cells(row, role), strict=True):
            answer = client.get(path(thing.replace("/", "%2F")), headers=auth)
            seen.append((route, thing, expected, answer.status_code))
            if answer.status_code == 200:
                _within_scope(role, answer.json())
    wrong = [
        (route, thing, f"expected {e}, got {got}") for route, thing, e, got in seen if e != got
    ]
    assert wrong == [], f"{role}: {wrong}"


def _within_scope(role: str, rows: list[dict[str, Any]]) -> None:
    """What a 200 lists is the caller's: its warehouses, or its own lots."""
    if role in ("warehouse_owner", "provincial_inspector"):
        assert {row.get("warehouse_id") for row in rows if "warehouse_id" in row} <= {"W1", "W2"}
    if role == "customs_officer":
        assert {row.get("warehouse_id") for row in rows if "warehouse_id" in row} <= {
            "W1",
            "W2",
            "W3",
        }
    if role == "goods_owner":
        owners = {row["goods_owner_tax_code"] for row in rows if "goods_owner_tax_code" in row}
        assert owners <= {OWNER_A}

"""The world the HTTP tests run in: two provinces, warehouses of different owners and customs
offices, one lot in each, and one user with a token per role."""

from __future__ import annotations

from typing import Any

from api.tokens import new_token
from api.wiring import Ledger
from commands.models import ACCOUNT_COMMANDS
from commands.parsing import parse_command
from ledger.intents import AddUser, IssueToken
from tests.support import OWNER_A, OWNER_B, WAREHOUSE_OWNER, warehouse, warehousing, world

ROLES = (
    "warehouse_owner",
    "goods_owner",
    "customs_officer",
    "provincial_inspector",
    "auditor",
    "admin",
)
PLACES: dict[str, dict[str, str]] = {
    "warehouse_owner": {"enterprise": WAREHOUSE_OWNER},  # W1, W2
    "goods_owner": {"enterprise": OWNER_A},  # owns D1/1
    "customs_officer": {"office": "HCM Port 1"},  # W1, W2, W3
    "provincial_inspector": {"province": "Ho Chi Minh City"},  # W1, W2
    "auditor": {},
    "admin": {},
}
# Each role's own objects, another's, and missing ones.
LOTS = ("D1/1", "D4/1", "NOPE/1")
WAREHOUSES = ("W1", "W4", "W9")
DECLARATIONS = ("D1", "D4", "NOPE")


def setting() -> list[dict[str, Any]]:
    return [
        *world(),
        # W4: another owner, another office, another province
        warehouse("W4", OWNER_B, province="Ha Noi", customs_office="HN Gia Lam"),
        warehousing("D1"),
        warehousing("D4", warehouse_id="W4", goods_owner_tax_code=OWNER_B, contract_no=None),
    ]


def furnish(ledger: Ledger) -> dict[str, str]:
    """Records the setting and one user per role; their tokens by role."""
    for outcome in ledger.service.execute_many(parse_command(c) for c in setting()):
        assert not outcome.refused, outcome.error
    tokens = {}
    for role in ROLES:
        add = ACCOUNT_COMMANDS[AddUser].model_validate(
            {"name": role.replace("_", "-"), "role": role, **PLACES[role]}
        )
        ledger.service.execute(add)
        token, digest = new_token(add.intent.name)  # type: ignore[attr-defined]
        issue = ACCOUNT_COMMANDS[IssueToken].model_validate(
            {"name": add.intent.name, "token_hash": digest}  # type: ignore[attr-defined]
        )
        ledger.service.execute(issue)
        tokens[role] = token
    return tokens

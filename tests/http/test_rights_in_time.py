"""A command's right is judged on the warehouse that held the lot at the command's moment
(issue 21), through both doors: a real ``bonded serve`` with bearer tokens, and ``bonded --as``
on the same database, on SQLite and PostgreSQL.

D1/1 is in W1 (Saigon's) until 1 May, then moved whole to W3 (Hanoi's). Hanoi may not record
anything for the time before the lot came (404, as a lot it cannot see, nothing recorded);
Saigon keeps its right to the lot's past in W1 — its reversal there is judged by the ledger's
rules, not refused as someone else's lot."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx

from api.tokens import new_token
from api.wiring import open_ledger
from commands.models import ACCOUNT_COMMANDS
from commands.parsing import parse_command
from commands.settings import Settings
from ledger.intents import AddUser, IssueToken
from tests.e2e.test_cli_apply import bonded
from tests.http.test_served import Served, served  # noqa: F401  (the fixture)
from tests.support import OWNER_A, dispatch, ex_warehousing, receipt, reversal

BEFORE_THE_MOVE = ex_warehousing(quantity="1", when="2026-03-02T10:00:00+07:00")


def moved_with_hanoi_owner(database_url: str) -> str:
    """Records the move and a warehouse owner of W3; its token."""
    ledger = open_ledger(Settings(database_url))
    try:
        history = [
            ex_warehousing(quantity="10", when="2026-03-01T10:00:00+07:00"),  # version 2
            dispatch(quantity="90", to_warehouse_id="W3", contract_no=None),  # version 3
            receipt("D1/1", when="2026-05-01T16:00:00+07:00"),  # version 4
        ]
        for outcome in ledger.service.execute_many(parse_command(c) for c in history):
            assert not outcome.refused, outcome.error
        add = {"name": "hanoi-owner", "role": "warehouse_owner", "enterprise": OWNER_A}
        ledger.service.execute(ACCOUNT_COMMANDS[AddUser].model_validate(add))
        token, digest = new_token("hanoi-owner")
        issue = {"name": "hanoi-owner", "token_hash": digest}
        ledger.service.execute(ACCOUNT_COMMANDS[IssueToken].model_validate(issue))
        return token
    finally:
        ledger.close()


def post(base: str, token: str, command: dict[str, Any]) -> httpx.Response:
    body = {k: v for k, v in command.items() if k != "command"}
    return httpx.post(
        f"{base}/commands/{command['command']}",
        json=body,
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )


def test_rights_are_judged_where_the_lot_was_through_both_doors(
    served: Served,  # noqa: F811
    tmp_path: Path,
) -> None:
    hanoi = moved_with_hanoi_owner(served.database_url)
    saigon = served.tokens["warehouse_owner"]
    before = served.head()

    answer = post(served.base, hanoi, BEFORE_THE_MOVE)
    assert (answer.status_code, answer.json()["code"]) == (404, "unknown_lot")
    answer = post(served.base, hanoi, reversal("D1/1", 3))  # Saigon's dispatch, from W1
    assert (answer.status_code, answer.json()["code"]) == (404, "unknown_lot")
    answer = post(served.base, saigon, reversal("D1/1", 2))  # Saigon's own, in W1
    assert answer.status_code == 409 and answer.json()["code"] != "unknown_lot"

    env = {"BONDED_DATABASE_URL": served.database_url}
    as_hanoi = bonded(
        "--as",
        "hanoi-owner",
        "apply",
        "-",
        cwd=tmp_path,
        stdin=json.dumps(BEFORE_THE_MOVE),
        env=env,
    )
    assert as_hanoi.returncode == 1 and "refused unknown_lot" in as_hanoi.stderr
    as_saigon = bonded(
        "--as",
        "warehouse-owner",
        "apply",
        "-",
        cwd=tmp_path,
        stdin=json.dumps(reversal("D1/1", 2)),
        env=env,
    )
    assert as_saigon.returncode == 1 and "refused" in as_saigon.stderr
    assert "unknown_lot" not in as_saigon.stderr
    assert served.head() == before  # nothing refused was recorded

    answer = post(served.base, hanoi, reversal("D1/1", 4))  # Hanoi's own receipt, into W3
    assert answer.status_code == 201, answer.text

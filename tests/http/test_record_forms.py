"""The daily-work forms through a real ``bonded serve`` (SQLite and PostgreSQL): a form is
refused exactly as ``POST /commands/{name}`` refuses the same line, the reason beside its
field, nothing recorded; accepted, it records once however often it is sent (its idempotency
key); a role sees only the forms it may record; another's lot is refused as over the API."""

from __future__ import annotations

import re
from contextlib import closing
from decimal import Decimal

import httpx
from markupsafe import escape

from api.wiring import open_ledger
from commands.settings import Settings
from tests.http.pages import PASSWORD, Site, csrf_of

LINE = {
    "lot_id": "D1/1",
    "effective_at": "2026-03-01T10:00",
    "destination": "abroad",
    "bill_no": "B-1",
    "export_declaration_no": "EX-1",
    "border_gate": "Cat Lai",
}


def head(site: Site) -> int:
    ledger = open_ledger(Settings(site.database_url))
    try:
        return int(ledger.service.store.head())
    finally:
        ledger.close()


def key_of(page: httpx.Response) -> str:
    found = re.search(r'name="command_id" value="([^"]+)"', page.text)
    assert found, page.text
    return found.group(1)


def problem_beside(page: httpx.Response, name: str) -> str:
    """The problem shown under the input named ``name``, or ''."""
    block = re.search(
        rf'name="{re.escape(name)}"[^>]*>\s*(?:<p class="problem"[^>]*>([^<]*)</p>)?', page.text
    )
    assert block, f"no input {name}"
    return block.group(1) or ""


def test_a_form_is_refused_as_the_api_refuses_and_records_once(site: Site) -> None:
    before = head(site)
    bearer = {"Authorization": f"Bearer {site.tokens['warehouse_owner']}"}
    balances = httpx.get(f"{site.base}/balances", headers=bearer).json()
    on_hand = Decimal(next(r["on_hand"] for r in balances if r["lot_id"] == "D1/1"))
    too_many = str(on_hand + 1)
    api = httpx.post(
        f"{site.base}/commands/ex_warehouse",
        json={**LINE, "effective_at": "2026-03-01T10:00:00+07:00", "quantity": too_many},
        headers=bearer,
    )
    assert api.status_code == 409, api.text
    with closing(site.signed_in()) as browser:
        form = browser.get("/record/ex_warehouse", params={"lot_id": "D1/1"})
        assert form.status_code == 200 and 'value="D1/1"' in form.text  # prefilled from the URL
        sent = {"csrf_token": csrf_of(form), "command_id": key_of(form), **LINE}
        too_many = browser.post("/record/ex_warehouse", data={**sent, "quantity": too_many})
        assert too_many.status_code == 409
        assert escape(api.json()["detail"]) in too_many.text  # the same refusal, word for word
        negative = browser.post("/record/ex_warehouse", data={**sent, "quantity": "-1"})
        assert negative.status_code == 422
        assert "greater than 0" in problem_beside(negative, "quantity")
        no_border = {k: v for k, v in sent.items() if k != "border_gate"}
        refused = browser.post("/record/ex_warehouse", data={**no_border, "quantity": "1"})
        assert refused.status_code == 422
        assert "border gate" in problem_beside(refused, "border_gate")
        assert head(site) == before  # nothing recorded by any refusal
        first = browser.post("/record/ex_warehouse", data={**sent, "quantity": "4"})
        recorded = head(site)
        again = browser.post("/record/ex_warehouse", data={**sent, "quantity": "4"})  # twice
        assert (first.status_code, again.status_code) == (201, 200)
        assert "Already recorded" in again.text
        assert recorded > before and head(site) == recorded
    card = httpx.get(f"{site.base}/lots/D1/1/stock-card", headers=bearer).json()
    assert card[-1]["quantity_out"] == "4" and Decimal(card[-1]["balance"]) == on_hand - 4


def test_each_role_sees_its_own_forms_and_a_forged_form_records_nothing(site: Site) -> None:
    before = head(site)
    with closing(site.signed_in()) as owner:
        listed = owner.get("/record").text
        assert "/record/ex_warehouse" in listed and "/record/place_hold" not in listed
        assert owner.get("/record/place_hold").status_code == 404  # a customs officer's
        assert owner.get("/record/register_user").status_code == 404  # not a form at all
        form = owner.get("/record/ex_warehouse")
        forged = {"csrf_token": "forged", "command_id": key_of(form), **LINE, "quantity": "1"}
        assert owner.post("/record/ex_warehouse", data=forged).status_code == 403
        another = {"csrf_token": csrf_of(form), "command_id": key_of(form), **LINE, "quantity": "1"}
        theirs = owner.post("/record/ex_warehouse", data={**another, "lot_id": "D4/1"})
        assert theirs.status_code == 404  # another owner's lot: as unknown, as over the API
        assert "D4/1" in theirs.text or "not found" in theirs.text.lower()
    assert head(site) == before
    site.account_password("customs-officer", PASSWORD)
    with closing(site.signed_in("customs-officer")) as officer:
        listed = officer.get("/record").text
        assert "/record/place_hold" in listed and "/record/ex_warehouse" not in listed


def test_a_warehousing_with_its_goods_lines_and_seals_from_the_form(site: Site) -> None:
    """A declaration's lines and seals are rows of inputs; empty rows are left out, a line
    refused is named beside its own input, and the lots it creates are linked."""
    with closing(site.signed_in()) as browser:
        form = browser.get("/record/warehouse_goods")
        assert 'name="lines[2].hs_code"' in form.text  # three rows of goods lines offered
        sent = {
            "csrf_token": csrf_of(form),
            "command_id": key_of(form),
            "declaration_no": "D9",
            "registered_on": "2026-02-10",
            "effective_at": "2026-02-11T09:00",
            "warehouse_id": "W1",
            "goods_owner_tax_code": "0100109106",
            "contract_no": "C-A-W1",
            "expires_on": "2027-02-10",
            "source": "abroad",
            "transport_doc": "BL-9",
            "seals[0].container_no": "MSKU9",
            "seals[0].seal_no": "S9",
            "seals[0].intact": "on",
            **goods_line(0, 1, "85423100", "40"),
            **goods_line(1, 2, "85423100", "not a number"),
        }
        refused = browser.post("/record/warehouse_goods", data=sent)
        assert refused.status_code == 422
        assert problem_beside(refused, "lines[1].quantity")  # the second line, by its row
        assert not problem_beside(refused, "lines[0].quantity")
        sent.update(goods_line(1, 2, "85423100", "2.5"))
        recorded = browser.post("/record/warehouse_goods", data=sent)
        assert recorded.status_code == 201, recorded.text[-1500:]
        assert 'href="/lots/D9/1"' in recorded.text and 'href="/lots/D9/2"' in recorded.text
    balances = httpx.get(
        f"{site.base}/balances",
        headers={"Authorization": f"Bearer {site.tokens['warehouse_owner']}"},
    ).json()
    assert {r["lot_id"]: r["on_hand"] for r in balances if r["lot_id"].startswith("D9/")} == {
        "D9/1": "40",
        "D9/2": "2.5",
    }


def goods_line(row: int, line_no: int, hs_code: str, quantity: str) -> dict[str, str]:
    fields = {
        "line_no": str(line_no),
        "description": "integrated circuits",
        "hs_code": hs_code,
        "quantity": quantity,
        "unit": "piece",
        "customs_value": "1000",
        "currency": "USD",
        "origin_country": "JP",
    }
    return {f"lines[{row}].{name}": value for name, value in fields.items()}

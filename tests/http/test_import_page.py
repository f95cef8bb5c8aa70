"""The import page through a real ``bonded serve``: an XLSX of commands previewed (every row
judged after the rows above it, nothing recorded), then applied as ``POST /commands`` applies
for the same user (another's lot refused with the API's own code), once however often it is
applied or uploaded again; a file that is not a spreadsheet of commands, or a form without
the session's CSRF token, records nothing."""

from __future__ import annotations

import io
import re
import shutil
from collections.abc import Iterator
from contextlib import closing
from datetime import date
from typing import Any

import httpx
import pytest
from openpyxl import Workbook

from api.cells import csv_file
from api.sheet_templates import template_csv
from api.web import uploads
from api.wiring import open_ledger
from commands.settings import Settings
from tests.http.pages import Site, csrf_of
from tests.support import OWNER_A

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER = [
    "command",
    "declaration_no",
    "registered_on",
    "effective_at",
    "warehouse_id",
    "goods_owner_tax_code",
    "contract_no",
    "expires_on",
    "source",
    "transport_doc",
    "lines.line_no",
    "lines.description",
    "lines.hs_code",
    "lines.quantity",
    "lines.unit",
    "lines.customs_value",
    "lines.currency",
    "lines.origin_country",
    "lot_id",
    "quantity",
    "destination",
    "bill_no",
    "export_declaration_no",
    "border_gate",
]


def workbook(*rows: dict[str, Any]) -> bytes:
    book = Workbook()
    sheet: Any = book.active
    sheet.append(HEADER)
    for row in rows:
        sheet.append([row.get(name) for name in HEADER])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


WAREHOUSING = {
    "command": "warehouse_goods",
    "declaration_no": "D7",
    "registered_on": date(2026, 2, 10),  # a date cell
    "effective_at": "2026-02-11T09:00:00+07:00",
    "warehouse_id": "W1",
    "goods_owner_tax_code": OWNER_A,
    "contract_no": "C-A-W1",
    "expires_on": "2027-02-10",
    "source": "abroad",
    "transport_doc": "BL-7",
    "lines.line_no": 1,
    "lines.description": "goods 1",
    "lines.hs_code": "85423100",
    "lines.quantity": 100,
    "lines.unit": "piece",
    "lines.customs_value": 1000.5,
    "lines.currency": "USD",
    "lines.origin_country": "SG",
}
SECOND_LINE = {
    **{k: v for k, v in WAREHOUSING.items() if k.startswith("lines.")},
    "lines.line_no": 2,
}
OUT = {
    "command": "ex_warehouse",
    "lot_id": "D7/1",  # the lot the row above creates
    "quantity": 1.1,  # a number cell: exactly 1.1
    "effective_at": "2026-03-01T10:00:00+07:00",
    "destination": "abroad",
    "bill_no": "B-7",
    "export_declaration_no": "XK-7",
    "border_gate": "Cat Lai",
}
ANOTHERS = {**OUT, "lot_id": "D4/1", "quantity": 1}  # in W4, another owner's
FILE = workbook(WAREHOUSING, SECOND_LINE, OUT, ANOTHERS)


@pytest.fixture(autouse=True)
def kept_uploads_removed(site: Site) -> Iterator[None]:
    """The uploads this test's server kept (api/web/uploads.py) go with the test."""
    yield
    shutil.rmtree(uploads.folder(site.database_url), ignore_errors=True)


def head(site: Site) -> int:
    ledger = open_ledger(Settings(site.database_url))
    try:
        return int(ledger.service.store.head())
    finally:
        ledger.close()


def upload(browser: httpx.Client, content: bytes, name: str = "moves.xlsx") -> httpx.Response:
    token = csrf_of(browser.get("/import"))
    files = {"file": (name, content, XLSX)}
    return browser.post("/import", data={"csrf_token": token}, files=files)


def outcomes(page: httpx.Response) -> dict[int, str]:
    """Each row's outcome as the page says it: its row number, its outcome's words."""
    rows = re.findall(
        r'<td class="number">(\d+)</td>.*?<td class="outcome">\s*(.*?)\s*</td>', page.text, re.S
    )
    return {int(row): " ".join(re.sub(r"<[^>]+>", "", words).split()) for row, words in rows}


def test_preview_records_nothing_then_apply_records_once(site: Site) -> None:
    before = head(site)
    with closing(site.signed_in()) as browser:
        assert 'href="/import"' in browser.get("/").text  # in the owner's header
        uploaded = upload(browser, FILE)
        assert uploaded.status_code == 303, uploaded.text
        preview = browser.get(uploaded.headers["location"])
        assert preview.status_code == 200, preview.text
        assert head(site) == before  # uploaded and previewed: nothing recorded
        shown = outcomes(preview)
        assert shown[2] == "would be recorded: D7/1, D7/2"
        assert shown[4] == "would be recorded"  # judged after the warehousing above it
        api = httpx.post(
            f"{site.base}/commands/ex_warehouse",
            json={k: v for k, v in ANOTHERS.items() if k != "command"},
            headers={"Authorization": f"Bearer {site.tokens['warehouse_owner']}"},
        ).json()
        assert shown[5].startswith(f"refused {api['code']}"), (shown[5], api)
        vietnamese = outcomes(browser.get(uploaded.headers["location"], params={"lang": "vi"}))
        assert api["code"] in vietnamese[5] and vietnamese[5] != shown[5]  # told in Vietnamese
        browser.get("/import", params={"lang": "en"})
        assert head(site) == before

        apply = f"{uploaded.headers['location']}/apply"
        token = csrf_of(preview)
        assert browser.post(apply, data={"csrf_token": "forged"}).status_code == 403
        first = browser.post(apply, data={"csrf_token": token})  # a double click
        second = browser.post(apply, data={"csrf_token": token})
        assert first.status_code == second.status_code == 303
        recorded = head(site)
        assert recorded > before
        done = browser.get(first.headers["location"])
        assert "Applied. Recorded: 2; already recorded before: 0; refused: 1." in done.text

        balances = httpx.get(
            f"{site.base}/balances",
            params={"lot": "D7/1", "as_of": "2026-03-02"},
            headers={"Authorization": f"Bearer {site.tokens['warehouse_owner']}"},
        ).json()
        assert [row["on_hand"] for row in balances] == ["98.9"]  # 100 - 1.1, exactly

        again = upload(browser, FILE, "the same file.xlsx")  # uploaded again: once
        preview = browser.get(again.headers["location"])
        assert outcomes(preview)[2] == outcomes(preview)[4] == "already recorded"
        assert "Apply" not in preview.text
    assert head(site) == recorded


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # the page's alone
def test_what_is_refused_records_nothing_and_templates_download(site: Site) -> None:
    before = head(site)
    with closing(site.signed_in()) as browser:
        refused = upload(browser, b"not a workbook")
        assert refused.status_code == 422
        assert "not an XLSX workbook" in refused.text

        formula = workbook({**OUT, "quantity": "=1+1"})
        refused = upload(browser, formula)
        assert refused.status_code == 422
        assert "cell T2 (quantity): a formula (=1+1)" in refused.text

        forged = browser.post(
            "/import", data={"csrf_token": "forged"}, files={"file": ("a.xlsx", FILE, XLSX)}
        )
        assert forged.status_code == 403

        too_big = browser.post("/import", content=b"x" * (33 << 20))
        assert too_big.status_code == 413

        mine = upload(browser, FILE).headers["location"]
        with closing(site.signed_in()) as other_session:  # the same user, another session
            assert other_session.get(mine).status_code == 404
            assert other_session.post(f"{mine}/apply", data={}).status_code == 404

        csv = browser.get("/import/templates/ex_warehouse.csv")
        assert csv.status_code == 200 and csv.content.decode("utf-8") == csv_file(
            template_csv("ex_warehouse")
        )
        xlsx = browser.get("/import/templates/warehouse_goods.xlsx")
        assert xlsx.status_code == 200 and xlsx.headers["content-type"] == XLSX
        assert browser.get("/import/templates/teleport.xlsx").status_code == 404
    assert head(site) == before

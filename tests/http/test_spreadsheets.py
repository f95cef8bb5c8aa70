"""Every XLSX and CSV the HTTP doors deliver, with goods described by formula-injection
payloads: no cell runs, every text survives, CSV comes with a BOM for Excel (issue 20)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.http import create_app
from api.routes.reports import XLSX
from api.wiring import open_ledger
from commands.parsing import parse_command
from commands.settings import Settings
from tests.http.world import furnish
from tests.spreadsheets import (
    PAYLOADS,
    check_csv_download,
    check_xlsx,
    hostile_warehousing,
)
from tests.support import OWNER_A, WAREHOUSE_OWNER, contract, warehouse

WAREHOUSE_NAME = PAYLOADS[0]


@pytest.fixture
def auditor(database_url: str) -> Iterator[TestClient]:
    ledger = open_ledger(Settings(database_url))
    tokens = furnish(ledger)
    for command in (
        warehouse("W5", WAREHOUSE_OWNER, name=WAREHOUSE_NAME),
        contract("C-A-W5", "W5", OWNER_A),
        hostile_warehousing("D9", warehouse_id="W5", contract_no="C-A-W5"),
    ):
        assert not ledger.service.execute(parse_command(command)).refused
    with TestClient(create_app(ledger)) as client:
        client.headers["Authorization"] = f"Bearer {tokens['auditor']}"
        yield client
    ledger.close()


def test_the_periodic_report_as_xlsx_and_csv(auditor: TestClient) -> None:
    asked = {"warehouse": "W5", "period": "2026-Q1"}
    xlsx = auditor.get("/reports/periodic", params=asked, headers={"Accept": XLSX})
    assert xlsx.status_code == 200, xlsx.text
    check_xlsx(xlsx.content)
    csv = auditor.get("/reports/periodic", params=asked, headers={"Accept": "text/csv"})
    assert csv.headers["content-type"] == "text/csv; charset=utf-8"
    check_csv_download(csv.content)


def test_the_inspection_pack_as_xlsx(auditor: TestClient) -> None:
    asked = {"province": "Ho Chi Minh City", "year": "2026"}
    xlsx = auditor.get("/inspections", params=asked, headers={"Accept": XLSX})
    assert xlsx.status_code == 200, xlsx.text
    check_xlsx(xlsx.content)  # the summary sheet names the warehouse in a cell of its own


def test_the_questions_as_csv(auditor: TestClient) -> None:
    csv = auditor.get("/balances", params={"warehouse": "W5"}, headers={"Accept": "text/csv"})
    assert csv.headers["content-type"] == "text/csv; charset=utf-8"
    check_csv_download(csv.content)

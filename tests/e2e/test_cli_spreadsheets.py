"""Every XLSX and CSV the CLI writes, with goods described by formula-injection payloads:
no cell runs, every text survives; a CSV file starts with a BOM for Excel, CSV on standard
output does not (issue 20)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.e2e.test_cli_apply import QUICKSTART, bonded
from tests.spreadsheets import PAYLOADS, check_csv, check_csv_download, check_xlsx
from tests.spreadsheets import hostile_warehousing as goods

REPORT = ("report", "periodic", "--warehouse", "KNQ-HCM-01", "--period", "2026-Q1")
PACK = ("inspection", "--province", "Ho Chi Minh City", "--year", "2026")
HOSTILE = goods(
    "TK-999001",
    warehouse_id="KNQ-HCM-01",
    goods_owner_tax_code="0100109106",
    contract_no="HD-2026-001",
)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("hostile")
    applied = bonded("apply", "-", cwd=folder, stdin=QUICKSTART.read_text() + json.dumps(HOSTILE))
    assert applied.returncode == 0, applied.stderr
    return folder


def run(*args: str, cwd: Path) -> str:
    result = bonded(*args, cwd=cwd)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_the_periodic_report_as_xlsx_and_as_csv_file_and_output(workdir: Path) -> None:
    run(*REPORT, "-o", "q1.xlsx", cwd=workdir)
    check_xlsx((workdir / "q1.xlsx").read_bytes())
    run(*REPORT, "-o", "q1.csv", cwd=workdir)
    check_csv_download((workdir / "q1.csv").read_bytes())
    check_csv(run(*REPORT, "--format", "csv", cwd=workdir))


def test_the_inspection_pack_as_xlsx(workdir: Path) -> None:
    run(*PACK, "-o", "p.xlsx", cwd=workdir)
    check_xlsx((workdir / "p.xlsx").read_bytes())


def test_the_questions_and_the_users_as_csv(workdir: Path) -> None:
    check_csv(run("balances", "--format", "csv", cwd=workdir))
    office = PAYLOADS[3]  # a user's office is one a warehouse names: register one there
    registered = {
        "command": "register_warehouse",
        "warehouse_id": "KNQ-X-01",
        "name": "Formula Depot",
        "owner_tax_code": "0100109106",
        "province": "Ho Chi Minh City",
        "customs_office": office,
    }
    applied = bonded("apply", "-", cwd=workdir, stdin=json.dumps(registered))
    assert applied.returncode == 0, applied.stderr
    run("users", "add", "officer-9", "--role", "customs_officer", f"--office={office}", cwd=workdir)
    check_csv(run("users", "list", "--format", "csv", cwd=workdir), office)

"""The queries as a user runs them after `bonded apply` of the quickstart."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from projections.schema import HEAD
from tests.e2e.test_cli_apply import QUICKSTART, bonded


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("quickstart")
    assert bonded("apply", str(QUICKSTART), cwd=folder).returncode == 0
    return folder


def as_json(*args: str, cwd: Path) -> list[dict[str, object]]:
    result = bonded(*args, "--format", "json", cwd=cwd)
    assert result.returncode == 0, result.stderr
    rows: list[dict[str, object]] = json.loads(result.stdout)
    return rows


def test_balances_now_and_as_of_a_past_day(workdir: Path) -> None:
    now = {r["lot_id"]: (r["on_hand"], r["in_transit"]) for r in as_json("balances", cwd=workdir)}
    assert now == {
        "TK-100001/1": ("600", "0"),
        "TK-100001/1.1": ("300", "0"),
        "TK-100001/2": ("350", "0"),
        "TK-100001/2.1": ("200", "0"),
    }
    march = as_json("balances", "--as-of", "2026-03-15", cwd=workdir)
    assert {r["lot_id"]: r["on_hand"] for r in march} == {
        "TK-100001/1": "1000",
        "TK-100001/2": "600",
    }
    moving = as_json("balances", "--as-of", "2026-05-04", "--warehouse", "KNQ-HCM-02", cwd=workdir)
    assert moving[0]["lot_id"] == "TK-100001/2.1" and moving[0]["on_hand"] == "250"


def test_known_at_before_anything_was_recorded_is_empty(workdir: Path) -> None:
    assert as_json("balances", "--known-at", "2026-01-01T00:00:00+07:00", cwd=workdir) == []


def test_clocks_overdue_settlements_and_a_stock_card(workdir: Path) -> None:
    clocks = as_json("clocks", "--as-of", "2027-01-20", cwd=workdir)
    assert {r["status"] for r in clocks} == {"due_soon"}
    overdue = as_json("overdue", "--as-of", "2027-02-11", "--owner", "0100109106", cwd=workdir)
    assert [r["lot_id"] for r in overdue] == ["TK-100001/1", "TK-100001/2"]
    (settlement,) = as_json("settlements", cwd=workdir)
    assert settlement["status"] == "open"
    card = as_json("stock-card", "TK-100001/2.1", cwd=workdir)
    assert [r["event"] for r in card] == ["LotSplitOff", "MoveReceived", "LotExWarehoused"]
    assert card[-1]["balance"] == "200"


def test_csv_and_table_formats(workdir: Path) -> None:
    csv = bonded("balances", "--format", "csv", cwd=workdir)
    assert csv.stdout.splitlines()[0].startswith("lot_id,declaration_no,warehouse_id")
    assert len(csv.stdout.splitlines()) == 5
    table = bonded("balances", cwd=workdir)
    assert "TK-100001/1.1" in table.stdout and "Balances as of" in table.stdout


def test_projections_status_and_rebuild(workdir: Path) -> None:
    status = bonded("projections", "status", cwd=workdir).stdout.splitlines()
    assert status[0] == "position 38, head 38, lag 0"
    assert any(line.startswith("  lot_history: position 38, lag 0, ") for line in status[1:])
    rebuilt = bonded("projections", "rebuild", cwd=workdir)
    assert rebuilt.returncode == 0 and "rebuilt from 38 events" in rebuilt.stdout
    after = json.loads(bonded("projections", "status", "--format", "json", cwd=workdir).stdout)
    assert after["lag"] == 0 and after["head"] == 38
    history = after["read_models"]["lot_history"]
    assert history["rebuilt"] == 1 and history["seconds_to_catch_up"] == 0
    assert history["events_per_second"] > 0  # the rate the rebuild moved at
    upgraded = bonded("db", "upgrade", cwd=workdir)
    assert f"read models at revision {HEAD}" in upgraded.stdout
    alone = bonded("projections", "rebuild", "--only", "lot_history", cwd=workdir)
    assert alone.returncode == 0 and "rebuilt from 38 events" in alone.stdout
    wrong = bonded("projections", "rebuild", "--only", "nope", cwd=workdir)
    assert wrong.returncode == 2 and "no read model named nope" in wrong.stderr


def test_bad_options_name_the_option(workdir: Path) -> None:
    result = bonded("balances", "--as-of", "30/06/2026", cwd=workdir)
    assert result.returncode == 2 and "--as-of" in result.stderr
    result = bonded("balances", "--known-at", "2026-07-01T17:00", cwd=workdir)
    assert result.returncode == 2 and "offset" in result.stderr
    result = bonded("balances", "--format", "xml", cwd=workdir)
    assert result.returncode == 2 and "--format" in result.stderr


def test_a_page_at_a_time_and_stock_per_goods_item(workdir: Path) -> None:
    """``--limit`` prints that many rows and says on stderr how to ask for the next (stdout
    stays one JSON document); the pages together are the whole answer."""
    whole = as_json("balances", cwd=workdir)
    rows: list[dict[str, object]] = []
    after: list[str] = []
    while True:
        result = bonded("balances", "--limit", "3", *after, "--format", "json", cwd=workdir)
        assert result.returncode == 0, result.stderr
        rows += json.loads(result.stdout)
        if "More rows follow" not in result.stderr:
            break
        after = ["--after", result.stderr.split("--after ")[1].strip()]
    assert rows == whole and len(whole) == 4
    refused = bonded("clocks", "--limit", "0", cwd=workdir)
    assert refused.returncode == 2 and "--limit" in refused.stderr
    stock = as_json("stock", "--warehouse", "KNQ-HCM-01", cwd=workdir)
    summed: dict[object, list[int]] = {}
    for row in whole:
        if row["warehouse_id"] == "KNQ-HCM-01":
            item = summed.setdefault(row["hs_code"], [0, 0])
            item[0] += 1
            item[1] += int(str(row["on_hand"]))
    assert {r["hs_code"]: [r["lots"], int(str(r["on_hand"]))] for r in stock} == summed
    assert len(summed) == 2

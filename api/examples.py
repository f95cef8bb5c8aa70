"""One example body per command, shown in the OpenAPI document: the quickstart's own lines
(docs/examples/quickstart.jsonl) where it has one, and a line of the same story otherwise."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

QUICKSTART = Path(__file__).resolve().parent.parent / "docs" / "examples" / "quickstart.jsonl"

MORE: dict[str, dict[str, Any]] = {
    "extend_rent_contract": {
        "contract_no": "HD-2026-001",
        "expires_on": "2027-12-31",
        "effective_at": "2026-12-20",
    },
    "extend_storage": {
        "lot_id": "TK-100001/1",
        "days": 365,
        "effective_at": "2027-01-20",
        "approval_ref": "CV-123/HQHCM",
        "reason": "buyer's contract delayed",
    },
    "place_hold": {
        "lot_id": "TK-100001/2",
        "effective_at": "2026-03-05T10:00:00+07:00",
        "ref": "QD-45/CCHQ",
        "reason": "physical inspection",
    },
    "release_hold": {
        "lot_id": "TK-100001/2",
        "effective_at": "2026-03-06T16:00:00+07:00",
        "ref": "QD-45/CCHQ",
        "reason": "inspection found nothing",
    },
    "liquidate_overdue": {
        "lot_id": "TK-100001/1",
        "quantity": "10",
        "effective_at": "2027-06-01",
        "decision_ref": "QD-77/CCHQ",
        "method": "auction",
    },
    "settle_declaration": {"declaration_no": "TK-100001", "effective_at": "2027-03-01"},
    "extend_settlement": {
        "declaration_no": "TK-100001",
        "effective_at": "2027-03-01",
        "approval_ref": "CV-9/HQHCM",
        "reason": "documents with the buyer",
    },
    "record_stock_count": {
        "warehouse_id": "KNQ-HCM-01",
        "effective_at": "2026-06-30",
        "counts": [{"lot_id": "TK-100001/1", "counted_quantity": "899"}],
    },
    "reverse_entry": {"lot_id": "TK-100001/1", "version": 2, "reason": "wrong quantity keyed"},
}


@cache
def example(command: str) -> dict[str, Any]:
    """An example body of ``command``, without its ``command`` key (the path names it)."""
    if command in MORE:
        return dict(MORE[command])
    if QUICKSTART.is_file():
        for line in QUICKSTART.read_text(encoding="utf-8").splitlines():
            data = json.loads(line)
            if data.get("command") == command:
                data.pop("command_id", None)
                data.pop("command", None)
                return dict(data)
    return {}

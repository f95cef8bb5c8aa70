"""One example body per command, shown in the OpenAPI document: the quickstart's own lines
(docs/examples/quickstart.jsonl) where it has one, and a line of the same story otherwise."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

QUICKSTART = Path(__file__).resolve().parent.parent / "docs" / "examples" / "quickstart.jsonl"

MORE: dict[str, dict[str, Any]] = {
    "publish_goods_list": {
        "list_ref": "DM-431/2020-1",
        "effective_at": "2026-01-01",
        "entries": [
            {"hs_prefix": "8517", "requires": ["licence"]},
            {"hs_prefix": "2106", "requires": ["specialised_inspection"], "exempt_quantity": "3"},
        ],
    },
    "register_licence": {
        "licence_no": "GP-26-0001",
        "kind": "licence",
        "issuer": "Ministry of Industry and Trade",
        "goods_owner_tax_code": "0100109106",
        "released_at": "2026-02-01T08:00:00+07:00",
        "valid_from": "2026-02-01",
        "valid_until": "2027-01-31",
        "use": "multiple",
        "lines": [{"hs_prefix": "8517", "unit": "piece", "quantity": "4000"}],
    },
    "revoke_licence": {
        "licence_no": "GP-26-0001",
        "effective_at": "2026-12-01",
        "reason": "withdrawn by the issuer",
    },
    "stop_exemption": {
        "notice_ref": "CV-1187/BYT-ATTP",
        "ministry": "Ministry of Health",
        "hs_prefixes": ["2106"],
        "reason": "food_safety",
        "effective_at": "2026-11-01",
    },
    "resume_exemption": {"notice_ref": "CV-1187/BYT-ATTP", "effective_at": "2026-12-01"},
    "ex_warehouse_order": {
        "order_no": "SH0000001",
        "platform": "shopee",
        "buyer_id": "CCCD-079000001",
        "lot_id": "TK-100001/1",
        "quantity": "1",
        "customs_value": "900000",
        "effective_at": "2026-11-20T10:00:00+07:00",
        "import_declaration_no": "TKN-0000001",
        "waybill_no": "VD000000001",
        "payment_ref": "PAY000000001",
    },
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

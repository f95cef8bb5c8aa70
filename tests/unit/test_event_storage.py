"""Every event class is stored and read back exactly, in the library's own JSON format."""

from __future__ import annotations

import json
from dataclasses import fields
from datetime import date
from typing import Any

from eventsourcing.persistence import (
    DatetimeAsISO,
    DecimalAsStr,
    JSONTranscoder,
    Transcoding,
    UUIDAsHex,
)

from commands.store import EventStore
from ledger import kinds as ledger_kinds
from ledger.events import Event
from ledger.intents import (
    AddUser,
    DisableUser,
    EndSubscription,
    IssueToken,
    RevokeTokens,
    SetPassword,
    SubscribeWarnings,
)
from ledger.values import VALUE_TYPES
from tests.support import (
    OWNER_A,
    Harness,
    at,
    dispatch,
    ex_warehousing,
    goods_list,
    hold,
    licence,
    line,
    order,
    receipt,
    resume_notice,
    reversal,
    revocation,
    stop_notice,
    transfer,
    warehousing,
)


def every_kind_of_event(ledger: Harness) -> list[Event]:
    seals = [{"container_no": "C1", "seal_no": "S1", "intact": False}]
    ledger.given(
        warehousing("D1", line(1, "100.25"), line(2, "7"), seals=seals),
        hold("D1/1", when="2026-02-12", release=True),
        hold("D1/2", when="2026-02-12", release=True),
        ex_warehousing(quantity="0.25"),
        transfer(quantity="10"),
        dispatch(quantity="20"),
        receipt("D1/1.2"),
        {
            "command": "extend_storage",
            "lot_id": "D1/1",
            "days": 30,
            "effective_at": "2026-06-01",
            "approval_ref": "CV",
            "reason": "late buyer",
        },
        hold("D1/1", when="2026-06-02"),
        reversal("D1/1", 7),
        {
            "command": "extend_rent_contract",
            "contract_no": "C-A-W1",
            "expires_on": "2027-12-31",
            "effective_at": "2026-06-03",
        },
        {
            "command": "record_stock_count",
            "warehouse_id": "W1",
            "effective_at": "2026-06-04",
            "counts": [{"lot_id": "D1/1", "counted_quantity": "69"}],
        },
        {
            "command": "submit_report",
            "warehouse_id": "W1",
            "period": "2026-Q1",
            "command_id": "r-1",
        },
    )
    ledger.now = at("2027-06-01 10:00")
    ledger.given(
        {
            "command": "liquidate_overdue",
            "lot_id": "D1/2",
            "quantity": "7",
            "effective_at": "2027-05-01",
            "decision_ref": "QD",
            "method": "destruction",
        },
        ex_warehousing("D1/1", "70", "2027-05-02"),
        ex_warehousing(
            "D1/1.1",
            "10",
            "2027-05-02",
            destination="non_tariff_zone",
            export_declaration_no=None,
            border_gate=None,
        ),
        ex_warehousing("D1/1.2", "20", "2027-05-02"),
        {
            "command": "extend_settlement",
            "declaration_no": "D1",
            "effective_at": "2027-05-03",
            "approval_ref": "A",
            "reason": "r",
        },
        {"command": "settle_declaration", "declaration_no": "D1", "effective_at": "2027-05-04"},
    )
    ledger.given(
        goods_list(),
        licence(),
        stop_notice(when="2027-05-05"),
        resume_notice(when="2027-05-06"),
        warehousing("D2", line(1, "50"), effective_at="2026-12-01T09:00:00+07:00"),
        order("O-1", "10", lot_id="D2/1", when="2026-12-20T10:00:00+07:00"),  # deducted
        order("O-2", "2", lot_id="D2/1", when="2026-12-20T11:00:00+07:00"),  # quantity list
        revocation(when="2026-12-25"),
        reversal("D2/1", 2),
        reversal("D2/1", 3),
    )
    ledger.account(AddUser, name="clerk", role="warehouse_owner", enterprise=OWNER_A)
    ledger.account(IssueToken, name="clerk", token_hash="ab" * 32)
    ledger.account(RevokeTokens, name="clerk")
    ledger.account(SetPassword, name="clerk", password_hash="$argon2id$v=19$m=65536,t=3,p=4$c2$h")
    subscription = {"name": "clerk", "subscription_id": "s-1"}
    ledger.account(SubscribeWarnings, **subscription, url="https://hooks.example.vn/bonded")
    ledger.account(EndSubscription, **subscription)
    ledger.account(DisableUser, name="clerk")
    return [ledger.store.decode(n.topic, n.state) for n in ledger.store.notifications(0, 100_000)]


def test_every_event_class_round_trips_exactly(ledger: Harness, memory_store: EventStore) -> None:
    recorded = every_kind_of_event(ledger)
    kinds = {type(e) for e in recorded}
    declared = set(ledger_kinds.recorded_kinds())
    assert declared <= kinds, f"not exercised: {declared - kinds}"
    for event in recorded:
        stored = memory_store.encode("any", 1, event)
        assert memory_store.decode(stored.topic, stored.state) == event
        # the library's own transcoder reads what we write, and writes the same document
        library = LIBRARY.decode(LIBRARY.encode(_state(event)))
        assert LIBRARY.decode(stored.state) == library
        assert json.loads(stored.state)  # plain JSON


def _library_transcoder() -> JSONTranscoder:
    """The library's own transcoder, taught the ledger's dates and value types."""
    transcoder = JSONTranscoder()
    for transcoding in (UUIDAsHex(), DecimalAsStr(), DatetimeAsISO(), DateAsISO()):
        transcoder.register(transcoding)
    for cls in VALUE_TYPES:
        transcoder.register(ValueAsDict(cls))
    return transcoder


class DateAsISO(Transcoding):
    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


class ValueAsDict(Transcoding):
    def __init__(self, cls: type) -> None:
        self.type = cls
        self.name = cls.__name__

    def encode(self, obj: Any) -> dict[str, Any]:
        return {f.name: getattr(obj, f.name) for f in fields(obj)}

    def decode(self, data: dict[str, Any]) -> Any:
        return self.type(**data)


LIBRARY = _library_transcoder()


def _state(event: Event) -> dict[str, object]:
    from dataclasses import fields

    return {f.name: getattr(event, f.name) for f in fields(event)}

"""A recorded event as a CloudEvent (JSON format, spec 1.0): ``id`` and the ``position``
extension are its position in the log, ``type`` its kind, ``subject`` its stream, ``time``
when it was recorded, ``data`` its fields (decimals as strings, moments ISO 8601)."""

from __future__ import annotations

from dataclasses import fields, is_dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ledger.events import Event
from ledger.numbers import decimal_text

SOURCE = "urn:bonded-ledger"
TYPE_PREFIX = "vn.bonded-ledger."


def plain(value: Any) -> Any:
    """A value of an event as JSON sees it."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return decimal_text(value)
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    return value


def cloud_event(position: int, event: Event) -> dict[str, Any]:
    return {
        "specversion": "1.0",
        "id": str(position),
        "position": position,
        "source": SOURCE,
        "type": TYPE_PREFIX + type(event).__name__,
        "subject": event.stream,
        "time": event.recorded_at.isoformat(),
        "datacontenttype": "application/json",
        "data": plain(event),
    }

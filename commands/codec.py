"""The stored format of events: one encoder and one decoder, used by the event store and by
the library's application alike.

An event is stored as a JSON object of its fields, in the format of the library's own
``JSONTranscoder``: decimals, dates, date-times and the value types nested in events carry
``{"_type_": ..., "_data_": ...}`` markers, lists are plain arrays. Written and read with
orjson; a test proves the library's transcoder reads the same documents.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import orjson
from eventsourcing.persistence import Transcoder

from ledger.events import Event
from ledger.values import VALUE_TYPES

_PASSTHROUGH = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
_FIELD_NAMES: dict[type, tuple[str, ...]] = {}
_VALUE_TYPES = frozenset(VALUE_TYPES)


def _field_names(cls: type) -> tuple[str, ...]:
    names = _FIELD_NAMES.get(cls)
    if names is None:
        names = _FIELD_NAMES[cls] = tuple(f.name for f in fields(cls))
    return names


def _marked(value: Any) -> Any:
    kind = type(value)
    if kind is Decimal:
        return {"_type_": "decimal_str", "_data_": str(value)}
    if kind is datetime:
        return {"_type_": "datetime_iso", "_data_": value.isoformat()}
    if kind is date:
        return {"_type_": "date_iso", "_data_": value.isoformat()}
    if kind is UUID:
        return {"_type_": "uuid_hex", "_data_": value.hex}
    if kind in _VALUE_TYPES:
        data = {name: getattr(value, name) for name in _field_names(kind)}
        return {"_type_": kind.__name__, "_data_": data}
    raise TypeError(f"cannot store a {kind.__name__} in an event")


def _value_type(cls: type) -> Callable[[Any], Any]:
    return lambda data: cls(**data)


_DECODERS: dict[str, Callable[[Any], Any]] = {
    "decimal_str": Decimal,
    "datetime_iso": datetime.fromisoformat,
    "date_iso": date.fromisoformat,
    "uuid_hex": UUID,
    **{cls.__name__: _value_type(cls) for cls in VALUE_TYPES},
}


def _unmarked(value: Any) -> Any:
    # Plain values (most of an event's) are kept, and a marked value whose data is text
    # (a decimal, a moment, a date) decoded, without a call each: decoding is most of what
    # reading a long stream, or projecting a page of the log, costs.
    if type(value) is dict:
        kind = value.get("_type_")
        if kind is not None and len(value) == 2 and "_data_" in value:
            data = value["_data_"]
            return _DECODERS[kind](data if type(data) is str else _unmarked(data))
        found = {}
        for key, item in value.items():
            kind = type(item)
            if kind is dict:
                marked = item.get("_type_")
                data = item.get("_data_")
                if marked is not None and type(data) is str and len(item) == 2:
                    item = _DECODERS[marked](data)
                else:
                    item = _unmarked(item)
            elif kind is list:
                item = _unmarked(item)
            found[key] = item
        return found
    if type(value) is list:
        return [_unmarked(item) if type(item) in _NESTED else item for item in value]
    return value


_NESTED = (dict, list)


def encode(obj: Any) -> bytes:
    """Any field value or mapping of them, as stored."""
    return orjson.dumps(obj, default=_marked, option=_PASSTHROUGH)


def decode(data: bytes) -> Any:
    return _unmarked(orjson.loads(data))


def encode_event(event: Event) -> bytes:
    return encode({name: getattr(event, name) for name in _field_names(type(event))})


def decode_event(cls: type[Event], data: bytes) -> Event:
    """The event of class ``cls``: arrays at the top level are the event's tuples."""
    state = decode(data)
    for key, value in state.items():
        if type(value) is list:
            state[key] = tuple(value)
    return cls(**state)


class EventCodec(Transcoder):
    """The same format as the library's ``Transcoder``, for its application's mapper."""

    def encode(self, obj: Any) -> bytes:
        return encode(obj)

    def decode(self, data: bytes) -> Any:
        return decode(data)

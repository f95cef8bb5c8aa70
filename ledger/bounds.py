"""The kinds of value a command states, each named once with the bounds it must keep.

An intent's field says what kind of value it holds (``lot_id: LotId``, ``quantity: Quantity``);
to the type checker it is still a ``str`` or a ``Decimal``. A kind that names a stream
(a lot, a warehouse, an enterprise, a contract, a declaration) says so, so that a batch can
fetch what a command will read before deciding it. The command models
(``commands/models.py``) read these marks and enforce each kind's bounds
(docs/commands.md) before any rule of the ledger is asked.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from types import UnionType
from typing import Annotated, Any, Union, get_args, get_origin

from ledger.streams import (
    contract_stream,
    declaration_stream,
    enterprise_stream,
    licence_stream,
    lot_stream,
    user_stream,
    warehouse_stream,
)


class Bound(Enum):
    """A kind of value and its bounds, in words; the command models hold the checks."""

    REF = "an identifier: 1 to 64 characters, no control characters"
    TEXT = "free text: 1 to 200 characters, no control characters"
    LOT_ID = "a lot id: 3 to 100 characters"
    DECLARATION_NO = "a declaration number: 1 to 64 characters, no '/'"
    HS_CODE = "an HS code of 4 to 10 digits"
    COUNTRY = "an ISO 3166 country code"
    CURRENCY = "an ISO 4217 currency code"
    PERIOD = "a reporting period: a half-year 2025-H1 or a quarter 2025-Q3"
    QUANTITY = "a quantity above 0, at most 10^12, at most 9 decimal places"
    COUNTED_QUANTITY = "a counted quantity: 0 or more, at most 10^12, at most 9 decimal places"
    MONEY = "an amount of money: 0 or more, at most 10^15, at most 4 decimal places"
    MOMENT = "a date, or a date-time with its UTC offset, as a string, 1990-01-01 to 2199-12-31"
    DAY = "a date YYYY-MM-DD, as a string, 1990-01-01 to 2199-12-31"
    DAYS = "a number of days from 1 to 3660"
    VERSION = "a lot's entry version, from 1"
    LINE_NO = "a declaration line number from 1 to 9999"
    COMMAND_ID = "a command id: 1 to 200 characters"
    USER_NAME = "a user name: 1 to 64 letters, digits, '.', '_' or '-', not starting with '.'"
    URL = "a URL: 8 to 2000 characters"


@dataclass(frozen=True)
class Names:
    """The value names a stream: a decision about the command reads that stream for sure."""

    stream: Callable[[str], str]


@dataclass(frozen=True)
class Many:
    """How many items a list may hold."""

    least: int
    most: int


Ref = Annotated[str, Bound.REF]
TaxCode = Annotated[str, Bound.REF, Names(enterprise_stream)]
WarehouseId = Annotated[str, Bound.REF, Names(warehouse_stream)]
ContractNo = Annotated[str, Bound.REF, Names(contract_stream)]
Text = Annotated[str, Bound.TEXT]
LotId = Annotated[str, Bound.LOT_ID, Names(lot_stream)]
DeclarationNo = Annotated[str, Bound.DECLARATION_NO, Names(declaration_stream)]
HsCode = Annotated[str, Bound.HS_CODE]
Country = Annotated[str, Bound.COUNTRY]
Currency = Annotated[str, Bound.CURRENCY]
Period = Annotated[str, Bound.PERIOD]
Quantity = Annotated[Decimal, Bound.QUANTITY]
CountedQuantity = Annotated[Decimal, Bound.COUNTED_QUANTITY]
Money = Annotated[Decimal, Bound.MONEY]
Moment = Annotated[datetime, Bound.MOMENT]
Day = Annotated[date, Bound.DAY]
Days = Annotated[int, Bound.DAYS]
Version = Annotated[int, Bound.VERSION]
LineNo = Annotated[int, Bound.LINE_NO]
UserName = Annotated[str, Bound.USER_NAME, Names(user_stream)]
Url = Annotated[str, Bound.URL]
LicenceNo = Annotated[str, Bound.REF, Names(licence_stream)]


def marks(hint: Any) -> Iterator[object]:
    """The marks on a field's type, through ``X | None``."""
    if get_origin(hint) is Annotated:
        yield from get_args(hint)[1:]
    elif get_origin(hint) in (Union, UnionType):
        for arg in get_args(hint):
            yield from marks(arg)

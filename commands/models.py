"""One pydantic model per command of DOMAIN.md §6, made from its ``ledger.intents`` intent:
the shape of a request, checked before any rule, and the typed intent it asks for.

A command's fields are declared once, on its intent, with the kind of value each holds
(``ledger.bounds``); this module holds each kind's checks and builds the model from them.

Unknown fields are refused; decimals stay ``Decimal``; times carry a timezone. Input bounds
(docs/commands.md): identifiers 1–64 characters and free text 1–200, neither with control or
invisible formatting characters; quantities above 0 and at most 10^12 with at most 9 decimal
places; money at least 0 and at most 10^15 with at most 4 decimal places.
"""

from __future__ import annotations

from dataclasses import MISSING, fields, is_dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import cached_property
from types import UnionType
from typing import (
    Annotated,
    Any,
    ClassVar,
    Literal,
    TypeVar,
    Union,
    cast,
    get_args,
    get_origin,
    get_type_hints,
)

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    TypeAdapter,
    ValidationInfo,
    create_model,
    field_validator,
)

from ledger import codes, intents
from ledger.bounds import Bound, Many, marks
from ledger.calendar import parse_day, parse_moment, within_range, within_reach
from ledger.intents import command_name
from ledger.periods import parse_period
from ledger.streams import command_stream

MAX_QUANTITY = Decimal("1e12")
MAX_MONEY = Decimal("1e15")


def _effective_at(value: Any) -> Any:
    """A date (00:00 in the warehouse's zone) or an ISO 8601 date-time with its offset, as a
    string: a number is refused, never read as a Unix time (DOMAIN.md §6)."""
    if isinstance(value, str):
        return parse_moment(value)
    if isinstance(value, datetime):  # a caller in Python
        return within_reach(value)
    raise ValueError("a date YYYY-MM-DD or an ISO 8601 date-time as a string, never a number")


def _day(value: Any) -> Any:
    """A date ``YYYY-MM-DD`` as a string, within the ledger's range."""
    if isinstance(value, str):
        return parse_day(value)
    if isinstance(value, date) and not isinstance(value, datetime):  # a caller in Python
        return within_range(value)
    raise ValueError("a date YYYY-MM-DD as a string, never a number")


def _period(value: str) -> str:
    parse_period(value)
    return value


PlainText = AfterValidator(codes.plain_text)
Text = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), PlainText
]
Ref = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64), PlainText
]
LotId = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=3, max_length=100), PlainText
]
DeclarationNo = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=64, pattern=r"^[^/]+$"),
    PlainText,
]
Quantity = Annotated[Decimal, Field(gt=0, le=MAX_QUANTITY, decimal_places=9, allow_inf_nan=False)]
CountedQuantity = Annotated[
    Decimal, Field(ge=0, le=MAX_QUANTITY, decimal_places=9, allow_inf_nan=False)
]
Money = Annotated[Decimal, Field(ge=0, le=MAX_MONEY, decimal_places=4, allow_inf_nan=False)]
EffectiveAt = Annotated[datetime, BeforeValidator(_effective_at)]
Day = Annotated[date, BeforeValidator(_day)]
HsCode = Annotated[str, AfterValidator(codes.hs_code)]
Country = Annotated[str, AfterValidator(codes.country)]
Currency = Annotated[str, AfterValidator(codes.currency)]
Period = Annotated[str, AfterValidator(_period)]


CHECKS: dict[Bound, Any] = {
    Bound.REF: Ref,
    Bound.TEXT: Text,
    Bound.LOT_ID: LotId,
    Bound.DECLARATION_NO: DeclarationNo,
    Bound.HS_CODE: HsCode,
    Bound.COUNTRY: Country,
    Bound.CURRENCY: Currency,
    Bound.PERIOD: Period,
    Bound.QUANTITY: Quantity,
    Bound.COUNTED_QUANTITY: CountedQuantity,
    Bound.MONEY: Money,
    Bound.MOMENT: EffectiveAt,
    Bound.DAY: Day,
    Bound.DAYS: Annotated[int, Field(ge=1, le=3660)],
    Bound.VERSION: Annotated[int, Field(ge=1, le=1_000_000_000)],
    Bound.LINE_NO: Annotated[int, Field(ge=1, le=9999)],
    Bound.COMMAND_ID: Text,
    Bound.URL: Annotated[str, StringConstraints(min_length=8, max_length=2000)],
    Bound.USER_NAME: Annotated[
        str,
        StringConstraints(
            strip_whitespace=True,
            min_length=1,
            max_length=64,
            pattern=r"^[A-Za-z0-9_-][A-Za-z0-9._-]*$",
        ),
    ],
}


class Shape(BaseModel):
    """A part of a request that becomes a ``ledger`` value (``value_type``)."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)
    value_type: ClassVar[type[Any]]
    plain_fields: ClassVar[tuple[str, ...]] = ()  # passed on as they are
    nested_fields: ClassVar[tuple[str, ...]] = ()  # lists of shapes, passed on as values

    def value(self) -> Any:
        given = self.__dict__
        values = {
            name: tuple(given[name]) if isinstance(given[name], list) else given[name]
            for name in self.plain_fields
        }
        for name in self.nested_fields:
            values[name] = tuple(item.value() for item in given[name])
        return self.value_type(**values)


class Command(Shape):
    """A request: the command's name, its optional id, and the fields of its intent."""

    command: str
    command_id: Annotated[str, Bound.COMMAND_ID] | None = None
    value_type: ClassVar[type[intents.Intent]]

    @cached_property
    def intent(self) -> intents.Intent:
        intent: intents.Intent = self.value()
        return intent

    def streams(self) -> list[str]:
        """Streams the command will read for sure: a batch fetches them in one query."""
        named = [command_stream(self.command_id)] if self.command_id else []
        return [*named, *self.intent.streams()]


class EnterpriseCommand(Command):
    @field_validator("tax_code", check_fields=False)
    @classmethod
    def _vietnamese_tax_code(cls, value: str, info: ValidationInfo) -> str:
        """A Vietnamese enterprise's MST must pass its check; a foreign id is kept as given."""
        if info.data.get("country", "VN") == "VN":
            return codes.vietnamese_tax_code(value)
        return value


def _checked(hint: Any) -> Any:
    """The pydantic type that checks a value of the type ``hint`` an intent declares."""
    if get_origin(hint) is Annotated:
        base, *marks = get_args(hint)
        for mark in marks:
            if isinstance(mark, Bound):
                return CHECKS[mark]
            if isinstance(mark, Many):
                (item, _) = get_args(base)
                many = Field(min_length=mark.least, max_length=mark.most)
                return Annotated[list.__class_getitem__(_checked(item)), many]
        return _checked(base)
    if get_origin(hint) in (Union, UnionType):
        return Union[tuple(_checked(arg) for arg in get_args(hint))]  # noqa: UP007
    if isinstance(hint, type) and is_dataclass(hint):
        return shape_of(hint)
    return hint


def _fields(value_type: type[Any]) -> dict[str, Any]:
    hints = get_type_hints(value_type, include_extras=True)
    declared: dict[str, Any] = {}
    for f in fields(value_type):
        checked = _checked(hints[f.name])
        default = ... if f.default is MISSING else f.default
        if isinstance(default, tuple) and _is_list(checked):
            default = list(default)  # a ``Many`` field is checked as a list
        declared[f.name] = (checked, default)
    return declared


def _is_list(checked: Any) -> bool:
    if get_origin(checked) is Annotated:
        checked = get_args(checked)[0]
    return get_origin(checked) is list


S = TypeVar("S", bound=type[Shape])


def _becomes(model: S, value_type: type[Any]) -> S:
    """``model`` turns into a ``value_type``: which fields pass as they are, which are lists
    of nested shapes (a value type's lists are ``Many`` lists of value types)."""
    model.value_type = value_type
    names = [f.name for f in fields(value_type)]
    nested = [n for n in names if any(isinstance(m, Many) for m in marks(_hints(value_type)[n]))]
    model.plain_fields = tuple(n for n in names if n not in nested)
    model.nested_fields = tuple(nested)
    return model


def _hints(value_type: type[Any]) -> dict[str, Any]:
    return get_type_hints(value_type, include_extras=True)


_SHAPES: dict[type[Any], type[Shape]] = {}


def shape_of(value_type: type[Any]) -> type[Shape]:
    """The model of a value inside a request (a goods line, a seal, a count)."""
    if value_type not in _SHAPES:
        model: Any = create_model(f"{value_type.__name__}In", __base__=Shape, **_fields(value_type))
        _SHAPES[value_type] = _becomes(model, value_type)
    return _SHAPES[value_type]


def command_model(intent_type: type[intents.Intent]) -> type[Command]:
    """The model of the command asking for an intent of ``intent_type``."""
    name = command_name(intent_type)
    base = EnterpriseCommand if intent_type is intents.RegisterEnterprise else Command
    named: Any = Literal[name]
    model = cast(
        type[Command],
        create_model(
            intent_type.__name__,
            __base__=base,
            __doc__=intent_type.__doc__,
            command=(named, name),
            **_fields(intent_type),
        ),
    )
    return _becomes(model, intent_type)


COMMAND_TYPES: tuple[type[Command], ...] = tuple(map(command_model, intents.INTENT_TYPES))
COMMAND_NAMES: tuple[str, ...] = tuple(map(command_name, intents.INTENT_TYPES))
_ANY_COMMAND: Any = Annotated[Union[COMMAND_TYPES], Field(discriminator="command")]  # noqa: UP007
COMMAND_ADAPTER: TypeAdapter[Command] = TypeAdapter(_ANY_COMMAND)

ACCOUNT_COMMANDS: dict[type[intents.Intent], type[Command]] = {
    intent_type: command_model(intent_type)
    for intent_type in (*intents.ACCOUNT_INTENT_TYPES, *intents.SUBSCRIPTION_INTENT_TYPES)
}
"""The models of the commands that manage users and tokens (``bonded users``, ``bonded
tokens``) and a user's subscriptions (``POST /subscriptions``): not in the JSON vocabulary of
``bonded apply``."""

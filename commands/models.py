"""One pydantic model per command of DOMAIN.md §6: the shape of a request, checked before any
rule, and the typed ``ledger.intents`` intent it asks for.

Unknown fields are refused; decimals stay ``Decimal``; times carry a timezone. Input bounds
(docs/commands.md): identifiers 1–64 characters and free text 1–200, neither with control or
invisible formatting characters; quantities above 0 and at most 10^12 with at most 9 decimal
places; money at least 0 and at most 10^15 with at most 4 decimal places.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    TypeAdapter,
    ValidationInfo,
    field_validator,
)

from ledger import codes, intents
from ledger.calendar import parse_moment
from ledger.periods import parse_period
from ledger.streams import (
    command_stream,
    contract_stream,
    declaration_stream,
    enterprise_stream,
    lot_stream,
    warehouse_stream,
)
from ledger.values import GoodsLine, Seal

MAX_QUANTITY = Decimal("1e12")
MAX_MONEY = Decimal("1e15")


def _effective_at(value: Any) -> Any:
    """A date (00:00 in the warehouse's zone) or an ISO 8601 date-time with its offset."""
    return parse_moment(value) if isinstance(value, str) else value


def _period(value: str) -> str:
    parse_period(value)
    return value


def _aware(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("a date-time needs its UTC offset, e.g. 2025-03-01T10:00:00+07:00")
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
EffectiveAt = Annotated[datetime, BeforeValidator(_effective_at), AfterValidator(_aware)]
HsCode = Annotated[str, AfterValidator(codes.hs_code)]
Country = Annotated[str, AfterValidator(codes.country)]
Currency = Annotated[str, AfterValidator(codes.currency)]
Period = Annotated[str, AfterValidator(_period)]


class Shape(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Command(Shape):
    command: str
    command_id: Text | None = None

    def streams(self) -> list[str]:
        """Streams the command will read for sure: a batch fetches them in one query."""
        return [command_stream(self.command_id)] if self.command_id else []


class RegisterEnterprise(Command):
    command: Literal["register_enterprise"] = "register_enterprise"
    country: Country = "VN"  # before tax_code: the tax code's rule depends on it
    tax_code: Ref
    name: Text
    address: Text

    @field_validator("tax_code")
    @classmethod
    def _vietnamese_tax_code(cls, value: str, info: ValidationInfo) -> str:
        """A Vietnamese enterprise's MST must pass its check; a foreign id is kept as given."""
        if info.data.get("country", "VN") == "VN":
            return codes.vietnamese_tax_code(value)
        return value

    def intent(self) -> intents.RegisterEnterprise:
        return intents.RegisterEnterprise(
            tax_code=self.tax_code, name=self.name, address=self.address, country=self.country
        )


class RegisterWarehouse(Command):
    command: Literal["register_warehouse"] = "register_warehouse"
    warehouse_id: Ref
    name: Text
    owner_tax_code: Ref
    province: Text
    customs_office: Text
    address: Text | None = None
    in_port_area: bool = False

    def intent(self) -> intents.RegisterWarehouse:
        return intents.RegisterWarehouse(
            warehouse_id=self.warehouse_id,
            name=self.name,
            owner_tax_code=self.owner_tax_code,
            province=self.province,
            customs_office=self.customs_office,
            address=self.address,
            in_port_area=self.in_port_area,
        )


class RegisterRentContract(Command):
    command: Literal["register_rent_contract"] = "register_rent_contract"
    contract_no: Ref
    warehouse_id: Ref
    goods_owner_tax_code: Ref
    starts_on: date
    expires_on: date
    registered_on: date

    def intent(self) -> intents.RegisterRentContract:
        return intents.RegisterRentContract(
            contract_no=self.contract_no,
            warehouse_id=self.warehouse_id,
            goods_owner_tax_code=self.goods_owner_tax_code,
            starts_on=self.starts_on,
            expires_on=self.expires_on,
            registered_on=self.registered_on,
        )


class ExtendRentContract(Command):
    command: Literal["extend_rent_contract"] = "extend_rent_contract"
    contract_no: Ref
    expires_on: date
    effective_at: EffectiveAt

    def intent(self) -> intents.ExtendRentContract:
        return intents.ExtendRentContract(
            contract_no=self.contract_no,
            expires_on=self.expires_on,
            effective_at=self.effective_at,
        )


class SealIn(Shape):
    container_no: Ref
    seal_no: Ref
    intact: bool

    def value(self) -> Seal:
        return Seal(container_no=self.container_no, seal_no=self.seal_no, intact=self.intact)


class LineIn(Shape):
    line_no: Annotated[int, Field(ge=1, le=9999)]
    description: Text
    hs_code: HsCode
    quantity: Quantity
    unit: Ref
    customs_value: Money
    currency: Currency
    origin_country: Country
    frame_no: Ref | None = None
    engine_no: Ref | None = None

    def value(self) -> GoodsLine:
        return GoodsLine(
            line_no=self.line_no,
            description=self.description,
            hs_code=self.hs_code,
            quantity=self.quantity,
            unit=self.unit,
            customs_value=self.customs_value,
            currency=self.currency,
            origin_country=self.origin_country,
            frame_no=self.frame_no,
            engine_no=self.engine_no,
        )


class WarehouseGoods(Command):
    command: Literal["warehouse_goods"] = "warehouse_goods"
    declaration_no: DeclarationNo
    registered_on: date
    effective_at: EffectiveAt
    warehouse_id: Ref
    goods_owner_tax_code: Ref
    contract_no: Ref | None
    expires_on: date
    source: Ref
    export_declaration_no: Ref | None = None
    decision_ref: Ref | None = None
    transport_doc: Ref
    seals: list[SealIn] = Field(default_factory=list, max_length=500)
    lines: list[LineIn] = Field(min_length=1, max_length=2000)

    def streams(self) -> list[str]:
        return [
            *super().streams(),
            declaration_stream(self.declaration_no),
            warehouse_stream(self.warehouse_id),
            enterprise_stream(self.goods_owner_tax_code),
            *([contract_stream(self.contract_no)] if self.contract_no else []),
        ]

    def intent(self) -> intents.WarehouseGoods:
        return intents.WarehouseGoods(
            declaration_no=self.declaration_no,
            registered_on=self.registered_on,
            effective_at=self.effective_at,
            warehouse_id=self.warehouse_id,
            goods_owner_tax_code=self.goods_owner_tax_code,
            contract_no=self.contract_no,
            expires_on=self.expires_on,
            source=self.source,
            export_declaration_no=self.export_declaration_no,
            decision_ref=self.decision_ref,
            transport_doc=self.transport_doc,
            seals=tuple(seal.value() for seal in self.seals),
            lines=tuple(line.value() for line in self.lines),
        )


class LotCommand(Command):
    lot_id: LotId
    effective_at: EffectiveAt

    def streams(self) -> list[str]:
        return [*super().streams(), lot_stream(self.lot_id)]


class ExWarehouse(LotCommand):
    command: Literal["ex_warehouse"] = "ex_warehouse"
    quantity: Quantity
    destination: Ref
    bill_no: Ref
    export_declaration_no: Ref | None = None
    border_gate: Ref | None = None
    import_declaration_no: Ref | None = None
    purpose: Ref | None = None

    def intent(self) -> intents.ExWarehouse:
        return intents.ExWarehouse(
            lot_id=self.lot_id,
            effective_at=self.effective_at,
            quantity=self.quantity,
            destination=self.destination,
            bill_no=self.bill_no,
            export_declaration_no=self.export_declaration_no,
            border_gate=self.border_gate,
            import_declaration_no=self.import_declaration_no,
            purpose=self.purpose,
        )


class TransferOwnership(LotCommand):
    command: Literal["transfer_ownership"] = "transfer_ownership"
    quantity: Quantity
    new_owner_tax_code: Ref
    new_contract_no: Ref | None
    trading_contract_no: Ref
    notice_no: Ref

    def streams(self) -> list[str]:
        contract = [contract_stream(self.new_contract_no)] if self.new_contract_no else []
        return [*super().streams(), enterprise_stream(self.new_owner_tax_code), *contract]

    def intent(self) -> intents.TransferOwnership:
        return intents.TransferOwnership(
            lot_id=self.lot_id,
            effective_at=self.effective_at,
            quantity=self.quantity,
            new_owner_tax_code=self.new_owner_tax_code,
            new_contract_no=self.new_contract_no,
            trading_contract_no=self.trading_contract_no,
            notice_no=self.notice_no,
        )


class DispatchMove(LotCommand):
    command: Literal["dispatch_move"] = "dispatch_move"
    quantity: Quantity
    to_warehouse_id: Ref
    contract_no: Ref | None
    approval_ref: Ref
    seal_no: Ref

    def streams(self) -> list[str]:
        contract = [contract_stream(self.contract_no)] if self.contract_no else []
        return [*super().streams(), warehouse_stream(self.to_warehouse_id), *contract]

    def intent(self) -> intents.DispatchMove:
        return intents.DispatchMove(
            lot_id=self.lot_id,
            effective_at=self.effective_at,
            quantity=self.quantity,
            to_warehouse_id=self.to_warehouse_id,
            contract_no=self.contract_no,
            approval_ref=self.approval_ref,
            seal_no=self.seal_no,
        )


class ReceiveMove(LotCommand):
    command: Literal["receive_move"] = "receive_move"
    seal_intact: bool

    def intent(self) -> intents.ReceiveMove:
        return intents.ReceiveMove(
            lot_id=self.lot_id, effective_at=self.effective_at, seal_intact=self.seal_intact
        )


class ExtendStorage(LotCommand):
    command: Literal["extend_storage"] = "extend_storage"
    days: Annotated[int, Field(ge=1, le=3660)]
    approval_ref: Ref
    reason: Text

    def intent(self) -> intents.ExtendStorage:
        return intents.ExtendStorage(
            lot_id=self.lot_id,
            effective_at=self.effective_at,
            days=self.days,
            approval_ref=self.approval_ref,
            reason=self.reason,
        )


class HoldCommand(LotCommand):
    ref: Ref
    reason: Text


class PlaceHold(HoldCommand):
    command: Literal["place_hold"] = "place_hold"

    def intent(self) -> intents.PlaceHold:
        return intents.PlaceHold(
            lot_id=self.lot_id, effective_at=self.effective_at, ref=self.ref, reason=self.reason
        )


class ReleaseHold(HoldCommand):
    command: Literal["release_hold"] = "release_hold"

    def intent(self) -> intents.ReleaseHold:
        return intents.ReleaseHold(
            lot_id=self.lot_id, effective_at=self.effective_at, ref=self.ref, reason=self.reason
        )


class LiquidateOverdue(LotCommand):
    command: Literal["liquidate_overdue"] = "liquidate_overdue"
    quantity: Quantity
    decision_ref: Ref
    method: Literal["auction", "destruction", "other"]

    def intent(self) -> intents.LiquidateOverdue:
        return intents.LiquidateOverdue(
            lot_id=self.lot_id,
            effective_at=self.effective_at,
            quantity=self.quantity,
            decision_ref=self.decision_ref,
            method=self.method,
        )


class SettleDeclaration(Command):
    command: Literal["settle_declaration"] = "settle_declaration"
    declaration_no: DeclarationNo
    effective_at: EffectiveAt

    def intent(self) -> intents.SettleDeclaration:
        return intents.SettleDeclaration(
            declaration_no=self.declaration_no, effective_at=self.effective_at
        )


class ExtendSettlement(Command):
    command: Literal["extend_settlement"] = "extend_settlement"
    declaration_no: DeclarationNo
    effective_at: EffectiveAt
    approval_ref: Ref
    reason: Text

    def intent(self) -> intents.ExtendSettlement:
        return intents.ExtendSettlement(
            declaration_no=self.declaration_no,
            effective_at=self.effective_at,
            approval_ref=self.approval_ref,
            reason=self.reason,
        )


class CountIn(Shape):
    lot_id: LotId
    counted_quantity: CountedQuantity

    def value(self) -> intents.Count:
        return intents.Count(lot_id=self.lot_id, counted_quantity=self.counted_quantity)


class RecordStockCount(Command):
    command: Literal["record_stock_count"] = "record_stock_count"
    warehouse_id: Ref
    effective_at: EffectiveAt
    counts: list[CountIn] = Field(min_length=1, max_length=10000)

    def intent(self) -> intents.RecordStockCount:
        return intents.RecordStockCount(
            warehouse_id=self.warehouse_id,
            effective_at=self.effective_at,
            counts=tuple(count.value() for count in self.counts),
        )


class SubmitReport(Command):
    command: Literal["submit_report"] = "submit_report"
    warehouse_id: Ref
    period: Period
    effective_at: EffectiveAt

    def intent(self) -> intents.SubmitReport:
        return intents.SubmitReport(
            warehouse_id=self.warehouse_id, period=self.period, effective_at=self.effective_at
        )


class ReverseEntry(Command):
    command: Literal["reverse_entry"] = "reverse_entry"
    lot_id: LotId
    version: Annotated[int, Field(ge=1, le=1_000_000_000)]
    reason: Text

    def intent(self) -> intents.ReverseEntry:
        return intents.ReverseEntry(lot_id=self.lot_id, version=self.version, reason=self.reason)


AnyCommand = Annotated[
    RegisterEnterprise
    | RegisterWarehouse
    | RegisterRentContract
    | ExtendRentContract
    | WarehouseGoods
    | ExWarehouse
    | TransferOwnership
    | DispatchMove
    | ReceiveMove
    | ExtendStorage
    | PlaceHold
    | ReleaseHold
    | LiquidateOverdue
    | SettleDeclaration
    | ExtendSettlement
    | RecordStockCount
    | SubmitReport
    | ReverseEntry,
    Field(discriminator="command"),
]

COMMAND_ADAPTER: TypeAdapter[Command] = TypeAdapter(AnyCommand)


COMMAND_TYPES: tuple[type[Command], ...] = get_args(get_args(AnyCommand)[0])
COMMAND_NAMES: tuple[str, ...] = tuple(
    str(cls.model_fields["command"].default) for cls in COMMAND_TYPES
)

"""One pydantic model per command of DOMAIN.md §6: the shape of a request, checked before any
rule. Unknown fields are refused; decimals stay ``Decimal``; times carry a timezone."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

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

from ledger import codes
from ledger.calendar import start_of_day


def _effective_at(value: Any) -> datetime:
    """A date (00:00 in the warehouse's zone) or an ISO 8601 date-time with its offset."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        return start_of_day(value)
    elif isinstance(value, str):
        text = value.strip()
        if len(text) == 10:
            return start_of_day(date.fromisoformat(text))
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    else:
        raise ValueError("expected a date (YYYY-MM-DD) or an ISO 8601 date-time")
    if moment.tzinfo is None:
        raise ValueError("a date-time needs its UTC offset, e.g. 2025-03-01T10:00:00+07:00")
    return moment


Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Ref = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
LotId = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=100)]
Quantity = Annotated[Decimal, Field(gt=0, allow_inf_nan=False)]
Money = Annotated[Decimal, Field(ge=0, allow_inf_nan=False)]
EffectiveAt = Annotated[datetime, BeforeValidator(_effective_at)]
HsCode = Annotated[str, AfterValidator(codes.hs_code)]
Country = Annotated[str, AfterValidator(codes.country)]
Currency = Annotated[str, AfterValidator(codes.currency)]
DeclarationNo = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64, pattern=r"^[^/]+$")
]


class Command(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    command: str
    command_id: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = None


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


class RegisterWarehouse(Command):
    command: Literal["register_warehouse"] = "register_warehouse"
    warehouse_id: Ref
    name: Text
    owner_tax_code: Ref
    province: Text
    customs_office: Text
    address: Text | None = None
    in_port_area: bool = False


class RegisterRentContract(Command):
    command: Literal["register_rent_contract"] = "register_rent_contract"
    contract_no: Ref
    warehouse_id: Ref
    goods_owner_tax_code: Ref
    starts_on: date
    expires_on: date
    registered_on: date


class ExtendRentContract(Command):
    command: Literal["extend_rent_contract"] = "extend_rent_contract"
    contract_no: Ref
    expires_on: date
    effective_at: EffectiveAt


class SealIn(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)
    container_no: Ref
    seal_no: Ref
    intact: bool


class LineIn(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)
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


class ExWarehouse(Command):
    command: Literal["ex_warehouse"] = "ex_warehouse"
    lot_id: LotId
    quantity: Quantity
    effective_at: EffectiveAt
    destination: Ref
    bill_no: Ref
    export_declaration_no: Ref | None = None
    border_gate: Ref | None = None
    import_declaration_no: Ref | None = None
    purpose: Ref | None = None


class TransferOwnership(Command):
    command: Literal["transfer_ownership"] = "transfer_ownership"
    lot_id: LotId
    quantity: Quantity
    effective_at: EffectiveAt
    new_owner_tax_code: Ref
    new_contract_no: Ref | None
    trading_contract_no: Ref
    notice_no: Ref


class DispatchMove(Command):
    command: Literal["dispatch_move"] = "dispatch_move"
    lot_id: LotId
    quantity: Quantity
    effective_at: EffectiveAt
    to_warehouse_id: Ref
    contract_no: Ref | None
    approval_ref: Ref
    seal_no: Ref


class ReceiveMove(Command):
    command: Literal["receive_move"] = "receive_move"
    lot_id: LotId
    effective_at: EffectiveAt
    seal_intact: bool


class ExtendStorage(Command):
    command: Literal["extend_storage"] = "extend_storage"
    lot_id: LotId
    days: Annotated[int, Field(ge=1, le=3660)]
    effective_at: EffectiveAt
    approval_ref: Ref
    reason: Text


class PlaceHold(Command):
    command: Literal["place_hold"] = "place_hold"
    lot_id: LotId
    effective_at: EffectiveAt
    ref: Ref
    reason: Text


class ReleaseHold(Command):
    command: Literal["release_hold"] = "release_hold"
    lot_id: LotId
    effective_at: EffectiveAt
    ref: Ref
    reason: Text


class LiquidateOverdue(Command):
    command: Literal["liquidate_overdue"] = "liquidate_overdue"
    lot_id: LotId
    quantity: Quantity
    effective_at: EffectiveAt
    decision_ref: Ref
    method: Literal["auction", "destruction", "other"]


class SettleDeclaration(Command):
    command: Literal["settle_declaration"] = "settle_declaration"
    declaration_no: DeclarationNo
    effective_at: EffectiveAt


class ExtendSettlement(Command):
    command: Literal["extend_settlement"] = "extend_settlement"
    declaration_no: DeclarationNo
    effective_at: EffectiveAt
    approval_ref: Ref
    reason: Text


class CountIn(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)
    lot_id: LotId
    counted_quantity: Annotated[Decimal, Field(ge=0, allow_inf_nan=False)]


class RecordStockCount(Command):
    command: Literal["record_stock_count"] = "record_stock_count"
    warehouse_id: Ref
    effective_at: EffectiveAt
    counts: list[CountIn] = Field(min_length=1, max_length=10000)


class SubmitReport(Command):
    command: Literal["submit_report"] = "submit_report"
    warehouse_id: Ref
    period: Annotated[str, StringConstraints(pattern=r"^\d{4}-(H[12]|Q[1-4])$")]
    effective_at: EffectiveAt


class ReverseEntry(Command):
    command: Literal["reverse_entry"] = "reverse_entry"
    lot_id: LotId
    version: Annotated[int, Field(ge=1)]
    reason: Text


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
COMMAND_NAMES: tuple[str, ...] = tuple(
    cls.model_fields["command"].default for cls in Command.__subclasses__()
)

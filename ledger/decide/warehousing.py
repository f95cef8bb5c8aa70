"""Warehousing goods: a declaration and one lot per line (55.1, 55.2)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

from ledger.calendar import local_date
from ledger.codes import is_vehicle
from ledger.decide.common import check_not_in_future, refuse_field, require_field
from ledger.errors import Conflict, LedgerError, NotFound
from ledger.events import DeclarationRegistered, Event, GoodsLine, LotWarehoused
from ledger.registry import Declaration, Enterprise, RentContract, Warehouse

SOURCES = ("abroad", "inland", "inland_after_processing", "forced_reexport")


def warehouse_goods(
    *,
    existing: Declaration | None,
    warehouse: Warehouse | None,
    goods_owner: Enterprise | None,
    contract: RentContract | None,
    declaration: DeclarationRegistered,
    lines: list[GoodsLine],
) -> list[Event]:
    """The declaration and one ``LotWarehoused`` per line: all of them, or nothing."""
    check_not_in_future(declaration)
    if existing is not None:
        raise Conflict(
            "declaration_exists",
            f"declaration {declaration.declaration_no} is already recorded",
            "declaration_no",
        )
    if warehouse is None:
        raise NotFound(
            "unknown_warehouse",
            f"warehouse {declaration.warehouse_id} is not registered",
            "warehouse_id",
        )
    if goods_owner is None:
        raise NotFound(
            "unknown_enterprise",
            f"the goods owner {declaration.goods_owner_tax_code} is not a registered enterprise",
            "goods_owner_tax_code",
        )
    _check_dates(declaration)
    _check_contract(declaration, warehouse, contract)
    _check_source(declaration)
    _check_lines(lines)
    broken = [s for s in declaration.seals if not s.intact]
    hold_reason = (
        "seal not intact on arrival: " + ", ".join(f"{s.container_no}/{s.seal_no}" for s in broken)
        if broken
        else None
    )
    lots = [_lot(declaration, line, hold_reason) for line in lines]
    registered = replace(declaration, lot_ids=tuple(lot.lot_id for lot in lots))
    return [registered, *lots]


def _lot(
    declaration: DeclarationRegistered, line: GoodsLine, hold_reason: str | None
) -> LotWarehoused:
    return LotWarehoused(
        effective_at=declaration.effective_at,
        recorded_at=declaration.recorded_at,
        actor=declaration.actor,
        command_id=declaration.command_id,
        lot_id=f"{declaration.declaration_no}/{line.line_no}",
        declaration_no=declaration.declaration_no,
        registered_on=declaration.registered_on,
        warehouse_id=declaration.warehouse_id,
        goods_owner_tax_code=declaration.goods_owner_tax_code,
        contract_no=declaration.contract_no,
        expires_on=declaration.expires_on,
        source=declaration.source,
        goods=line,
        on_hold=hold_reason is not None,
        hold_reason=hold_reason,
    )


def _check_dates(declaration: DeclarationRegistered) -> None:
    arrived_on = local_date(declaration.effective_at)
    if arrived_on < declaration.registered_on:
        raise LedgerError(
            "warehoused_before_registration",
            f"effective_at {declaration.effective_at.isoformat()} is before the declaration "
            f"was registered on {declaration.registered_on}",
            "effective_at",
        )
    if declaration.expires_on <= declaration.registered_on:
        raise LedgerError(
            "expiry_before_registration",
            f"expires_on {declaration.expires_on} (box 2) must be after registered_on "
            f"{declaration.registered_on}",
            "expires_on",
        )


def _check_contract(
    declaration: DeclarationRegistered, warehouse: Warehouse, contract: RentContract | None
) -> None:
    owner_is_warehouse_owner = declaration.goods_owner_tax_code == warehouse.owner_tax_code
    if declaration.contract_no is None:
        if owner_is_warehouse_owner:
            return
        raise LedgerError(
            "contract_required",
            f"contract_no is required: goods owner {declaration.goods_owner_tax_code} does not "
            f"own warehouse {warehouse.warehouse_id} and needs a registered rent contract "
            "(55.1b.2)",
            "contract_no",
        )
    check_rent_contract(
        contract,
        contract_no=declaration.contract_no,
        warehouse_id=warehouse.warehouse_id,
        goods_owner_tax_code=declaration.goods_owner_tax_code,
        on=declaration.registered_on,
        moment=declaration.effective_at,
        field="contract_no",
    )
    assert contract is not None
    expiry = contract.expiry_at(declaration.effective_at)
    if declaration.expires_on > expiry:
        raise LedgerError(
            "expiry_after_contract",
            f"expires_on {declaration.expires_on} (box 2) is after rent contract "
            f"{contract.contract_no}'s expiry {expiry}",
            "expires_on",
        )


def check_rent_contract(
    contract: RentContract | None,
    *,
    contract_no: str,
    warehouse_id: str,
    goods_owner_tax_code: str,
    on: date,
    moment: datetime,
    field: str,
) -> None:
    """A registered contract of this warehouse and this goods owner, valid on the day."""
    if contract is None:
        raise NotFound("unknown_contract", f"rent contract {contract_no} is not registered", field)
    if contract.warehouse_id != warehouse_id:
        raise LedgerError(
            "contract_other_warehouse",
            f"rent contract {contract_no} is for warehouse {contract.warehouse_id}, "
            f"not {warehouse_id}",
            field,
        )
    if contract.goods_owner_tax_code != goods_owner_tax_code:
        raise LedgerError(
            "contract_other_owner",
            f"rent contract {contract_no} is with {contract.goods_owner_tax_code}, not "
            f"{goods_owner_tax_code}",
            field,
        )
    if not contract.valid_on(on, moment):
        raise LedgerError(
            "contract_not_valid",
            f"rent contract {contract_no} runs {contract.starts_on} to "
            f"{contract.expiry_at(moment)} and is not valid on {on}",
            field,
        )


def _check_source(declaration: DeclarationRegistered) -> None:
    source = declaration.source
    if source not in SOURCES:
        raise LedgerError(
            "invalid_source",
            f"source must be one of {', '.join(SOURCES)}, not {source!r}",
            "source",
        )
    if source == "inland":
        require_field(
            declaration.export_declaration_no,
            "export_declaration_no",
            "goods from the inland come in under an export declaration (55.2)",
        )
    else:
        refuse_field(
            declaration.export_declaration_no,
            "export_declaration_no",
            "only goods from the inland carry an export declaration",
        )
    if source == "forced_reexport":
        require_field(
            declaration.decision_ref,
            "decision_ref",
            "goods forced to be re-exported come in under a decision",
        )


def _check_lines(lines: list[GoodsLine]) -> None:
    if not lines:
        raise LedgerError("no_lines", "a warehousing declaration has at least one line", "lines")
    seen: set[int] = set()
    for index, line in enumerate(lines):
        if line.line_no in seen:
            raise LedgerError(
                "duplicate_line_no",
                f"line_no {line.line_no} appears twice in the declaration",
                f"lines[{index}].line_no",
            )
        seen.add(line.line_no)
        if is_vehicle(line.hs_code):
            for name in ("frame_no", "engine_no"):
                require_field(
                    getattr(line, name),
                    f"lines[{index}].{name}",
                    f"cars and motorcycles (HS {line.hs_code[:4]}) need frame and engine numbers "
                    "(55.1b.5)",
                )

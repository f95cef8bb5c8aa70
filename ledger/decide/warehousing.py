"""Warehousing goods: a declaration and one lot per line (55.1, 55.2)."""

from __future__ import annotations

from datetime import date, datetime

from ledger.calendar import local_date
from ledger.codes import is_vehicle
from ledger.decide.common import check_not_in_future, refuse_field, require_field, require_found
from ledger.errors import Conflict, Invalid, LedgerError
from ledger.events import DeclarationRegistered, Event, LotWarehoused
from ledger.intents import Envelope, WarehouseGoods
from ledger.recorded import Recorded
from ledger.registry import RentContract, Warehouse
from ledger.rulepacks import RulePack

SOURCES = ("abroad", "inland", "inland_after_processing", "forced_reexport")


def warehouse_goods(
    intent: WarehouseGoods, envelope: Envelope, recorded: Recorded, pack: RulePack
) -> list[Event]:
    """The declaration and one ``LotWarehoused`` per line: all of them, or nothing."""
    check_not_in_future(intent.effective_at, envelope)
    if recorded.declaration(intent.declaration_no) is not None:
        raise Conflict(
            "declaration_exists",
            f"declaration {intent.declaration_no} is already recorded",
            "declaration_no",
        )
    warehouse = require_found(
        recorded.warehouse(intent.warehouse_id),
        "unknown_warehouse",
        f"warehouse {intent.warehouse_id} is not registered",
        "warehouse_id",
    )
    require_found(
        recorded.enterprise(intent.goods_owner_tax_code),
        "unknown_enterprise",
        f"the goods owner {intent.goods_owner_tax_code} is not a registered enterprise",
        "goods_owner_tax_code",
    )
    _check_dates(intent)
    _check_contract(intent, warehouse, recorded)
    _check_source(intent)
    _check_lines(intent)
    lots = _lots(intent, envelope)
    declaration = envelope.event(
        DeclarationRegistered, intent, lot_ids=tuple(lot.lot_id for lot in lots)
    )
    return [declaration, *lots]


def _lots(intent: WarehouseGoods, envelope: Envelope) -> list[LotWarehoused]:
    """One lot per line; a seal not intact puts every lot on hold (55.1c.2)."""
    broken = [s for s in intent.seals if not s.intact]
    hold_reason = (
        "seal not intact on arrival: " + ", ".join(f"{s.container_no}/{s.seal_no}" for s in broken)
        if broken
        else None
    )
    return [
        envelope.event(
            LotWarehoused,
            intent,
            lot_id=f"{intent.declaration_no}/{line.line_no}",
            goods=line,
            on_hold=hold_reason is not None,
            hold_reason=hold_reason,
        )
        for line in intent.lines
    ]


def _check_dates(intent: WarehouseGoods) -> None:
    if local_date(intent.effective_at) < intent.registered_on:
        raise LedgerError(
            "warehoused_before_registration",
            f"effective_at {intent.effective_at.isoformat()} is before the declaration "
            f"was registered on {intent.registered_on}",
            "effective_at",
        )
    if intent.expires_on <= intent.registered_on:
        raise Invalid(
            "expiry_before_registration",
            f"expires_on {intent.expires_on} (box 2) must be after registered_on "
            f"{intent.registered_on}",
            "expires_on",
        )


def _check_contract(intent: WarehouseGoods, warehouse: Warehouse, recorded: Recorded) -> None:
    if intent.contract_no is None:
        if intent.goods_owner_tax_code == warehouse.owner_tax_code:
            return
        raise LedgerError(
            "contract_required",
            f"contract_no is required: goods owner {intent.goods_owner_tax_code} does not "
            f"own warehouse {warehouse.warehouse_id} and needs a registered rent contract "
            "(55.1b.2)",
            "contract_no",
        )
    contract = check_rent_contract(
        recorded.contract(intent.contract_no),
        contract_no=intent.contract_no,
        warehouse_id=warehouse.warehouse_id,
        goods_owner_tax_code=intent.goods_owner_tax_code,
        on=intent.registered_on,
        moment=intent.effective_at,
        field="contract_no",
    )
    expiry = contract.expiry_at(intent.effective_at)
    if intent.expires_on > expiry:
        raise LedgerError(
            "expiry_after_contract",
            f"expires_on {intent.expires_on} (box 2) is after rent contract "
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
) -> RentContract:
    """A registered contract of this warehouse and this goods owner, valid on the day."""
    found = require_found(
        contract, "unknown_contract", f"rent contract {contract_no} is not registered", field
    )
    if found.warehouse_id != warehouse_id:
        raise LedgerError(
            "contract_other_warehouse",
            f"rent contract {contract_no} is for warehouse {found.warehouse_id}, "
            f"not {warehouse_id}",
            field,
        )
    if found.goods_owner_tax_code != goods_owner_tax_code:
        raise LedgerError(
            "contract_other_owner",
            f"rent contract {contract_no} is with {found.goods_owner_tax_code}, not "
            f"{goods_owner_tax_code}",
            field,
        )
    if not found.valid_on(on, moment):
        raise LedgerError(
            "contract_not_valid",
            f"rent contract {contract_no} runs {found.starts_on} to "
            f"{found.expiry_at(moment)} and is not valid on {on}",
            field,
        )
    return found


def _check_source(intent: WarehouseGoods) -> None:
    source = intent.source
    if source not in SOURCES:
        raise Invalid(
            "invalid_source",
            f"source must be one of {', '.join(SOURCES)}, not {source!r}",
            "source",
        )
    if source == "inland":
        require_field(
            intent.export_declaration_no,
            "export_declaration_no",
            "goods from the inland come in under an export declaration (55.2)",
        )
    else:
        refuse_field(
            intent.export_declaration_no,
            "export_declaration_no",
            "only goods from the inland carry an export declaration",
        )
    if source == "forced_reexport":
        require_field(
            intent.decision_ref,
            "decision_ref",
            "goods forced to be re-exported come in under a decision",
        )


def _check_lines(intent: WarehouseGoods) -> None:
    if not intent.lines:
        raise Invalid("no_lines", "a warehousing declaration has at least one line", "lines")
    seen: set[int] = set()
    for index, line in enumerate(intent.lines):
        if line.line_no in seen:
            raise Invalid(
                "duplicate_line_no",
                f"line_no {line.line_no} appears twice in the declaration",
                f"lines[{index}].line_no",
            )
        seen.add(line.line_no)
        if is_vehicle(line.hs_code):
            for name, value in (("frame_no", line.frame_no), ("engine_no", line.engine_no)):
                require_field(
                    value,
                    f"lines[{index}].{name}",
                    f"cars and motorcycles (HS {line.hs_code[:4]}) need frame and engine numbers "
                    "(55.1b.5)",
                )

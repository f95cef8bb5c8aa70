"""One handler per command: load the streams the rules need, build the proposed fact, ask
``ledger.decide``, record what it returns. Handlers never read a projection."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from commands import models as m
from commands.unit_of_work import UnitOfWork
from ledger import decide
from ledger.events import (
    DeclarationRegistered,
    DeclarationSettled,
    EnterpriseRegistered,
    EntryReversed,
    Event,
    GoodsLine,
    HoldPlaced,
    HoldReleased,
    LotExWarehoused,
    LotLiquidated,
    LotSplitOff,
    LotWarehoused,
    MoveDispatched,
    MoveReceived,
    OwnershipTransferred,
    RentContractExtended,
    RentContractRegistered,
    ReportSubmitted,
    Seal,
    SettlementExtended,
    StockCounted,
    StorageExtended,
    WarehouseRegistered,
)
from ledger.lot import Lot
from ledger.rulepacks import RulePack

Result = dict[str, Any]


@dataclass
class Context:
    uow: UnitOfWork
    now: datetime
    actor: str
    pack: RulePack
    command_id: str | None

    def envelope(self, effective_at: datetime | None = None) -> dict[str, Any]:
        return {
            "effective_at": effective_at or self.now,
            "recorded_at": self.now,
            "actor": self.actor,
            "command_id": self.command_id,
        }

    def record(self, events: list[Any]) -> list[Any]:
        self.uow.record(events)
        return events


# --- reference data ---


def register_enterprise(cmd: m.RegisterEnterprise, ctx: Context) -> Result:
    proposed = EnterpriseRegistered(
        **ctx.envelope(),
        tax_code=cmd.tax_code,
        name=cmd.name,
        address=cmd.address,
        country=cmd.country,
    )
    ctx.record(decide.register_enterprise(ctx.uow.enterprise(cmd.tax_code), proposed))
    return {"tax_code": cmd.tax_code}


def register_warehouse(cmd: m.RegisterWarehouse, ctx: Context) -> Result:
    proposed = WarehouseRegistered(
        **ctx.envelope(), **cmd.model_dump(exclude={"command", "command_id"})
    )
    existing = ctx.uow.warehouse(cmd.warehouse_id)
    ctx.record(
        decide.register_warehouse(existing, ctx.uow.enterprise(cmd.owner_tax_code), proposed)
    )
    return {"warehouse_id": cmd.warehouse_id}


def register_rent_contract(cmd: m.RegisterRentContract, ctx: Context) -> Result:
    proposed = RentContractRegistered(
        **ctx.envelope(), **cmd.model_dump(exclude={"command", "command_id"})
    )
    ctx.record(
        decide.register_rent_contract(
            ctx.uow.contract(cmd.contract_no),
            ctx.uow.warehouse(cmd.warehouse_id),
            ctx.uow.enterprise(cmd.goods_owner_tax_code),
            proposed,
        )
    )
    return {"contract_no": cmd.contract_no}


def extend_rent_contract(cmd: m.ExtendRentContract, ctx: Context) -> Result:
    proposed = RentContractExtended(
        **ctx.envelope(cmd.effective_at), contract_no=cmd.contract_no, expires_on=cmd.expires_on
    )
    ctx.record(decide.extend_rent_contract(ctx.uow.contract(cmd.contract_no), proposed))
    return {"contract_no": cmd.contract_no, "expires_on": cmd.expires_on.isoformat()}


# --- warehousing and movements ---


def warehouse_goods(cmd: m.WarehouseGoods, ctx: Context) -> Result:
    declaration = DeclarationRegistered(
        **ctx.envelope(cmd.effective_at),
        **cmd.model_dump(exclude={"command", "command_id", "effective_at", "seals", "lines"}),
        seals=tuple(Seal(**s.model_dump()) for s in cmd.seals),
    )
    lines = [GoodsLine(**line.model_dump()) for line in cmd.lines]
    uow = ctx.uow
    uow.sync(streams_to_read(cmd))
    events = decide.warehouse_goods(
        existing=uow.declaration(cmd.declaration_no),
        warehouse=uow.warehouse(cmd.warehouse_id),
        goods_owner=uow.enterprise(cmd.goods_owner_tax_code),
        contract=uow.contract(cmd.contract_no),
        declaration=declaration,
        lines=lines,
    )
    ctx.record(events)
    return {"lot_ids": [e.lot_id for e in events if isinstance(e, LotWarehoused)]}


def _lot_fields(cmd: m.Command, *, exclude: set[str] | None = None) -> dict[str, Any]:
    return cmd.model_dump(exclude={"command", "command_id", "effective_at", *(exclude or set())})


def ex_warehouse(cmd: m.ExWarehouse, ctx: Context) -> Result:
    lot = ctx.uow.lot(cmd.lot_id)
    proposed = LotExWarehoused(**ctx.envelope(cmd.effective_at), **_lot_fields(cmd))
    warehouse = _lot_warehouse(lot, ctx)
    ctx.record(decide.ex_warehouse(lot, warehouse, proposed, ctx.pack))
    return {"lot_id": cmd.lot_id}


def _lot_warehouse(lot: Lot, ctx: Context) -> Any:
    facts = lot.current()
    return ctx.uow.warehouse(facts.warehouse_id) if facts is not None else None


def transfer_ownership(cmd: m.TransferOwnership, ctx: Context) -> Result:
    lot = ctx.uow.lot(cmd.lot_id)
    proposed = OwnershipTransferred(
        **ctx.envelope(cmd.effective_at), **_lot_fields(cmd), new_lot_id=cmd.lot_id
    )
    events = ctx.record(
        decide.transfer_ownership(
            lot,
            warehouse=_lot_warehouse(lot, ctx),
            new_owner=ctx.uow.enterprise(cmd.new_owner_tax_code),
            new_contract=ctx.uow.contract(cmd.new_contract_no),
            proposed=proposed,
        )
    )
    return {"lot_id": events[0].new_lot_id}


def dispatch_move(cmd: m.DispatchMove, ctx: Context) -> Result:
    lot = ctx.uow.lot(cmd.lot_id)
    proposed = MoveDispatched(
        **ctx.envelope(cmd.effective_at),
        **_lot_fields(cmd),
        travelling_lot_id=cmd.lot_id,
        from_warehouse_id="",
    )
    events = ctx.record(
        decide.dispatch_move(
            lot,
            destination=ctx.uow.warehouse(cmd.to_warehouse_id),
            contract=ctx.uow.contract(cmd.contract_no),
            proposed=proposed,
        )
    )
    return {"lot_id": events[0].travelling_lot_id}


def receive_move(cmd: m.ReceiveMove, ctx: Context) -> Result:
    lot = ctx.uow.lot(cmd.lot_id)
    proposed = MoveReceived(
        **ctx.envelope(cmd.effective_at), **_lot_fields(cmd), quantity=Decimal(0), warehouse_id=""
    )
    events = ctx.record(decide.receive_move(lot, proposed))
    return {"lot_id": cmd.lot_id, "warehouse_id": events[0].warehouse_id}


# --- customs decisions ---


def extend_storage(cmd: m.ExtendStorage, ctx: Context) -> Result:
    proposed = StorageExtended(**ctx.envelope(cmd.effective_at), **_lot_fields(cmd))
    ctx.record(decide.extend_storage(ctx.uow.lot(cmd.lot_id), proposed, ctx.pack))
    return {"lot_id": cmd.lot_id}


def place_hold(cmd: m.PlaceHold, ctx: Context) -> Result:
    proposed = HoldPlaced(**ctx.envelope(cmd.effective_at), **_lot_fields(cmd))
    ctx.record(decide.place_hold(ctx.uow.lot(cmd.lot_id), proposed))
    return {"lot_id": cmd.lot_id}


def release_hold(cmd: m.ReleaseHold, ctx: Context) -> Result:
    proposed = HoldReleased(**ctx.envelope(cmd.effective_at), **_lot_fields(cmd))
    ctx.record(decide.release_hold(ctx.uow.lot(cmd.lot_id), proposed))
    return {"lot_id": cmd.lot_id}


def liquidate_overdue(cmd: m.LiquidateOverdue, ctx: Context) -> Result:
    lot = ctx.uow.lot(cmd.lot_id)
    proposed = LotLiquidated(**ctx.envelope(cmd.effective_at), **_lot_fields(cmd))
    facts = lot.current()
    contract = ctx.uow.contract(facts.contract_no if facts else None)
    ctx.record(decide.liquidate_overdue(lot, contract, proposed, ctx.pack))
    return {"lot_id": cmd.lot_id}


# --- declarations ---


def _declaration_lots(declaration_no: str, ctx: Context) -> list[Lot]:
    declaration = ctx.uow.declaration(declaration_no)
    return ctx.uow.lot_tree(declaration.lot_ids) if declaration is not None else []


def settle_declaration(cmd: m.SettleDeclaration, ctx: Context) -> Result:
    proposed = DeclarationSettled(
        **ctx.envelope(cmd.effective_at), declaration_no=cmd.declaration_no
    )
    lots = _declaration_lots(cmd.declaration_no, ctx)
    ctx.record(decide.settle_declaration(ctx.uow.declaration(cmd.declaration_no), lots, proposed))
    return {"declaration_no": cmd.declaration_no}


def extend_settlement(cmd: m.ExtendSettlement, ctx: Context) -> Result:
    proposed = SettlementExtended(
        **ctx.envelope(cmd.effective_at),
        declaration_no=cmd.declaration_no,
        approval_ref=cmd.approval_ref,
        reason=cmd.reason,
        days=0,
    )
    lots = _declaration_lots(cmd.declaration_no, ctx)
    declaration = ctx.uow.declaration(cmd.declaration_no)
    ctx.record(decide.extend_settlement(declaration, lots, proposed, ctx.pack))
    return {"declaration_no": cmd.declaration_no}


# --- inspections and reports ---


def record_stock_count(cmd: m.RecordStockCount, ctx: Context) -> Result:
    proposed = StockCounted(
        **ctx.envelope(cmd.effective_at), warehouse_id=cmd.warehouse_id, counts=()
    )
    lots = ctx.uow.lots(c.lot_id for c in cmd.counts)
    counted = [(c.lot_id, c.counted_quantity) for c in cmd.counts]
    events = ctx.record(
        decide.record_stock_count(ctx.uow.warehouse(cmd.warehouse_id), lots, counted, proposed)
    )
    return {
        "discrepancies": [
            {"lot_id": c.lot_id, "difference": str(c.difference)}
            for c in events[0].counts
            if c.difference != 0
        ]
    }


def _lots_ever_in(warehouse_id: str, ctx: Context) -> list[Lot]:
    """Every lot that was ever stored in or moved to the warehouse, from the event log."""
    topics = [
        f"{cls.__module__}:{cls.__qualname__}"
        for cls in (LotWarehoused, LotSplitOff, MoveDispatched)
    ]
    lot_ids: set[str] = set()
    for event in ctx.uow.store.scan(topics):
        if isinstance(event, LotWarehoused | LotSplitOff) and event.warehouse_id == warehouse_id:
            lot_ids.add(event.lot_id)
        if isinstance(event, MoveDispatched) and warehouse_id in (
            event.to_warehouse_id,
            event.from_warehouse_id,
        ):
            lot_ids.add(event.lot_id)
            lot_ids.add(event.travelling_lot_id)
    for stream in ctx.uow.pending:
        if stream.startswith("lot:"):
            lot_ids.add(stream.removeprefix("lot:"))
    return list(ctx.uow.lots(sorted(lot_ids)).values())


def submit_report(cmd: m.SubmitReport, ctx: Context) -> Result:
    proposed = ReportSubmitted(
        **ctx.envelope(cmd.effective_at),
        warehouse_id=cmd.warehouse_id,
        period=cmd.period,
        form="",
        period_starts_on=cmd.effective_at.date(),
        period_ends_on=cmd.effective_at.date(),
        due_on=cmd.effective_at.date(),
        late=False,
        content_digest="",
    )
    warehouse = ctx.uow.warehouse(cmd.warehouse_id)
    lots = _lots_ever_in(cmd.warehouse_id, ctx) if warehouse is not None else []
    events = ctx.record(decide.submit_report(warehouse, lots, proposed, ctx.pack))
    report = events[0]
    return {
        "warehouse_id": cmd.warehouse_id,
        "period": cmd.period,
        "form": report.form,
        "due_on": report.due_on.isoformat(),
        "late": report.late,
        "content_digest": report.content_digest,
    }


# --- corrections ---


def reverse_entry(cmd: m.ReverseEntry, ctx: Context) -> Result:
    lot = ctx.uow.lot(cmd.lot_id)
    if not lot.entries:
        decide.existing_lot(lot)
    entry = decide.target_of(lot, cmd.version)
    other_id = decide.counterpart(entry)
    other = ctx.uow.lot(other_id) if other_id is not None else None
    first = lot.entries[0].event
    declaration_no = getattr(first, "declaration_no", None)
    declaration = ctx.uow.declaration(declaration_no) if declaration_no else None
    proposed = EntryReversed(
        **ctx.envelope(entry.event.effective_at),
        lot_id=cmd.lot_id,
        reversed_version=cmd.version,
        reversed_event="",
        reason=cmd.reason,
    )
    events = ctx.record(decide.reverse_entry(lot, proposed, declaration=declaration, other=other))
    return {"lot_id": cmd.lot_id, "reversed": [[e.lot_id, e.reversed_version] for e in events]}


HANDLERS: dict[type[m.Command], Callable[[Any, Context], Result]] = {
    m.RegisterEnterprise: register_enterprise,
    m.RegisterWarehouse: register_warehouse,
    m.RegisterRentContract: register_rent_contract,
    m.ExtendRentContract: extend_rent_contract,
    m.WarehouseGoods: warehouse_goods,
    m.ExWarehouse: ex_warehouse,
    m.TransferOwnership: transfer_ownership,
    m.DispatchMove: dispatch_move,
    m.ReceiveMove: receive_move,
    m.ExtendStorage: extend_storage,
    m.PlaceHold: place_hold,
    m.ReleaseHold: release_hold,
    m.LiquidateOverdue: liquidate_overdue,
    m.SettleDeclaration: settle_declaration,
    m.ExtendSettlement: extend_settlement,
    m.RecordStockCount: record_stock_count,
    m.SubmitReport: submit_report,
    m.ReverseEntry: reverse_entry,
}


def handle(cmd: m.Command, ctx: Context) -> Result:
    return HANDLERS[type(cmd)](cmd, ctx)


def related_streams(cmd: m.Command, lots: Mapping[str, Lot]) -> list[str]:
    """Streams a lot command will read once it knows the lot: its warehouse and contract, as
    far as the lots already folded tell (a guess; a wrong one costs one more query)."""
    lot_id = vars(cmd).get("lot_id")
    lot = lots.get(lot_id) if lot_id else None
    facts = lot.current() if lot is not None else None
    if facts is None:
        return []
    names = [f"warehouse:{facts.warehouse_id}"]
    if isinstance(cmd, m.ReverseEntry):
        names.append(f"declaration:{facts.declaration_no}")
    if facts.contract_no:
        names.append(f"contract:{facts.contract_no}")
    return names


def streams_to_read(cmd: m.Command) -> list[str]:
    """The streams a command will certainly read, so a batch can fetch them in one query."""
    names: list[str] = []
    fields = vars(cmd)  # plain dict look-ups: absent attributes are slow on pydantic models
    if cmd.command_id:
        names.append(f"command:{cmd.command_id}")
    lot_id = fields.get("lot_id")
    if lot_id:
        names.append(f"lot:{lot_id}")
    if isinstance(cmd, m.WarehouseGoods):
        names += [
            f"declaration:{cmd.declaration_no}",
            f"warehouse:{cmd.warehouse_id}",
            f"enterprise:{cmd.goods_owner_tax_code}",
            *(f"lot:{cmd.declaration_no}/{line.line_no}" for line in cmd.lines),
        ]
    for attribute, kind in (
        ("contract_no", "contract"),
        ("new_contract_no", "contract"),
        ("new_owner_tax_code", "enterprise"),
        ("to_warehouse_id", "warehouse"),
    ):
        value = fields.get(attribute)
        if value:
            names.append(f"{kind}:{value}")
    return names


__all__ = ["HANDLERS", "Context", "Event", "handle"]

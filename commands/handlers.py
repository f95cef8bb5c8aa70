"""One handler per command: turn the request into its typed intent, ask ``ledger.decide``
with the envelope and what is recorded, record the events it returns, answer.

Handlers never read a projection, and never look a fact up for decide: decide asks the
unit of work (``ledger.recorded.Recorded``) for what it needs, at the intent's effective time.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from commands import models as m
from commands.unit_of_work import UnitOfWork
from ledger import decide
from ledger.events import Event, LotWarehoused, MoveDispatched, OwnershipTransferred
from ledger.intents import Envelope
from ledger.numbers import decimal_text
from ledger.rulepacks import RulePack

Result = dict[str, Any]
C = TypeVar("C", bound=m.Command)
E = TypeVar("E", bound=Event)


@dataclass
class Context:
    uow: UnitOfWork
    envelope: Envelope
    pack: RulePack

    def record(self, events: Sequence[E]) -> Sequence[E]:
        self.uow.record(events)
        return events


Handler = Callable[[C, Context], Result]


class Handlers:
    """The handler of each command type; registering checks the handler's signature."""

    def __init__(self) -> None:
        self._by_type: dict[type[m.Command], Handler[Any]] = {}

    def register(self, command_type: type[C]) -> Callable[[Handler[C]], Handler[C]]:
        def add(handler: Handler[C]) -> Handler[C]:
            self._by_type[command_type] = handler
            return handler

        return add

    def __call__(self, command: m.Command, ctx: Context) -> Result:
        return self._by_type[type(command)](command, ctx)

    def handled(self) -> frozenset[type[m.Command]]:
        return frozenset(self._by_type)


handle = Handlers()


def first(events: Sequence[Event], kind: type[E]) -> E:
    return next(e for e in events if isinstance(e, kind))


# --- reference data ---


@handle.register(m.RegisterEnterprise)
def register_enterprise(cmd: m.RegisterEnterprise, ctx: Context) -> Result:
    ctx.record(decide.register_enterprise(cmd.intent(), ctx.envelope, ctx.uow))
    return {"tax_code": cmd.tax_code}


@handle.register(m.RegisterWarehouse)
def register_warehouse(cmd: m.RegisterWarehouse, ctx: Context) -> Result:
    ctx.record(decide.register_warehouse(cmd.intent(), ctx.envelope, ctx.uow))
    return {"warehouse_id": cmd.warehouse_id}


@handle.register(m.RegisterRentContract)
def register_rent_contract(cmd: m.RegisterRentContract, ctx: Context) -> Result:
    ctx.record(decide.register_rent_contract(cmd.intent(), ctx.envelope, ctx.uow))
    return {"contract_no": cmd.contract_no}


@handle.register(m.ExtendRentContract)
def extend_rent_contract(cmd: m.ExtendRentContract, ctx: Context) -> Result:
    ctx.record(decide.extend_rent_contract(cmd.intent(), ctx.envelope, ctx.uow))
    return {"contract_no": cmd.contract_no, "expires_on": cmd.expires_on.isoformat()}


# --- warehousing and movements ---


@handle.register(m.WarehouseGoods)
def warehouse_goods(cmd: m.WarehouseGoods, ctx: Context) -> Result:
    events = ctx.record(decide.warehouse_goods(cmd.intent(), ctx.envelope, ctx.uow))
    return {"lot_ids": [e.lot_id for e in events if isinstance(e, LotWarehoused)]}


@handle.register(m.ExWarehouse)
def ex_warehouse(cmd: m.ExWarehouse, ctx: Context) -> Result:
    ctx.record(decide.ex_warehouse(cmd.intent(), ctx.envelope, ctx.uow, ctx.pack))
    return {"lot_id": cmd.lot_id}


@handle.register(m.TransferOwnership)
def transfer_ownership(cmd: m.TransferOwnership, ctx: Context) -> Result:
    events = ctx.record(decide.transfer_ownership(cmd.intent(), ctx.envelope, ctx.uow))
    return {"lot_id": first(events, OwnershipTransferred).new_lot_id}


@handle.register(m.DispatchMove)
def dispatch_move(cmd: m.DispatchMove, ctx: Context) -> Result:
    events = ctx.record(decide.dispatch_move(cmd.intent(), ctx.envelope, ctx.uow))
    return {"lot_id": first(events, MoveDispatched).travelling_lot_id}


@handle.register(m.ReceiveMove)
def receive_move(cmd: m.ReceiveMove, ctx: Context) -> Result:
    (received,) = ctx.record(decide.receive_move(cmd.intent(), ctx.envelope, ctx.uow))
    return {"lot_id": cmd.lot_id, "warehouse_id": received.warehouse_id}


# --- customs decisions ---


@handle.register(m.ExtendStorage)
def extend_storage(cmd: m.ExtendStorage, ctx: Context) -> Result:
    ctx.record(decide.extend_storage(cmd.intent(), ctx.envelope, ctx.uow, ctx.pack))
    return {"lot_id": cmd.lot_id}


@handle.register(m.PlaceHold)
def place_hold(cmd: m.PlaceHold, ctx: Context) -> Result:
    ctx.record(decide.place_hold(cmd.intent(), ctx.envelope, ctx.uow))
    return {"lot_id": cmd.lot_id}


@handle.register(m.ReleaseHold)
def release_hold(cmd: m.ReleaseHold, ctx: Context) -> Result:
    ctx.record(decide.release_hold(cmd.intent(), ctx.envelope, ctx.uow))
    return {"lot_id": cmd.lot_id}


@handle.register(m.LiquidateOverdue)
def liquidate_overdue(cmd: m.LiquidateOverdue, ctx: Context) -> Result:
    ctx.record(decide.liquidate_overdue(cmd.intent(), ctx.envelope, ctx.uow, ctx.pack))
    return {"lot_id": cmd.lot_id}


# --- declarations ---


@handle.register(m.SettleDeclaration)
def settle_declaration(cmd: m.SettleDeclaration, ctx: Context) -> Result:
    ctx.record(decide.settle_declaration(cmd.intent(), ctx.envelope, ctx.uow))
    return {"declaration_no": cmd.declaration_no}


@handle.register(m.ExtendSettlement)
def extend_settlement(cmd: m.ExtendSettlement, ctx: Context) -> Result:
    ctx.record(decide.extend_settlement(cmd.intent(), ctx.envelope, ctx.uow, ctx.pack))
    return {"declaration_no": cmd.declaration_no}


# --- inspections and reports ---


@handle.register(m.RecordStockCount)
def record_stock_count(cmd: m.RecordStockCount, ctx: Context) -> Result:
    (counted,) = ctx.record(decide.record_stock_count(cmd.intent(), ctx.envelope, ctx.uow))
    return {
        "discrepancies": [
            {"lot_id": c.lot_id, "difference": decimal_text(c.difference)}
            for c in counted.counts
            if c.difference != 0
        ]
    }


@handle.register(m.SubmitReport)
def submit_report(cmd: m.SubmitReport, ctx: Context) -> Result:
    (report,) = ctx.record(decide.submit_report(cmd.intent(), ctx.envelope, ctx.uow, ctx.pack))
    return {
        "warehouse_id": report.warehouse_id,
        "period": report.period,
        "form": report.form,
        "due_on": report.due_on.isoformat(),
        "late": report.late,
        "content_digest": report.content_digest,
    }


# --- corrections ---


@handle.register(m.ReverseEntry)
def reverse_entry(cmd: m.ReverseEntry, ctx: Context) -> Result:
    events = ctx.record(decide.reverse_entry(cmd.intent(), ctx.envelope, ctx.uow))
    return {"lot_id": cmd.lot_id, "reversed": [[e.lot_id, e.reversed_version] for e in events]}

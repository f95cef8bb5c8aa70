"""One handler per command: ask ``ledger.decide`` with the command's typed intent, the
envelope and what is recorded, record the events it returns, answer.

Handlers never read a projection, and never look a fact up for decide: decide asks the
unit of work (``ledger.recorded.Recorded``) for what it needs, at the intent's effective time.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from commands.unit_of_work import UnitOfWork
from ledger import decide
from ledger import intents as i
from ledger.events import Event, LotWarehoused, MoveDispatched, OwnershipTransferred
from ledger.intents import Envelope
from ledger.numbers import decimal_text
from ledger.rulepacks import RulePack

Result = dict[str, Any]
I = TypeVar("I", bound=i.Intent)  # noqa: E741 - I for Intent, as E for Event
E = TypeVar("E", bound=Event)


@dataclass
class Context:
    uow: UnitOfWork
    envelope: Envelope
    pack: RulePack

    def record(self, events: Sequence[E]) -> Sequence[E]:
        self.uow.record(events)
        return events


Handler = Callable[[I, Context], Result]


class Handlers:
    """The handler of each intent type; registering checks the handler's signature."""

    def __init__(self) -> None:
        self._by_type: dict[type[i.Intent], Handler[Any]] = {}

    def register(self, intent_type: type[I]) -> Callable[[Handler[I]], Handler[I]]:
        def add(handler: Handler[I]) -> Handler[I]:
            self._by_type[intent_type] = handler
            return handler

        return add

    def __call__(self, intent: i.Intent, ctx: Context) -> Result:
        return self._by_type[type(intent)](intent, ctx)

    def handled(self) -> frozenset[type[i.Intent]]:
        return frozenset(self._by_type)


handle = Handlers()


def first(events: Sequence[Event], kind: type[E]) -> E:
    return next(e for e in events if isinstance(e, kind))


# --- reference data ---


@handle.register(i.RegisterEnterprise)
def register_enterprise(intent: i.RegisterEnterprise, ctx: Context) -> Result:
    ctx.record(decide.register_enterprise(intent, ctx.envelope, ctx.uow))
    return {"tax_code": intent.tax_code}


@handle.register(i.RegisterWarehouse)
def register_warehouse(intent: i.RegisterWarehouse, ctx: Context) -> Result:
    ctx.record(decide.register_warehouse(intent, ctx.envelope, ctx.uow))
    return {"warehouse_id": intent.warehouse_id}


@handle.register(i.RegisterRentContract)
def register_rent_contract(intent: i.RegisterRentContract, ctx: Context) -> Result:
    ctx.record(decide.register_rent_contract(intent, ctx.envelope, ctx.uow))
    return {"contract_no": intent.contract_no}


@handle.register(i.ExtendRentContract)
def extend_rent_contract(intent: i.ExtendRentContract, ctx: Context) -> Result:
    ctx.record(decide.extend_rent_contract(intent, ctx.envelope, ctx.uow))
    return {"contract_no": intent.contract_no, "expires_on": intent.expires_on.isoformat()}


# --- warehousing and movements ---


@handle.register(i.WarehouseGoods)
def warehouse_goods(intent: i.WarehouseGoods, ctx: Context) -> Result:
    events = ctx.record(decide.warehouse_goods(intent, ctx.envelope, ctx.uow))
    return {"lot_ids": [e.lot_id for e in events if isinstance(e, LotWarehoused)]}


@handle.register(i.ExWarehouse)
def ex_warehouse(intent: i.ExWarehouse, ctx: Context) -> Result:
    ctx.record(decide.ex_warehouse(intent, ctx.envelope, ctx.uow, ctx.pack))
    return {"lot_id": intent.lot_id}


@handle.register(i.TransferOwnership)
def transfer_ownership(intent: i.TransferOwnership, ctx: Context) -> Result:
    events = ctx.record(decide.transfer_ownership(intent, ctx.envelope, ctx.uow))
    return {"lot_id": first(events, OwnershipTransferred).new_lot_id}


@handle.register(i.DispatchMove)
def dispatch_move(intent: i.DispatchMove, ctx: Context) -> Result:
    events = ctx.record(decide.dispatch_move(intent, ctx.envelope, ctx.uow))
    return {"lot_id": first(events, MoveDispatched).travelling_lot_id}


@handle.register(i.ReceiveMove)
def receive_move(intent: i.ReceiveMove, ctx: Context) -> Result:
    (received,) = ctx.record(decide.receive_move(intent, ctx.envelope, ctx.uow))
    return {"lot_id": intent.lot_id, "warehouse_id": received.warehouse_id}


# --- customs decisions ---


@handle.register(i.ExtendStorage)
def extend_storage(intent: i.ExtendStorage, ctx: Context) -> Result:
    ctx.record(decide.extend_storage(intent, ctx.envelope, ctx.uow, ctx.pack))
    return {"lot_id": intent.lot_id}


@handle.register(i.PlaceHold)
def place_hold(intent: i.PlaceHold, ctx: Context) -> Result:
    ctx.record(decide.place_hold(intent, ctx.envelope, ctx.uow))
    return {"lot_id": intent.lot_id}


@handle.register(i.ReleaseHold)
def release_hold(intent: i.ReleaseHold, ctx: Context) -> Result:
    ctx.record(decide.release_hold(intent, ctx.envelope, ctx.uow))
    return {"lot_id": intent.lot_id}


@handle.register(i.LiquidateOverdue)
def liquidate_overdue(intent: i.LiquidateOverdue, ctx: Context) -> Result:
    ctx.record(decide.liquidate_overdue(intent, ctx.envelope, ctx.uow, ctx.pack))
    return {"lot_id": intent.lot_id}


# --- declarations ---


@handle.register(i.SettleDeclaration)
def settle_declaration(intent: i.SettleDeclaration, ctx: Context) -> Result:
    ctx.record(decide.settle_declaration(intent, ctx.envelope, ctx.uow))
    return {"declaration_no": intent.declaration_no}


@handle.register(i.ExtendSettlement)
def extend_settlement(intent: i.ExtendSettlement, ctx: Context) -> Result:
    ctx.record(decide.extend_settlement(intent, ctx.envelope, ctx.uow, ctx.pack))
    return {"declaration_no": intent.declaration_no}


# --- inspections and reports ---


@handle.register(i.RecordStockCount)
def record_stock_count(intent: i.RecordStockCount, ctx: Context) -> Result:
    (counted,) = ctx.record(decide.record_stock_count(intent, ctx.envelope, ctx.uow))
    return {
        "discrepancies": [
            {"lot_id": c.lot_id, "difference": decimal_text(c.difference)}
            for c in counted.counts
            if c.difference != 0
        ]
    }


@handle.register(i.SubmitReport)
def submit_report(intent: i.SubmitReport, ctx: Context) -> Result:
    (report,) = ctx.record(decide.submit_report(intent, ctx.envelope, ctx.uow, ctx.pack))
    return {
        "warehouse_id": report.warehouse_id,
        "period": report.period,
        "form": report.form,
        "due_on": report.due_on.isoformat(),
        "late": report.late,
        "content_digest": report.content_digest,
    }


# --- corrections ---


@handle.register(i.ReverseEntry)
def reverse_entry(intent: i.ReverseEntry, ctx: Context) -> Result:
    events = ctx.record(decide.reverse_entry(intent, ctx.envelope, ctx.uow))
    return {"lot_id": intent.lot_id, "reversed": [[e.lot_id, e.reversed_version] for e in events]}

"""One handler per command: ask its ``ledger.decide`` decision with the command's typed
intent, the envelope, what is recorded and the rule pack; record the events it returns;
answer the caller from the intent and those events.

Handlers never read a projection, and never look a fact up for decide: decide asks the
unit of work (``ledger.recorded.Recorded``) for what it needs, at the intent's effective time.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from commands.unit_of_work import UnitOfWork
from ledger import intents as i
from ledger.decide import (
    customs,
    declarations,
    ecommerce,
    inspections,
    movements,
    reference,
    reversal,
    users,
    warehousing,
)
from ledger.decide.ecommerce import remaining_after
from ledger.ecommerce_events import OrderExWarehoused
from ledger.events import (
    EntryReversed,
    Event,
    LotWarehoused,
    MoveDispatched,
    MoveReceived,
    OwnershipTransferred,
    ReportSubmitted,
    StockCounted,
)
from ledger.intents import Envelope
from ledger.numbers import decimal_text
from ledger.recorded import Recorded
from ledger.rulepacks import RulePack

Result = dict[str, Any]
I = TypeVar("I", bound=i.Intent)  # noqa: E741 - I for Intent, as E for Event
E = TypeVar("E", bound=Event)

Decision = Callable[[I, Envelope, Recorded, RulePack], Sequence[Event]]
Answer = Callable[[I, Sequence[Event]], Result]  # what the caller is told, from the events


@dataclass
class Context:
    uow: UnitOfWork
    envelope: Envelope
    pack: RulePack


@dataclass(frozen=True)
class Handler(Generic[I]):
    decision: Decision[I]
    answer: Answer[I]

    def __call__(self, intent: I, ctx: Context) -> Result:
        events = self.decision(intent, ctx.envelope, ctx.uow, ctx.pack)
        ctx.uow.record(events)
        return self.answer(intent, events)


class Handlers:
    """Each intent type's decision and answer; registering checks both against the type."""

    def __init__(self) -> None:
        self._by_type: dict[type[i.Intent], Handler[Any]] = {}

    def register(self, intent_type: type[I], decision: Decision[I], answer: Answer[I]) -> None:
        self._by_type[intent_type] = Handler(decision, answer)

    def register_handler(self, intent_type: type[I], handler: Handler[I]) -> None:
        self._by_type[intent_type] = handler

    def __call__(self, intent: i.Intent, ctx: Context) -> Result:
        return self._by_type[type(intent)](intent, ctx)

    def handled(self) -> frozenset[type[i.Intent]]:
        return frozenset(self._by_type)

    def decision_for(self, intent_type: type[I]) -> Decision[I]:
        """The pure decision of an intent type: what tests ask at the seam, given a history."""
        decision: Decision[I] = self._by_type[intent_type].decision
        return decision


class OrderHandler(Handler[i.ExWarehouseOrder]):
    """An order's answer names its basis, the licences deducted and what remains on each."""

    def __init__(self) -> None:
        super().__init__(ecommerce.ex_warehouse_order, lambda it, _: {})

    def __call__(self, intent: i.ExWarehouseOrder, ctx: Context) -> Result:
        events = self.decision(intent, ctx.envelope, ctx.uow, ctx.pack)
        ctx.uow.record(events)
        order = first(events, OrderExWarehoused)
        return {
            "lot_id": intent.lot_id,
            "order_no": intent.order_no,
            "platform": intent.platform,
            "basis": order.basis,
            "licences": remaining_after(ctx.uow, events),
        }


def first(events: Sequence[Event], kind: type[E]) -> E:
    return next(e for e in events if isinstance(e, kind))


def the_lot(intent: i.LotIntent, _: Sequence[Event]) -> Result:
    return {"lot_id": intent.lot_id}


def the_declaration(intent: i.SettleDeclaration | i.ExtendSettlement, _: object) -> Result:
    return {"declaration_no": intent.declaration_no}


def discrepancies(_: i.RecordStockCount, events: Sequence[Event]) -> Result:
    counted = first(events, StockCounted)
    return {
        "discrepancies": [
            {"lot_id": c.lot_id, "difference": decimal_text(c.difference)}
            for c in counted.counts
            if c.difference != 0
        ]
    }


def submitted(_: i.SubmitReport, events: Sequence[Event]) -> Result:
    report = first(events, ReportSubmitted)
    return {
        "warehouse_id": report.warehouse_id,
        "period": report.period,
        "form": report.form,
        "due_on": report.due_on.isoformat(),
        "late": report.late,
        "content_digest": report.content_digest,
    }


def reversed_entries(intent: i.ReverseEntry, events: Sequence[Event]) -> Result:
    cancelled = [e for e in events if isinstance(e, EntryReversed)]
    return {
        "lot_id": intent.lot_id,
        "reversed": [[e.lot_id, e.reversed_version] for e in cancelled],
    }


handle = Handlers()
# reference data
handle.register(
    i.RegisterEnterprise, reference.register_enterprise, lambda it, _: {"tax_code": it.tax_code}
)
handle.register(
    i.RegisterWarehouse,
    reference.register_warehouse,
    lambda it, _: {"warehouse_id": it.warehouse_id},
)
handle.register(
    i.RegisterRentContract,
    reference.register_rent_contract,
    lambda it, _: {"contract_no": it.contract_no},
)
handle.register(
    i.ExtendRentContract,
    reference.extend_rent_contract,
    lambda it, _: {"contract_no": it.contract_no, "expires_on": it.expires_on.isoformat()},
)
# warehousing and movements
handle.register(
    i.WarehouseGoods,
    warehousing.warehouse_goods,
    lambda _, events: {"lot_ids": [e.lot_id for e in events if isinstance(e, LotWarehoused)]},
)
handle.register(i.ExWarehouse, movements.ex_warehouse, the_lot)
handle.register(
    i.TransferOwnership,
    movements.transfer_ownership,
    lambda _, events: {"lot_id": first(events, OwnershipTransferred).new_lot_id},
)
handle.register(
    i.DispatchMove,
    movements.dispatch_move,
    lambda _, events: {"lot_id": first(events, MoveDispatched).travelling_lot_id},
)
handle.register(
    i.ReceiveMove,
    movements.receive_move,
    lambda it, events: {
        "lot_id": it.lot_id,
        "warehouse_id": first(events, MoveReceived).warehouse_id,
    },
)
# customs decisions
handle.register(i.ExtendStorage, customs.extend_storage, the_lot)
handle.register(i.PlaceHold, customs.change_hold, the_lot)
handle.register(i.ReleaseHold, customs.change_hold, the_lot)
handle.register(i.LiquidateOverdue, customs.liquidate_overdue, the_lot)
# declarations
handle.register(i.SettleDeclaration, declarations.settle_declaration, the_declaration)
handle.register(i.ExtendSettlement, declarations.extend_settlement, the_declaration)
# inspections and reports
handle.register(i.RecordStockCount, inspections.record_stock_count, discrepancies)
handle.register(i.SubmitReport, inspections.submit_report, submitted)
# corrections
handle.register(
    i.ReverseEntry,
    reversal.reverse_entry,
    lambda it, events: {
        "lot_id": it.lot_id,
        "reversed": [
            [e.lot_id, e.reversed_version] for e in events if isinstance(e, EntryReversed)
        ],
    },
)
# e-commerce (DOMAIN.md §7)
handle.register(
    i.PublishGoodsList, ecommerce.publish_goods_list, lambda it, _: {"list_ref": it.list_ref}
)
handle.register(
    i.RegisterLicence, ecommerce.register_licence, lambda it, _: {"licence_no": it.licence_no}
)
handle.register(
    i.RevokeLicence, ecommerce.revoke_licence, lambda it, _: {"licence_no": it.licence_no}
)
handle.register(
    i.StopExemption, ecommerce.stop_exemption, lambda it, _: {"notice_ref": it.notice_ref}
)
handle.register(
    i.ResumeExemption, ecommerce.resume_exemption, lambda it, _: {"notice_ref": it.notice_ref}
)
handle.register_handler(i.ExWarehouseOrder, OrderHandler())
# users and their rights
handle.register(i.AddUser, users.add_user, lambda it, _: {"name": it.name, "role": it.role})
handle.register(i.DisableUser, users.disable_user, lambda it, _: {"name": it.name})
handle.register(i.IssueToken, users.issue_token, lambda it, _: {"name": it.name})
handle.register(i.RevokeTokens, users.revoke_tokens, lambda it, _: {"name": it.name})
handle.register(i.SetPassword, users.set_password, lambda it, _: {"name": it.name})
# a user's own subscriptions to warnings (DOMAIN.md §8)
handle.register(
    i.SubscribeWarnings,
    users.subscribe_warnings,
    lambda it, _: {"subscription_id": it.subscription_id},
)
handle.register(
    i.EndSubscription,
    users.end_subscription,
    lambda it, _: {"subscription_id": it.subscription_id},
)

"""Random command sequences against a plain in-memory reference of what the read side must
answer: balances per lot, as of several days and as known at several moments."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import initialize, invariant, precondition, rule

from commands.settings import Settings
from commands.store import EventStore
from ledger.calendar import WAREHOUSE_ZONE, end_of_day
from ledger.errors import LedgerError
from projections.queries import Filters, When
from tests.integration.machines import OnADatabase, run_on_postgres, run_on_sqlite
from tests.integration.test_read_models import ReadSide
from tests.support import (
    OWNER_B,
    Harness,
    dispatch,
    ex_warehousing,
    line,
    receipt,
    transfer,
    warehousing,
    world,
)

START = datetime(2026, 1, 5, 9, 0, tzinfo=WAREHOUSE_ZONE)


@dataclass
class Record:
    lot: str
    version: int
    effective: datetime
    recorded: datetime
    on_hand: Decimal
    in_transit: Decimal
    reversed_at: datetime | None = None
    partner: tuple[str, int] | None = None  # the other side of a split


@dataclass
class Reference:
    """What the ledger recorded, kept as plain rows: no folds, no rules."""

    records: list[Record] = field(default_factory=list)
    versions: dict[str, int] = field(default_factory=dict)

    def add(
        self,
        lot: str,
        effective: datetime,
        recorded: datetime,
        on_hand: str = "0",
        in_transit: str = "0",
    ) -> Record:
        self.versions[lot] = self.versions.get(lot, 0) + 1
        record = Record(
            lot, self.versions[lot], effective, recorded, Decimal(on_hand), Decimal(in_transit)
        )
        self.records.append(record)
        return record

    def bump(self, lot: str) -> None:
        self.versions[lot] = self.versions.get(lot, 0) + 1

    def balance(self, lot: str, day: date, known: datetime) -> tuple[Decimal, Decimal]:
        return self.balance_at(lot, end_of_day(day), known)

    def balance_at(self, lot: str, end: datetime, known: datetime) -> tuple[Decimal, Decimal]:
        on_hand = in_transit = Decimal(0)
        for r in self.records:
            if r.lot != lot or r.recorded > known or r.effective > end:
                continue
            if r.reversed_at is not None and r.reversed_at <= known:
                continue
            on_hand += r.on_hand
            in_transit += r.in_transit
        return on_hand, in_transit

    def lots(self) -> list[str]:
        return sorted(self.versions)


class LedgerMachine(OnADatabase):
    @initialize()
    def start(self) -> None:
        self.store = EventStore(Settings(self.url).event_store_env())
        self.ledger = Harness(self.store)
        self.ledger.now = START
        self.ledger.given(*world())
        self.read = ReadSide(self.store)
        self.reference = Reference()
        self.declarations = 0
        self.moments: list[datetime] = [START]

    def teardown(self) -> None:
        self.store.close()

    def _attempt(self, command: dict[str, Any]) -> dict[str, Any] | None:
        try:
            return self.ledger.outcome(command).result
        except LedgerError:
            return None

    def _day(self, back: int) -> str:
        return (self.ledger.now - timedelta(days=back, hours=1)).isoformat()

    @rule(quantity=st.integers(1, 50), back=st.integers(0, 3))
    def warehouse(self, quantity: int, back: int) -> None:
        self.declarations += 1
        no = f"R{self.declarations}"
        when = self.ledger.now - timedelta(days=back, hours=2)
        command = warehousing(
            no,
            line(1, str(quantity)),
            registered_on=when.date().isoformat(),
            effective_at=when.isoformat(),
        )
        if self._attempt(command) is not None:
            self.reference.add(f"{no}/1", when, self.ledger.now, on_hand=str(quantity))

    @precondition(lambda self: self.reference.lots())
    @rule(pick=st.integers(0, 10_000), quantity=st.integers(1, 30), back=st.integers(0, 6))
    def ex_warehouse(self, pick: int, quantity: int, back: int) -> None:
        lot = self.reference.lots()[pick % len(self.reference.lots())]
        command = ex_warehousing(
            lot,
            str(quantity),
            self._day(back),
            destination="non_tariff_zone",
            export_declaration_no=None,
            border_gate=None,
        )
        if self._attempt(command) is not None:
            self.reference.add(
                lot,
                datetime.fromisoformat(command["effective_at"]),
                self.ledger.now,
                on_hand=str(-quantity),
            )

    @precondition(lambda self: self.reference.lots())
    @rule(
        pick=st.integers(0, 10_000),
        quantity=st.integers(1, 30),
        back=st.integers(0, 6),
        move=st.booleans(),
    )
    def split(self, pick: int, quantity: int, back: int, move: bool) -> None:
        lot = self.reference.lots()[pick % len(self.reference.lots())]
        when = self._day(back)
        command = (
            dispatch(lot, str(quantity), when)
            if move
            else transfer(
                lot, str(quantity), when, new_owner_tax_code=OWNER_B, new_contract_no="C-B-W1"
            )
        )
        result = self._attempt(command)
        if result is None:
            return
        effective = datetime.fromisoformat(when)
        child = result["lot_id"]
        if child == lot:  # the whole quantity: the lot keeps its id
            if move:
                self.reference.add(lot, effective, self.ledger.now, f"-{quantity}", str(quantity))
            else:
                self.reference.bump(lot)
            return
        parent = self.reference.add(lot, effective, self.ledger.now, on_hand=f"-{quantity}")
        kept = self.reference.add(
            child,
            effective,
            self.ledger.now,
            on_hand="0" if move else str(quantity),
            in_transit=str(quantity) if move else "0",
        )
        parent.partner, kept.partner = (child, kept.version), (lot, parent.version)

    @precondition(lambda self: self.reference.lots())
    @rule(pick=st.integers(0, 10_000), back=st.integers(0, 2))
    def receive(self, pick: int, back: int) -> None:
        lot = self.reference.lots()[pick % len(self.reference.lots())]
        when = self._day(back)
        on_the_way = self.reference.balance_at(lot, datetime.fromisoformat(when), self.ledger.now)[
            1
        ]
        if self._attempt(receipt(lot, when)) is not None:
            self.reference.add(
                lot,
                datetime.fromisoformat(when),
                self.ledger.now,
                on_hand=str(on_the_way),
                in_transit=str(-on_the_way),
            )

    @precondition(lambda self: self.reference.records)
    @rule(pick=st.integers(0, 10_000))
    def reverse(self, pick: int) -> None:
        record = self.reference.records[pick % len(self.reference.records)]
        command = {
            "command": "reverse_entry",
            "lot_id": record.lot,
            "version": record.version,
            "reason": "random",
        }
        if self._attempt(command) is None:
            return
        self.reference.bump(record.lot)
        record.reversed_at = self.ledger.now
        if record.partner is not None:
            self.reference.bump(record.partner[0])
            for other in self.reference.records:
                if (other.lot, other.version) == record.partner:
                    other.reversed_at = self.ledger.now

    @rule(hours=st.integers(1, 72))
    def time_passes(self, hours: int) -> None:
        self.ledger.now += timedelta(hours=hours)
        self.moments.append(self.ledger.now)

    @invariant()
    def read_models_agree_with_the_reference(self) -> None:
        if not hasattr(self, "reference"):
            return
        days = sorted(
            {
                m.astimezone(WAREHOUSE_ZONE).date() - timedelta(days=d)
                for m in self.moments[-3:]
                for d in (0, 2)
            }
        )
        knowns = [None, *self.moments[-3:]]
        for known in knowns:
            for day in days:
                rows = self.read.ask("balances", Filters(), When(day, known))
                got = {r["lot_id"]: (Decimal(r["on_hand"]), Decimal(r["in_transit"])) for r in rows}
                moment = known or self.ledger.now
                expected = {}
                for lot in self.reference.lots():
                    balance = self.reference.balance(lot, day, moment)
                    if sum(balance) > 0:
                        expected[lot] = balance
                assert got == expected, (day, known)


def test_the_read_models_agree_with_a_reference_on_sqlite() -> None:
    run_on_sqlite(LedgerMachine, examples=40, steps=25)


@pytest.mark.postgres
def test_the_read_models_agree_with_a_reference_on_postgres(postgres_url: str) -> None:
    del postgres_url  # ensures the server answers (or fails under CI); each example gets a schema
    run_on_postgres(LedgerMachine, examples=15, steps=20)

"""Random e-commerce orders, reversals and backdated orders against a plain model of what
DOMAIN.md §7 says they leave: the licence line's and each buyer's allowance balance, and the
lot's stock. The ledger's own folds must agree with the model after every step, and the read
side must agree with it as of several days and as known at several moments.

The model has no folds and no rules engine: a list of orders, each with its basis, its dates
and, once reversed, when.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import initialize, invariant, precondition, rule

from commands.settings import Settings
from commands.store import EventStore
from commands.unit_of_work import UnitOfWork
from ledger.calendar import end_of_day, local_date
from ledger.errors import LedgerError
from ledger.users import OPERATOR
from projections.queries import When
from tests.integration.machines import OnADatabase, run_on_postgres, run_on_sqlite
from tests.integration.test_read_models import ReadSide
from tests.support import NOW, Harness, goods_list, licence, line, order, warehousing, world

STOCK = Decimal(60)  # pieces in lot D1/1
GRANTED = Decimal(30)  # on licence L1's only line
EXEMPT = Decimal(5)  # a buyer's exempt quantity a year under the goods list
EXEMPTION_VALUE = Decimal(1_000_000)  # the pack's
BUYERS = ("B-1", "B-2", "B-3")


@dataclass
class Order:
    order_no: str
    version: int  # on the lot
    buyer: str
    quantity: Decimal
    basis: str
    effective: datetime
    recorded: datetime
    reversed_at: datetime | None = None

    def standing(self, day: date | None = None, known: datetime | None = None) -> bool:
        if day is not None and self.effective > end_of_day(day):
            return False
        if known is not None and self.recorded > known:
            return False
        return self.reversed_at is None or (known is not None and self.reversed_at > known)


@dataclass
class Model:
    orders: list[Order] = field(default_factory=list)

    def deducted(self, day: date | None = None, known: datetime | None = None) -> Decimal:
        return sum(
            (o.quantity for o in self.orders if o.basis == "deducted" and o.standing(day, known)),
            Decimal(0),
        )

    def used(
        self, buyer: str, year: int, day: date | None = None, known: datetime | None = None
    ) -> Decimal:
        return sum(
            (
                o.quantity
                for o in self.orders
                if o.basis == "quantity_list"
                and o.buyer == buyer
                and local_date(o.effective).year == year
                and o.standing(day, known)
            ),
            Decimal(0),
        )

    def sold(self) -> Decimal:
        return sum((o.quantity for o in self.orders if o.standing()), Decimal(0))

    def basis(self, buyer: str, quantity: Decimal, value: Decimal, effective: datetime) -> str:
        """§7's order, for goods whose entry requires a licence and exempts 5 a year."""
        if value <= EXEMPTION_VALUE:
            return "low_value"
        if self.used(buyer, local_date(effective).year) + quantity <= EXEMPT:
            return "quantity_list"
        return "deducted"


class OrderMachine(OnADatabase):
    @initialize()
    def start(self) -> None:
        self.store = EventStore(Settings(self.url).event_store_env())
        self.ledger = Harness(self.store)
        self.ledger.given(
            *world(),
            warehousing("D1", line(1, str(STOCK))),
            goods_list(),
            licence("L1", str(GRANTED)),
        )
        self.read = ReadSide(self.store)
        self.model = Model()
        self.version = 1  # the lot's
        self.moments: list[datetime] = [NOW]
        self.numbers = 0

    def teardown(self) -> None:
        self.store.close()

    @rule(
        buyer=st.sampled_from(BUYERS),
        quantity=st.integers(1, 7),
        low=st.booleans(),
        back=st.integers(0, 40),
    )
    def order(self, buyer: str, quantity: int, low: bool, back: int) -> None:
        """An order, backdated by up to 40 days."""
        self.numbers += 1
        effective = self.ledger.now - timedelta(days=back, hours=1)
        value = Decimal(500_000 if low else 2_000_000)
        q = Decimal(quantity)
        command = order(
            f"O-{self.numbers}",
            str(q),
            str(value),
            buyer=buyer,
            when=effective.isoformat(),
            licence_nos=["L1"] if self.numbers % 2 else [],
        )
        basis = self.model.basis(buyer, q, value, effective)
        licence_short = basis == "deducted" and self.model.deducted() + q > GRANTED
        stock_short = self.model.sold() + q > STOCK
        try:
            result = self.ledger.outcome(command).result
        except LedgerError as error:
            assert licence_short or stock_short, error.as_dict()
            if licence_short and not stock_short:
                assert error.code in ("licence_required", "licence_not_usable"), error.as_dict()
            return
        assert not (licence_short or stock_short), (basis, licence_short, stock_short)
        assert result["basis"] == basis
        self.version += 1
        self.model.orders.append(
            Order(f"O-{self.numbers}", self.version, buyer, q, basis, effective, self.ledger.now)
        )

    @precondition(lambda self: any(o.reversed_at is None for o in self.model.orders))
    @rule(pick=st.integers(0, 10_000))
    def reverse(self, pick: int) -> None:
        """Reversing an order gives its stock, deduction and allowance back."""
        standing = [o for o in self.model.orders if o.reversed_at is None]
        chosen = standing[pick % len(standing)]
        self.ledger.outcome(
            {
                "command": "reverse_entry",
                "lot_id": "D1/1",
                "version": chosen.version,
                "reason": "order cancelled",
            }
        )
        self.version += 1
        chosen.reversed_at = self.ledger.now

    @rule(hours=st.integers(1, 24))
    def time_passes(self, hours: int) -> None:
        self.ledger.now += timedelta(hours=hours)
        self.moments.append(self.ledger.now)

    @invariant()
    def the_ledger_agrees_with_the_model(self) -> None:
        if not hasattr(self, "model"):
            return
        recorded = UnitOfWork(self.store)
        remaining = recorded.licence("L1").remaining(1)
        assert remaining == GRANTED - self.model.deducted() >= 0
        for buyer in BUYERS:
            for year in (2026, 2027):
                used = recorded.allowance(buyer, year).used("8542")
                assert used == self.model.used(buyer, year) <= EXEMPT
        facts = recorded.lot("D1/1").current()
        assert facts is not None and facts.on_hand == STOCK - self.model.sold() >= 0

    @invariant()
    def the_read_side_agrees_as_of_and_as_known(self) -> None:
        if not hasattr(self, "model"):
            return
        days = sorted(
            {local_date(m) - timedelta(days=d) for m in self.moments[-2:] for d in (0, 10)}
        )
        for known in (None, *self.moments[-2:]):
            for day in days:
                when = When(day, known)
                rows = self.read.ask("licences", OPERATOR, when)
                assert [(r["licence_no"], Decimal(r["deducted"])) for r in rows] == [
                    ("L1", self.model.deducted(day, known))
                ], when
                for buyer in BUYERS:
                    (row,) = self.read.ask("allowance", OPERATOR, buyer, day.year, when)
                    assert Decimal(row["used"]) == self.model.used(buyer, day.year, day, known)


def test_orders_reversals_and_backdating_agree_with_a_plain_model_on_sqlite() -> None:
    run_on_sqlite(OrderMachine, examples=25, steps=25)


@pytest.mark.postgres
def test_orders_reversals_and_backdating_agree_with_a_plain_model_on_postgres(
    postgres_url: str,
) -> None:
    del postgres_url  # ensures the server answers (or fails under CI); each example gets a schema
    run_on_postgres(OrderMachine, examples=8, steps=20)

"""A lot's states on both time axes (``rm_lot_states``): what it held, where and with whom,
from one local day to the next (each state from the start of the day whose end it holds), as
the ledger knew it from one recorded moment to the next. Every holding question (balances,
clocks, overdue) asks for the end of a day, and is one indexed range query on it:

    effective_from <= end of as_of < effective_to AND recorded_from <= known_at < recorded_to

A lot's timeline is the fold of its active movements in effective order (version breaking
ties), the facts set applied by ``ledger.facts.take`` as the ledger's own fold applies them.
When an event is recorded (or reversed) at R, the lot's timeline is computed again; the states
it no longer has are closed at R (``recorded_to = R``) and the new ones start at R. An entry
appended in effective order replaces its day's state (closes one and opens one, or two on a
new day); a backdated one or a reversal closes and opens one for each later day it changes,
not one for each later entry. States with nothing in the lot are not kept: no holding
question returns them.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import lru_cache
from sys import maxsize
from typing import Any

from sqlalchemy import Connection, and_, bindparam, delete, select, update

from ledger.calendar import end_of_day, local_date, start_of_day
from ledger.facts import Changes, take
from ledger.numbers import decimal_text
from projections import tables as t
from projections.bulk import insert_rows
from projections.exact import from_parts

END = datetime(9999, 12, 31, tzinfo=UTC)  # "until further notice" on both axes
ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class Movement:
    """One active entry of a lot, as its timeline needs it."""

    effective_at: datetime
    version: int
    on_hand: Decimal
    in_transit: Decimal
    changes: Changes


@dataclass(slots=True)
class _Running:
    """The fold's accumulator: a ``ledger.facts.Standing`` with balances."""

    warehouse_id: str = ""
    goods_owner_tax_code: str = ""
    contract_no: str | None = None
    declared_expires_on: date | None = None
    extension_days: int = 0
    on_hand: Decimal = ZERO
    in_transit: Decimal = ZERO

    def values(self) -> tuple[Any, ...]:
        return (
            self.warehouse_id,
            self.goods_owner_tax_code,
            self.contract_no,
            self.declared_expires_on,
            self.extension_days,
            self.on_hand,
            self.in_transit,
        )


@dataclass(frozen=True, slots=True)
class State:
    effective_from: datetime
    effective_to: datetime
    warehouse_id: str
    goods_owner_tax_code: str
    contract_no: str | None
    declared_expires_on: date | None
    extension_days: int  # added by the lot's own entries to what it was created with
    on_hand: Decimal
    in_transit: Decimal


def timeline(movements: Iterable[Movement]) -> list[State]:
    """The lot's states with goods in them, in effective order. None unless its creation
    (version 1) is active and first, as ``ledger.lot.Lot.replay`` requires."""
    ordered = sorted(movements, key=lambda m: (m.effective_at, m.version))
    if not ordered or ordered[0].version != 1:
        return []
    return _states(_points(ordered, _Running(), []))


Point = tuple[datetime, tuple[Any, ...]]  # a day the lot's values change (its start), the values


def _points(ordered: Sequence[Movement], running: _Running, points: list[Point]) -> list[Point]:
    """Folds ``ordered`` on from ``running``, appending to ``points`` a point for each local
    day after whose last movement the values differ from the point before: every holding
    question asks for the end of a day, so a state lasts at least a day, and a lot with
    thousands of orders a day has one state a day, not one an order."""
    last = len(ordered) - 1
    for index, movement in enumerate(ordered):
        running.on_hand += movement.on_hand
        running.in_transit += movement.in_transit
        take(running, movement.changes)
        if index < last and ordered[index + 1].effective_at <= _day_end(movement.effective_at):
            continue  # not the day's last movement
        if not points or points[-1][1] != running.values():
            points.append((_day_start(movement.effective_at), running.values()))
    return points


@lru_cache(maxsize=4096)
def _day_of(moment: datetime) -> date:
    return local_date(moment)


def _day_start(moment: datetime) -> datetime:
    return start_of_day(_day_of(moment))


def _day_end(moment: datetime) -> datetime:
    return end_of_day(_day_of(moment))


def _states(points: Sequence[Point], end: datetime = END) -> list[State]:
    """The states of ``points`` with goods in them, the last one lasting until ``end``."""
    ends = [moment for moment, _ in points[1:]] + [end]
    return [
        State(start, until, *values)
        for (start, values), until in zip(points, ends, strict=True)
        if values[-2] + values[-1] > 0
    ]


def _takes_out(movement: Movement) -> bool:
    return movement.on_hand < 0 and not movement.in_transit and movement.changes == NO_CHANGE


NO_CHANGE = Changes()


def _less(values: tuple[Any, ...], on_hand: Decimal) -> tuple[Any, ...]:
    """``values`` with ``on_hand`` added to their on-hand balance (the one before last)."""
    return (*values[:-2], values[-2] + on_hand, values[-1])


@dataclass(slots=True)
class _Kept:
    state: State
    recorded_from: datetime
    stored: bool


def _key(movement: Movement) -> tuple[datetime, int]:
    return movement.effective_at, movement.version


@dataclass
class LotStates:
    """One lot's active movements and its states as known now.

    Beside the movements it keeps them in effective order and the points where the lot's
    values change, so that a movement added or removed refolds only what follows it: one
    appended in effective order costs what it costs on a fresh lot."""

    movements: dict[int, Movement] = field(default_factory=dict)
    current: dict[datetime, _Kept] = field(default_factory=dict)  # by effective_from
    ordered: list[Movement] = field(default_factory=list)  # in effective order, version next
    points: list[Point] = field(default_factory=list)
    added: Movement | None = None  # the movement ``add`` added last, for ``refold``

    def add(self, movement: Movement) -> datetime:
        """Adds an active movement; answers its moment, from which the timeline changes."""
        self.movements[movement.version] = movement
        insort(self.ordered, movement, key=_key)
        self.added = movement
        return movement.effective_at

    def remove(self, version: int) -> datetime | None:
        """Removes a movement (a reversal); answers its moment, or None if it had none."""
        movement = self.movements.pop(version, None)
        if movement is None:
            return None
        index = bisect_left(self.ordered, _key(movement), key=_key)
        del self.ordered[index]
        self.added = None
        return movement.effective_at

    def refold(self, moment: datetime) -> tuple[list[datetime], list[State]]:
        """Folds the timeline again from the last point of a day before ``moment``'s (or
        from the start): the effective starts of the states it had from there, and the states
        it has now. A movement after every other one is folded on from the last point."""
        if not self.ordered or self.ordered[0].version != 1:
            old = list(self.current)
            self.points = []
            return old, []
        added, self.added = self.added, None
        if added is not None and self.ordered[-1] is added and self.points and self._newest():
            return self._appended()
        if added is not None and added.effective_at == moment and _takes_out(added):
            shifted = self._taken_out(added)
            if shifted is not None:
                return shifted
        at = bisect_left(self.points, _day_start(moment), key=lambda point: point[0]) - 1
        if at < 0 or _day_start(self.ordered[0].effective_at) >= _day_start(moment):
            old = list(self.current)
            self.points = _points(self.ordered, _Running(), [])
            return old, _states(self.points)
        since = self.points[at]
        old = [start for start, _ in self.points[at:] if start in self.current]
        running = _Running(*since[1])
        first = bisect_right(self.ordered, (_day_end(since[0]), maxsize), key=_key)
        del self.points[at + 1 :]
        _points(self.ordered[first:], running, self.points)
        return old, _states(self.points[at:])

    def _taken_out(self, movement: Movement) -> tuple[list[datetime], list[State]] | None:
        """A late movement that only takes goods out lowers the on-hand balance at the end of
        its day and of every later day, and changes nothing else: the points from its day on
        are shifted, not folded again (a hot lot's day may hold thousands of movements).
        None when it falls on the lot's first day (folded again from the start)."""
        day = _day_start(movement.effective_at)
        at = bisect_left(self.points, day, key=lambda point: point[0])
        if at == 0:
            return None
        old = [start for start, _ in self.points[at - 1 :] if start in self.current]
        taken = movement.on_hand  # negative
        if at == len(self.points) or self.points[at][0] != day:  # the day changed nothing
            self.points.insert(at, (day, self.points[at - 1][1]))
        self.points[at:] = [(start, _less(values, taken)) for start, values in self.points[at:]]
        if self.points[at][1] == self.points[at - 1][1]:  # now its day changes nothing
            del self.points[at]
        return old, _states(self.points[at - 1 :])

    def _newest(self) -> bool:
        """The last movement is alone at its moment, after every other."""
        return (
            len(self.ordered) < 2 or self.ordered[-2].effective_at < self.ordered[-1].effective_at
        )

    def _appended(self) -> tuple[list[datetime], list[State]]:
        """The last movement folded on from the values after every other one (the last
        point's: a day that changed nothing has none)."""
        movement = self.ordered[-1]
        at = max(len(self.points) - 2, 0)  # the state before the last may end elsewhere now
        old = [start for start, _ in self.points[at:] if start in self.current]
        day = _day_start(movement.effective_at)
        last_day, last_values = self.points[-1]
        if day == last_day:  # the day's point is folded again from the day before's
            self.points.pop()
        _points([movement], _Running(*last_values), self.points)
        return old, _states(self.points[at:])


@dataclass
class StateWrites:
    """What a batch changes in ``rm_lot_states``, written at its end."""

    deletes: list[dict[str, Any]] = field(default_factory=list)
    closes: list[dict[str, Any]] = field(default_factory=list)
    inserts: list[dict[str, Any]] = field(default_factory=list)


def revise(
    lot_id: str, lot: LotStates, moment: datetime, recorded_at: datetime, writes: StateWrites
) -> None:
    """Brings the lot's states as known from ``recorded_at`` in line with its movements,
    which changed at the effective ``moment``: only the states from there on are compared."""
    starts, states = lot.refold(moment)
    new = {state.effective_from: state for state in states}
    for start in starts:
        kept = lot.current[start]
        if new.get(start) == kept.state:
            del new[start]
            continue
        del lot.current[start]
        key = {"k_lot_id": lot_id, "k_from": start, "k_recorded": kept.recorded_from}
        if kept.stored and kept.recorded_from == recorded_at:
            writes.deletes.append(key)
        elif kept.stored:
            writes.closes.append({**key, "recorded_to": recorded_at})
        elif kept.recorded_from < recorded_at:
            writes.inserts.append(state_row(lot_id, kept, recorded_at))
    for start, state in new.items():
        lot.current[start] = _Kept(state, recorded_at, stored=False)


def state_row(lot_id: str, kept: _Kept, recorded_to: datetime = END) -> dict[str, Any]:
    state = kept.state
    return {
        "lot_id": lot_id,
        "effective_from": state.effective_from,
        "effective_to": state.effective_to,
        "recorded_from": kept.recorded_from,
        "recorded_to": recorded_to,
        "warehouse_id": state.warehouse_id,
        "goods_owner_tax_code": state.goods_owner_tax_code,
        "contract_no": state.contract_no,
        "declared_expires_on": state.declared_expires_on,
        "extension_days": state.extension_days,
        "on_hand": decimal_text(state.on_hand),
        "in_transit": decimal_text(state.in_transit),
    }


def write(connection: Connection, lots: dict[str, LotStates], writes: StateWrites) -> None:
    """Writes a batch's changes, then every state of ``lots`` (those the batch touched) not
    stored yet, as known until further notice."""
    s = t.lot_states.c
    key = and_(
        s.lot_id == bindparam("k_lot_id"),
        s.effective_from == bindparam("k_from"),
        s.recorded_from == bindparam("k_recorded"),
    )
    if writes.deletes:
        connection.execute(delete(t.lot_states).where(key), writes.deletes)
    if writes.closes:
        connection.execute(update(t.lot_states).where(key), writes.closes)
    inserts = writes.inserts
    for lot_id, lot in lots.items():
        for kept in lot.current.values():
            if not kept.stored:
                inserts.append(state_row(lot_id, kept))
                kept.stored = True
    insert_rows(connection, t.lot_states, inserts)


def load(connection: Connection, lot_ids: Sequence[str]) -> dict[str, LotStates]:
    """The lots' active movements and their states as known now, from the read model."""
    found = {lot_id: LotStates() for lot_id in lot_ids}
    h, s = t.lot_history.c, t.lot_states.c
    for start in range(0, len(lot_ids), 500):
        chunk = lot_ids[start : start + 500]
        rows = connection.execute(
            select(t.lot_history).where(h.lot_id.in_(chunk), h.reversed_at.is_(None))
        ).mappings()
        for row in rows:
            movement = movement_of(row)
            if movement is not None:
                found[row["lot_id"]].movements[row["version"]] = movement
        rows = connection.execute(
            select(t.lot_states).where(s.lot_id.in_(chunk), s.recorded_to == END)
        ).mappings()
        for row in rows:
            state = State(
                row["effective_from"],
                row["effective_to"],
                row["warehouse_id"],
                row["goods_owner_tax_code"],
                row["contract_no"],
                row["declared_expires_on"],
                row["extension_days"],
                Decimal(row["on_hand"]),
                Decimal(row["in_transit"]),
            )
            found[row["lot_id"]].current[state.effective_from] = _Kept(
                state, row["recorded_from"], stored=True
            )
    for lot in found.values():
        lot.ordered = sorted(lot.movements.values(), key=_key)
        if lot.ordered and lot.ordered[0].version == 1:
            lot.points = _points(lot.ordered, _Running(), [])
    return found


def movement_of(row: Any) -> Movement | None:
    """A lot history row as a movement; None for one that moves and sets nothing (a hold, a
    reversal) and is not a lot's creation."""
    changes = Changes(
        row["warehouse_id"],
        row["goods_owner_tax_code"],
        row["sets_terms"],
        row["contract_no"],
        row["declared_expires_on"],
        row["extension_days"],
    )
    on_hand = from_parts(row["on_hand_units"], row["on_hand_nanos"])
    in_transit = from_parts(row["in_transit_units"], row["in_transit_nanos"])
    if row["version"] != 1 and not on_hand and not in_transit and changes == Changes():
        return None
    return Movement(row["effective_at"], row["version"], on_hand, in_transit, changes)

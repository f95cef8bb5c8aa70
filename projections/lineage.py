"""A lot's lineage and the marks on its storage clock (DOMAIN.md §2, §4), in SQL over the lot
history, each from indexed queries only:

- the family: the lots of the same declaration line (``rm_lot_origins`` by its declaration's
  index, narrowed to ids under the root's), linked by ``parent_lot_id``;
- the entries that create, split, hand over, move, extend or hold (``rm_lot_history`` by the
  index of (lot, kind)): a lot of 100,000 ex-warehousings or orders has as few of these as a
  fresh one;
- each lot's last state by the end of the day (``rm_lot_states``, one row from the end of its
  index range).

Every answer holds at the end of ``as_of`` as the ledger knew it at ``known_at``: an entry is
counted once it took effect and was recorded by then, and not if its reversal was recorded by
then (it is still listed, marked reversed, as on the stock card).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from itertools import pairwise
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, case, literal, or_, select

from ledger.calendar import WAREHOUSE_ZONE, local_date
from ledger.clock import contract_expiry, deadline, first_warehousing_date, statutory_limit
from ledger.events import (
    HoldPlaced,
    HoldReleased,
    LotLiquidated,
    LotSplitOff,
    LotWarehoused,
    MoveDispatched,
    MoveReceived,
    OwnershipTransferred,
    StorageExtended,
)
from ledger.numbers import decimal_text
from ledger.rulepacks import RulePack
from projections import tables as t
from projections.answers import When
from projections.exact import from_parts
from projections.holdings import Dates
from projections.projector import load_contracts
from projections.states import END

Row = dict[str, Any]
h = t.lot_history.c
o = t.lot_origins.c
s = t.lot_states.c

CREATIONS = (LotWarehoused.__name__, LotSplitOff.__name__)
HANDOVERS = {OwnershipTransferred.__name__: "transfer", MoveDispatched.__name__: "move"}
MARKED = (
    *CREATIONS,
    *HANDOVERS,
    MoveReceived.__name__,
    StorageExtended.__name__,
    HoldPlaced.__name__,
    HoldReleased.__name__,
    LotLiquidated.__name__,
)
CHUNK = 500


@dataclass(frozen=True)
class Entry:
    """One history row of a marked kind, as known at the moment asked."""

    lot_id: str
    version: int
    kind: str
    related_lot_id: str | None
    effective_at: datetime
    recorded_at: datetime
    delta: Decimal  # what it adds to the lot's on hand and in transit together
    extension_days: int
    warehouse_id: str | None
    goods_owner_tax_code: str | None
    reversed: bool

    @property
    def cause(self) -> str | None:
        """A handover's kind: ``transfer`` or ``move``."""
        return HANDOVERS.get(self.kind)

    @property
    def splits(self) -> bool:
        return self.kind in HANDOVERS and self.related_lot_id is not None


@dataclass(frozen=True)
class Origin:
    lot_id: str
    parent_lot_id: str | None
    declaration_no: str
    hs_code: str
    description: str
    unit: str
    registered_on: date
    first_warehoused_on: date
    extension_days: int


@dataclass
class Node:
    origin: Origin
    creation: Entry | None = None
    children: list[str] = field(default_factory=list)


def _reversed(when: When) -> ColumnElement[bool]:
    if when.known_at is None:
        return h.reversed_at.is_not(None)
    return and_(h.reversed_at.is_not(None), h.reversed_at <= when.known_at)


def _known(when: When) -> list[ColumnElement[bool]]:
    """Entries that took effect by the end of ``as_of`` and were recorded by ``known_at``."""
    found = [h.effective_at <= when.end]
    if when.known_at is not None:
        found.append(h.recorded_at <= when.known_at)
    return found


def marked_entries(
    connection: Connection, lot_ids: Sequence[str], when: When, kinds: Sequence[str] = MARKED
) -> list[Entry]:
    """The lots' entries of these kinds, in effective order (version breaking ties)."""
    found: list[Entry] = []
    for start in range(0, len(lot_ids), CHUNK):
        query = select(
            h.lot_id,
            h.version,
            h.kind,
            h.related_lot_id,
            h.effective_at,
            h.recorded_at,
            h.on_hand_units,
            h.on_hand_nanos,
            h.in_transit_units,
            h.in_transit_nanos,
            h.extension_days,
            h.warehouse_id,
            h.goods_owner_tax_code,
            case((_reversed(when), literal(True)), else_=literal(False)).label("reversed"),
        ).where(h.lot_id.in_(lot_ids[start : start + CHUNK]), h.kind.in_(kinds), *_known(when))
        for row in connection.execute(query).mappings():
            found.append(
                Entry(
                    row["lot_id"],
                    row["version"],
                    row["kind"],
                    row["related_lot_id"],
                    row["effective_at"],
                    row["recorded_at"],
                    from_parts(
                        row["on_hand_units"] + row["in_transit_units"],
                        row["on_hand_nanos"] + row["in_transit_nanos"],
                    ),
                    row["extension_days"],
                    row["warehouse_id"],
                    row["goods_owner_tax_code"],
                    bool(row["reversed"]),
                )
            )
    found.sort(key=lambda e: (e.effective_at, e.version))
    return found


def _origin(row: Any) -> Origin:
    return Origin(
        row["lot_id"],
        row["parent_lot_id"],
        row["declaration_no"],
        row["hs_code"],
        row["description"],
        row["unit"],
        row["registered_on"],
        row["first_warehoused_on"],
        row["extension_days"],
    )


def origin_of(connection: Connection, lot_id: str) -> Origin | None:
    row = connection.execute(select(t.lot_origins).where(o.lot_id == lot_id)).mappings().first()
    return _origin(row) if row is not None else None


def path_to(connection: Connection, lot_id: str) -> list[Origin]:
    """The lot's ancestors, root first, and the lot itself: one lookup by key a generation."""
    path: list[Origin] = []
    found = origin_of(connection, lot_id)
    while found is not None and len(path) < 1000:
        path.append(found)
        found = origin_of(connection, found.parent_lot_id) if found.parent_lot_id else None
    return path[::-1]


def family(connection: Connection, root: Origin) -> dict[str, Origin]:
    """Every lot descending from ``root`` and itself: a split's id is its parent's and
    ``.n``, so they are the declaration's lots (its index) under the root's id, each then
    linked to the root by its parents."""
    query = select(t.lot_origins).where(
        o.declaration_no == root.declaration_no,
        or_(o.lot_id == root.lot_id, o.lot_id.startswith(root.lot_id + ".", autoescape=True)),
    )
    found = {row["lot_id"]: _origin(row) for row in connection.execute(query).mappings()}
    linked: dict[str, Origin] = {}

    def reaches_root(lot_id: str) -> bool:
        seen = 0
        current: str | None = lot_id
        while current is not None and current in found and seen < 1000:
            if current == root.lot_id:
                return True
            current = found[current].parent_lot_id
            seen += 1
        return False

    for lot_id, origin in found.items():
        if reaches_root(lot_id):
            linked[lot_id] = origin
    return linked


@dataclass(frozen=True)
class LastState:
    """A lot's last state with goods by the end of ``as_of``, and whether it still holds
    them then."""

    holds: bool
    warehouse_id: str
    goods_owner_tax_code: str
    contract_no: str | None
    declared_expires_on: date | None
    extension_days: int
    on_hand: str
    in_transit: str


def last_state(connection: Connection, lot_id: str, when: When) -> LastState | None:
    """From the end of the lot's index range on ``rm_lot_states``: its last state with goods
    that began by the end of ``as_of``, as known at ``known_at``."""
    query = select(t.lot_states).where(s.lot_id == lot_id, s.effective_from <= when.end)
    if when.known_at is None:
        query = query.where(s.recorded_to == END)
    else:
        query = query.where(s.recorded_from <= when.known_at, s.recorded_to > when.known_at)
    row = connection.execute(query.order_by(s.effective_from.desc()).limit(1)).mappings().first()
    if row is None:
        return None
    holds = row["effective_to"] > when.end
    return LastState(
        holds,
        row["warehouse_id"],
        row["goods_owner_tax_code"],
        row["contract_no"],
        row["declared_expires_on"],
        row["extension_days"],
        row["on_hand"] if holds else "0",
        row["in_transit"] if holds else "0",
    )


# --- the lineage --------------------------------------------------------------------------


def lineage(
    connection: Connection, lot_id: str, when: When, in_sight: Callable[[Iterable[str]], set[str]]
) -> list[Row]:
    """The lot's family tree from its root, in tree order (each lot before its children):
    each lot that came to be by the end of ``as_of`` and that the caller may see, with what it
    received, what it split off and what its children received, and its balance then."""
    path = path_to(connection, lot_id)
    if not path:
        return []
    nodes = {k: Node(v) for k, v in family(connection, path[0]).items()}
    entries = marked_entries(connection, sorted(nodes), when, (*CREATIONS, *HANDOVERS))
    split_out: dict[str, Decimal] = {}
    causes: dict[str, str] = {}  # each child: how it was split off
    for entry in entries:
        if entry.kind in CREATIONS:
            nodes[entry.lot_id].creation = entry
        elif entry.splits:
            assert entry.related_lot_id is not None
            causes[entry.related_lot_id] = entry.cause or ""
            if not entry.reversed:
                split_out[entry.lot_id] = split_out.get(entry.lot_id, Decimal(0)) - entry.delta
    existing = {k: node for k, node in nodes.items() if node.creation is not None}
    for k, node in sorted(existing.items()):
        parent = node.origin.parent_lot_id
        if parent in existing:
            existing[parent].children.append(k)
    seen = in_sight(existing)
    rows: list[Row] = []

    def visit(k: str, depth: int) -> None:
        node = existing[k]
        children = sorted(node.children, key=_split_order)
        if k in seen:
            received = sum((_received(existing[c]) for c in children), Decimal(0))
            split = split_out.get(k, Decimal(0))
            rows.append(_node_row(connection, node, depth, when, causes, split, received))
        for child in children:
            visit(child, depth + 1)

    root = path[0].lot_id
    if root in existing:
        visit(root, 0)
    return rows


def _received(node: Node) -> Decimal:
    """What a lot received at its creation, unless that was reversed."""
    creation = node.creation
    return Decimal(0) if creation is None or creation.reversed else creation.delta


def _split_order(lot_id: str) -> tuple[int, str]:
    tail = lot_id.rsplit(".", 1)[-1]
    return (int(tail), lot_id) if tail.isdigit() else (0, lot_id)


def _node_row(
    connection: Connection,
    node: Node,
    depth: int,
    when: When,
    causes: dict[str, str],
    split: Decimal,
    received: Decimal,
) -> Row:
    """A lot of the tree: what it received, split off (and its children received), what
    else left it (ex-warehoused, ordered, liquidated: the rest), and what it holds."""
    origin, creation = node.origin, node.creation
    assert creation is not None
    state = last_state(connection, origin.lot_id, when)
    split_off = creation.kind == LotSplitOff.__name__
    on_hand = state.on_hand if state else "0"
    in_transit = state.in_transit if state else "0"
    quantity_in = _received(node)
    taken_out = quantity_in - split - Decimal(on_hand) - Decimal(in_transit)
    return {
        "lot_id": origin.lot_id,
        "parent_lot_id": origin.parent_lot_id,
        "depth": depth,
        "cause": causes.get(origin.lot_id, "transfer") if split_off else "warehoused",
        "created_at": creation.effective_at.astimezone(WAREHOUSE_ZONE).isoformat(),
        "declaration_no": origin.declaration_no,
        "hs_code": origin.hs_code,
        "description": origin.description,
        "unit": origin.unit,
        "warehouse_id": state.warehouse_id if state else creation.warehouse_id,
        "goods_owner_tax_code": (
            state.goods_owner_tax_code if state else creation.goods_owner_tax_code
        ),
        "quantity_in": decimal_text(quantity_in),
        "split_out": decimal_text(split),
        "children_in": decimal_text(received),
        "balanced": split == received,
        "taken_out": decimal_text(Decimal(0) if creation.reversed else taken_out),
        "on_hand": on_hand,
        "in_transit": in_transit,
        "reversed": creation.reversed,
    }


# --- the storage clock's marks ------------------------------------------------------------

COMPUTED_ORDER = {
    "first_warehousing": 0,
    "storage_limit": 90,
    "extended_limit": 91,
    "contract_expiry": 92,
    "deadline": 99,
}


def clock_marks(
    connection: Connection,
    lot_id: str,
    when: When,
    pack: RulePack,
    in_sight: Callable[[Iterable[str]], set[str]],
) -> list[Row]:
    """The marks on the lot's storage clock by the end of ``as_of``: the first warehousing
    its clock counts from, the deadline and what it is the earlier of (the statutory limit,
    extended or not, and the contract's expiry), and the dated entries of the lot and of its
    ancestors before it was split off (warehousing, extensions, transfers, moves, the splits
    that made its line), in date order. An ancestor the caller may not see (another owner's
    lot) shows none of its entries: the lot's own first warehousing and extension, which it
    kept from it, say what the clock needs."""
    path = path_to(connection, lot_id)
    if not path:
        return []
    entries = marked_entries(connection, [p.lot_id for p in path], when)
    created = {e.lot_id: e for e in entries if e.kind in CREATIONS}
    if lot_id not in created or any(p.lot_id not in created for p in path):
        return []  # not yet, as of then or as known then
    seen = in_sight([p.lot_id for p in path[:-1]]) | {lot_id}
    causes = {e.related_lot_id: e.cause for e in entries if e.splits}
    rows: list[Row] = [_entry_mark(e, causes) for e in entries if e.lot_id == lot_id]
    for ancestor, child in pairwise(path):
        if ancestor.lot_id not in seen:
            continue
        split_at = created[child.lot_id]
        for entry in entries:
            if entry.lot_id != ancestor.lot_id or entry.effective_at > split_at.effective_at:
                continue
            if entry.kind in (HoldPlaced.__name__, HoldReleased.__name__, LotLiquidated.__name__):
                continue  # the lot's own, not its descendants'
            if entry.splits:
                continue  # each split on the path is marked by the lot it made
            rows.append(_entry_mark(entry, causes))
    rows.extend(_computed_marks(connection, path[-1], lot_id, when, pack))
    rows.sort(key=_mark_order)
    return rows


def _mark_order(row: Row) -> tuple[str, int, str, int]:
    return (
        row["on"],
        COMPUTED_ORDER.get(row["mark"], 50),
        row["at"] or "",
        row["version"] or 0,
    )


def _entry_mark(entry: Entry, causes: dict[str | None, str | None]) -> Row:
    kind = entry.kind
    if kind == LotWarehoused.__name__:
        mark = "warehoused"
    elif kind == LotSplitOff.__name__:
        mark = "split_off"
    elif entry.splits:
        mark = "split"
    elif kind == OwnershipTransferred.__name__:
        mark = "transfer"
    elif kind == MoveDispatched.__name__:
        mark = "move_dispatched"
    else:
        mark = {
            MoveReceived.__name__: "move_received",
            StorageExtended.__name__: "extension",
            HoldPlaced.__name__: "hold_placed",
            HoldReleased.__name__: "hold_released",
            LotLiquidated.__name__: "liquidated",
        }[kind]
    at = entry.effective_at.astimezone(WAREHOUSE_ZONE)
    if mark == "split_off":
        cause = causes.get(entry.lot_id)
    elif mark == "split":
        cause = entry.cause
    else:
        cause = None
    quantity = abs(entry.delta) if entry.delta else None
    return {
        "on": local_date(entry.effective_at).isoformat(),
        "at": at.isoformat(),
        "mark": mark,
        "lot_id": entry.lot_id,
        "version": entry.version,
        "related_lot_id": entry.related_lot_id,
        "cause": cause,
        "quantity": decimal_text(quantity) if quantity is not None else None,
        "days": entry.extension_days or None,
        "warehouse_id": entry.warehouse_id,
        "goods_owner_tax_code": entry.goods_owner_tax_code,
        "reversed": entry.reversed,
    }


def _computed_marks(
    connection: Connection, origin: Origin, lot_id: str, when: When, pack: RulePack
) -> list[Row]:
    """The first warehousing and the deadline, by ``ledger.clock`` from the lot's last state
    as the holding questions compute them (``projections.holdings``)."""
    state = last_state(connection, lot_id, when)
    if state is None:
        return []
    dates = Dates(
        origin.registered_on,
        origin.first_warehoused_on,
        origin.extension_days + state.extension_days,
        state.declared_expires_on,
    )
    contract = None
    if state.contract_no is not None:
        contract = load_contracts(connection, [state.contract_no], when.known_at).get(
            state.contract_no
        )
    first = first_warehousing_date(dates, pack)
    unextended = pack.storage_limit.after(first)
    extended = statutory_limit(dates, pack)
    expiry = contract_expiry(dates, contract, when.end)
    due = deadline(dates, pack, contract, when.end)
    marks: list[tuple[str, date, int | None]] = [
        ("first_warehousing", first, None),
        ("storage_limit", unextended, None),
    ]
    if extended != unextended:
        marks.append(("extended_limit", extended, dates.extension_days))
    if expiry is not None:
        marks.append(("contract_expiry", expiry, None))
    marks.append(("deadline", due, None))
    return [
        {
            "on": day.isoformat(),
            "at": None,
            "mark": mark,
            "lot_id": lot_id,
            "version": None,
            "related_lot_id": None,
            "cause": None,
            "quantity": None,
            "days": days,
            "warehouse_id": None,
            "goods_owner_tax_code": None,
            "reversed": False,
        }
        for mark, day, days in marks
    ]

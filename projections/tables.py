"""The read models' tables. Every one of them can be dropped and rebuilt from the events.

Quantities are kept as exact decimal text (SQLite has no exact decimal column); the rows a
query needs to sort or filter on carry plain flags and dates beside them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
)
from sqlalchemy.engine import Dialect


class UTCDateTime(TypeDecorator[datetime]):
    """A moment stored as UTC on every backend (SQLite keeps no offset), read back aware."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("a moment without a timezone cannot be stored")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return value.replace(tzinfo=UTC) if value is not None else None


metadata = MetaData()


def lot_identity() -> list[Column[Any]]:
    """What a lot is from its creation on, as both lot tables keep it."""
    return [
        Column("lot_id", String(120), primary_key=True),
        Column("declaration_no", String(64), nullable=False),
        Column("parent_lot_id", String(120)),
        Column("hs_code", String(10), nullable=False),
        Column("description", Text, nullable=False),
        Column("unit", String(64), nullable=False),
        Column("registered_on", Date, nullable=False),
    ]


# each read model's place in the event log, moved in the same transaction as its rows: the
# version of its definition it was built by, how many times it was rebuilt (a rebuild swapped
# in under a running process makes it drop its caches), and how fast it last moved
tracking = Table(
    "rm_tracking",
    metadata,
    Column("projection", String(64), primary_key=True),
    Column("position", Integer, nullable=False),
    Column("version", Integer, nullable=False, server_default="1"),
    Column("generation", Integer, nullable=False, server_default="0"),
    Column("moved_at", UTCDateTime()),
    Column("rate", Float),  # events/s of its last batches; a speed, not a quantity
)

# The current state of every lot, as of now, as known now: the fast path of every query.
lots = Table(
    "rm_lots",
    metadata,
    *lot_identity(),
    Column("warehoused_on", Date, nullable=False),  # effective date of the root warehousing
    Column("first_warehoused_on", Date, nullable=False),  # as the rule pack counts it
    Column("warehouse_id", String(64), nullable=False),
    Column("province", Text),
    Column("goods_owner_tax_code", String(64), nullable=False),
    Column("contract_no", String(64)),
    Column("on_hand", String(40), nullable=False),
    Column("in_transit", String(40), nullable=False),
    Column("has_balance", Boolean, nullable=False),
    Column("deadline", Date, nullable=False),
    Column("held", Boolean, nullable=False),
    Column("exists", Boolean, nullable=False),
    Column("last_effective_at", UTCDateTime(), nullable=False),
    Index("rm_lots_warehouse_lot", "warehouse_id", "has_balance", "lot_id"),  # pages
    Index("rm_lots_province", "province", "has_balance"),
    Index("rm_lots_owner", "goods_owner_tax_code", "has_balance"),
    Index("rm_lots_deadline", "has_balance", "deadline"),
    Index("rm_lots_warehouse_deadline", "warehouse_id", "has_balance", "deadline"),
    Index("rm_lots_province_deadline", "province", "has_balance", "deadline"),
    Index("rm_lots_declaration_goods", "declaration_no", "has_balance"),
    Index("rm_lots_contract", "contract_no"),
    Index("rm_lots_last_effective", "last_effective_at"),
)

# Every lot event, as recorded, for answers as of another day or as known at another moment.
lot_events = Table(
    "rm_lot_events",
    metadata,
    Column("lot_id", String(120), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("effective_at", UTCDateTime(), nullable=False),
    Column("recorded_at", UTCDateTime(), nullable=False),
    Column("topic", Text, nullable=False),
    Column("state", LargeBinary, nullable=False),
)

# Every warehouse, owner and province a lot was ever in or with: candidates for past answers.
lot_parties = Table(
    "rm_lot_parties",
    metadata,
    Column("kind", String(16), primary_key=True),  # warehouse, owner, province
    Column("value", String(120), primary_key=True),
    Column("lot_id", String(120), primary_key=True),
)

# One row per lot event, with what it moves and what it sets: when it took effect,
# when it was recorded, when its reversal was recorded. Summed and ranked under
#   effective_at <= as_of AND recorded_at <= known_at AND (reversed_at IS NULL OR > known_at)
# it answers every question on both time axes in SQL. A quantity is kept exact in two integers,
# units (floor) and nanos (0 to 10^9 - 1), so that SUM stays exact on every backend.
lot_history = Table(
    "rm_lot_history",
    metadata,
    Column("lot_id", String(120), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("kind", String(64), nullable=False),  # the event's public name, for stock cards
    Column("related_lot_id", String(120)),  # the other lot of a split
    Column("effective_at", UTCDateTime(), nullable=False),
    Column("recorded_at", UTCDateTime(), nullable=False),
    Column("reversed_at", UTCDateTime()),
    Column("on_hand_units", BigInteger, nullable=False),
    Column("on_hand_nanos", BigInteger, nullable=False),
    Column("in_transit_units", BigInteger, nullable=False),
    Column("in_transit_nanos", BigInteger, nullable=False),
    Column("extension_days", Integer, nullable=False),
    Column("warehouse_id", String(64)),  # set by this event, else NULL
    Column("goods_owner_tax_code", String(64)),  # set by this event, else NULL
    Column("sets_terms", Boolean, nullable=False),
    Column("contract_no", String(64)),
    Column("declared_expires_on", Date),
    Index("rm_lot_history_warehouse", "warehouse_id", "lot_id"),
    Index("rm_lot_history_owner", "goods_owner_tax_code", "lot_id"),
    Index("rm_lot_history_kind", "lot_id", "kind"),  # a lot's clock marks and splits
    Index("rm_lot_history_arrivals", "warehouse_id", "effective_at"),  # a warehouse's first goods
)

# A lot's states on both time axes: what it held, where and with whom, from effective_from
# until effective_to, as known from recorded_from until recorded_to (9999-12-31: until further
# notice). Only states with goods in them are kept. See projections/states.py.
lot_states = Table(
    "rm_lot_states",
    metadata,
    Column("lot_id", String(120), primary_key=True),
    Column("effective_from", UTCDateTime(), primary_key=True),
    Column("recorded_from", UTCDateTime(), primary_key=True),
    Column("effective_to", UTCDateTime(), nullable=False),
    Column("recorded_to", UTCDateTime(), nullable=False),
    Column("warehouse_id", String(64), nullable=False),
    Column("goods_owner_tax_code", String(64), nullable=False),
    Column("contract_no", String(64)),
    Column("declared_expires_on", Date),
    Column("extension_days", Integer, nullable=False),
    Column("on_hand", String(40), nullable=False),
    Column("in_transit", String(40), nullable=False),
    Index("rm_lot_states_warehouse", "warehouse_id", "recorded_to", "effective_to"),
    Index("rm_lot_states_owner", "goods_owner_tax_code", "recorded_to", "effective_to"),
)

# What a lot is from its creation on: its declaration, goods, dates and inherited extension.
lot_origins = Table(
    "rm_lot_origins",
    metadata,
    *lot_identity(),
    Column("first_warehoused_on", Date, nullable=False),
    Column("extension_days", Integer, nullable=False),  # kept from the parent on a split
    Index("rm_lot_origins_declaration", "declaration_no"),
)

warehouses = Table(
    "rm_warehouses",
    metadata,
    Column("warehouse_id", String(64), primary_key=True),
    Column("name", Text, nullable=False),
    Column("owner_tax_code", String(64), nullable=False),
    Column("province", Text, nullable=False),
    Column("customs_office", Text, nullable=False),
    Column("recorded_at", UTCDateTime(), nullable=False),
)

contracts = Table(
    "rm_contracts",
    metadata,
    Column("contract_no", String(64), primary_key=True),
    Column("warehouse_id", String(64), nullable=False),
    Column("goods_owner_tax_code", String(64), nullable=False),
    Column("starts_on", Date, nullable=False),
    Column("expires_on", Date, nullable=False),
    Column("recorded_at", UTCDateTime(), nullable=False),
)

contract_extensions = Table(
    "rm_contract_extensions",
    metadata,
    Column("contract_no", String(64), primary_key=True),
    Column("recorded_at", UTCDateTime(), primary_key=True),
    Column("effective_at", UTCDateTime(), nullable=False),
    Column("expires_on", Date, nullable=False),
)

declarations = Table(
    "rm_declarations",
    metadata,
    Column("declaration_no", String(64), primary_key=True),
    Column("warehouse_id", String(64), nullable=False),
    Column("goods_owner_tax_code", String(64), nullable=False),
    Column("registered_on", Date, nullable=False),
    Column("effective_at", UTCDateTime()),  # the goods' arrival: the declaration exists from then
    Column("recorded_at", UTCDateTime(), nullable=False),
    Column("settled_at", UTCDateTime()),
    Column("settled_recorded_at", UTCDateTime()),
    Column("extension_days", Integer, nullable=False),
    Column("extension_effective_at", UTCDateTime()),
    Column("extension_recorded_at", UTCDateTime()),
    Index("rm_declarations_warehouse", "warehouse_id"),
)

# The hash chain over the event log, as the audit follower saw each stored event: the digest
# of the event's own columns, and the chain's hash up to and including it.
audit_chain = Table(
    "rm_audit_chain",
    metadata,
    Column("position", BigInteger, primary_key=True, autoincrement=False),
    Column("row_hash", LargeBinary(32), nullable=False),
    Column("hash", LargeBinary(32), nullable=False),
)

READ_MODEL_TABLES: tuple[Table, ...] = (
    lots,
    lot_events,
    lot_history,
    lot_states,
    lot_origins,
    lot_parties,
    warehouses,
    contracts,
    contract_extensions,
    declarations,
    audit_chain,
)


# --- e-commerce (DOMAIN.md §7): every row keeps when it took effect and when it was recorded,
# and a reversal's recorded moment, so that each answer holds as of a day and as known at a moment

goods_lists = Table(
    "rm_goods_lists",
    metadata,
    Column("list_ref", String(64), primary_key=True),
    Column("effective_at", UTCDateTime(), nullable=False),
    Column("recorded_at", UTCDateTime(), nullable=False),
)

goods_list_entries = Table(
    "rm_goods_list_entries",
    metadata,
    Column("list_ref", String(64), primary_key=True),
    Column("hs_prefix", String(10), primary_key=True),
    Column("requires", Text, nullable=False),  # space-separated kinds
    Column("exempt_quantity", String(40)),
    Column("never_exempt", Boolean, nullable=False),
)

stop_notices = Table(
    "rm_stop_notices",
    metadata,
    Column("notice_ref", String(64), primary_key=True),
    Column("ministry", Text, nullable=False),
    Column("hs_prefixes", Text, nullable=False),  # space-separated
    Column("reason", String(32), nullable=False),
    Column("effective_at", UTCDateTime(), nullable=False),
    Column("recorded_at", UTCDateTime(), nullable=False),
    Column("resumed_at", UTCDateTime()),
    Column("resumed_recorded_at", UTCDateTime()),
)

licences = Table(
    "rm_licences",
    metadata,
    Column("licence_no", String(64), primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("issuer", Text, nullable=False),
    Column("goods_owner_tax_code", String(64), nullable=False),
    Column("released_at", UTCDateTime(), nullable=False),
    Column("recorded_at", UTCDateTime(), nullable=False),
    Column("valid_from", Date, nullable=False),
    Column("valid_until", Date, nullable=False),
    Column("use", String(16), nullable=False),
    Column("late", Boolean, nullable=False),
    Column("revoked_at", UTCDateTime()),
    Column("revoked_recorded_at", UTCDateTime()),
    Index("rm_licences_owner", "goods_owner_tax_code"),
)

licence_lines = Table(
    "rm_licence_lines",
    metadata,
    Column("licence_no", String(64), primary_key=True),
    Column("line_no", Integer, primary_key=True),
    Column("hs_prefix", String(10), nullable=False),
    Column("unit", String(64), nullable=False),
    Column("granted", String(40), nullable=False),
)

deductions = Table(
    "rm_deductions",
    metadata,
    Column("licence_no", String(64), primary_key=True),
    Column("platform", String(64), primary_key=True),
    Column("order_no", String(64), primary_key=True),
    Column("line_no", Integer, nullable=False),
    Column("lot_id", String(120), nullable=False),
    Column("quantity", String(40), nullable=False),
    Column("quantity_units", BigInteger, nullable=False),
    Column("quantity_nanos", BigInteger, nullable=False),
    Column("effective_at", UTCDateTime(), nullable=False),
    Column("recorded_at", UTCDateTime(), nullable=False),
    Column("reversed_at", UTCDateTime()),  # when its reversal was recorded
)

orders = Table(
    "rm_orders",
    metadata,
    Column("platform", String(64), primary_key=True),
    Column("order_no", String(64), primary_key=True),
    Column("buyer_id", String(64), nullable=False),
    Column("lot_id", String(120), nullable=False),
    Column("version", Integer, nullable=False),  # the order's version in its lot's stream
    Column("quantity", String(40), nullable=False),
    Column("quantity_units", BigInteger, nullable=False),
    Column("quantity_nanos", BigInteger, nullable=False),
    Column("customs_value", String(40), nullable=False),
    Column("effective_at", UTCDateTime(), nullable=False),
    Column("recorded_at", UTCDateTime(), nullable=False),
    Column("reversed_at", UTCDateTime()),
    Column("basis", String(16), nullable=False),
    Column("licence_nos", Text, nullable=False),  # space-separated
    Column("allowance_hs_prefix", String(10)),
    Column("year", Integer, nullable=False),
    Index("rm_orders_lot", "lot_id", "version"),
    Index("rm_orders_buyer", "buyer_id", "year"),
    Index("rm_orders_effective", "effective_at"),
)

# Each buyer's use of its exempt quantities (DOMAIN.md §7, ``quantity_list``): one row per
# ``AllowanceUsed``, ended by its ``AllowanceGivenBack`` (the order reversed). The allowance
# question sums these, the facts the decision folded (``ledger.allowances``).
allowance_uses = Table(
    "rm_allowance_uses",
    metadata,
    Column("platform", String(64), primary_key=True),
    Column("order_no", String(64), primary_key=True),
    Column("recorded_at", UTCDateTime(), primary_key=True),
    Column("buyer_id", String(64), nullable=False),
    Column("year", Integer, nullable=False),
    Column("hs_prefix", String(10), nullable=False),
    Column("lot_id", String(120), nullable=False),
    Column("quantity_units", BigInteger, nullable=False),
    Column("quantity_nanos", BigInteger, nullable=False),
    Column("effective_at", UTCDateTime(), nullable=False),
    Column("reversed_at", UTCDateTime()),  # when it was given back (recorded)
    Index("rm_allowance_uses_buyer", "buyer_id", "year"),
)

# What the read side raises warnings from, beside the other read models (DOMAIN.md §8): every
# event recorded late, every stock count that differs from the book, every report submitted.
warning_facts = Table(
    "rm_warning_facts",
    metadata,
    Column("warning_id", String(300), primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("subject", String(200), nullable=False),
    Column("lot_id", String(120)),
    Column("warehouse_id", String(64)),
    Column("goods_owner_tax_code", String(64)),
    Column("raised_on", Date, nullable=False),
    Column("detail", Text, nullable=False),
    Column("effective_at", UTCDateTime(), nullable=False),
    Column("recorded_at", UTCDateTime(), nullable=False),
    Index("rm_warning_facts_recorded", "recorded_at"),
    Index("rm_warning_facts_raised", "raised_on", "kind", "subject"),  # a page of warnings
)

reports = Table(
    "rm_reports",
    metadata,
    Column("warehouse_id", String(64), primary_key=True),
    Column("period", String(16), primary_key=True),
    Column("recorded_at", UTCDateTime(), primary_key=True),
    Column("period_ends_on", Date, nullable=False),
    Column("due_on", Date, nullable=False),
)

ECOMMERCE_TABLES = (
    goods_lists,
    goods_list_entries,
    stop_notices,
    licences,
    licence_lines,
    deductions,
    orders,
    allowance_uses,
)

READ_MODEL_TABLES = (*READ_MODEL_TABLES, *ECOMMERCE_TABLES, warning_facts, reports)

# --- warnings pushed (DOMAIN.md §8). Not read models: what was made known and delivered, and
# to whom, is the installation's own record; a rebuild of the read models leaves it alone.

subscriptions = Table(
    "subscriptions",
    metadata,
    Column("subscription_id", String(36), primary_key=True),
    Column("user_name", String(64), nullable=False),
    Column("url", Text, nullable=False),
    Column("secret", Text, nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("active", Boolean, nullable=False),
    Index("subscriptions_user", "user_name"),
)

# every warning as it was first made known, with the body pushed for it
warnings_known = Table(
    "warnings_known",
    metadata,
    Column("warning_id", String(300), primary_key=True),
    Column("body", Text, nullable=False),
    Column("known_at", UTCDateTime(), nullable=False),
)

# the outbox: one row per warning and subscription, written in the transaction that made the
# warning known; the delivery worker sends it until the receiver answers 2xx
deliveries = Table(
    "deliveries",
    metadata,
    Column("subscription_id", String(36), primary_key=True),
    Column("warning_id", String(300), primary_key=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", UTCDateTime(), nullable=False),
    Column("delivered_at", UTCDateTime()),
    Column("last_status", Integer),
    Column("last_error", Text),
    Index("deliveries_due", "delivered_at", "next_attempt_at"),
)

PUSH_TABLES = (subscriptions, warnings_known, deliveries)

# --- the pages' sign-ins. Not a read model either: who is signed in where is the
# installation's own record (the user's stream says who may sign in, and with what).
web_sessions = Table(
    "web_sessions",
    metadata,
    Column("session_hash", String(64), primary_key=True),  # SHA-256 of the cookie's secret
    Column("user_name", String(64), nullable=False),
    Column("csrf_token", String(64), nullable=False),  # every form of the session carries it
    Column("created_at", UTCDateTime(), nullable=False),
    Column("seen_at", UTCDateTime(), nullable=False),
    Index("web_sessions_user", "user_name"),
)

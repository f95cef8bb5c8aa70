"""Many rows of one table inserted through the driver, for the projections' hot path.

SQLAlchemy's executemany runs every value of every row through its type's bind processor, one
Python call each (a moment alone is three: to UTC, drop the offset, format for SQLite). On a
rebuild that is a quarter of the time. Here each table's INSERT is compiled once per backend,
each column's conversion is chosen once from its type, and the rows go to the driver as tuples:
``executemany`` on SQLite, ``execute_values`` (multi-row VALUES pages) on PostgreSQL. What is
stored is exactly what SQLAlchemy would store: the read-back test and the rebuild-equals-live
test compare rows written either way.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import cache, lru_cache
from operator import itemgetter
from typing import Any

from sqlalchemy import Boolean, Connection, Date, Table, insert

from projections.tables import UTCDateTime

Convert = Callable[[Any], Any]


def utc_naive(moment: datetime) -> datetime:
    """A moment as UTC without its offset, as ``UTCDateTime`` stores it."""
    if moment.tzinfo is None:
        raise ValueError("a moment without a timezone cannot be stored")
    if moment.tzinfo is not UTC:
        moment = moment.astimezone(UTC)
    return moment.replace(tzinfo=None)


@lru_cache(maxsize=1 << 16)
def sqlite_moment(moment: datetime) -> str:
    """SQLAlchemy's SQLite storage format for a moment: ``YYYY-MM-DD HH:MM:SS.ffffff``."""
    return utc_naive(moment).isoformat(" ", "microseconds")


def sqlite_date(day: date) -> str:
    return day.isoformat()


def conversion(column_type: Any, backend: str) -> Convert | None:
    """What a value of this column type becomes for the driver; None for as it is."""
    if isinstance(column_type, UTCDateTime):
        return sqlite_moment if backend == "sqlite" else utc_naive
    if backend == "sqlite" and isinstance(column_type, Date):
        return sqlite_date
    if backend == "sqlite" and isinstance(column_type, Boolean):
        return int
    return None


class Plan:
    """One table's INSERT for one backend and set of columns, and how to bind a row."""

    def __init__(
        self,
        table: Table,
        backend: str,
        names: tuple[str, ...],
        quote: Any,
        schema: str | None,
        skip_existing: bool = False,
    ) -> None:
        columns = [table.c[name] for name in names]
        listed = ", ".join(quote(name) for name in names)
        where = f"{quote(schema)}.{quote(table.name)}" if schema else quote(table.name)
        self.copy = None if skip_existing else f"COPY {where} ({listed}) FROM STDIN"
        verb = "INSERT OR IGNORE" if skip_existing and backend == "sqlite" else "INSERT"
        target = f"{verb} INTO {where} ({listed}) VALUES "
        if backend == "sqlite":
            self.sql = target + "(" + ", ".join("?" for _ in names) + ")"
        else:
            self.sql = target + "%s" + (" ON CONFLICT DO NOTHING" if skip_existing else "")
        self.backend = backend
        self.getter = itemgetter(*names) if len(names) > 1 else (lambda row: (row[names[0]],))
        self.converted = [
            (i, convert)
            for i, column in enumerate(columns)
            if (convert := conversion(column.type, backend)) is not None
        ]

    def bind(self, row: Mapping[str, Any]) -> tuple[Any, ...]:
        values = self.getter(row)
        if not self.converted:
            return tuple(values)
        bound = list(values)
        for i, convert in self.converted:
            value = bound[i]
            if value is not None:
                bound[i] = convert(value)
        return tuple(bound)


@cache
def _plan(
    table: Table,
    backend: str,
    names: tuple[str, ...],
    quote: Any,
    schema: str | None,
    skip_existing: bool,
) -> Plan:
    return Plan(table, backend, names, quote, schema, skip_existing)


def insert_rows(
    connection: Connection,
    table: Table,
    rows: Sequence[Mapping[str, Any]],
    skip_existing: bool = False,
) -> None:
    """Inserts ``rows`` (each with the keys of the first) into ``table`` in this transaction;
    with ``skip_existing``, a row whose key is there already is left out."""
    if not rows:
        return
    backend = connection.dialect.name
    if backend not in ("sqlite", "postgresql") or connection.dialect.driver != (
        "pysqlite" if backend == "sqlite" else "psycopg2"
    ):
        statement = insert(table)
        if skip_existing:
            statement = statement.prefix_with("OR IGNORE", dialect="sqlite")
        connection.execute(statement, list(rows))
        return
    names = tuple(c.name for c in table.columns if c.name in rows[0])
    # a rebuild writes into a shadow schema (``projections.shadow``) the map names
    translate = connection.get_execution_options().get("schema_translate_map") or {}
    schema = translate.get(table.schema)
    quote = connection.dialect.identifier_preparer.quote
    plan = _plan(table, backend, names, quote, schema, skip_existing)
    params = [plan.bind(row) for row in rows]
    cursor = connection.connection.cursor()
    try:
        if backend == "sqlite":
            cursor.executemany(plan.sql, params)
        elif plan.copy is not None and len(params) >= COPY_FROM:
            cursor.copy_expert(plan.copy, io.StringIO(copy_text(params)))
        else:
            from psycopg2.extras import execute_values

            execute_values(cursor, plan.sql, params, page_size=1000)
    finally:
        cursor.close()


COPY_FROM = 100  # rows: past this PostgreSQL takes them by COPY (about 3x execute_values)


def copy_text(rows: Sequence[tuple[Any, ...]]) -> str:
    """Rows in the text format of PostgreSQL's COPY: tab-separated, \\N for NULL."""
    return "".join("\t".join(map(_copy_value, row)) + "\n" for row in rows)


def _copy_value(value: Any) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, str):
        return value.translate(_ESCAPES)
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime):
        if value.tzinfo is not None:  # moments reach here as naive UTC (``utc_naive``)
            raise ValueError("COPY takes moments as naive UTC")
        return value.isoformat(" ")
    if isinstance(value, bytes | memoryview):
        return "\\\\x" + bytes(value).hex()
    if isinstance(value, date | int | float | Decimal):
        return str(value)
    raise TypeError(f"no COPY text for {type(value).__name__}")


_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})

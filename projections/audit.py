"""The audit follower: appends each new stored event's link to the hash chain
(``projections.audit_chain``) with its own tracking, as every read model does; it never
rewrites a link. The verifier is ``projections.audit_verify``.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, select

from projections import tables as t
from projections.audit_chain import GENESIS, link, row_hash
from projections.bulk import insert_rows
from projections.projection import ReadModelProjection, Recorded


class AuditChainProjection(ReadModelProjection):
    name = "audit_chain"
    weight = 4
    tables = (t.audit_chain,)

    def __init__(self) -> None:
        self.head: bytes | None = None  # the last link written, when known

    def forget(self) -> None:
        self.head = None

    def apply(self, connection: Connection, batch: Sequence[Recorded]) -> None:
        previous = self.head if self.head is not None else _last_link(connection)
        rows = []
        for recorded in batch:
            row = row_hash(recorded.stream_id, recorded.version, recorded.topic, recorded.state)
            previous = link(previous, recorded.position, row)
            rows.append({"position": recorded.position, "row_hash": row, "hash": previous})
        insert_rows(connection, t.audit_chain, rows)
        self.head = previous


def _last_link(connection: Connection) -> bytes:
    c = t.audit_chain.c
    found = connection.execute(
        select(c.hash).order_by(c.position.desc()).limit(1)
    ).scalar_one_or_none()
    return bytes(found) if found is not None else GENESIS

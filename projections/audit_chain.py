"""The rule of the audit hash chain (tamper evidence): a SHA-256 chain over every stored event,
exactly as stored.

Each stored event's columns (its stream's 16-byte id, its version, its topic, its state) are
length-prefixed and hashed into the event's ``row_hash``; the chain links each position to the
one before: ``hash = SHA-256(previous hash ‖ position ‖ row_hash)``, from 32 zero bytes. The
follower that keeps the chain is ``projections.audit``; the verifier and the digest,
``projections.audit_verify``. Both hash by this module alone.
"""

from __future__ import annotations

import hashlib

GENESIS = bytes(32)


EIGHT = (8).to_bytes(8, "big")
_sha256 = hashlib.sha256


def row_hash(stream_id: bytes, version: int, topic: str, state: bytes) -> bytes:
    """The digest of one stored event's own columns, each length-prefixed (8 bytes, big
    endian): the stream's id, the version (8 bytes, signed), the topic (UTF-8), the state.
    Its position is bound by the link."""
    name = topic.encode("utf-8")
    return _sha256(
        b"".join(
            (
                len(stream_id).to_bytes(8, "big"),
                stream_id,
                EIGHT,
                version.to_bytes(8, "big", signed=True),
                len(name).to_bytes(8, "big"),
                name,
                len(state).to_bytes(8, "big"),
                state,
            )
        )
    ).digest()


def link(previous: bytes, position: int, row: bytes) -> bytes:
    return _sha256(previous + position.to_bytes(8, "big", signed=True) + row).digest()

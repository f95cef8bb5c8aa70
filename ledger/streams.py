"""Stream names: every event belongs to one stream, named ``kind:key``."""

from __future__ import annotations

from collections.abc import Callable


def _streams_of(kind: str) -> Callable[[str], str]:
    def name(key: str) -> str:
        return f"{kind}:{key}"

    name.__doc__ = f"The stream of the {kind} ``key``: ``{kind}:key``."
    return name


lot_stream = _streams_of("lot")
enterprise_stream = _streams_of("enterprise")
warehouse_stream = _streams_of("warehouse")
contract_stream = _streams_of("contract")
declaration_stream = _streams_of("declaration")
command_stream = _streams_of("command")
user_stream = _streams_of("user")

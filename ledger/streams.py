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
goods_lists_stream = _streams_of("goods_lists")
exemption_notices_stream = _streams_of("exemption_notices")
licence_stream = _streams_of("licence")
licences_of_stream = _streams_of("licences_of")  # a goods owner's licences, by number
order_stream = _streams_of("order")  # "{platform}/{order_no}": the number taken on its platform
allowance_stream = _streams_of("allowance")  # "{year}/{buyer_id}"

GOODS_LISTS = goods_lists_stream("published")  # every goods list, in one stream
EXEMPTION_NOTICES = exemption_notices_stream("published")  # every stop notice and resumption

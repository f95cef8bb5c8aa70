"""The specifics of the refusals a person meets at the daily work (a balance too small, a lot on
hold or in transit, a lot that did not exist yet), told in Vietnamese: each English message the
ledger raises, read by a pattern of its own, retold from its parts. A refusal without a pattern
here keeps its specifics as raised (``ledger.refusals.localized``)."""

from __future__ import annotations

import re
from collections.abc import Mapping

LABELS_VI: Mapping[str, str] = {  # an event's label (``Event.label``) as a message names it
    "the entry": "bút toán",
    "the warehousing": "việc nhập kho",
    "the split": "việc tách lô",
    "the ex-warehousing": "việc xuất kho",
    "the ownership transfer": "việc chuyển quyền sở hữu",
    "the move dispatch": "việc xuất hàng chuyển kho",
    "the move receipt": "việc nhận hàng chuyển kho",
    "the storage extension": "việc gia hạn thời hạn lưu kho",
    "the hold": "việc tạm dừng làm thủ tục",
    "the release": "việc giải tỏa",
    "the liquidation": "việc thanh lý",
    "the reversal": "việc hủy bút toán",
}
BALANCES_VI: Mapping[str, str] = {"on-hand": "tồn trong kho", "in-transit": "đang vận chuyển"}

LOT = r"(?P<lot>\S+)"
AT = r"(?P<at>\S+)"
SPECIFICS_VI: Mapping[str, tuple[tuple[re.Pattern[str], str], ...]] = {
    "insufficient_balance": (
        (
            re.compile(
                r"(?P<label>the [a-z -]+?) of (?P<quantity>\S+) at "
                + AT
                + r" needs lot "
                + LOT
                + r"'s (?P<which>on-hand|in-transit) balance, which is (?P<before>\S+) then"
            ),
            "{label} {quantity} lúc {at} cần số dư {which} của lô hàng {lot}, "
            "khi đó chỉ còn {before}",
        ),
    ),
    "lot_on_hold": (
        (
            re.compile(
                r"lot " + LOT + r" is on hold at " + AT + r" \((?P<hold>.*)\); "
                r"(?P<label>the [a-z -]+?) is blocked until the hold is released"
            ),
            "lô hàng {lot} đang bị tạm dừng lúc {at} ({hold}); "
            "{label} bị chặn cho đến khi giải tỏa",
        ),
    ),
    "already_on_hold": (
        (
            re.compile(
                r"lot " + LOT + r" is already on hold at " + AT + r" \((?P<hold>.*)\); "
                r"a lot is held once at a time"
            ),
            "lô hàng {lot} đã bị tạm dừng lúc {at} ({hold}); "
            "mỗi lúc một lô chỉ bị tạm dừng một lần",
        ),
    ),
    "not_on_hold": (
        (
            re.compile(r"lot " + LOT + r" is not on hold at " + AT),
            "lô hàng {lot} không bị tạm dừng lúc {at}",
        ),
    ),
    "before_lot_existed": (
        (
            re.compile(
                r"effective_at " + AT + r" is before lot " + LOT + r" came into being "
                r"\((?P<created>\S+)\)"
            ),
            "effective_at {at} sớm hơn thời điểm lô hàng {lot} được hình thành ({created})",
        ),
        (
            re.compile(r"lot " + LOT + r" did not exist at " + AT),
            "lô hàng {lot} chưa tồn tại lúc {at}",
        ),
    ),
    "lot_in_transit": (
        (
            re.compile(r"lot " + LOT + r" is in transit and has nothing on hand"),
            "lô hàng {lot} đang được vận chuyển, không còn hàng tồn trong kho",
        ),
    ),
    "not_in_transit": (
        (
            re.compile(r"lot " + LOT + r" has nothing in transit at " + AT),
            "lô hàng {lot} không có hàng đang vận chuyển lúc {at}",
        ),
    ),
    "lot_closed": (
        (
            re.compile(r"lot " + LOT + r" holds no goods to extend"),
            "lô hàng {lot} không còn hàng để gia hạn",
        ),
    ),
}


def specifics_vi(code: str, message: str) -> str | None:
    """The message's specifics retold in Vietnamese, the words around them kept; None when no
    pattern of the code reads it (or a label in it has no Vietnamese)."""
    for pattern, template in SPECIFICS_VI.get(code, ()):
        found = pattern.search(message)
        if found is None:
            continue
        parts = found.groupdict()
        if "label" in parts:
            label = LABELS_VI.get(parts["label"])
            if label is None:
                return None
            parts["label"] = label
        if "which" in parts:
            parts["which"] = BALANCES_VI[parts["which"]]
        told = template.format(**parts)
        return message[: found.start()] + told + message[found.end() :]
    return None

"""Refusals met at the daily work, told in Vietnamese down to their specifics (issue 22,
point 4): the rule, then the figures, moments and lots of this refusal in Vietnamese words —
for refusals raised by the real service, not messages written for the test."""

from __future__ import annotations

from typing import Any

import pytest

from ledger.errors import LedgerError
from ledger.refusals import localized, rule
from tests.support import Harness, dispatch, ex_warehousing, hold, transfer, warehousing

ENGLISH = ("lot ", " balance", " hold", " exist", " transit", " which is ", " then", " at 20")


def refusal(ledger: Harness, command: dict[str, Any]) -> LedgerError:
    with pytest.raises(LedgerError) as refused:
        ledger.given(command)
    return refused.value


def test_the_specifics_of_daily_refusals_in_vietnamese(ledger: Harness) -> None:
    ledger.given(warehousing("D1"), warehousing("D2"))
    ledger.given(hold("D2/1"))
    ledger.given(dispatch("D1/1", "100"))  # all of D1/1 in transit
    cases = {
        "insufficient_balance": ex_warehousing("D2/1", "500", "2026-03-01T10:00:00+07:00"),
        "lot_on_hold": ex_warehousing("D2/1", "5", "2026-04-01T10:00:00+07:00"),
        "already_on_hold": hold("D2/1", "2026-03-06T10:00:00+07:00"),
        "not_on_hold": hold("D1/1", "2026-03-06T10:00:00+07:00", release=True),
        "before_lot_existed": ex_warehousing("D1/1", "5", "2026-01-01T10:00:00+07:00"),
        "lot_in_transit": transfer("D1/1", "5", "2026-06-01T08:00:00+07:00"),
    }
    for code, command in cases.items():
        error = refusal(ledger, command)
        assert error.code == code, (code, error.code, error.message)
        told = localized(error, "vi")
        assert told.startswith(f"{rule(code, 'vi')} ("), told
        specifics = told[told.index("(") + 1 :]
        assert not any(word in specifics for word in ENGLISH), (code, told)
        lot = command["lot_id"]
        assert f"lô hàng {lot}" in specifics, (code, told)
        assert localized(error, "en") == error.message  # English as raised

"""The catalogue of findings (DOMAIN.md §5 and §8): every kind of thing the ledger finds worth
an owner's, an officer's or an inspector's attention, each declared once with its names in
both languages, and each kind's rule written once below.

The warnings (§8: standing on a day, as known at a moment, pushed to subscribers) and the
annual inspection pack (§5: over a year, each finding naming the events it rests on) are two
views of this catalogue: each raises the kinds it shows (``warned``, ``inspected``), in this
vocabulary, by these rules. A view walks its own sources — the warnings the read models, the
pack the recorded streams — but never judges a kind by a rule of its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING

from ledger.calendar import duration_text
from ledger.periods import submitted_late

if TYPE_CHECKING:
    from ledger.events import Event
    from ledger.rulepacks import RulePack
    from ledger.values import CountedLot


@dataclass(frozen=True)
class FindingKind:
    """A kind of finding: its code (the ``kind`` of a warning and of a pack's finding), its
    Vietnamese and English names, what its subject is, and the views that raise it."""

    code: str
    vi: str
    en: str
    about: str  # lot, declaration, warehouse, licence, or the stream of the event (late entry)
    warned: bool = True  # a warning (§8)
    inspected: bool = True  # a finding of the inspection pack (§5)


DUE_SOON = FindingKind(
    "due_soon", "Sắp hết thời hạn lưu giữ", "Lot due soon", "lot", inspected=False
)
OVERDUE = FindingKind("overdue", "Hàng quá thời hạn lưu giữ", "Lot overdue", "lot")
SETTLEMENT_OVERDUE = FindingKind(
    "settlement_overdue",
    "Tờ khai quá hạn thanh khoản",
    "Declaration overdue for settlement",
    "declaration",
)
HOLD = FindingKind("hold", "Tạm dừng đưa hàng ra", "Hold placed or released", "lot", warned=False)
LATE_ENTRY = FindingKind("late_entry", "Cập nhật chậm", "Late entry", "stream")
REVERSAL = FindingKind("reversal", "Hủy bút toán", "Reversal", "lot", warned=False)
COUNT_VARIANCE = FindingKind(
    "count_variance", "Chênh lệch kiểm kê", "Stock count difference", "warehouse"
)
REPORT_LATE = FindingKind(
    "report_late",
    "Báo cáo không nộp đúng hạn",
    "Periodic report late or missing",
    "warehouse",
)
LICENCE_LOW = FindingKind(
    "licence_low", "Giấy phép sắp hết lượng", "Licence line low", "licence", inspected=False
)
LICENCE_EXPIRING = FindingKind(
    "licence_expiring", "Giấy phép sắp hết hạn", "Licence expiring", "licence", inspected=False
)
EXEMPTION_STOPPED_IN_STOCK = FindingKind(
    "exemption_stopped_in_stock",
    "Hàng tồn thuộc thông báo dừng miễn",
    "Stop notice over goods in stock",
    "lot",
    inspected=False,
)

# In the order a warehouse's findings are listed.
KINDS: tuple[FindingKind, ...] = (
    DUE_SOON,
    OVERDUE,
    SETTLEMENT_OVERDUE,
    HOLD,
    LATE_ENTRY,
    REVERSAL,
    COUNT_VARIANCE,
    REPORT_LATE,
    LICENCE_LOW,
    LICENCE_EXPIRING,
    EXEMPTION_STOPPED_IN_STOCK,
)
WARNED = tuple(kind for kind in KINDS if kind.warned)
INSPECTED = tuple(kind for kind in KINDS if kind.inspected)


# --- storage clocks (§4) --------------------------------------------------------------------


def overdue_from(deadline: date) -> date:
    """A lot holding goods is overdue from the day after its deadline."""
    return deadline + timedelta(days=1)


def due_soon_from(deadline: date, window_days: int) -> date:
    """A lot holding goods is due soon from ``window_days`` before its deadline until it."""
    return deadline - timedelta(days=window_days)


# --- late entries (§4) and stock counts -----------------------------------------------------


@dataclass(frozen=True)
class Lateness:
    """How late an entry reached the ledger, and what its kind of event allows."""

    delay: timedelta
    allowed: timedelta

    def __str__(self) -> str:
        return f"recorded {duration_text(self.delay)} after it took effect (allowed: " + (
            f"{duration_text(self.allowed)})"
        )


def late_entry(event: Event, pack: RulePack) -> Lateness | None:
    """The entry's lateness if it reached the ledger later than its kind allows, else None."""
    if not event.is_late(pack):
        return None
    return Lateness(event.recorded_at - event.effective_at, event.late_after(pack))


def count_variances(counts: tuple[CountedLot, ...]) -> list[CountedLot]:
    """The lots of a stock count whose counted quantity differs from the book."""
    return [count for count in counts if count.difference != 0]


# --- periodic reports (§5) ------------------------------------------------------------------


class ReportStanding(StrEnum):
    ON_TIME = "on_time"
    LATE = "late"
    MISSING = "missing"
    NOT_YET_DUE = "not_yet_due"


def report_standing(due_on: date, submitted_at: datetime | None, on_day: date) -> ReportStanding:
    """Where a period's report stands on ``on_day``, given its first submission known then
    (recorded by that day): on time or late by the one rule of lateness; with none, missing
    once its due date has passed — missing until one is submitted, then late."""
    if submitted_at is not None:
        return (
            ReportStanding.LATE if submitted_late(submitted_at, due_on) else ReportStanding.ON_TIME
        )
    return ReportStanding.MISSING if due_on < on_day else ReportStanding.NOT_YET_DUE


def report_raised(standing: ReportStanding) -> bool:
    """A report late or missing is a ``report_late`` finding."""
    return standing in (ReportStanding.LATE, ReportStanding.MISSING)


# --- licences (§7) --------------------------------------------------------------------------


def licence_low(granted: Decimal, remaining: Decimal, pack: RulePack) -> bool:
    """A licence line is low when what remains is below the pack's share of what was granted."""
    return remaining * 100 < granted * pack.licence_low_percent


def licence_expiring_from(valid_until: date, pack: RulePack) -> date:
    """A licence is expiring from the pack's number of days before its last valid day."""
    return valid_until - timedelta(days=pack.licence_expiring_days)

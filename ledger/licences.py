"""A licence, condition or specialised-inspection result, folded from its stream, and what
an order may deduct from it (DOMAIN.md §7).

A line's ``remaining`` is what was granted less what orders still standing deducted from it.
Deductions only ever take away, so the least a line holds at any effective time is what it
holds after every deduction recorded: a deduction fits at its own time *and at every later
time already recorded* exactly when it fits in that. A ``single``-use licence is spent by its
first standing deduction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from ledger.calendar import local_date
from ledger.ecommerce_events import (
    DeductionReversed,
    LicenceDeducted,
    LicenceRegistered,
    LicenceRevoked,
    order_key,
)
from ledger.events import Event
from ledger.folds import Replay, Summarized, fold


class LicenceStatus(StrEnum):
    """Where a licence line stands (DOMAIN.md §7), the first that holds in this order."""

    REVOKED = "revoked"
    EXPIRED = "expired"
    EXHAUSTED = "exhausted"
    VALID = "valid"


def licence_status(
    *, revoked: bool, valid_until: date, as_of: date, remaining: Decimal, spent: bool
) -> LicenceStatus:
    """A line's status on ``as_of``: revoked, else expired after ``valid_until``, else
    exhausted with nothing left or a single-use licence spent, else valid."""
    if revoked:
        return LicenceStatus.REVOKED
    if as_of > valid_until:
        return LicenceStatus.EXPIRED
    if remaining <= 0 or spent:
        return LicenceStatus.EXHAUSTED
    return LicenceStatus.VALID


@dataclass(frozen=True)
class LicenceSummary:
    """What deciding an order needs of a licence, without its deductions one by one: kept as
    a snapshot every so many events (``commands.snapshots``)."""

    applied: int  # events folded
    registered: LicenceRegistered | None
    revoked_at: datetime | None
    deducted: dict[int, Decimal]  # standing, by line
    standing: int  # deductions standing


class Licence(Summarized[LicenceSummary]):
    """Folded event by event: an order on a long licence costs what its new events cost."""

    summary_type = LicenceSummary

    def __init__(self) -> None:
        self.registered: LicenceRegistered | None = None
        self.revoked_at: datetime | None = None
        self.standing = 0  # deductions standing
        self.applied = 0  # events folded
        # standing, by platform/order_no; None until read, for a licence restored from a
        # summary (only a revocation or a reversed deduction asks for them one by one)
        self._deductions: dict[str, LicenceDeducted] | None = {}
        self._replay: Replay | None = None
        self._deducted: dict[int, Decimal] = {}  # standing, by line

    def summary(self) -> LicenceSummary:
        return LicenceSummary(
            self.applied, self.registered, self.revoked_at, dict(self._deducted), self.standing
        )

    @classmethod
    def restored(cls, summary: LicenceSummary, replay: Replay) -> Licence:
        """The licence a summary describes; ``replay`` gives the stream's first events when
        its deductions are asked for one by one."""
        licence = Licence()
        licence.registered, licence.revoked_at = summary.registered, summary.revoked_at
        licence.applied, licence.standing = summary.applied, summary.standing
        licence._deducted = dict(summary.deducted)
        licence._deductions, licence._replay = None, replay
        return licence

    @property
    def deductions(self) -> dict[str, LicenceDeducted]:
        """The standing deductions, by platform/order_no."""
        if self._deductions is None:
            assert self._replay is not None
            self._deductions = fold(Licence, self._replay(self.applied)).deductions
        return self._deductions

    def apply(self, event: Event) -> None:
        if isinstance(event, LicenceRegistered):
            self.registered = event
        elif isinstance(event, LicenceDeducted):
            if self._deductions is not None:
                self._deductions[order_key(event.platform, event.order_no)] = event
                self.standing = len(self._deductions)
            else:
                self.standing += 1
            self._deducted[event.line_no] = self.deducted(event.line_no) + event.quantity
        elif isinstance(event, DeductionReversed):
            gone = self.deductions.pop(order_key(event.platform, event.order_no), None)
            if gone is not None:
                self.standing -= 1
                self._deducted[gone.line_no] -= gone.quantity
        elif isinstance(event, LicenceRevoked):
            self.revoked_at = event.effective_at
        self.applied += 1

    @property
    def exists(self) -> bool:
        return self.registered is not None

    @property
    def terms(self) -> LicenceRegistered:
        assert self.registered is not None, "a licence never registered has no terms"
        return self.registered

    @property
    def licence_no(self) -> str:
        return self.terms.licence_no

    @property
    def single_use(self) -> bool:
        return self.terms.use == "single"

    def deducted(self, line_no: int) -> Decimal:
        return self._deducted.get(line_no, Decimal(0))

    def remaining(self, line_no: int) -> Decimal:
        granted = self.terms.lines[line_no - 1].quantity
        if self.single_use and self.standing:
            return Decimal(0)
        return granted - self.deducted(line_no)

    def valid_on(self, day: date) -> bool:
        return self.terms.valid_from <= day <= self.terms.valid_until

    def revoked_by(self, moment: datetime) -> bool:
        return self.revoked_at is not None and self.revoked_at <= moment

    def line_for(self, hs_code: str, unit: str) -> int | None:
        """The line (1, 2, …) granting goods of this HS code and unit: the longest prefix."""
        found = [
            (len(line.hs_prefix), n)
            for n, line in enumerate(self.terms.lines, 1)
            if hs_code.startswith(line.hs_prefix) and line.unit == unit
        ]
        return max(found)[1] if found else None

    def why_not(self, hs_code: str, unit: str, quantity: Decimal, moment: datetime) -> str | None:
        """Why an order of ``quantity`` at ``moment`` may not be deducted from this licence,
        or None when it may."""
        no = self.licence_no
        day = local_date(moment)
        if not self.valid_on(day):
            return (
                f"licence {no} is valid from {self.terms.valid_from} until "
                f"{self.terms.valid_until}, not on {day}"
            )
        if self.revoked_by(moment):
            assert self.revoked_at is not None
            return f"licence {no} was revoked from {self.revoked_at.isoformat()}"
        line_no = self.line_for(hs_code, unit)
        if line_no is None:
            return f"licence {no} has no line for HS {hs_code} in {unit}"
        if self.single_use and self.standing:
            return f"licence {no} is single-use and already served an order"
        remaining = self.remaining(line_no)
        if remaining < quantity:
            return f"licence {no} has {remaining} {unit} left on its line {line_no}"
        return None

    def deductions_from(self, moment: datetime) -> list[LicenceDeducted]:
        """The standing deductions at or after ``moment`` (a revocation from then is refused)."""
        return [d for d in self.deductions.values() if d.effective_at >= moment]


def choose(candidates: Sequence[Licence]) -> Licence | None:
    """The licence that expires first, then the lowest number."""
    return min(candidates, key=lambda c: (c.terms.valid_until, c.licence_no), default=None)

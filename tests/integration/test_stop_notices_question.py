"""The question ``stop-notices`` (DOMAIN.md §7): the notices in force at the end of a day, as
the ledger knew it at a moment — from a notice's effective day until its resumption's, each
known once recorded — asked by the one path every door takes."""

from __future__ import annotations

from datetime import datetime

from api.asking import ask
from ledger.roles import Role
from ledger.users import User
from projections.questions import question_named
from tests.integration.test_read_models import ReadSide
from tests.support import Harness, at, resume_notice, stop_notice

ADMIN = User("admin", Role.ADMIN)  # records the notices; reads no lots, and sees these


def in_force(read: ReadSide, as_of: str, known_at: datetime | None = None) -> list[str]:
    question = question_named("stop-notices")
    asked = question.asked(as_of=as_of, known_at=known_at.isoformat() if known_at else None)
    answer = ask(question, asked, ADMIN, read.model, read.runner.catch_up)
    return [f"{r['notice_ref']} {' '.join(r['hs_prefixes'])} {r['reason']}" for r in answer.rows]


def test_a_notice_is_in_force_from_its_day_until_its_resumption_as_known(
    ledger: Harness,
) -> None:
    read = ReadSide(ledger.store)
    ledger.now = at("2026-03-10 08:00")
    ledger.given(stop_notice("N-1", "2106", "0402", when="2026-03-10"))
    ledger.now = at("2026-03-21 08:00")
    ledger.given(resume_notice("N-1", "2026-03-21"), stop_notice("N-2", when="2026-03-21"))
    assert in_force(read, "2026-03-09") == []
    assert in_force(read, "2026-03-15") == ["N-1 2106 0402 health"]
    assert in_force(read, "2026-03-31") == ["N-2 8542 health"]  # N-1 resumed on the 21st
    # as known before the resumption was recorded, N-1 was still in force on the 31st
    assert in_force(read, "2026-03-31", at("2026-03-20 12:00")) == ["N-1 2106 0402 health"]
    assert in_force(read, "2026-03-15", at("2026-03-09 12:00")) == []  # not yet recorded

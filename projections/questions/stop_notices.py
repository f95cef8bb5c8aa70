"""Stop notices in force (DOMAIN.md §7): the ministries' written notices that stop exemptions
for goods under their HS prefixes, in force at the end of ``as_of`` as known at ``known_at``.
Public notices, recorded by the admin as customs publish them: seen by every user."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from ledger.errors import Forbidden
from projections.questions.question import Asked, Asking, Question, Row, as_of
from projections.stop_notices import stop_notices_in_force


@dataclass(frozen=True, kw_only=True)
class OfNotices(Asked):
    pass


class StopNoticeRow(Row):
    notice_ref: str
    ministry: str
    hs_prefixes: list[str]
    reason: Literal[
        "food_safety", "epidemic", "health", "environment", "morality", "economy", "security"
    ]
    effective_at: str
    recorded_at: str


def answer(asking: Asking, asked: OfNotices) -> Iterable[dict[str, Any]]:
    if not asking.caller.active:
        raise Forbidden("user_disabled", f"user {asking.caller.name} is disabled")
    with asking.model.engine.connect() as connection:
        return stop_notices_in_force(connection, asking.when)


QUESTION = Question(
    name="stop-notices",
    summary="Stop notices in force: the ministries' notices that stop exemptions for goods "
    "under their HS prefixes",
    doc="The stop notices in force at the end of as_of, as known at known_at (DOMAIN.md §7): "
    "each ministry's written notice that stops exemptions for the goods under its HS "
    "prefixes, from its effective_at until it is resumed. Seen by every user.",
    asked=OfNotices,
    row=StopNoticeRow,
    answer=answer,
    area="e-commerce",
    title=as_of("Stop notices in force"),
)

"""The one path every question takes at every door (HTTP, CLI, pages): who asks, for when,
the read models caught up, the question's scope and its answer."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple

from projections.answers import EVERY, Page
from projections.asked import when_asked
from projections.questions.question import Asked, Asking, Paged, Question

if TYPE_CHECKING:
    from ledger.users import User
    from projections.answers import When
    from projections.queries import ReadModel


class Answer(NamedTuple):
    rows: list[dict[str, Any]]
    when: When
    next: str | None = None  # where the next page starts (its ``after``), when more follow


def ask(
    question: Question[Any],
    asked: Asked,
    caller: User,
    model: ReadModel,
    catch_up: Callable[[], object],
) -> Answer:
    """``question`` answered for ``caller`` with ``asked``: its moment parsed (refused before
    any work), the read models caught up with everything recorded before (read your writes),
    then the question's own scope rule and query. A paged question's page is found with one
    row more than its limit: when that row exists, the answer says where the next starts."""
    when = when_asked(asked.as_of, asked.known_at)
    limit = asked.limit if isinstance(asked, Paged) else None
    page = (
        Page(asked.after, None if limit is None else limit + 1)
        if isinstance(asked, Paged)
        else EVERY
    )
    catch_up()
    rows = list(question.answer(Asking(model, caller, when, page), asked))
    if limit is None or len(rows) <= limit or question.key is None:
        return Answer(rows, when)
    return Answer(rows[:limit], when, question.continuation(rows[limit - 1]))

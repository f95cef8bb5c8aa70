"""The one path every question takes at every door (HTTP, CLI, pages): who asks, for when,
the read models caught up, the question's scope and its answer."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple

from projections.asked import when_asked
from projections.questions.question import Asked, Asking, Question

if TYPE_CHECKING:
    from ledger.users import User
    from projections.answers import When
    from projections.queries import ReadModel


class Answer(NamedTuple):
    rows: list[dict[str, Any]]
    when: When


def ask(
    question: Question[Any],
    asked: Asked,
    caller: User,
    model: ReadModel,
    catch_up: Callable[[], object],
) -> Answer:
    """``question`` answered for ``caller`` with ``asked``: its moment parsed (refused before
    any work), the read models caught up with everything recorded before (read your writes),
    then the question's own scope rule and query."""
    when = when_asked(asked.as_of, asked.known_at)
    catch_up()
    return Answer(list(question.answer(Asking(model, caller, when), asked)), when)

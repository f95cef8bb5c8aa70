"""A fold: a state built event by event from one stream, that can go on from where it was.

The unit of work keeps each stream's fold between commands and applies only the events
recorded since (``commands.unit_of_work``): a command on a licence with a hundred thousand
deductions folds one more, not all of them again.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Sequence
from typing import ClassVar, Generic, Self, TypeVar

from ledger.events import Event

F = TypeVar("F", bound="Fold")
S = TypeVar("S")

Replay = Callable[[int], Sequence[Event]]  # a stream's first n events


class Fold(ABC):
    """A stream's state; the subclass's ``__init__`` takes no arguments (the empty stream)."""

    @abstractmethod
    def apply(self, event: Event) -> None:
        """Moves the state on by one event of the stream, in recorded order."""


class Summarized(Fold, Generic[S]):
    """A fold whose state a summary restores: kept as a snapshot every so many events
    (``commands.snapshots``), so that a process starting cold on a long stream does not
    read and fold all of it. What the summary leaves out is read back through ``replay``
    when first asked for."""

    summary_type: ClassVar[type]  # the class of its summaries

    @abstractmethod
    def summary(self) -> S:
        """The state, as a snapshot keeps it."""

    @classmethod
    @abstractmethod
    def restored(cls, summary: S, replay: Replay) -> Self:
        """The state a summary describes."""


def fold(kind: type[F], events: Iterable[Event]) -> F:
    state = kind()
    for event in events:
        state.apply(event)
    return state

"""A fold: a state built event by event from one stream, that can go on from where it was.

The unit of work keeps each stream's fold between commands and applies only the events
recorded since (``commands.unit_of_work``): a command on a licence with a hundred thousand
deductions folds one more, not all of them again.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable
from typing import TypeVar

from ledger.events import Event

F = TypeVar("F", bound="Fold")


class Fold(ABC):
    """A stream's state; the subclass's ``__init__`` takes no arguments (the empty stream)."""

    @abstractmethod
    def apply(self, event: Event) -> None:
        """Moves the state on by one event of the stream, in recorded order."""


def fold(kind: type[F], events: Iterable[Event]) -> F:
    state = kind()
    for event in events:
        state.apply(event)
    return state

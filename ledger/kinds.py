"""Every kind of event the ledger records, in one registry: the reference, lot and user kinds
(``ledger.events``) and the e-commerce kinds (``ledger.ecommerce_events``) are both imported
here, not by one another, so that "every kind" means the same wherever it is asked."""

from __future__ import annotations

from ledger import ecommerce_events as _ecommerce_events  # noqa: F401  (its kinds, known)
from ledger.events import Event, LotEvent


def kinds_of(base: type[Event]) -> list[type[Event]]:
    """Every event class deriving from ``base``, itself included."""
    found: list[type[Event]] = [base]
    for sub in base.__subclasses__():
        found.extend(kinds_of(sub))
    return found


def recorded_kinds() -> list[type[Event]]:
    """The kinds of event that are recorded: the classes no other kind derives from."""
    return [kind for kind in kinds_of(Event) if not kind.__subclasses__()]


def placing_kinds() -> list[type[Event]]:
    """The lot events that put lots into warehouses (see ``LotEvent.placements``)."""
    return [
        kind
        for kind in kinds_of(LotEvent)
        if issubclass(kind, LotEvent) and kind.placements is not LotEvent.placements
    ]

"""Domain errors: a stable ``code``, the ``field`` at fault and a message that names the rule."""

from __future__ import annotations


class LedgerError(Exception):
    """A command the ledger refuses. Nothing is recorded."""

    status = 422

    def __init__(self, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field

    def as_dict(self) -> dict[str, str | None]:
        return {"code": self.code, "field": self.field, "message": self.message}


class NotFound(LedgerError):
    """The command names something the ledger has never recorded."""

    status = 404


class Conflict(LedgerError):
    """The command collides with something already recorded (an id in use, a repeat)."""

    status = 409


def excerpt(value: object, limit: int = 40) -> str:
    """A short quotation of what a user sent, for a message that must not echo it whole."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"

"""Domain errors: a stable ``code``, the ``field`` at fault and a message that names the rule."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any


@dataclasses.dataclass(frozen=True)
class FieldProblem:
    """One field a request's shape is refused for, as its validator named it: the field's
    path, the kind of problem (pydantic's error type: ``missing``, ``greater_than``, …), its
    context (the bound, the pattern) and the English message. A refusal keeps them so that
    it can be told in another language (``ledger.refusals``)."""

    field: str
    kind: str
    context: Mapping[str, Any] = dataclasses.field(default_factory=dict, hash=False)
    message: str = ""


class LedgerError(Exception):
    """A command the ledger refuses by its rules, against what it holds (a balance, a hold, a
    deadline). Nothing is recorded. ``status`` is the HTTP status a door answers with.
    ``field_problems``: each field a request's shape was refused for, when it was."""

    status = 409

    def __init__(
        self,
        code: str,
        message: str,
        field: str | None = None,
        *,
        field_problems: tuple[FieldProblem, ...] = (),
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
        self.field_problems = field_problems

    def as_dict(self) -> dict[str, str | None]:
        return {"code": self.code, "field": self.field, "message": self.message}


class Invalid(LedgerError):
    """The request breaks a rule of its own shape, whatever the ledger holds (a field
    missing or unexpected for this case, dates in the wrong order, a moment in the future)."""

    status = 422


class Unauthenticated(LedgerError):
    """No credentials, or credentials that are not valid."""

    status = 401


class Forbidden(LedgerError):
    """The caller's role or scope does not allow it."""

    status = 403


class NotFound(LedgerError):
    """The command names something the ledger has never recorded."""

    status = 404


class UnknownName(NotFound):
    """A question or a scope names a warehouse, owner, province, office or kind that does not
    exist: a mistake of the asker's (CLI exit 2), answered with the nearest known names."""


class Conflict(LedgerError):
    """The command collides with something already recorded (an id in use, a repeat)."""

    status = 409


def unknown_lot(lot_id: str, why: str = "it has not been recorded") -> NotFound:
    """What a caller hears of a lot that does not exist, or that it may not see."""
    return NotFound("unknown_lot", f"lot {lot_id} does not exist: {why}", "lot_id")


def unknown_declaration(declaration_no: str) -> NotFound:
    """What a caller hears of a declaration never recorded, or one it may not see."""
    return NotFound(
        "unknown_declaration",
        f"declaration {declaration_no} has not been recorded",
        "declaration_no",
    )


def excerpt(value: object, limit: int = 40) -> str:
    """A short quotation of what a user sent, for a message that must not echo it whole."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"

"""The questions (DOMAIN.md §5–§8), one module each: its parameters, row, scope and query.
Every module of this package holding a ``QUESTION`` is served by every door, found here:
adding a question is adding its module (and its test)."""

from __future__ import annotations

from importlib import import_module
from pkgutil import iter_modules
from typing import Any

from projections.questions.question import Question


def questions() -> list[Question[Any]]:
    """Every question, in the order of its module's name."""
    found = []
    for module in iter_modules(__path__):
        question = getattr(import_module(f"{__name__}.{module.name}"), "QUESTION", None)
        if isinstance(question, Question):
            found.append(question)
    return found

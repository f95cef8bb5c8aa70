"""The questions (DOMAIN.md §5–§8), one module each: its parameters, row, scope and query.
Every module of this package but ``question`` (what a question is) declares one, named as
the module with hyphens (``stock_card.py`` → ``stock-card``), and every door serves it:
adding a question is adding its module (and its test). A door that needs one question (a
``bonded`` run) imports only that one."""

from __future__ import annotations

from importlib import import_module
from pkgutil import iter_modules
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from projections.questions.question import Question

FRAMEWORK = "question"  # the module saying what a question is (and so no function is named so:
# importing it sets the package's attribute ``question`` to the module)


def names() -> list[str]:
    """Every question's name, in the order of its module's, without importing any."""
    return [
        module.name.replace("_", "-")
        for module in iter_modules(__path__)
        if module.name != FRAMEWORK and not module.name.startswith("_")
    ]


def question_named(name: str) -> Question[Any]:
    """The question ``name``, its module imported now."""
    from projections.questions.question import Question

    module = import_module(f"{__name__}.{name.replace('-', '_')}")
    found = getattr(module, "QUESTION", None)
    if not isinstance(found, Question) or found.name != name:
        raise LookupError(f"{module.__name__} declares no question named {name!r}")
    return found


def questions() -> list[Question[Any]]:
    """Every question, in the order of its module's name."""
    return [question_named(name) for name in names()]

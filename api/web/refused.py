"""A refusal on a page, in the page's language (issue 22): the templates' ``told(...)``.

What a page shows of a refusal is what the API's problem ``detail`` says in the same
language (``ledger.refusals.localized``): a form's refusal and a page's error, and each
field a form's model refused, beside its input. Told when the page is rendered, so in the
language it is rendered in (``api.web.language.current``)."""

from __future__ import annotations

from api.web.language import current
from ledger.errors import FieldProblem, LedgerError
from ledger.refusals import localized, problem_text


def told(what: LedgerError | FieldProblem | str | None) -> str:
    """A refusal, a field's problem, or a message already in words, in the page's language."""
    if isinstance(what, LedgerError):
        return localized(what, current())
    if isinstance(what, FieldProblem):
        return problem_text(what, current())
    return "" if what is None else str(what)

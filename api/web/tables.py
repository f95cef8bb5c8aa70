"""A question's answer as a page shows it: the same question, asked by the same path as the
API and the CLI (``api/asking.ask``) for the session's user, its parameters checked by the
same bounds as the API's, its columns labelled in the page's language when it is shown."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar, get_args

from fastapi import Request
from starlette.datastructures import URL

from api.asking import ask
from api.web.labels import column_label
from api.web.written import last_written
from ledger.codes import plain_text
from ledger.errors import Invalid, LedgerError
from ledger.users import User
from projections.answers import When
from projections.questions import question_named
from projections.questions.question import Question


@dataclass(frozen=True)
class Table:
    question: str
    columns: list[str]
    numeric: frozenset[str]
    rows: list[dict[str, Any]]
    when: When
    next_href: str | None = None  # the page's own URL showing the answer's next rows
    first_href: str | None = None  # and its first rows, when these are not

    @property
    def labels(self) -> dict[str, str]:
        """The columns' words, in the language of the page being rendered."""
        return {column: column_label(column) for column in self.columns}


PAGE = 100  # rows of a paged answer a page shows at a time
PAGING = ("limit", "after")  # set by the page for each table, never by its filters


def table(
    request: Request,
    user: User,
    name: str,
    given: Mapping[str, object],
    paged: str | None = None,
    **fixed: object,
) -> Table:
    """The answer to the question ``name``, asked with the page's filters that it takes (and
    ``fixed`` ones); a refusal raises ``LedgerError`` as at the other doors. Given ``paged``
    (the name of the table on its page) a paged question is asked for ``PAGE`` rows from the
    key in the URL's ``<paged>_after``, and the table links to the page showing the next."""
    question = question_named(name)
    fields = question.asked.__dataclass_fields__
    values = {k: v for k, v in given.items() if k in fields and k not in PAGING}
    values.update((k, v) for k, v in fixed.items() if k in fields)
    parameter = f"{paged}_after"
    if paged is not None and question.key is not None:
        values.update(limit=PAGE, after=request.query_params.get(parameter) or None)
    asked = question.asked(**checked(question, values))
    ledger = request.app.state.ledger
    position = last_written(request)
    answer = ask(question, asked, user, ledger.answering, lambda: ledger.catch_up(position))
    next_href = first_href = None
    if paged is not None and answer.next is not None:
        following = request.url.include_query_params(**{parameter: answer.next})
        next_href = _href(following, paged)
    if paged is not None and request.query_params.get(parameter):
        first = request.url.remove_query_params(parameter)
        first_href = _href(first, paged)
    columns, numeric = question.row.columns(), question.row.numeric()
    return Table(name, columns, numeric, answer.rows, answer.when, next_href, first_href)


R = TypeVar("R")


def asked_of_role(
    request: Request,
    user: User,
    name: str,
    given: Mapping[str, object],
    paged: str | None = None,
    **fixed: object,
) -> Table | None:
    """``table``, or None when the user's role does not ask the question ``name``: a page
    leaves that section out rather than refusing itself. Any other refusal is raised."""
    try:
        return table(request, user, name, given, paged, **fixed)
    except LedgerError as refusal:
        if refusal.code == "role_not_allowed":
            return None
        raise


def stretch(
    request: Request, rows: Sequence[R], paged: str
) -> tuple[list[R], str | None, str | None]:
    """``PAGE`` of ``rows`` from the one numbered in the URL's ``<paged>_from`` (0: the
    first), and the page's own URL showing the next ones and the first ones (None: there are
    none, or these are): for what a page works out whole (the differences between two
    answers), where no question pages it."""
    parameter = f"{paged}_from"
    given = request.query_params.get(parameter, "")
    start = int(given) if given.isdecimal() and len(given) < 10 else 0
    next_href = first_href = None
    if start + PAGE < len(rows):
        following = request.url.include_query_params(**{parameter: start + PAGE})
        next_href = _href(following, paged)
    if start:
        first = request.url.remove_query_params(parameter)
        first_href = _href(first, paged)
    return list(rows[start : start + PAGE]), next_href, first_href


def checked(question: Question[Any], values: dict[str, object]) -> dict[str, object]:
    """The page's values for the question's parameters, refused (422) as the API refuses
    them: a control character, a value longer than its bound, a number out of its range."""
    found: dict[str, object] = {}
    for name, kind, how in question.asked.parameters():
        if name not in values:
            continue
        value = values[name]
        if isinstance(value, str):
            try:
                plain_text(value)
            except ValueError as error:
                raise Invalid("invalid_parameter", f"{name}: {error}", name) from None
            if how.max_length is not None and len(value) > how.max_length:
                raise Invalid(
                    "invalid_parameter", f"{name}: at most {how.max_length} characters", name
                )
            if int in (kind, *get_args(kind)) and not isinstance(value, int):
                if not value.strip().lstrip("-").isdecimal() or len(value) > 12:
                    raise Invalid("invalid_parameter", f"{name}: a whole number", name)
                value = int(value)
        if isinstance(value, int) and (
            (how.ge is not None and value < how.ge) or (how.le is not None and value > how.le)
        ):
            raise Invalid("invalid_parameter", f"{name}: between {how.ge} and {how.le}", name)
        found[name] = value
    return found


def _href(url: URL, fragment: str) -> str:
    """``url`` as a link within the site, to ``fragment`` (``/#clocks``, not ``/?#clocks``)."""
    return f"{url.path}?{url.query}#{fragment}" if url.query else f"{url.path}#{fragment}"

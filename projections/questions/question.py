"""What a question is (DOMAIN.md §5–§7): its parameters, its row, its scope rule and its query,
declared once in a module of its own. The doors (``api/``: the HTTP API, the CLI, and next
the pages) derive everything else from the declaration: the query and path parameters and the
CLI's options and arguments from :class:`Asked`'s fields, the OpenAPI schema, the CSV columns
and the CLI's table from the row model. One path — caller, moment, caught-up read models,
scope, answer — serves each of them (``api/asking.ask``)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Annotated, Any, Generic, TypeVar, get_type_hints

from pydantic import BaseModel, ConfigDict

from ledger.errors import unknown_lot

if TYPE_CHECKING:
    from ledger.scope import ReadScope
    from ledger.users import User
    from projections.answers import Filters, Page, When
    from projections.queries import ReadModel


@dataclass(frozen=True)
class Ask:
    """How a parameter is asked at every door: its help, its name there when it is not the
    field's (``from``), whether it names the question's subject (a path segment over HTTP, an
    argument on the CLI), and its bounds."""

    help: str
    flag: str | None = None
    subject: bool = False
    max_length: int | None = None
    ge: int | None = None
    le: int | None = None
    example: str | None = None


class Numeric:
    """Marks a column holding a number (a decimal printed as a string): right-aligned."""


Quantity = Annotated[str, Numeric()]  # every decimal the product prints is a JSON string


class Row(BaseModel):
    """One row of an answer, exactly the fields of ``--format json`` (DOMAIN.md §6)."""

    model_config = ConfigDict(extra="forbid")

    @classmethod
    def columns(cls) -> list[str]:
        return list(cls.model_fields)

    @classmethod
    def numeric(cls) -> frozenset[str]:
        return frozenset(
            name
            for name, info in cls.model_fields.items()
            if info.annotation is int or any(isinstance(m, Numeric) for m in info.metadata)
        )


@dataclass(frozen=True, kw_only=True)
class Asked:
    """The parameters every question takes: the effective day and the recorded moment."""

    as_of: Annotated[
        str | None,
        Ask(
            "Effective date YYYY-MM-DD: the answer holds at the end of that day in the "
            "warehouse's zone. Default: today.",
            example="2026-06-30",
        ),
    ] = None
    known_at: Annotated[
        str | None,
        Ask(
            "What the ledger knew at this recorded moment (ISO 8601 with offset; a bare date "
            "means the end of that day). Default: now.",
            example="2026-07-01T09:00:00+07:00",
        ),
    ] = None

    @classmethod
    def parameters(cls) -> list[tuple[str, Any, Ask]]:
        """Each field's name, type and how it is asked, in declaration order."""
        hints = get_type_hints(cls, include_extras=True)
        found = []
        for name in cls.__dataclass_fields__:
            hint = hints[name]
            ask = next(extra for extra in hint.__metadata__ if isinstance(extra, Ask))
            found.append((name, hint.__origin__, ask))
        return found


@dataclass(frozen=True, kw_only=True)
class Paged(Asked):
    """The parameters of a question answered a page at a time, in the order of its key (a
    lot's id, a declaration's number): at most ``limit`` rows, from the key after ``after``.
    Without a limit, every row."""

    limit: Annotated[
        int | None,
        Ask(
            "At most this many rows. When more follow, the answer says where the next page "
            'starts (HTTP: a Link header, rel="next"; CLI: a line on stderr). Default: every row.',
            ge=1,
            le=10_000,
            example="100",
        ),
    ] = None
    after: Annotated[
        str | None,
        Ask(
            "Only the rows after this one: where the page before ended, as its next link "
            "gives it (a lot's id, a declaration's number; a warning's day|kind|subject).",
            max_length=200,
        ),
    ] = None


Lot = Annotated[str | None, Ask("Only this lot.", max_length=100)]
Warehouse = Annotated[str | None, Ask("Only this warehouse.", max_length=64)]
Owner = Annotated[str | None, Ask("Only this goods owner's lots.", max_length=64)]
Province = Annotated[str | None, Ask("Only this province.", max_length=200)]


@dataclass
class Asking:
    """A question being answered: the read models caught up, who asks, and for when."""

    model: ReadModel
    caller: User
    when: When
    page: Page  # the stretch of a paged answer to find (one row more than asked, if limited)

    @cached_property
    def scope(self) -> ReadScope:
        return self.model.scope(self.caller)

    def lots(
        self,
        warehouse: str | None = None,
        owner: str | None = None,
        lot: str | None = None,
        province: str | None = None,
    ) -> Filters:
        """The lot filters asked for, each name as recorded, narrowed to the caller's scope;
        refused where they name what the caller may not see or what does not exist."""
        from projections.answers import Filters
        from projections.visibility import within

        asked = Filters(warehouse, owner, lot, province)
        return within(self.model.named(self.caller, self.scope, asked), self.scope)

    def lot_in_sight(self, lot_id: str) -> str:
        """The lot, unless the caller may not see it (then not found, as if it did not exist)."""
        if not self.model.lot_in_sight(self.scope, lot_id):
            raise unknown_lot(lot_id)
        return lot_id


A = TypeVar("A", bound=Asked)


@dataclass(frozen=True)
class Question(Generic[A]):
    """A question: its name (the CLI command and the URL's last segment), its route, what it
    says of itself, its parameters, its row and its answer."""

    name: str
    summary: str
    asked: type[A]
    row: type[Row]
    answer: Callable[[Asking, A], Iterable[dict[str, Any]]]
    title: Callable[[A, When], str]
    route: str = ""
    doc: str = ""
    area: str = "stock and clocks"
    key: str | Callable[[dict[str, Any]], str] | None = None  # a paged question's key: the
    # column its pages follow, or what an ``after`` continuing after a row says

    def continuation(self, row: dict[str, Any]) -> str:
        """The ``after`` that continues this question's answer after ``row``."""
        if self.key is None:
            raise TypeError(f"{self.name} is not answered a page at a time")
        return self.key(row) if callable(self.key) else str(row[self.key])

    def __post_init__(self) -> None:
        if (self.key is None) != (not issubclass(self.asked, Paged)):
            raise TypeError(f"{self.name}: a paged question has a key, and only a paged one")
        if not self.route:
            object.__setattr__(self, "route", f"/{self.name}")
        if not self.doc:
            object.__setattr__(self, "doc", self.summary + ".")


@dataclass(frozen=True, kw_only=True)
class OfLots(Paged):
    """The lot questions' filters: balances, clocks, overdue."""

    warehouse: Warehouse = None
    owner: Owner = None
    lot: Lot = None
    province: Province = None

    def filters(self, asking: Asking) -> Filters:
        """These filters, as recorded and narrowed to the caller's scope."""
        return asking.lots(self.warehouse, self.owner, self.lot, self.province)


def as_of(title: str) -> Callable[[Asked, When], str]:
    """The title of an answer holding on a day: "Balances as of 2026-06-30"."""
    return lambda _, when: f"{title} as of {when.as_of}"

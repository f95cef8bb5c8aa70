"""The e-commerce pages (issue 22; DOMAIN.md §7): licences with what remains on each line (a
bar, its numbers beside it, low and expiring said in words), orders by platform, the stop
notices in force, a licence's card and a buyer's allowance — each a question asked for the
session's user by the path the API takes (``licences``, ``orders``, ``stop-notices``,
``licence-card``, ``allowance``), as of a day and as known at a moment given in the URL.

A question the user's role may not ask is not on its page; a licence the user may not see is
answered, like one never registered, with a 404, as the API answers it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from enum import Enum
from itertools import groupby
from typing import Any, get_args
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from api.web.labels import column_label, ecommerce_label
from api.web.language import N_
from api.web.navigation import Link
from api.web.sessions import Session
from api.web.site import TEMPLATES, given, page, signed_in, to_sign_in
from api.web.tables import Table, asked_of_role, table
from ledger.codes import plain_text
from ledger.ecommerce_events import BASES
from ledger.errors import Invalid, LedgerError, excerpt
from ledger.findings import licence_expiring_from, licence_low
from ledger.roles import ANY_USER
from ledger.rulepacks import RulePack
from ledger.scope import READS_LOTS
from ledger.users import User
from projections.questions import question_named

router = APIRouter(include_in_schema=False)
LINK = Link("/ecommerce", N_("E-commerce"), ANY_USER)  # stop notices are every user's to read
PAGE_SIZE = 50  # the orders or deductions one page lists; the totals count them all
WHEN = ("as_of", "known_at")
SECTIONS = ("licences", "orders", "stop-notices")
STANDING = ("valid", "exhausted")  # a revoked or expired line is neither low nor expiring

TEMPLATES.env.globals.update(column_label=column_label, ecommerce_label=ecommerce_label)
TEMPLATES.env.filters["segment"] = lambda value: quote(str(value), safe="")  # one path segment


# --- the pages ----------------------------------------------------------------------------


@router.get("/ecommerce")
def ecommerce(request: Request) -> Response:
    found = signed_in(request)
    if found is None:
        return to_sign_in()
    user, session = found
    filters = given(request)
    tables: dict[str, Table] = {}
    try:
        for name in SECTIONS:
            answer = asked_of_role(request, user, name, asked_for(name, filters))
            if answer is not None:  # a question the user's role does not ask is not on its page
                tables[name] = answer
    except LedgerError as refusal:
        return refused(request, "ecommerce.html", user, session, filters, refusal)
    licences, orders = tables.get("licences"), tables.get("orders")
    platforms = by_platform(orders.rows) if orders else []
    return page(
        request,
        "ecommerce.html",
        user=user,
        csrf_token=session.csrf_token,
        asked=filters,
        error=None,
        tables=tables,
        lines=licence_lines(licences, pack_of(request)) if licences else [],
        platforms=platforms,
        platform_links={p.platform: only_platform(request, p.platform) for p in platforms},
        bases=BASES,
        listed=Listing.of(request, by_platform_first(orders.rows)) if orders else None,
        asks_allowances=user.role in READS_LOTS,
        when=next(iter(tables.values())).when if tables else None,
        **shared(request, filters),
    )


@router.get("/ecommerce/licences/{licence_no}")
def licence(request: Request, licence_no: str) -> Response:
    found = signed_in(request)
    if found is None:
        return to_sign_in()
    user, session = found
    filters = given(request)
    moment = {k: v for k, v in filters.items() if k in WHEN}
    try:
        card = table(
            request, user, "licence-card", asked_for("licence-card", moment, licence_no=licence_no)
        )
        lines = table(request, user, "licences", asked_for("licences", moment))
    except LedgerError as refusal:
        return refused(
            request, "ecommerce_licence.html", user, session, filters, refusal, licence_no
        )
    own = [row for row in lines.rows if row["licence_no"] == licence_no]
    return page(
        request,
        "ecommerce_licence.html",
        user=user,
        csrf_token=session.csrf_token,
        asked=filters,
        error=None,
        licence_no=licence_no,
        card=card,
        lines=licence_lines(replace(lines, rows=own), pack_of(request)),
        listed=Listing.of(request, card.rows),
        when=card.when,
        **shared(request, filters),
    )


@router.get("/ecommerce/allowances")
def allowance_asked(request: Request) -> Response:
    """The form on /ecommerce: to the buyer's own URL, the rest of the query kept."""
    buyer = request.query_params.get("buyer_id", "").strip()
    kept = [(k, v) for k, v in request.query_params.multi_items() if k != "buyer_id" and v]
    if not buyer:
        return RedirectResponse("/ecommerce" + query(kept), status_code=303)
    return RedirectResponse(f"/ecommerce/allowances/{quote(buyer, safe='')}" + query(kept), 303)


@router.get("/ecommerce/allowances/{buyer_id}")
def allowance(request: Request, buyer_id: str) -> Response:
    found = signed_in(request)
    if found is None:
        return to_sign_in()
    user, session = found
    filters = given(request)
    try:
        asked = asked_for("allowance", filters, buyer_id=buyer_id)
        answer = table(request, user, "allowance", asked)
        year = int(str(asked.get("year") or answer.when.as_of.year))
        moment = {k: v for k, v in filters.items() if k in WHEN}
        in_year = {"buyer": buyer_id, "from_day": f"{year}-01-01", "to_day": f"{year}-12-31"}
        orders = table(request, user, "orders", asked_for("orders", moment, **in_year))
    except LedgerError as refusal:
        return refused(
            request, "ecommerce_allowance.html", user, session, filters, refusal, buyer_id
        )
    return page(
        request,
        "ecommerce_allowance.html",
        user=user,
        csrf_token=session.csrf_token,
        asked=filters,
        error=None,
        buyer_id=buyer_id,
        year=year,
        allowance=answer,
        entries=[{**row, **bar(row["exempt_quantity"], row["left"])} for row in answer.rows],
        orders=orders,
        listed=Listing.of(request, orders.rows),
        when=answer.when,
        **shared(request, filters),
    )


def refused(
    request: Request,
    template: str,
    user: User,
    session: Session,
    filters: dict[str, str],
    refusal: LedgerError,
    subject: str = "",
) -> Response:
    """The page with the refusal in place of answers: another's licence, or what the user's
    role may not ask, as one that does not exist (404); a value out of bounds as the API's
    422."""
    status = 404 if refusal.status in (403, 404) else refusal.status
    return page(
        request,
        template,
        status,
        user=user,
        csrf_token=session.csrf_token,
        asked=filters,
        error=refusal.message,
        tables={},
        licence_no=subject,
        buyer_id=subject,
        when=None,
        **shared(request, filters),
    )


# --- what the pages ask, within the API's bounds ------------------------------------------


def asked_for(name: str, filters: Mapping[str, str], **fixed: str) -> dict[str, object]:
    """What the question ``name`` takes of the page's filters, named in the URL as over HTTP
    (``from``, ``to``), and of ``fixed`` (by field); each held to the bounds the API holds it
    to (length, range, no control character), else refused as the API refuses it (422)."""
    found: dict[str, object] = {}
    for name_of_field, kind, how in question_named(name).asked.parameters():
        named = how.flag or name_of_field
        text = fixed.get(name_of_field, filters.get(named))
        if not text:
            continue
        try:
            plain_text(text)
        except ValueError as error:
            raise Invalid("invalid_parameter", f"{named}: {error}", named) from None
        if how.max_length is not None and len(text) > how.max_length:
            raise Invalid(
                "invalid_parameter",
                f"{named}: {excerpt(text)} is longer than {how.max_length} characters",
                named,
            )
        choices = one_of(kind)
        if choices and text not in choices:
            raise Invalid(
                "invalid_parameter", f"{named}: {excerpt(text)} is not one of {choices}", named
            )
        found[name_of_field] = whole(named, text, how.ge, how.le) if int in kinds(kind) else text
    return found


def kinds(kind: Any) -> tuple[Any, ...]:
    return get_args(kind) or (kind,)


def one_of(kind: Any) -> tuple[str, ...]:
    """The values a parameter of an enumerated kind (``LicenceStatus | None``) may take."""
    for each in kinds(kind):
        if isinstance(each, type) and issubclass(each, Enum):
            return tuple(str(member.value) for member in each)
    return ()


def whole(named: str, text: str, ge: int | None, le: int | None) -> int:
    if not text.isdecimal() or len(text) > 9:
        raise Invalid("invalid_parameter", f"{named}: {excerpt(text)} is not a number", named)
    number = int(text)
    if (ge is not None and number < ge) or (le is not None and number > le):
        raise Invalid("invalid_parameter", f"{named}: {number} is outside {ge}–{le}", named)
    return number


def shared(request: Request, filters: Mapping[str, str]) -> dict[str, Any]:
    """What every e-commerce page shows: the rule pack's thresholds of low and expiring, and
    the page's moment, kept in its links to the others."""
    pack = pack_of(request)
    return {
        "rules": {
            "low_percent": pack.licence_low_percent,
            "expiring_days": pack.licence_expiring_days,
        },
        "moment_query": query((k, filters[k]) for k in WHEN if k in filters),
    }


def only_platform(request: Request, platform: str) -> str:
    """This page with its orders narrowed to one platform (from its first page)."""
    kept = [(k, v) for k, v in request.query_params.multi_items() if k not in ("platform", "page")]
    return request.url.path + query([*kept, ("platform", platform)]) + "#order-list"


def pack_of(request: Request) -> RulePack:
    pack: RulePack = request.app.state.ledger.read_model.pack
    return pack


def query(pairs: Iterable[tuple[str, str]]) -> str:
    encoded = urlencode(list(pairs))
    return f"?{encoded}" if encoded else ""


# --- what the answers are shown as ---------------------------------------------------------


def share(part: Decimal, whole_: Decimal) -> Decimal:
    """``part`` of ``whole_`` in per cent, within 0–100, to one place (for a bar's width)."""
    if whole_ <= 0:
        return Decimal(0)
    return min(max(part * 100 / whole_, Decimal(0)), Decimal(100)).quantize(Decimal("0.1"))


def bar(whole_: str, left: str) -> dict[str, Any]:
    """A bar's two parts: what is gone and what is left of ``whole_``, in per cent."""
    left_share = share(Decimal(left), Decimal(whole_))
    return {"left_share": left_share, "gone_share": Decimal(100) - left_share}


def licence_lines(licences: Table, pack: RulePack) -> list[dict[str, Any]]:
    """Each licence line with its bar, and whether it is low or expiring by the rules the
    warnings raise ``licence_low`` and ``licence_expiring`` by (``ledger.findings``)."""
    as_of = licences.when.as_of
    found = []
    for row in licences.rows:
        granted, remaining = Decimal(row["granted"]), Decimal(row["remaining"])
        valid_until = date.fromisoformat(row["valid_until"])
        standing = row["status"] in STANDING
        found.append(
            {
                **row,
                **bar(row["granted"], row["remaining"]),
                "low": standing and licence_low(granted, remaining, pack),
                "expiring": standing
                and licence_expiring_from(valid_until, pack) <= as_of <= valid_until,
            }
        )
    return found


@dataclass
class Platform:
    platform: str
    orders: int = 0
    quantity: Decimal = Decimal(0)
    customs_value: Decimal = Decimal(0)
    bases: dict[str, int] = field(default_factory=dict)


def by_platform(rows: Iterable[dict[str, Any]]) -> list[Platform]:
    """Every order asked for, summed per platform."""
    platforms: dict[str, Platform] = {}
    for row in rows:
        found = platforms.setdefault(row["platform"], Platform(row["platform"]))
        found.orders += 1
        found.quantity += Decimal(row["quantity"])
        found.customs_value += Decimal(row["customs_value"])
        found.bases[row["basis"]] = found.bases.get(row["basis"], 0) + 1
    return sorted(platforms.values(), key=lambda p: p.platform)


def by_platform_first(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The orders by platform, each platform's in the answer's order (effective)."""
    return sorted(rows, key=lambda row: str(row["platform"]))


@dataclass(frozen=True)
class Listing:
    """One page of a long answer: its rows, grouped where they are grouped, and the links to
    the other pages, the URL's filters kept."""

    rows: list[dict[str, Any]]
    number: int
    pages: int
    total: int
    first: int  # the position of the page's first row, from 1
    links: dict[str, str]

    @classmethod
    def of(cls, request: Request, rows: list[dict[str, Any]]) -> Listing:
        pages = max(1, -(-len(rows) // PAGE_SIZE))
        asked = request.query_params.get("page", "1")
        number = min(max(int(asked), 1), pages) if asked.isdecimal() and len(asked) < 7 else 1
        start = (number - 1) * PAGE_SIZE
        kept = [(k, v) for k, v in request.query_params.multi_items() if k != "page" and v]

        def link(to: int) -> str:
            return request.url.path + query([*kept, ("page", str(to))])

        wanted = {"first": 1, "previous": number - 1, "next": number + 1, "last": pages}
        return cls(
            rows[start : start + PAGE_SIZE],
            number,
            pages,
            len(rows),
            start + 1,
            {name: link(to) for name, to in wanted.items() if 1 <= to <= pages and to != number},
        )

    def groups(self, key: str) -> list[tuple[str, list[dict[str, Any]]]]:
        return [(name, list(rows)) for name, rows in groupby(self.rows, lambda r: r[key])]

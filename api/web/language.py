"""The pages' two languages (issue 22): Vietnamese and English, from gettext catalogues kept
with Babel (``api/locale``), and numbers and dates in the chosen locale's format.

A person's choice is remembered in a cookie (``?lang=vi`` on any page sets it); without one,
the browser's ``Accept-Language`` decides; without that, English. The catalogues are made
with ``make catalogues`` (extract from the templates and ``api/``, update, compile)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations
from starlette.requests import Request

from ledger.calendar import WAREHOUSE_ZONE

LANGUAGES = ("vi", "en")  # the first is the product's own, the second the default for others
DEFAULT = "en"
COOKIE = "bonded_lang"
PARAMETER = "lang"
CATALOGUES = Path(__file__).parent.parent / "locale"
NAMES = {"vi": "Tiếng Việt", "en": "English"}

_current: ContextVar[str] = ContextVar("bonded_language", default=DEFAULT)


def chosen(request: Request) -> str:
    """The language of a request: ``?lang=``, then the cookie, then ``Accept-Language``."""
    for given in (request.query_params.get(PARAMETER), request.cookies.get(COOKIE)):
        if given in LANGUAGES:
            return str(given)
    return accepted(request.headers.get("accept-language", ""))


def accepted(header: str) -> str:
    """The best of ``LANGUAGES`` for an ``Accept-Language`` header (RFC 9110 §12.5.4)."""
    weighted: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")[:20]):
        tag, _, parameters = part.strip().partition(";")
        weight = 1.0
        for parameter in parameters.split(";"):
            name, _, value = parameter.strip().partition("=")
            if name == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in LANGUAGES and weight > 0:
            weighted.append((-weight, position, primary))
    return min(weighted)[2] if weighted else DEFAULT


@cache
def translations(language: str) -> NullTranslations:
    if language == "en":
        return NullTranslations()  # the messages are written in English
    return Translations.load(str(CATALOGUES), [language], domain="messages")


@contextmanager
def speaking(language: str) -> Iterator[None]:
    """Translates what is rendered within into ``language``."""
    token = _current.set(language)
    try:
        yield
    finally:
        _current.reset(token)


def current() -> str:
    return _current.get()


def N_(message: str) -> str:
    """Marks a message for the catalogues without translating it (it is, when shown)."""
    return message


def gettext(message: str) -> str:
    return translations(current()).ugettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(current()).ungettext(singular, plural, n)


def _locale() -> Locale:
    try:
        return Locale.parse(current())
    except (UnknownLocaleError, ValueError):
        return Locale.parse(DEFAULT)


def number(value: object, places: int | None = None) -> str:
    """A quantity in the locale's format (``1.234.567,5`` in Vietnamese), never rounded
    unless ``places`` says so; what is not a number is shown as it is."""
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    if places is not None:
        amount = round(amount, places)
        pattern = "#,##0" + ("." + "0" * places if places else "")
        return format_decimal(amount, format=pattern, locale=_locale(), decimal_quantization=True)
    return format_decimal(amount, locale=_locale(), decimal_quantization=False)


def money(value: object) -> str:
    """An amount of đồng: no decimals (the đồng has no minor unit)."""
    return number(value, 0)


def day(value: object) -> str:
    """A date in the locale's short-but-unambiguous format (``04/12/2026``, ``Dec 4, 2026``)."""
    if value in (None, ""):
        return ""
    try:
        found = value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
    except ValueError:
        return str(value)
    return format_date(found, format="medium", locale=_locale())


def moment(value: object) -> str:
    """A recorded or effective moment in the warehouse's zone (Vietnam, UTC+07:00), as the
    ledger counts its days; one without an offset is shown as it is."""
    if value in (None, ""):
        return ""
    try:
        found = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    if found.tzinfo is not None:
        found = found.astimezone(WAREHOUSE_ZONE)
    return format_datetime(found, format="medium", tzinfo=found.tzinfo, locale=_locale())

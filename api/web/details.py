"""A warning's detail in the page's language. The ledger writes each detail in English from a
few sentences of its own (``projections/warnings.py``, ``projections/warning_facts.py``); a
page reads the sentence back by its pattern and tells it again from the catalogue, with the
days and quantities in the locale's format. A detail of no known sentence is shown as
written."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from api.web.labels import event_label
from api.web.language import N_, current, day, gettext, number

DAY = r"(?P<{}>\d{{4}}-\d{{2}}-\d{{2}})"
NUMBER = r"(?P<{}>-?[0-9][0-9.]*)"


def _day(name: str) -> str:
    return DAY.format(name)


def _number(name: str) -> str:
    return NUMBER.format(name)


SENTENCES: Mapping[str, tuple[tuple[re.Pattern[str], str], ...]] = {
    "overdue": (
        (
            re.compile(f"past its deadline {_day('deadline')} with goods on hand or in transit"),
            N_("past its deadline %(deadline)s with goods on hand or in transit"),
        ),
    ),
    "due_soon": (
        (
            re.compile(f"deadline {_day('deadline')}, {_number('left')} days? left"),
            N_("deadline %(deadline)s, %(left)s day(s) left"),
        ),
    ),
    "settlement_overdue": (
        (
            re.compile(
                f"emptied on {_day('emptied')}, due for settlement by {_day('due')}, not settled"
            ),
            N_("emptied on %(emptied)s, due for settlement by %(due)s, not settled"),
        ),
    ),
    "report_late": (
        (
            re.compile(
                r"the (?P<form>\S+) report for (?P<period>\S+) was due on "
                + _day("due")
                + " and was submitted late, on "
                + _day("submitted")
            ),
            N_(
                "the %(form)s report for %(period)s was due on %(due)s; submitted late, "
                "on %(submitted)s"
            ),
        ),
        (
            re.compile(
                r"the (?P<form>\S+) report for (?P<period>\S+) was due on "
                + _day("due")
                + " and was not submitted by then"
            ),
            N_(
                "the %(form)s report for %(period)s was due on %(due)s and was not "
                "submitted by then"
            ),
        ),
    ),
    "licence_low": (
        (
            re.compile(
                f"{_number('remaining')} (?P<unit>.+) of {_number('granted')} left, below "
                f"{_number('percent')} %"
            ),
            N_("%(remaining)s %(unit)s of %(granted)s left, below %(percent)s %%"),
        ),
    ),
    "licence_expiring": (
        (re.compile(f"valid until {_day('until')}"), N_("valid until %(until)s")),
    ),
    "late_entry": (
        (
            re.compile(
                r"(?P<event>[A-Za-z]+) effective (?P<effective>\S+) recorded (?P<delay>.+?) "
                r"after it took effect \(allowed: (?P<allowed>.+)\)"
            ),
            N_(
                "%(event)s effective %(effective)s, recorded %(delay)s after it took "
                "effect (allowed: %(allowed)s)"
            ),
        ),
    ),
}
SHOWN: Mapping[str, Callable[[str], str]] = {  # how each part is shown, when not as written
    "deadline": day,
    "emptied": day,
    "due": day,
    "submitted": day,
    "until": day,
    "left": number,
    "remaining": number,
    "granted": number,
    "event": event_label,
}


def detail_told(kind: str, detail: str) -> str:
    """``detail`` of a warning of ``kind`` in the page's language (English: as written)."""
    if current() != "vi":
        return detail
    for pattern, sentence in SENTENCES.get(kind, ()):
        found = pattern.fullmatch(detail)
        if found is not None:
            parts = {
                name: SHOWN[name](value) if name in SHOWN else value
                for name, value in found.groupdict().items()
            }
            return gettext(sentence) % parts
    return detail

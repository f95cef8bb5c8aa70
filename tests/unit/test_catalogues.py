"""The pages' two languages: every message the pages can show has its Vietnamese, the
compiled catalogue the server reads is the one committed beside it, and every word a form or
a table takes from the ledger's vocabulary is declared (``api/web/labels.py``)."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from api.web import language
from api.web.forms import form_of
from api.web.labels import COLUMNS, FIELDS
from api.web.record import FORMS

ROOT = Path(__file__).parents[2]
CATALOGUE = ROOT / "api" / "locale" / "vi" / "LC_MESSAGES"


def extracted() -> set[str]:
    """Every message marked in api/web and the page templates (``make catalogues``)."""
    with (ROOT / "api" / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)
    found: set[str] = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map
    ):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def test_every_message_of_the_pages_has_its_vietnamese() -> None:
    with (CATALOGUE / "messages.po").open("rb") as po:
        catalogue = read_po(po, locale="vi")
    translated = {
        m.id[0] if isinstance(m.id, tuple) else m.id
        for m in catalogue
        if m.id and all(m.string) and not m.fuzzy
    }
    missing = sorted(extracted() - translated)
    assert not missing, f"run `make catalogues` and translate in messages.po: {missing}"


def test_the_compiled_catalogue_is_the_committed_one() -> None:
    with (CATALOGUE / "messages.po").open("rb") as po:
        catalogue = read_po(po, locale="vi")
    compiled = BytesIO()
    write_mo(compiled, catalogue)
    assert (CATALOGUE / "messages.mo").read_bytes() == compiled.getvalue(), "run make catalogues"


def test_a_page_speaks_vietnamese_with_the_locale_s_numbers() -> None:
    with language.speaking("vi"):
        assert language.gettext("Sign in") == "Đăng nhập"
        assert language.number("1234567.5") == "1.234.567,5"
        assert language.money("1234567.5") == "1.234.568"
    with language.speaking("en"):
        assert language.number("1234567.5") == "1,234,567.5"
    assert language.accepted("vi-VN,vi;q=0.9,en;q=0.8") == "vi"
    assert language.accepted("fr-FR, en;q=0.5") == "en"
    assert language.accepted("vi;q=0, en") == "en"


def test_every_input_of_every_form_has_its_words() -> None:
    keys = set()
    for name in FORMS:
        form = form_of(name)
        keys |= {f.key for f in form.fields}
        keys |= {g.name for g in form.groups} | {f.key for g in form.groups for f in g.fields}
    assert not sorted(k for k in keys if k not in FIELDS and k not in COLUMNS)

"""A site for the pages' tests: a real ``bonded serve`` on loopback over the test world
(``tests/http/world.py``), its warehouse owner with a password, and a browser's HTTP client
keeping cookies (the ``site`` fixture; ``tests/http/conftest.py`` offers it to every test)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from api.passwords import password_hash
from api.wiring import open_ledger
from commands.models import ACCOUNT_COMMANDS
from commands.settings import Settings
from ledger.intents import SetPassword
from tests.http.server import serving
from tests.http.world import furnish

PASSWORD = "correct horse battery staple"
OWNER = "warehouse-owner"  # the world's warehouse owner (W1, W2; not W4)


class Site:
    def __init__(self, base: str, tokens: dict[str, str], database_url: str) -> None:
        self.base = base
        self.tokens = tokens
        self.database_url = database_url

    def browser(self) -> httpx.Client:
        return httpx.Client(base_url=self.base, follow_redirects=False, timeout=30)

    def signed_in(self, name: str = OWNER, password: str = PASSWORD) -> httpx.Client:
        """A browser signed in (open: a test closes it with ``with``)."""
        browser = self.browser().__enter__()
        answer = sign_in(browser, name=name, password=password)
        assert answer.status_code == 303 and answer.headers["location"] == "/", answer.text
        return browser

    def account_password(self, name: str, password: str) -> None:
        self.account(SetPassword, name=name, password_hash=password_hash(password))

    def account(self, intent_type: type, **fields: str) -> None:
        ledger = open_ledger(Settings(self.database_url))
        try:
            ledger.service.execute(ACCOUNT_COMMANDS[intent_type].model_validate(fields))
        finally:
            ledger.close()


@pytest.fixture
def site(database_url: str, tmp_path: Path) -> Iterator[Site]:
    ledger = open_ledger(Settings(database_url))
    tokens = furnish(ledger)
    hashed = {"name": OWNER, "password_hash": password_hash(PASSWORD)}
    ledger.service.execute(ACCOUNT_COMMANDS[SetPassword].model_validate(hashed))
    ledger.close()
    with serving(database_url, tmp_path) as base:
        yield Site(base, tokens, database_url)


def csrf_of(page: httpx.Response) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found, page.text
    return found.group(1)


def sign_in(browser: httpx.Client, **fields: str) -> httpx.Response:
    form = browser.get("/sign-in")
    return browser.post("/sign-in", data={"csrf_token": csrf_of(form), **fields})


def lot_ids(page: httpx.Response) -> set[str]:
    return set(re.findall(r'<a href="/lots/([^"]+)">', page.text))


def without_secrets(page: httpx.Response) -> str:
    """The page's text without its random tokens (a form's CSRF token and idempotency key):
    what a test may search for a name in without meeting it by chance in base64."""
    return re.sub(r'name="(?:csrf_token|command_id)" value="[^"]*"', "", page.text)

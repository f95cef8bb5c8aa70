"""The pages in a real browser: Debian's ``chromium`` driven by Playwright for Python
(``executable_path``; Playwright never downloads a browser here), against a real
``bonded serve`` on loopback.

- ``demo``: the demo ``make run`` loads (``bonded demo``: five warehouses, two years, a sign-in
  and a token per role), served once per session on SQLite. Tests only read the ledger (a
  sign-in records a session row of its own), so they share it.
- ``world``: the HTTP tests' small world (``tests/http/world.py``) with a password per role,
  on SQLite and PostgreSQL (the ``database_url`` fixture), for the few tests that must hold on
  both backends.
- ``browsing``: the test's pages, every request recorded and one to another host aborted and
  failing the test ("no request leaves the machine"), page errors and CSP violations failing
  it too, screenshots in ``test-artifacts/screenshots/`` (``BONDED_SCREENSHOTS``).

Chromium or Playwright missing: under CI=true the tests fail and say so; elsewhere they skip
and say why (``make test`` installs chromium with apt-get when it is missing).
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.conftest import IN_CI
from tests.e2e.test_cli_apply import BONDED
from tests.http.server import serving

if TYPE_CHECKING:
    from playwright.sync_api import Browser

    from tests.browser.support import Browsing, Site

# Without these chromium reaches for Google's hosts (field trials, component updates, sync,
# QUIC probes) whatever the page asks; the guard below only sees the pages' own requests.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WORLD_PASSWORD = "correct horse battery staple"


def _unavailable(problem: str) -> None:
    """Fails under CI (the browser tests must run there), skips elsewhere; says why."""
    if IN_CI:
        pytest.fail(f"{problem}; under CI the browser tests must run", pytrace=False)
    pytest.skip(f"{problem}: browser tests skipped (under CI=true they fail)")


def playwright_problem() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError as error:
        return f"Playwright for Python cannot be imported ({error}; pip install -e '.[dev]')"
    return None


def chromium_problem() -> tuple[str | None, str | None]:
    """(chromium's path, None) or (None, why there is none)."""
    given = os.environ.get("BONDED_CHROMIUM")
    found = shutil.which(given or "chromium")
    if found is None:
        named = f"BONDED_CHROMIUM={given}" if given else "`chromium` on PATH"
        return None, f"no chromium: {named} is not an executable"
    return found, None


# Without Playwright no test module here can even be imported: each is collected as one test
# that fails (CI) or skips (elsewhere) saying so, rather than as a collection error.
class _WithoutPlaywright(pytest.Item):
    def runtest(self) -> None:
        _unavailable(playwright_problem() or "Playwright is missing")

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, 0, f"{self.name} (Playwright is missing)"


class _ModuleWithoutPlaywright(pytest.File):
    def collect(self) -> Iterator[pytest.Item]:
        yield _WithoutPlaywright.from_parent(self, name=self.path.stem)


def pytest_pycollect_makemodule(module_path: Path, parent: pytest.Collector) -> Any:
    if playwright_problem() is not None:
        return _ModuleWithoutPlaywright.from_parent(parent, path=module_path)
    return None


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Keeps each phase's report on the test, so ``browsing`` can shoot a failed test's pages."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def chromium() -> str:
    """chromium's path; without it (or Playwright) the test fails under CI, else skips.
    The servers' fixtures ask for it first, so nothing is loaded for tests that cannot run."""
    problem = playwright_problem()
    executable, missing = chromium_problem()
    if problem or missing or executable is None:
        _unavailable(problem or missing or "no chromium")
    assert executable is not None
    return executable


@pytest.fixture(scope="package")
def browser(chromium: str) -> Iterator[Browser]:
    """One chromium for this package's tests. Package-scoped, not session-scoped: while
    Playwright's sync API runs, it marks its event loop as the thread's running loop, and an
    ``asyncio.run`` elsewhere in the same process would refuse to start; pytest closes it
    once the last browser test has run, before the other folders' tests."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        # executable_path always: Playwright never looks for (or fetches) a build of its own.
        launched = playwright.chromium.launch(
            executable_path=chromium, args=CHROMIUM_ARGS, headless=True
        )
        yield launched
        launched.close()


@pytest.fixture
def browsing(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Browsing]:
    """This test's pages. Afterwards: a failed test's pages are shot as they were left, and
    a request that left the machine, a page error or a CSP violation fails the test."""
    from tests.browser.support import Browsing, label_of, screenshots_folder

    session = Browsing(browser, label_of(request.node), screenshots_folder())
    yield session
    failed = getattr(request.node, "report_call", None)
    if failed is not None and failed.failed:
        for context in session.contexts:
            for page in context.pages:
                session.screenshot(page, "failed")
    session.close()
    problems = session.problems()
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


def _environment(database_url: str) -> dict[str, str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("BONDED_")}
    environment["BONDED_DATABASE_URL"] = database_url
    return environment


def _read_tokens_file(path: Path) -> tuple[dict[str, str], dict[str, tuple[str, str]]]:
    """``bonded demo``'s tokens file: ``ROLE_TOKEN=...`` and ``ROLE_SIGN_IN='name password'``."""
    tokens: dict[str, str] = {}
    sign_ins: dict[str, tuple[str, str]] = {}
    for line in path.read_text().splitlines():
        key, _, value = line.partition("=")
        if key.endswith("_TOKEN"):
            tokens[key.removesuffix("_TOKEN").lower()] = value
        elif key.endswith("_SIGN_IN"):
            name, password = shlex.split(value)[0].split(" ", 1)
            sign_ins[key.removesuffix("_SIGN_IN").lower()] = (name, password)
    return tokens, sign_ins


@pytest.fixture(scope="session")
def demo(chromium: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The demo of ``make run`` (``bonded demo``) served on SQLite, once per session."""
    from tests.browser.support import Site

    folder = tmp_path_factory.mktemp("browser-demo")
    url = f"sqlite:///{folder / 'bonded.db'}"
    loaded = subprocess.run(
        [BONDED, "demo", "--tokens-file", str(folder / "demo-tokens.env")],
        cwd=folder,
        env=_environment(url),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert loaded.returncode == 0, loaded.stdout[-2000:] + loaded.stderr[-2000:]
    tokens, sign_ins = _read_tokens_file(folder / "demo-tokens.env")
    assert len(sign_ins) == len(tokens) == 6, loaded.stdout
    with serving(url, folder) as base:
        yield Site(base, tokens, sign_ins)


@pytest.fixture
def world(chromium: str, database_url: str, tmp_path: Path) -> Iterator[Site]:
    """The HTTP tests' world (one lot in W1 for the warehouse owner, another owner's in W4),
    a password for each role's user, served on the backend of ``database_url``."""
    from api.passwords import password_hash
    from api.wiring import open_ledger
    from commands.models import ACCOUNT_COMMANDS
    from commands.settings import Settings
    from ledger.intents import SetPassword
    from tests.browser.support import Site
    from tests.http.world import ROLES, furnish

    ledger = open_ledger(Settings(database_url))
    try:
        tokens = furnish(ledger)
        hashed = password_hash(WORLD_PASSWORD)
        for role in ROLES:
            fields = {"name": role.replace("_", "-"), "password_hash": hashed}
            ledger.service.execute(ACCOUNT_COMMANDS[SetPassword].model_validate(fields))
    finally:
        ledger.close()
    sign_ins = {role: (role.replace("_", "-"), WORLD_PASSWORD) for role in ROLES}
    with serving(database_url, tmp_path) as base:
        yield Site(base, tokens, sign_ins)

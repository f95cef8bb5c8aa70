"""What the browser tests share: a browsing session per test (its pages, each with the network
guard, screenshots kept where CI keeps them), axe-core's verdict on a page, the keyboard walk,
and a page's tables read as a person reads them.

Imported only when Playwright is installed (``conftest.py`` reports it missing otherwise)."""

from __future__ import annotations

import ipaddress
import json
import os
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from babel.numbers import NumberFormatError, parse_decimal
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    FloatRect,
    Locator,
    Page,
    Request,
    Route,
    ViewportSize,
    expect,
)

ROOT = Path(__file__).resolve().parents[2]
AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")  # axe's impacts that fail a test; moderate and minor are kept
VIEWPORTS: dict[str, ViewportSize] = {
    "laptop": {"width": 1366, "height": 768},
    "phone": {"width": 390, "height": 844},
}
TALLEST = 3000  # pixels of a full-page screenshot
ON_THE_MACHINE = ("data", "blob", "about")  # schemes that name no host


def screenshots_folder() -> Path:
    """Where screenshots go: ``BONDED_SCREENSHOTS``, else ``test-artifacts/screenshots`` at the
    project's root (CI keeps ``test-artifacts/``)."""
    given = os.environ.get("BONDED_SCREENSHOTS")
    return Path(given) if given else ROOT / "test-artifacts" / "screenshots"


def stays_on_the_machine(url: str) -> bool:
    """Whether a request to ``url`` stays on this machine: loopback (127.0.0.0/8, ::1,
    localhost) or no host at all (data:, blob:, about:)."""
    parts = urlsplit(url)
    if parts.scheme in ON_THE_MACHINE:
        return True
    host = (parts.hostname or "").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a name: it would be resolved, and so leave the machine


@dataclass
class Site:
    """A ``bonded serve`` on loopback and who may use it: a token and a sign-in per role."""

    base: str
    tokens: dict[str, str]  # by role
    sign_ins: dict[str, tuple[str, str]]  # by role: the user's name and password

    def ask(self, role: str, question: str, **params: str) -> httpx.Response:
        """The API's answer to ``question`` for the role's user (its bearer token)."""
        return httpx.get(
            f"{self.base}/{question}",
            params=params,
            headers={"Authorization": f"Bearer {self.tokens[role]}", "Accept-Language": "en"},
            timeout=60,
        )


@dataclass
class Browsing:
    """One test's pages in one browser: each context guarded (every request recorded, one to
    another host aborted and reported), its page errors and Content-Security-Policy
    violations reported, screenshots numbered in the order taken."""

    browser: Browser
    label: str
    folder: Path
    requests: list[str] = field(default_factory=list)
    left: dict[str, None] = field(default_factory=dict)  # requests to another host, in order
    errors: list[str] = field(default_factory=list)
    contexts: list[BrowserContext] = field(default_factory=list)
    shots: list[Path] = field(default_factory=list)

    def __post_init__(self) -> None:
        """This test's screenshots of an earlier run go: the folder shows this run's."""
        for old in self.folder.glob(f"{self.label}--*"):
            old.unlink()

    def page(self, base: str, viewport: str = "laptop", *, bypass_csp: bool = False) -> Page:
        """A fresh browser context (no cookies) on the site at ``base`` and its page, in
        English (Accept-Language), at the warehouses' time zone.

        The pages' Content-Security-Policy (``default-src 'self'``) stays ENFORCED: a page
        that needs an inline script or style, or something from elsewhere, fails here as it
        would for a person. axe-core is evaluated through the DevTools protocol, which the
        CSP does not govern (``page.add_script_tag`` would insert an inline script, which it
        blocks); ``bypass_csp`` is only for testing the guard itself."""
        context = self.browser.new_context(
            base_url=base,
            viewport=VIEWPORTS[viewport],
            is_mobile=viewport == "phone",
            has_touch=viewport == "phone",
            locale="en-US",
            timezone_id="Asia/Ho_Chi_Minh",
            service_workers="block",
            bypass_csp=bypass_csp,
        )
        self.contexts.append(context)
        context.route("**/*", self._route)
        context.on("request", self._request)
        page = context.new_page()
        page.on("pageerror", lambda error: self.errors.append(f"{page.url}: {error}"))
        page.on("console", lambda message: self._console(page, message))
        page.set_default_timeout(15_000)
        return page

    def _route(self, route: Route) -> None:
        if stays_on_the_machine(route.request.url):
            route.fallback()
        else:
            self.left[route.request.url] = None
            route.abort("blockedbyclient")

    def _request(self, request: Request) -> None:
        self.requests.append(request.url)
        if not stays_on_the_machine(request.url):
            self.left[request.url] = None

    def _console(self, page: Page, message: ConsoleMessage) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            self.errors.append(f"{page.url}: {message.text}")

    def screenshot(self, page: Page, step: str, *, full_page: bool = True) -> Path:
        """Saves what the page shows now as ``<test>--<nn>-<step>--<width>x<height>.png``:
        the whole page down to ``TALLEST`` pixels (a dashboard of every lot is 20,000 tall:
        5 MB and 4 s a shot), or only the viewport."""
        size = page.viewport_size or {"width": 0, "height": 0}
        name = f"{self.label}--{len(self.shots) + 1:02d}-{_safe(step)}"
        path = self.folder / f"{name}--{size['width']}x{size['height']}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        tall = page.evaluate("() => document.documentElement.scrollHeight")
        clip: FloatRect | None = None
        if full_page and tall > TALLEST:
            clip = {"x": 0, "y": 0, "width": size["width"], "height": TALLEST}
        page.screenshot(path=path, full_page=full_page, clip=clip, animations="disabled")
        self.shots.append(path)
        return path

    def look(self, page: Page, step: str) -> list[dict[str, Any]]:
        """What every test does on every page it visits: a screenshot, and axe-core's verdict
        (no serious or critical violation). Any violation at all is also written beside the
        screenshot (``.axe.json``), for the record; they are returned too."""
        shot = self.screenshot(page, step)
        violations = axe_violations(page)
        if violations:
            shot.with_suffix(".axe.json").write_text(
                json.dumps({"url": page.url, "violations": violations}, indent=1)
            )
        fail_on_blocking(page, violations)
        return violations

    def problems(self) -> list[str]:
        found = [f"a request left the machine: {url}" for url in self.left]
        return found + [f"on the page: {error}" for error in self.errors]

    def close(self) -> None:
        for context in self.contexts:
            context.close()


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-")[:120]


def label_of(node: pytest.Item) -> str:
    """A test's screenshots' prefix: its module and name (parameters included)."""
    return _safe(f"{Path(str(node.fspath)).stem}--{node.name}")


# axe-core ---------------------------------------------------------------------------------------

_RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
    nodes: v.nodes.map(n => ({target: n.target, html: n.html, summary: n.failureSummary})),
  }));
}"""


def axe_source() -> str:
    return AXE.read_text(encoding="utf-8")


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """Every violation axe-core finds on the page as it is now."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        # Evaluated through the DevTools protocol, so the page's CSP does not block it.
        page.evaluate("() => {\n" + axe_source() + "\n}")
    found: list[dict[str, Any]] = page.evaluate(_RUN_AXE)
    return found


def describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']} <{v['helpUrl']}>")
        for node in v["nodes"]:
            target = " ".join(
                json.dumps(t) if not isinstance(t, str) else t for t in node["target"]
            )
            lines.append(f"    at {target}: {node['html'][:160]}")
    return "\n".join(lines)


def assert_accessible(page: Page) -> list[dict[str, Any]]:
    """Fails listing every serious or critical violation (id, help, target nodes) axe-core
    finds on the page; returns all the violations found (the lesser ones too)."""
    violations = axe_violations(page)
    fail_on_blocking(page, violations)
    return violations


def fail_on_blocking(page: Page, violations: list[dict[str, Any]]) -> None:
    blocking = [v for v in violations if v["impact"] in BLOCKING]
    if blocking:
        pytest.fail(
            f"axe-core: {len(blocking)} serious or critical violation(s) on {page.url}:\n"
            + describe(blocking),
            pytrace=False,
        )


# the keyboard -----------------------------------------------------------------------------------

_FOCUSED = """() => {
  const e = document.activeElement;
  if (!e || e === document.body || e === document.documentElement) return null;
  const style = getComputedStyle(e);
  const box = e.getBoundingClientRect();
  return {
    element: e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
      + (e.getAttribute('type') ? '[type=' + e.getAttribute('type') + ']' : ''),
    text: (e.innerText || e.value || e.getAttribute('aria-label') || '').trim().slice(0, 40),
    outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0,
    shadow: style.boxShadow !== 'none',
    keyboard: e.matches(':focus-visible'),
    shown: box.width > 0 && box.height > 0,
  };
}"""


def focused(page: Page) -> dict[str, Any] | None:
    """The element with the focus, and whether its focus can be seen."""
    found: dict[str, Any] | None = page.evaluate(_FOCUSED)
    return found


def assert_focus_visible(stop: dict[str, Any] | None) -> None:
    assert stop is not None, "the focus went nowhere"
    assert stop["shown"], f"the focus is on something not shown: {stop}"
    assert stop["outline"] or stop["shadow"], f"no visible focus indicator on {stop}"


def tab_to(page: Page, target: Locator, most: int = 60) -> list[dict[str, Any]]:
    """Presses Tab until ``target`` has the focus, checking at every stop that the focus can
    be seen; the stops on the way (the target last). Fails if it is never reached."""
    stops: list[dict[str, Any]] = []
    for _ in range(most):
        page.keyboard.press("Tab")
        stop = focused(page)
        assert_focus_visible(stop)
        assert stop is not None
        stops.append(stop)
        if target.evaluate("element => element === document.activeElement"):
            return stops
    pytest.fail(
        f"{target} not reached with Tab in {most} presses; the focus went: "
        + " → ".join(f"{s['element']} {s['text']!r}" for s in stops),
        pytrace=False,
    )


def sign_in_by_keyboard(page: Page, name: str, password: str) -> list[dict[str, Any]]:
    """The sign-in form with the keyboard alone: Tab to the user name, type it, Tab to the
    password, type it, Enter. The focus stops on the way."""
    stops = tab_to(page, page.get_by_label("User name", exact=True))
    page.keyboard.type(name)
    page.keyboard.press("Tab")
    assert_focus_visible(focused(page))
    expect(page.get_by_label("Password", exact=True)).to_be_focused()
    page.keyboard.type(password)
    page.keyboard.press("Enter")
    return stops


# a page's tables -------------------------------------------------------------------------------

_TABLES = """() => Array.from(document.querySelectorAll('main table')).map(table => {
  const section = table.closest('section');
  const heading = section && section.querySelector('h2, h3');
  return {
    heading: heading ? heading.innerText.trim() : (table.caption ? table.caption.innerText : ''),
    columns: Array.from(table.querySelectorAll('thead th')).map(th => th.innerText.trim()),
    rows: Array.from(table.querySelectorAll('tbody tr')).map(
      tr => Array.from(tr.cells).map(cell => cell.innerText.trim())),
  };
})"""


@dataclass(frozen=True)
class Table:
    heading: str
    columns: list[str]
    rows: list[dict[str, str]]  # by column label, the cells' text as shown


def tables_on(page: Page) -> list[Table]:
    """Every table in the page's main part, each row by its column labels."""
    found = page.evaluate(_TABLES)
    return [
        Table(
            t["heading"],
            t["columns"],
            [dict(zip(t["columns"], r, strict=False)) for r in t["rows"]],
        )
        for t in found
    ]


_NEXT_LINKS = """() => Array.from(document.querySelectorAll('main section')).map(section => {
  const heading = section.querySelector('h2, h3');
  const next = section.querySelector('a[rel=next]');
  return [heading ? heading.innerText.trim() : '', next ? next.getAttribute('href') : null];
}).filter(([, href]) => href)"""


def every_row_on(page: Page) -> list[Table]:
    """Every table in the page's main part with all its rows: a table shown a page at a time
    (its section links to the next rows) read on, link after link as a person follows them,
    then the page shown again as it was."""
    tables = tables_on(page)
    here = page.url
    for heading, href in page.evaluate(_NEXT_LINKS):
        at = next(i for i, t in enumerate(tables) if t.heading == heading)
        rows = list(tables[at].rows)
        while href:
            page.goto(href)
            more = next(t for t in tables_on(page) if t.heading == heading)
            rows += more.rows
            href = dict(page.evaluate(_NEXT_LINKS)).get(heading)
        tables[at] = Table(heading, tables[at].columns, rows)
    if page.url != here:
        page.goto(here)
    return tables


def language_of(page: Page) -> str:
    """The page's language (``<html lang>``), English if it names none."""
    found: str = page.evaluate("() => document.documentElement.lang") or "en"
    return found


def number_shown(text: str, language: str) -> Decimal:
    """A number as a page in ``language`` shows it (``1,234.5`` in English, ``1.234,5`` in
    Vietnamese)."""
    try:
        return Decimal(parse_decimal(text, locale=language.replace("-", "_")))
    except NumberFormatError as error:
        raise AssertionError(f"{text!r} is not a number in {language}") from error

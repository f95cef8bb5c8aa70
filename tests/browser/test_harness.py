"""The browser tests' own instruments can fail: the network guard aborts and reports a request
to another host, axe-core names a serious violation, and the vendored axe-core is the version
its README says. No server needed: the pages here are answered by the browser itself, at a
loopback address."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page

from tests.browser.support import (
    AXE,
    Browsing,
    assert_accessible,
    axe_violations,
    stays_on_the_machine,
)

HERE = "http://127.0.0.1:9"  # answered by the browser's router: nothing listens there
GOOD = (
    '<!doctype html><html lang="en"><head><title>A page</title></head>'
    "<body><main><h1>A page</h1><p>Nothing wrong here.</p></main></body></html>"
)
BAD = (  # no lang, no title, an image without text, a button without a name
    "<!doctype html><html><body><main><h1>Bad</h1>"
    '<img src="/picture.png">'
    "<button></button></main></body></html>"
)


def answered(browsing: Browsing, body: str, *, bypass_csp: bool = False) -> Page:
    page = browsing.page(HERE, bypass_csp=bypass_csp)
    page.route(
        f"{HERE}/**",
        lambda route: route.fulfill(
            body=body,
            content_type="text/html",
            headers={"Content-Security-Policy": "default-src 'self'"},
        ),
    )
    page.goto("/")
    return page


@pytest.mark.parametrize(
    ("url", "stays"),
    [
        ("http://127.0.0.1:8000/", True),
        ("http://127.3.4.5/x", True),
        ("http://[::1]:8000/", True),
        ("http://localhost:8000/static/css/pages.css", True),
        ("data:image/png;base64,AAAA", True),
        ("about:blank", True),
        ("https://unpkg.com/htmx.org", False),
        ("http://192.0.2.1/", False),
        ("http://[2001:db8::1]/", False),
        ("http://127.0.0.1.example.com/", False),
        ("wss://fonts.googleapis.com/", False),
    ],
)
def test_what_stays_on_the_machine(url: str, stays: bool) -> None:
    assert stays_on_the_machine(url) is stays


def test_the_guard_aborts_a_request_to_another_host_and_reports_it(browsing: Browsing) -> None:
    # The page's CSP would stop the request before the network; bypassed so the guard is hit.
    page = answered(browsing, GOOD, bypass_csp=True)
    outcome = page.evaluate(
        "() => fetch('http://192.0.2.1/beacon').then(() => 'answered', e => 'failed: ' + e)"
    )
    assert outcome.startswith("failed"), outcome
    assert browsing.problems() == ["a request left the machine: http://192.0.2.1/beacon"]
    assert f"{HERE}/" in browsing.requests
    browsing.left.clear()  # the guard did its work: this test's teardown must not fail for it


def test_a_csp_violation_is_reported(browsing: Browsing) -> None:
    page = answered(browsing, GOOD)
    page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.ran = 1'; document.body.append(s); }"
    )
    assert page.evaluate("() => window.ran") is None  # blocked, as for a person
    assert any("Content Security Policy" in p for p in browsing.problems()), browsing.problems()
    browsing.errors.clear()


def test_axe_names_every_serious_violation_of_a_page(browsing: Browsing) -> None:
    page = answered(browsing, BAD)
    with pytest.raises(pytest.fail.Exception) as failed:
        assert_accessible(page)
    message = str(failed.value)
    for rule in ("image-alt", "button-name", "html-has-lang", "document-title"):
        assert f"- {rule} (" in message, message
    assert "at img" in message and "at button" in message  # the target nodes


def test_axe_passes_a_good_page_and_is_the_vendored_version(browsing: Browsing) -> None:
    page = answered(browsing, GOOD)
    assert [v for v in assert_accessible(page) if v["impact"] in ("serious", "critical")] == []
    assert axe_violations(page) == []
    readme = (AXE.parent / "README.md").read_text()
    named = re.match(r"# axe-core (\S+) \(vendored\)", readme)
    assert named, readme[:100]
    assert page.evaluate("() => axe.version") == named.group(1)
    assert f"axe v{named.group(1)}" in AXE.read_text()[:100]

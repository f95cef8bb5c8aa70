"""The e-commerce pages through a real ``bonded serve`` (SQLite: the questions they ask run on
both backends in tests/integration): each licence line's remaining quantity and bar as the
API's ``GET /licences`` gives them to the same user, low and expiring said in words, orders
by platform as of a day, another's licence by URL a 404 as over the API, a buyer's
allowance, and hostile values in the URL never a 5xx."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from contextlib import closing

import httpx
import pytest

from api.passwords import password_hash
from api.wiring import open_ledger
from commands.models import ACCOUNT_COMMANDS
from commands.parsing import parse_command
from commands.settings import Settings
from ledger.intents import SetPassword
from tests.http.pages import without_secrets
from tests.http.server import serving
from tests.http.test_pages import OWNER, PASSWORD, Site, sign_in
from tests.http.world import furnish
from tests.support import OWNER_B, goods_list, licence, order, stop_notice

SHOP = [
    goods_list("GL-1"),  # HS 8542 needs a licence; 5 a buyer a year exempt
    licence("L1", "100", valid_until="2026-12-31"),  # OWNER_A's, for D1/1 in W1
    licence("L2", "50", OWNER_B),  # another goods owner's, whose goods are in W4
    stop_notice("N-1", "2106", when="2026-04-01"),
    order("O-1", "80", when="2026-03-01T10:00:00+07:00"),  # over 5 exempt: deducted from L1
    order("O-2", "15", when="2026-03-10T10:00:00+07:00", platform="lazada"),  # L1 left: 5
    order("O-3", "2", buyer="B-2", when="2026-03-12T10:00:00+07:00"),  # within B-2's 5
]


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The HTTP tests' world and a shop in it, served once for this module's tests (they
    only read)."""
    directory = tmp_path_factory.mktemp("shop")
    database_url = f"sqlite:///{directory / 'bonded.db'}"
    ledger = open_ledger(Settings(database_url))
    tokens = furnish(ledger)
    hashed = {"name": OWNER, "password_hash": password_hash(PASSWORD)}
    ledger.service.execute(ACCOUNT_COMMANDS[SetPassword].model_validate(hashed))
    for outcome in ledger.service.execute_many(parse_command(c) for c in SHOP):
        assert not outcome.refused, outcome.error
    ledger.close()
    with serving(database_url, directory) as base:
        yield Site(base, tokens, database_url)


def api(site: Site, path: str, role: str = "warehouse_owner", **params: str) -> httpx.Response:
    auth = {"Authorization": f"Bearer {site.tokens[role]}"}
    return httpx.get(f"{site.base}{path}", params=params, headers=auth, timeout=30)


LINE = re.compile(
    r'<tr class="([^"]*)" data-licence="([^"]+)" data-hs-prefix="([^"]+)">(.*?)</tr>', re.S
)


def licence_lines(page: httpx.Response) -> dict[tuple[str, str], dict[str, str]]:
    """Each licence line on the page: its numbers, its bar's words, its status's words."""
    found = {}
    for classes, licence_no, hs_prefix, row in LINE.findall(page.text):
        bar = re.search(r'<svg class="bar"[^>]* aria-label="([^"]+)"', row)
        assert bar, row
        found[(licence_no, hs_prefix)] = {
            "classes": classes,
            **dict(re.findall(r'<td class="number (\w+)">([^<]*)</td>', row)),
            "bar": html.unescape(bar.group(1)),
            "words": " ".join(re.sub(r"<[^>]+>", " ", row).split()),
        }
    return found


def orders_on(page: httpx.Response) -> list[str]:
    return re.findall(r'data-order="([^"]+)"', page.text)


def test_the_page_shows_what_the_api_shows_the_same_user(shop: Site) -> None:
    with closing(shop.signed_in()) as browser:
        for as_of in ("2026-03-05", None):  # before O-2 and O-3, and today
            asked = {"as_of": as_of} if as_of else {}
            page = browser.get("/ecommerce", params=asked)
            assert page.status_code == 200, page.text
            lines = licence_lines(page)
            licences = api(shop, "/licences", **asked).json()
            assert {k: v["remaining"] for k, v in lines.items()} == {
                (r["licence_no"], r["hs_prefix"]): r["remaining"] for r in licences
            }  # L2 is another goods owner's: on neither
            orders = api(shop, "/orders", **asked).json()
            assert sorted(orders_on(page)) == sorted(
                f"{o['platform']}/{o['order_no']}" for o in orders
            )
            if as_of:  # O-2 and O-3 took effect after it: hidden
                assert orders_on(page) == ["shopee/O-1"]
        assert orders_on(page) == ["lazada/O-2", "shopee/O-1", "shopee/O-3"]  # by platform
        assert "N-1" in page.text and "food safety" not in page.text  # N-1 is for health
        line = lines[("L1", "8542")]
        # 100 granted, 95 deducted: 5 left, under 10 %; valid until 31 December
        assert line["bar"] == "5 of 100 piece remaining; 95 deducted"
        assert (line["granted"], line["deducted"], line["remaining"]) == ("100", "95", "5")
        assert "low" in line["classes"].split() and "low: under 10 %" in line["words"]
        assert "expiring: valid until Dec 31, 2026" in line["words"]
        before = licence_lines(browser.get("/ecommerce", params={"as_of": "2026-03-05"}))
        assert before[("L1", "8542")]["bar"] == "20 of 100 piece remaining; 80 deducted"
        narrowed = browser.get("/ecommerce", params={"platform": "lazada"})
        assert orders_on(narrowed) == ["lazada/O-2"]


def test_a_licence_card_and_another_s_licence_by_url(shop: Site) -> None:
    with closing(shop.signed_in()) as browser:
        card = browser.get("/ecommerce/licences/L1")
        assert card.status_code == 200, card.text
        assert re.findall(r"<th scope=\"row\">(O-\d)</th>", card.text) == ["O-1", "O-2"]
        assert api(shop, "/licences/L1/card").json()[-1]["remaining"] == "5"
        for licence_no in ("L2", "NOPE"):  # another goods owner's, and none at all: alike
            assert api(shop, f"/licences/{licence_no}/card").status_code == 404
            page = browser.get(f"/ecommerce/licences/{licence_no}")
            assert page.status_code == 404, licence_no
            assert f"licence {licence_no} has not been registered" in page.text
            assert "Deductions" not in page.text
        hidden = browser.get("/ecommerce/licences/L1", params={"as_of": "2026-01-31"})
        assert hidden.status_code == 404  # released on 1 February
    with shop.browser() as admin:  # reads no licence: a 404 too, where the API says 403
        assert sign_in(admin, token=shop.tokens["admin"]).status_code == 303
        assert api(shop, "/licences/L1/card", "admin").status_code == 403
        assert admin.get("/ecommerce/licences/L1").status_code == 404
        page = admin.get("/ecommerce")  # the stop notices in force, and no licence or order
        assert page.status_code == 200 and "N-1" in page.text
        assert "L1" not in without_secrets(page) and not orders_on(page)


def test_a_buyer_s_allowance(shop: Site) -> None:
    with closing(shop.signed_in()) as browser:
        asked = browser.get("/ecommerce/allowances", params={"buyer_id": "B-2", "year": "2026"})
        assert asked.headers["location"] == "/ecommerce/allowances/B-2?year=2026"
        page = browser.get(asked.headers["location"])
        assert page.status_code == 200, page.text
        (entry,) = api(shop, "/allowances/B-2", year="2026").json()
        assert (entry["exempt_quantity"], entry["used"], entry["left"]) == ("5", "2", "3")
        assert "2 of 5 used; 3 left" in page.text
        assert orders_on(page) == ["shopee/O-3"]
        before = browser.get("/ecommerce/allowances/B-2", params={"as_of": "2026-03-11"})
        assert "0 of 5 used; 5 left" in before.text and orders_on(before) == []


HOSTILE = [
    ("/ecommerce", {"as_of": "2026-13-45", "status": "bogus"}),
    ("/ecommerce", {"known_at": "yesterday"}),
    ("/ecommerce", {"from": "2026-02-30", "to": "x"}),
    ("/ecommerce", {"platform": "x" * 5000, "page": "9" * 40}),
    ("/ecommerce", {"buyer": "B\x00-1", "lot": "' OR 1=1 --", "page": "-3"}),
    ("/ecommerce/licences/L1", {"page": "0", "as_of": "0001-01-01"}),
    ("/ecommerce/licences/%E2%80%AEL1", {}),
    ("/ecommerce/licences/" + "L" * 300, {}),
    ("/ecommerce/allowances/B-2", {"year": "99999"}),
    ("/ecommerce/allowances/B-2", {"year": "²⁰²⁶", "page": "²"}),
    ("/ecommerce/allowances/B-2", {"year": "abc", "as_of": "2026-03-11"}),
    ("/ecommerce/allowances/%00", {}),
    ("/ecommerce/allowances", {"buyer_id": "<script>alert(1)</script>"}),
]


def test_hostile_values_in_the_url_never_give_a_5xx(shop: Site) -> None:
    with closing(shop.signed_in()) as browser:
        for path, params in HOSTILE:
            answer = browser.get(path, params=params, follow_redirects=True)
            assert answer.status_code < 500, (path, params, answer.text[-500:])
            assert "<script>alert" not in answer.text
        assert browser.get("/ecommerce", params={"as_of": "2026-13-45"}).status_code == 422
        assert browser.get("/ecommerce/allowances/B-2", params={"year": "1"}).status_code == 422

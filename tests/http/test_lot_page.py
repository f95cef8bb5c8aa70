"""The lot page through a real ``bonded serve``, on SQLite and PostgreSQL, as a person's
browser uses it: its stock card shows the balances the API's ``stock-card`` gives the same
user, a split shows the parent and its lot with quantities that balance, ``as_of`` in the URL
hides a later entry, an entry's context shows its balances and its link in the hash chain,
another's lot and an unknown one answer 404, and no lot id, however hostile, gives a 5xx."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.passwords import password_hash
from api.wiring import open_ledger
from commands.models import ACCOUNT_COMMANDS
from commands.parsing import parse_command
from commands.settings import Settings
from ledger.intents import SetPassword
from tests.http.pages import PASSWORD, Site, without_secrets
from tests.http.server import serving
from tests.http.world import furnish
from tests.support import ex_warehousing, transfer

OWNER = "warehouse-owner"  # W1 and W2: D1/1 and the lot split off it, D1/1.1
GOODS_OWNER = "goods-owner"  # owner A: D1/1, not D1/1.1 (transferred to owner B)


@pytest.fixture
def lot_site(database_url: str, tmp_path: Path) -> Iterator[Site]:
    """The HTTP world, and D1/1 (100, W1): 10 transferred to owner B on 1 April (D1/1.1),
    5 ex-warehoused on 10 May."""
    ledger = open_ledger(Settings(database_url))
    tokens = furnish(ledger)
    later = [
        transfer(quantity="10", when="2026-04-01T10:00:00+07:00"),
        ex_warehousing(quantity="5", when="2026-05-10T10:00:00+07:00"),
    ]
    for outcome in ledger.service.execute_many(parse_command(c) for c in later):
        assert not outcome.refused, outcome.error
    for name in (OWNER, GOODS_OWNER):
        hashed = {"name": name, "password_hash": password_hash(PASSWORD)}
        ledger.service.execute(ACCOUNT_COMMANDS[SetPassword].model_validate(hashed))
    ledger.close()
    with serving(database_url, tmp_path) as base:
        yield Site(base, tokens, database_url)


def api(site: Site, role: str, path: str, **params: str) -> Any:
    answer = httpx.get(
        site.base + path,
        params=params,
        headers={"Authorization": f"Bearer {site.tokens[role]}"},
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


def card(page: httpx.Response) -> list[tuple[int, str]]:
    """(entry, balance) of each row of the page's stock card."""
    rows = re.findall(
        r'<tr class="[^"]*" data-version="(\d+)">.*?<td class="number balance" '
        r'data-value="([^"]+)">',
        page.text,
        re.S,
    )
    return [(int(version), balance) for version, balance in rows]


def section(page: httpx.Response, heading: str) -> str:
    found = re.search(rf'<section aria-labelledby="{heading}".*?</section>', page.text, re.S)
    assert found, heading
    return html.unescape(found.group(0))


def test_the_lot_page_shows_what_the_api_shows_as_of_any_day(lot_site: Site) -> None:
    site = lot_site
    with closing(site.signed_in(OWNER)) as browser:
        page = browser.get("/lots/D1/1")
        assert page.status_code == 200, page.text
        cards = api(site, "warehouse_owner", "/lots/D1%2F1/stock-card")
        assert card(page) == [(r["version"], r["balance"]) for r in cards]
        assert card(page) == [(1, "100"), (2, "90"), (3, "85")]
        assert 'class="flow in"' in page.text and 'class="flow out"' in page.text

        # the split: the parent and its lot, what one split off the other received
        lineage = section(page, "lineage")
        rows = api(site, "warehouse_owner", "/lots/D1%2F1/lineage")
        assert [(r["lot_id"], r["quantity_in"]) for r in rows] == [
            ("D1/1", "100"),
            ("D1/1.1", "10"),
        ]
        assert rows[0]["split_out"] == rows[0]["children_in"] == rows[1]["quantity_in"] == "10"
        assert 'href="/lots/D1/1.1"' in lineage and "✓ balanced" in lineage
        assert re.search(r'Split off</dt><dd data-value="10"', lineage)
        assert re.search(r'Received</dt><dd data-value="10"', lineage)

        # the storage clock: a drawing with its text, the rule stated
        clock = section(page, "clock")
        assert '<svg viewBox="0 0 960' in clock and 'role="img"' in clock
        assert "split a part off" in clock and "Rule pack vn-2015" in clock

        # as of a day before the ex-warehousing, it is not there; before the split, no split
        as_of = browser.get("/lots/D1/1", params={"as_of": "2026-04-15"})
        assert card(as_of) == [(1, "100"), (2, "90")]
        earlier = api(site, "warehouse_owner", "/lots/D1%2F1/stock-card", as_of="2026-04-15")
        assert card(as_of) == [(r["version"], r["balance"]) for r in earlier]
        before_split = browser.get("/lots/D1/1", params={"as_of": "2026-03-15"})
        assert card(before_split) == [(1, "100")]
        assert 'href="/lots/D1/1.1' not in section(before_split, "lineage")

        # an entry in its context: balances before and after, the stored event, the chain
        entry = browser.get("/lots/D1/1", params={"entry": "2"})
        context = html.unescape(entry.text[entry.text.index('id="entry"') :])
        shown = api(site, "warehouse_owner", "/lots/D1%2F1/entries/2")[0]
        assert (shown["on_hand_before"], shown["on_hand_after"]) == ("100", "90")
        for value in ("100", "90", str(shown["position"]), shown["chain_hash"]):
            assert f">{value}<" in context or f'data-value="{value}"' in context, value
        assert '"type": "vn.bonded-ledger.OwnershipTransferred"' in context
        assert "matches the event stored" in context
        hidden = browser.get("/lots/D1/1", params={"entry": "3", "as_of": "2026-04-15"})
        assert hidden.status_code == 200 and "has no entry 3" in hidden.text


def test_another_s_lot_an_unknown_one_and_hostile_ids_answer_404_never_5xx(
    lot_site: Site,
) -> None:
    site = lot_site
    with closing(site.signed_in(GOODS_OWNER)) as browser:
        assert browser.get("/lots/D1/1").status_code == 200
        for lot in ("D4/1", "D1/1.1", "NOPE/1"):  # another owner's, its split, none at all
            page = browser.get(f"/lots/{lot}")
            assert page.status_code == 404, lot
            assert "Stock card" not in page.text
        mine = browser.get("/lots/D1/1")  # the split it made is on its card, not its tree
        assert [r["lot_id"] for r in api(site, "goods_owner", "/lots/D1%2F1/lineage")] == ["D1/1"]
        assert 'href="/lots/D1/1.1' not in mine.text
        for path in (
            "/lots/D1%2F1",
            "/lots/D1/1%00",
            "/lots/%00",
            "/lots/" + "x" * 5000,
            "/lots/../../etc/passwd",
            "/lots/..%2F..%2Fetc%2Fpasswd",
            "/lots/%2E%2E/D4/1",
            "/lots/D1/1?entry=%00",
            "/lots/D1/1?entry=99999999999999999999",
            "/lots/D1/1?as_of=%00",
            "/lots/D1/1?known_at=" + "9" * 5000,
            "/lots/D1/1?page=-1",
        ):
            answer = browser.get(path)
            assert answer.status_code < 500, (path[:60], answer.status_code, answer.text[:300])
            assert "W4" not in without_secrets(answer)  # nothing of another's lot, any path

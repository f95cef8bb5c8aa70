"""The province workbench through a real ``bonded serve`` (SQLite): its ranking is the
inspection pack the API builds for the same user, its overdue list the API's ``/overdue``, its
downloads the API's documents; another province's inspector and other roles get a 404, and
hostile query values never a server error."""

from __future__ import annotations

import io
import re
import threading
import time
from collections.abc import Iterator
from contextlib import closing
from datetime import date
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook

from api.tokens import new_token
from api.web import packs as packs_module
from api.web.packs import Packs, in_this_process
from api.web.province import paged
from api.web.tables import Table
from api.wiring import open_ledger
from commands.models import ACCOUNT_COMMANDS
from commands.parsing import parse_command
from commands.settings import Settings
from ledger.intents import AddUser, IssueToken
from tests.http.pages import without_secrets
from tests.http.server import serving
from tests.http.test_pages import HOSTILE, sign_in
from tests.http.world import furnish
from tests.support import OWNER_A, ex_warehousing, warehousing

PROVINCE = "Ho Chi Minh City"  # W1 and W2
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PREPARING = "The ranking is being prepared"
W2 = {"warehouse_id": "W2", "goods_owner_tax_code": OWNER_A, "contract_no": "C-A-W2"}


class Province:
    def __init__(self, base: str, tokens: dict[str, str]) -> None:
        self.base = base
        self.tokens = tokens

    def signed_in(self, role: str) -> httpx.Client:
        browser = httpx.Client(base_url=self.base, follow_redirects=False, timeout=30)
        answer = sign_in(browser, token=self.tokens[role])
        assert answer.status_code == 303, answer.text
        return browser

    def api(self, path: str, role: str = "provincial_inspector", **headers: str) -> httpx.Response:
        bearer = {"Authorization": f"Bearer {self.tokens[role]}", **headers}
        return httpx.get(f"{self.base}{path}", headers=bearer, timeout=30)


@pytest.fixture(scope="module")
def province(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Province]:
    """The HTTP tests' world, with a lot overdue (D5/1) and a declaration overdue for
    settlement (D6) in W2, and an inspector of Ha Noi besides the one of Ho Chi Minh City;
    one server for the module's tests, which record nothing."""
    tmp_path = tmp_path_factory.mktemp("province")
    sqlite_url = f"sqlite:///{tmp_path / 'bonded.db'}"
    ledger = open_ledger(Settings(sqlite_url))
    tokens = furnish(ledger)
    more = [
        warehousing("D5", expires_on="2026-06-30", **W2),
        warehousing("D6", **W2),
        ex_warehousing("D6/1", quantity="100"),
    ]
    for outcome in ledger.service.execute_many(parse_command(c) for c in more):
        assert not outcome.refused, outcome.error
    add = ACCOUNT_COMMANDS[AddUser].model_validate(
        {"name": "inspector-hn", "role": "provincial_inspector", "province": "Ha Noi"}
    )
    ledger.service.execute(add)
    token, digest = new_token("inspector-hn")
    issue = {"name": "inspector-hn", "token_hash": digest}
    ledger.service.execute(ACCOUNT_COMMANDS[IssueToken].model_validate(issue))
    tokens["inspector_hn"] = token
    ledger.close()
    with serving(sqlite_url, tmp_path) as base:
        yield Province(base, tokens)


def workbench(browser: httpx.Client, **params: str) -> httpx.Response:
    """The page, once its ranking is built (the first view may say it is being prepared)."""
    for _ in range(40):
        page = browser.get("/province", params=params)
        if PREPARING not in page.text:
            return page
        time.sleep(0.25)  # waiting for the pack's worker, not for timing
    raise AssertionError("the ranking was never ready")


def section(page: httpx.Response, name: str) -> str:
    found = re.search(rf'<section aria-labelledby="{name}">(.*?)</section>', page.text, re.S)
    assert found, name
    return found.group(1)


def ranking(page: httpx.Response) -> dict[str, dict[str, int]]:
    """Each warehouse's finding counts on the page, by kind (``all``: the total)."""
    rows = re.findall(r'<tr id="rank-([^"]+)">(.*?)</tr>', section(page, "ranking"), re.S)
    return {
        warehouse: {kind: int(n) for kind, n in re.findall(r'data-kind="(\w+)">(\d+)<', cells)}
        for warehouse, cells in rows
    }


def cells(content: bytes) -> dict[str, list[tuple[Any, ...]]]:
    book = load_workbook(io.BytesIO(content))
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets}


def test_the_ranking_and_the_lists_are_the_apis(province: Province) -> None:
    pack = province.api(f"/inspections?province={PROVINCE}&year=2026").json()
    expected = {
        line["warehouse_id"]: {"all": line["findings"], **line["by_kind"]}
        for line in pack["summary"]
    }
    overdue = {r["lot_id"] for r in province.api(f"/overdue?province={PROVINCE}").json()}
    settlements = province.api(f"/settlements?province={PROVINCE}").json()
    with closing(province.signed_in("provincial_inspector")) as browser:
        page = workbench(browser)  # the inspector's own province, this year
        assert page.status_code == 200, page.text
        assert ranking(page) == expected and set(expected) == {"W1", "W2"}
        assert expected["W2"]["overdue"] == 1 and expected["W2"]["settlement_overdue"] == 1
        assert 'href="/?warehouse=W2"' in section(page, "ranking")
        shown = set(re.findall(r'href="/lots/([^"]+)"', section(page, "overdue")))
        assert shown == overdue == {"D5/1"}
        late = {r["declaration_no"] for r in settlements if r["status"] == "settlement_overdue"}
        assert set(re.findall(r"<td>(D\d+)</td>", section(page, "settlement-overdue"))) == late
        assert late == {"D6"}
        before = workbench(browser, as_of="2026-06-30")  # D5/1's deadline: not overdue yet
        assert re.findall(r'href="/lots/', section(before, "overdue")) == []


def test_another_province_and_other_roles_are_answered_404(province: Province) -> None:
    with closing(province.signed_in("inspector_hn")) as browser:
        assert browser.get("/province").status_code == 200  # Ha Noi: its own
        for path in ("/province", "/province/pack.xlsx"):
            refused = browser.get(path, params={"province": PROVINCE, "year": "2026"})
            assert refused.status_code == 404, path
            assert "W2" not in without_secrets(refused) and "D5/1" not in refused.text
        report = browser.get(
            "/province/report.xlsx", params={"warehouse": "W2", "period": "2026-Q1"}
        )
        assert report.status_code == 404
    with closing(province.signed_in("warehouse_owner")) as browser:
        assert browser.get("/province").status_code == 404
        assert browser.get("/province", params={"province": PROVINCE}).status_code == 404


def test_the_downloads_are_the_apis_documents(province: Province) -> None:
    pack = province.api(f"/inspections?province={PROVINCE}&year=2026", Accept=XLSX)
    page_html = province.api(f"/inspections?province={PROVINCE}&year=2026", Accept="text/html")
    report = province.api("/reports/periodic?warehouse=W2&period=2026-Q1", Accept=XLSX)
    with closing(province.signed_in("provincial_inspector")) as browser:
        xlsx = browser.get("/province/pack.xlsx", params={"province": PROVINCE, "year": "2026"})
        assert xlsx.headers["content-type"] == XLSX
        assert xlsx.headers["content-disposition"] == 'attachment; filename="inspection-2026.xlsx"'
        assert cells(xlsx.content) == cells(pack.content)
        assert len(cells(xlsx.content)) == 3  # the summary, W1, W2
        html = browser.get("/province/pack.html", params={"province": PROVINCE, "year": "2026"})
        assert html.headers["content-type"].startswith("text/html")
        assert html.headers["content-disposition"].startswith("attachment;")
        assert html.text == page_html.text
        mine = browser.get("/province/report.xlsx", params={"warehouse": "W2", "period": "2026-Q1"})
        assert mine.headers["content-disposition"] == (
            'attachment; filename="report-W2-2026-Q1.xlsx"'
        )
        assert cells(mine.content) == cells(report.content)
        shown = browser.get(
            "/province/report.html", params={"warehouse": "W2", "period": "2026-Q1"}
        )
        assert shown.status_code == 200 and "85423100" in shown.text  # the goods item


def test_hostile_values_never_give_a_server_error(province: Province) -> None:
    with closing(province.signed_in("provincial_inspector")) as browser:
        for name in ("province", "year", "as_of", "known_at", "page", "settlements_page"):
            for value in (*HOSTILE, "-1", "²", "0"):
                page = browser.get("/province", params={name: value})
                assert page.status_code < 500, (name, value, page.text[:300])
        for path in ("/province/pack.xlsx", "/province/pack.html"):
            for name in ("province", "year", "known_at"):
                for value in HOSTILE:
                    asked = {"province": PROVINCE, "year": "2026", name: value}
                    assert browser.get(path, params=asked).status_code < 500, (path, name, value)
        for name in ("warehouse", "period", "known_at"):
            for value in HOSTILE:
                asked = {"warehouse": "W2", "period": "2026-Q1", name: value}
                for path in ("/province/report.xlsx", "/province/report.html"):
                    assert browser.get(path, params=asked).status_code < 500, (path, name, value)


def test_long_lists_are_paged() -> None:
    rows = [{"lot_id": f"L{n}"} for n in range(250)]
    answer = Table(
        question="clocks",
        columns=["lot_id"],
        numeric=frozenset(),
        rows=rows,
        when=None,  # type: ignore[arg-type]
    )
    last = paged(answer, {"year": "2026", "page": "9"}, "page")  # past the end: the last
    assert (last.number, last.pages, last.total, last.first) == (3, 3, 250, 201)
    assert last.table.rows == rows[200:] and last.next is None
    assert last.previous == "/province?year=2026&page=2"
    assert paged(answer, {"page": "\u00b2"}, "page").table.rows == rows[:100]


def test_one_pack_is_built_at_a_time_and_the_last_shown_meanwhile(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The page does not queue a build per entry recorded: while one is being built it waits
    for that one, and shows the last one built (its moment said) until a newer is."""
    release = threading.Event()
    store = SimpleNamespace(position=1)
    store.head = lambda: store.position

    def slow(_store: Any, _pack: Any, *_: Any) -> dict[str, Any]:
        head = store.position
        release.wait(10)
        return {"head": head}

    monkeypatch.setattr(packs_module, "build", slow)
    ledger = SimpleNamespace(
        service=SimpleNamespace(store=store, pack=None),
        read_model=SimpleNamespace(lots_ever_in=None),
    )
    packs, today = Packs(builder=in_this_process), date(2026, 12, 4)
    first, asked = packs.pack(ledger, "P", 2026, None, today, exact=False)
    assert first.wait(0.01) is None  # being built
    store.position = 2  # an entry recorded meanwhile
    again, now = packs.pack(ledger, "P", 2026, None, today, exact=False)
    assert again is first and now != asked
    release.set()
    assert first.wait(10) is first and packs.latest(now[:3]) is first
    exact, _ = packs.pack(ledger, "P", 2026, None, today)  # a download: what is recorded now
    assert exact is not first and exact.wait(10) is exact and exact.document == {"head": 2}

"""Paged answers (issue 22, point 6): balances, clocks, overdue and settlements asked a page at a
time (``limit``, ``after``) by the one path every door takes. Read page after page, following
each answer's ``next``, they are exactly the unpaged answer, in its order — as of today (the
current table), as of a past day and as known at a past moment (the lot states), on SQLite and
on PostgreSQL (whose collation orders the keys its own way). The filters SQL cannot apply alone
(a lot overdue under its contract as known then, a settlement's status) keep a page full."""

from __future__ import annotations

from typing import Any

import pytest

from api.asking import Answer, ask
from ledger.errors import LedgerError
from ledger.roles import Role
from ledger.users import User
from tests.integration.test_lot_page_questions import Asker
from tests.support import Harness, at, dispatch, ex_warehousing, line, transfer, warehousing

AUDITOR = User("auditor", Role.AUDITOR)
DAYS = ("2026-01-05", "2026-01-12", "2026-01-20", "2026-02-03", "2026-02-10", "2026-02-17")
PAST = "2026-04-15"
KNOWN_BEFORE = "2026-05-31T12:00:00+07:00"
LATER = "2027-01-25"  # some lots past their deadline, others not


@pytest.fixture
def asker(ledger: Harness) -> Asker:
    """Eighteen declarations of two lines: some emptied (settled, awaiting settlement, or
    overdue for it), some split by a transfer, some with goods in transit; the last six recorded on
    1 June, backdated to March, so that what was known before differs from what is now."""
    ledger.now = at("2026-05-02 09:00")
    commands: list[dict[str, Any]] = []
    for n in range(18):
        no = f"D{n:02d}"
        day = DAYS[n % len(DAYS)]
        commands.append(
            warehousing(
                no,
                line(1, "100"),
                line(2, "40", hs_code="22042100"),
                registered_on=day,
                effective_at=f"{day}T09:00:00+07:00",
            )
        )
        if n % 3 == 0:
            commands.append(ex_warehousing(f"{no}/2", "40", "2026-03-02T10:00:00+07:00"))
        if n in (0, 3, 6):  # emptied
            commands.append(ex_warehousing(f"{no}/1", "100", "2026-03-03T10:00:00+07:00"))
        if n in (0, 6):  # and settled
            settled = {"command": "settle_declaration", "declaration_no": no}
            commands.append({**settled, "effective_at": "2026-03-12"})
        if n % 4 == 1:
            commands.append(transfer(f"{no}/1", "30", "2026-04-01T10:00:00+07:00"))
        if n % 5 == 2:
            commands.append(dispatch(f"{no}/1", "20", "2026-04-20T08:00:00+07:00"))
        if n == 12:
            ledger.given(*commands)
            commands, ledger.now = [], at("2026-06-01 12:00")
    ledger.given(*commands, ex_warehousing("D15/1", "100", "2026-03-10T10:00:00+07:00"))
    return Asker(ledger.store)


def answer(asker: Asker, name: str, **asked: Any) -> Answer:
    from projections.questions import question_named

    question = question_named(name)
    return ask(question, question.asked(**asked), AUDITOR, asker.model, asker.runner.catch_up)


def read_in_pages(asker: Asker, name: str, limit: int, **asked: Any) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    after = None
    for _ in range(200):
        page = answer(asker, name, limit=limit, after=after, **asked)
        assert len(page.rows) <= limit
        rows += page.rows
        if page.next is None:
            return rows
        assert page.rows and page.next == continues_after(name, page.rows[-1])
        after = page.next
    raise AssertionError("the pages never ended")


def key_of(name: str) -> str:
    return "declaration_no" if name == "settlements" else "lot_id"


def continues_after(name: str, row: dict[str, Any]) -> str:
    if name == "warnings":
        return "|".join((row["raised_on"], row["kind"], row["subject"]))
    return str(row[key_of(name)])


MOMENTS = [
    pytest.param({}, id="today"),
    pytest.param({"as_of": PAST}, id="a-past-day"),
    pytest.param({"known_at": KNOWN_BEFORE}, id="known-before"),
    pytest.param({"as_of": LATER}, id="later"),
    pytest.param({"as_of": LATER, "known_at": KNOWN_BEFORE}, id="later-known-before"),
]


@pytest.mark.parametrize("moment", MOMENTS)
@pytest.mark.parametrize("name", ["balances", "clocks", "overdue", "settlements", "warnings"])
def test_pages_read_one_after_another_are_the_whole_answer(
    asker: Asker, name: str, moment: dict[str, Any]
) -> None:
    whole = answer(asker, name, **moment)
    assert whole.next is None
    if name not in ("overdue", "warnings") or moment.get("as_of") == LATER:
        assert len(whole.rows) >= 12, "too few rows to page"
    for limit in (1, 2, 5, 50):
        assert read_in_pages(asker, name, limit, **moment) == whole.rows, limit


@pytest.mark.parametrize("batch", [500, 1])
def test_a_page_is_full_though_its_filter_is_worked_out_after_the_query(
    asker: Asker, batch: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Overdue under the contract as known then, and a settlement's status, are worked out in
    Python: the page is still ``limit`` rows while more such rows follow, fetched in one batch
    or in as many as it takes."""
    monkeypatch.setattr("projections.answers.BATCH", batch)
    overdue = answer(asker, "overdue", as_of=LATER, known_at=KNOWN_BEFORE).rows
    clocks = answer(asker, "clocks", as_of=LATER, known_at=KNOWN_BEFORE).rows
    assert 3 <= len(overdue) < len(clocks)
    first = answer(asker, "overdue", as_of=LATER, known_at=KNOWN_BEFORE, limit=3)
    assert first.rows == overdue[:3] and first.next == overdue[2]["lot_id"]

    for statuses in (
        ["awaiting_settlement", "settlement_overdue"],
        ["open"],
        ["settled"],
        ["open", "settled"],
    ):
        for moment in ({}, {"as_of": PAST}, {"known_at": KNOWN_BEFORE}):
            whole = answer(asker, "settlements", **moment).rows
            kept = [row for row in whole if row["status"] in statuses]
            asked = ",".join(statuses)
            assert answer(asker, "settlements", status=asked, **moment).rows == kept
            assert read_in_pages(asker, "settlements", 2, status=asked, **moment) == kept
    emptied = answer(asker, "settlements", status="awaiting_settlement,settlement_overdue")
    assert len(emptied.rows) == 2
    assert len(answer(asker, "settlements", status="settled").rows) == 2


def test_goods_in_transit_only(asker: Asker) -> None:
    for moment in ({}, {"as_of": PAST}, {"as_of": "2026-04-25"}, {"known_at": KNOWN_BEFORE}):
        whole = answer(asker, "balances", **moment).rows
        moving = [row for row in whole if row["in_transit"] != "0"]
        assert answer(asker, "balances", in_transit=True, **moment).rows == moving
        assert read_in_pages(asker, "balances", 1, in_transit=True, **moment) == moving
    assert len(answer(asker, "balances", in_transit=True, as_of="2026-04-25").rows) == 4


def test_an_after_no_answer_gives_is_refused(asker: Asker) -> None:
    with pytest.raises(LedgerError) as refused:
        answer(asker, "warnings", after="not a key")
    assert refused.value.code == "invalid_parameter" and refused.value.field == "after"


def test_an_unknown_status_is_refused_naming_the_nearest(asker: Asker) -> None:
    with pytest.raises(LedgerError) as refused:
        answer(asker, "settlements", status="open,awaitng_settlement")
    assert refused.value.code == "unknown_status"
    assert refused.value.field == "status"
    assert "awaiting_settlement" in refused.value.message


def test_warnings_in_the_order_of_the_day_they_arose_their_kind_and_subject(asker: Asker) -> None:
    """Every kind the fixture raises, paged alike: as of a day when lots are due soon and
    others overdue, late entries recorded, declarations overdue for settlement; one kind at a
    time; continuing after a key no row has (a day, a kind, a subject between rows)."""
    for moment in ({"as_of": "2027-01-15"}, {}, {"as_of": LATER, "known_at": KNOWN_BEFORE}):
        whole = answer(asker, "warnings", **moment).rows
        keys = [(w["raised_on"], w["kind"], w["subject"]) for w in whole]
        assert keys == sorted(keys) and len(set(keys)) == len(keys)
        for kind in {w["kind"] for w in whole}:
            kept = [w for w in whole if w["kind"] == kind]
            assert read_in_pages(asker, "warnings", 2, kind=kind, **moment) == kept
        for after in {
            *keys,
            *((k[0], k[1], k[2] + "~") for k in keys),
            *((k[0], "a", "") for k in keys),
        }:
            following = [w for w, k in zip(whole, keys, strict=True) if k > after]
            asked = answer(asker, "warnings", limit=3, after="|".join(after), **moment)
            assert asked.rows == following[:3], after
    kinds = {w["kind"] for w in answer(asker, "warnings", as_of="2027-01-15").rows}
    assert {"overdue", "due_soon", "settlement_overdue"} <= kinds, kinds


def test_reports_owed_by_the_warehouse_or_province_asked(asker: Asker) -> None:
    """``reports?warehouse=`` answered every warehouse's reports in the caller's scope (the
    filter was not applied); each warehouse's first goods are now one index range each."""
    for moment in ({}, {"as_of": PAST}, {"known_at": KNOWN_BEFORE}):
        whole = answer(asker, "reports", **moment).rows
        assert {r["warehouse_id"] for r in whole} == ({"W1"} if "as_of" in moment else {"W1", "W2"})
        for warehouse in ("W1", "W2"):
            own = [r for r in whole if r["warehouse_id"] == warehouse]
            assert answer(asker, "reports", warehouse=warehouse, **moment).rows == own
        assert answer(asker, "reports", province="Ha Noi", **moment).rows == []
        assert answer(asker, "reports", province="Ho Chi Minh City", **moment).rows == whole


def test_every_warning_s_detail_told_in_vietnamese_on_a_page(asker: Asker) -> None:
    """The detail the ledger writes in English, told again in Vietnamese by the pages
    (``api/web/details.py``): every warning the fixture raises, of every kind it raises."""
    from api.web.details import SENTENCES, detail_told
    from api.web.language import speaking

    found = [
        w
        for moment in ({}, {"as_of": "2027-01-15"}, {"as_of": LATER})
        for w in answer(asker, "warnings", **moment).rows
    ]
    assert {"overdue", "due_soon", "settlement_overdue", "late_entry"} <= {w["kind"] for w in found}
    with speaking("vi"):
        for w in found:
            if w["kind"] in SENTENCES:
                told = detail_told(w["kind"], w["detail"])
                assert told != w["detail"] and " left" not in told and "due " not in told, w
    with speaking("en"):
        assert all(detail_told(w["kind"], w["detail"]) == w["detail"] for w in found)

"""Refusals in the caller's language through a real ``bonded serve`` (issue 22): the same
refused command answers its problem's ``detail`` in Vietnamese when ``Accept-Language``
prefers it — the rule's sentence, then the specifics — and exactly as before in English
without; ``title``, ``code`` and ``field`` stay as they are. The pages tell a form's refusal
and each field's problem in the page's language the same way. SQLite only: the language of
an answer does not depend on the backend."""

from __future__ import annotations

import html
import re
from contextlib import closing

import httpx
import pytest

from tests.http.pages import Site, csrf_of
from tests.support import ex_warehousing

VIETNAMESE = {"Accept-Language": "vi-VN,vi;q=0.9"}
SHORT = (
    "the ex-warehousing of 101 at 2026-07-01T00:00:00+07:00 needs lot D1/1's on-hand "
    "balance, which is 100 then"
)
SHORT_VI = (
    "Số lượng xuất kho vượt quá số lượng tồn của lô hàng tại thời điểm đó (việc xuất kho 101 lúc "
    "2026-07-01T00:00:00+07:00 cần số dư tồn trong kho của lô hàng D1/1, khi đó chỉ còn 100)"
)

sqlite_only = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def line(**extra: str) -> dict[str, str]:
    command = {**ex_warehousing("D1/1", "101", "2026-07-01"), **extra}
    del command["command"]  # the route names it
    return command


@sqlite_only
def test_the_api_s_detail_follows_accept_language(site: Site) -> None:
    bearer = {"Authorization": f"Bearer {site.tokens['warehouse_owner']}"}
    with httpx.Client(base_url=site.base, headers=bearer, timeout=30) as api:
        english = api.post("/commands/ex_warehouse", json=line())
        vietnamese = api.post("/commands/ex_warehouse", json=line(), headers=VIETNAMESE)
        assert english.status_code == vietnamese.status_code == 409
        assert english.json() == {  # as it always answered
            "type": "about:blank",
            "title": "Conflict",
            "status": 409,
            "detail": SHORT,
            "code": "insufficient_balance",
            "field": "/quantity",
        }
        assert english.headers["content-language"] == "en"
        assert vietnamese.json() == {**english.json(), "detail": SHORT_VI}
        assert vietnamese.headers["content-language"] == "vi"
        assert vietnamese.headers["content-type"] == "application/problem+json"
        # English preferred over Vietnamese, or a language the product does not speak: English
        for header in ("en-GB,en;q=0.9,vi;q=0.8", "fr-FR", "vi;q=0"):
            asked = api.post(
                "/commands/ex_warehouse", json=line(), headers={"Accept-Language": header}
            )
            assert asked.json()["detail"] == SHORT, header

        # refused for its shape: every field told in Vietnamese, from pydantic's own errors
        shaped = {**line(quantity="0"), "colour": "red"}
        english = api.post("/commands/ex_warehouse", json=shaped).json()
        vietnamese = api.post("/commands/ex_warehouse", json=shaped, headers=VIETNAMESE).json()
        assert english["detail"] == (
            "quantity: Input should be greater than 0; colour: Extra inputs are not permitted"
        )
        assert vietnamese["detail"] == (
            "Lệnh không đúng khuôn dạng quy định: quantity: phải lớn hơn 0; "
            "colour: trường này không được phép có"
        )
        assert (vietnamese["code"], vietnamese["field"]) == ("invalid_command", "/quantity")

        # a question's date: the product's own check, its specifics in Vietnamese too
        day = api.get("/balances", params={"as_of": "2026-13-01"}, headers=VIETNAMESE).json()
        assert day["code"] == "invalid_date"
        assert day["detail"] == (
            "Ngày không hợp lệ (as_of: '2026-13-01' không phải là ngày dạng YYYY-MM-DD)"
        )

        # an address that does not exist, and each refused line of a batch
        nowhere = api.get("/nowhere", headers=VIETNAMESE)
        assert nowhere.status_code == 404
        assert nowhere.json()["detail"] == "Không có nội dung tại địa chỉ này"
        batch = [{"command": "ex_warehouse", **line()}]
        told = api.post("/commands", json=batch, headers=VIETNAMESE).json()["outcomes"][0]
        assert told["problem"]["detail"] == SHORT_VI
        told = api.post("/commands", json=batch).json()["outcomes"][0]
        assert told["problem"]["detail"] == SHORT


def problem_beside(page: httpx.Response, name: str) -> str:
    """The problem shown under the input named ``name``, or ''."""
    block = re.search(
        rf'name="{re.escape(name)}"[^>]*>\s*(?:<p class="problem"[^>]*>([^<]*)</p>)?', page.text
    )
    assert block, f"no input {name}"
    return block.group(1) or ""


@sqlite_only
def test_a_form_tells_its_refusals_in_the_page_s_language(site: Site) -> None:
    form_line = {**line(), "effective_at": "2026-07-01T00:00", "quantity": "101"}
    with closing(site.signed_in()) as browser:
        for lang, refused, beside in (
            ("vi", SHORT_VI, "phải lớn hơn 0"),
            ("en", SHORT, "Input should be greater than 0"),
        ):
            form = browser.get("/record/ex_warehouse", params={"lang": lang})
            sent = {"csrf_token": csrf_of(form), **form_line}
            short = browser.post("/record/ex_warehouse", data=sent)
            assert short.status_code == 409
            assert short.headers["content-language"] == lang
            shown = problem_beside(short, "quantity")  # the refusal names the quantity
            assert html.unescape(shown) == refused  # as the API's detail in that language
            negative = browser.post("/record/ex_warehouse", data={**sent, "quantity": "-1"})
            assert negative.status_code == 422
            assert problem_beside(negative, "quantity") == beside
        expired = browser.post(
            "/record/ex_warehouse", data={**sent, "csrf_token": "forged"}, params={"lang": "vi"}
        )
        assert expired.status_code == 403
        assert "Biểu mẫu đã hết hạn nên chưa được ghi nhận; hãy gửi lại" in expired.text
        # the dashboard's error: a warehouse in the URL outside the owner's own
        outside = browser.get("/", params={"warehouse": "W404", "lang": "vi"})
        assert outside.status_code == 404
        assert "Việc này nằm ngoài phạm vi kho, tỉnh hoặc hàng hóa thuộc quyền của bạn (" in (
            outside.text
        )

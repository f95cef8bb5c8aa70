"""Names a question filters on must exist (DOMAIN.md §6, issue 20), through a real server on
SQLite and PostgreSQL: an unknown warehouse, goods owner, province or kind of warning is a 404
problem naming the nearest known names the caller may see — never an empty "all clear" — and
one name spelt with other case or accents answers as the name recorded."""

from __future__ import annotations

from tests.http.test_served import Served, served  # noqa: F401  (the fixture)
from tests.support import OWNER_A

PROBLEM = "application/problem+json"


def test_unknown_names_are_refused_with_the_nearest(served: Served) -> None:  # noqa: F811
    with served.as_("auditor") as admin:
        for path, params, code, says in (
            ("/overdue", {"warehouse": "W9"}, "unknown_warehouse", "nearest: W4, W3, W2"),
            ("/balances", {"province": "Da Nang"}, "unknown_province", "is not known"),
            ("/settlements", {"owner": OWNER_A[:-1] + "9"}, "unknown_owner", OWNER_A),
            ("/warnings", {"kind": "banana"}, "unknown_kind", "known: count_variance"),
            ("/inspections", {"province": "Hue", "year": 2026}, "unknown_province", "Ha Noi"),
        ):
            answer = admin.get(path, params=params)
            assert answer.status_code == 404, (path, answer.text)
            assert answer.headers["content-type"].startswith(PROBLEM)
            body = answer.json()
            assert body["code"] == code and says in body["detail"], (path, body)
            assert body["field"] == "/" + next(iter(params))


def test_one_name_in_other_spellings_answers_as_recorded(served: Served) -> None:  # noqa: F811
    with served.as_("auditor") as admin:
        recorded = admin.get("/balances", params={"province": "Ho Chi Minh City"}).json()
        assert recorded and {row["warehouse_id"] for row in recorded} == {"W1"}
        for spelling in ("ho chi minh city", "TP. Hồ Chí Minh", "HỒ CHÍ MINH"):
            assert admin.get("/balances", params={"province": spelling}).json() == recorded
        assert admin.get("/balances", params={"warehouse": "w1"}).json() == recorded
    with served.as_("provincial_inspector") as inspector:  # Ho Chi Minh City's
        answer = inspector.get("/balances", params={"province": "hồ chí minh"})
        assert answer.status_code == 200 and answer.json() == recorded
        elsewhere = inspector.get("/balances", params={"province": "Ha Noi"})
        assert elsewhere.status_code == 403  # outside its scope, whether it exists or not
        unknown = inspector.get("/balances", params={"warehouse": "W9"}).json()
        assert unknown["code"] == "outside_scope"
        pack = inspector.get("/inspections", params={"province": "ho chi minh", "year": 2026})
        assert pack.status_code == 200 and pack.json()["province"] == "Ho Chi Minh City"

"""A corpus of hostile input against every route of a real ``bonded serve``, on SQLite and
PostgreSQL: each value goes alone into one query parameter, path parameter or command field
of an otherwise sound request. Every answer is a 4xx problem (never a server error), and
nothing any of them asked is recorded (issue 20, DOMAIN.md §6).

The values are what a careless or hostile client sends: dates at and beyond both edges of the
ledger's range, offsets beyond ±14 h, numbers where strings are due (a Unix time as a moment),
huge integers and positions, long strings, control and invisible characters, formulas, paths
and SQL."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx

from commands.models import COMMAND_TYPES
from commands.parsing import parse_command
from tests.http.test_served import Served, served  # noqa: F401  (the fixture)
from tests.support import (
    contract,
    dispatch,
    enterprise,
    ex_warehousing,
    goods_list,
    hold,
    licence,
    order,
    receipt,
    resume_notice,
    reversal,
    revocation,
    stop_notice,
    transfer,
    warehouse,
    warehousing,
)

PROBLEM = "application/problem+json"

DAYS: list[Any] = [
    "9999-12-31",
    "0001-01-01",
    "1989-12-31",
    "2200-01-01",
    "2026-02-30",
    "2026-1-1",
    "",
    "x" * 5000,
    "2026-03-01T10:00:00+07:00",
]
MOMENTS: list[Any] = [
    "9999-12-31",
    "0001-01-01T00:00:00+07:00",
    "9999-12-31T23:59:59-12:00",
    "2200-01-01T00:00:00+14:00",
    "1989-12-31T23:59:59+07:00",
    "2026-03-01T10:00:00+15:00",
    "2026-03-01T10:00:00-13:00",
    "2026-03-01T10:00:00",
    "1795000000",
    "",
]
INTEGERS: list[Any] = ["-1", "9" * 40, "1e9", "0x10", "", "NaN", "１２"]
WORDS: list[Any] = [
    "x" * 5000,
    "\u0000",
    "a\u202eb",
    "../../etc/passwd",
    "' OR 1=1 --",
    '=HYPERLINK("http://x","y")',
    "%",
    "🙂" * 300,
]
PERIODS: list[Any] = ["9999-Q4", "0001-H1", "1989-H2", "2200-Q1", "2026-Q5", "2026", "x" * 5000]

# Sound values for each required query parameter, so that the hostile one is what is judged.
SOUND_QUERY = {
    "warehouse": "W1",
    "period": "2026-H1",
    "province": "Ho Chi Minh City",
    "year": "2026",
}
SOUND_PATH = {
    "lot_id": "D1/1",
    "version": "1",  # an entry of the lot: GET /lots/{lot_id}/entries/{version}
    "licence_no": "L1",
    "buyer_id": "B-1",
    "subscription_id": "1",
}


def query_values(name: str, schema: dict[str, Any]) -> list[Any]:
    if name in ("as_of", "from", "to"):
        return DAYS
    if name == "known_at":
        return MOMENTS
    if name == "period":
        return PERIODS
    types = {schema.get("type")} | {s.get("type") for s in schema.get("anyOf", [])}
    return INTEGERS if "integer" in types else WORDS


@dataclass(frozen=True)
class Asked:
    method: str
    path: str
    params: dict[str, Any]
    body: Any = None

    def send(self, client: httpx.Client) -> httpx.Response:
        if self.body is None:
            return client.request(self.method, self.path, params=self.params)
        return client.request(self.method, self.path, content=json.dumps(self.body))


def questions(document: dict[str, Any]) -> Iterator[Asked]:
    """Every operation without a body, each hostile value in each of its parameters."""
    for template, operations in document["paths"].items():
        for method, operation in operations.items():
            if "requestBody" in operation:
                continue
            parameters = [p for p in operation.get("parameters", []) if p["in"] != "header"]
            required = {
                p["name"]: SOUND_QUERY[p["name"]]
                for p in parameters
                if p["in"] == "query" and p.get("required")
            }
            sound_path = template.format(**SOUND_PATH)
            for parameter in parameters:
                name = parameter["name"]
                for value in query_values(name, parameter.get("schema", {})):
                    if parameter["in"] == "path":
                        text = quote(str(value), safe="") or "%20"
                        path = template.replace("{" + name + "}", text)
                        others = {k: v for k, v in SOUND_PATH.items() if k != name}
                        yield Asked(method.upper(), path.format(**others, **{name: text}), required)
                    else:
                        yield Asked(method.upper(), sound_path, {**required, name: value})


SOUND_COMMANDS: list[dict[str, Any]] = [
    enterprise("0100109106", "Hostile Co"),
    warehouse("W1", "0100109106"),
    contract("C-A-W1", "W1", "0100109106"),
    {
        "command": "extend_rent_contract",
        "contract_no": "C-A-W1",
        "expires_on": "2028-01-01",
        "effective_at": "2026-06-01",
    },
    warehousing("D1"),
    ex_warehousing(),
    transfer(),
    dispatch(),
    receipt("D1/1"),
    {
        "command": "extend_storage",
        "lot_id": "D1/1",
        "days": 30,
        "effective_at": "2026-06-01",
        "approval_ref": "CV-2",
        "reason": "waiting for a buyer",
    },
    hold(),
    hold(release=True),
    {
        "command": "liquidate_overdue",
        "lot_id": "D1/1",
        "quantity": "1",
        "effective_at": "2026-06-01",
        "decision_ref": "QD-9",
        "method": "auction",
    },
    {"command": "settle_declaration", "declaration_no": "D1", "effective_at": "2026-06-01"},
    {
        "command": "extend_settlement",
        "declaration_no": "D1",
        "effective_at": "2026-06-01",
        "approval_ref": "CV-3",
        "reason": "pending",
    },
    {
        "command": "record_stock_count",
        "warehouse_id": "W1",
        "effective_at": "2026-06-01",
        "counts": [{"lot_id": "D1/1", "counted_quantity": "5"}],
    },
    {
        "command": "submit_report",
        "warehouse_id": "W1",
        "period": "2026-H1",
        "effective_at": "2026-07-10",
    },
    reversal("D1/1", 2),
    goods_list(),
    licence(),
    revocation(),
    stop_notice(),
    resume_notice(),
    order(),
]


def field_values(schema: dict[str, Any]) -> list[Any]:
    """Hostile values for a command field of this JSON schema."""
    options = schema.get("anyOf", [schema])
    formats = {o.get("format") for o in options}
    types = {o.get("type") for o in options}
    if "date-time" in formats:
        return [*MOMENTS, 1795000000, 20261121, 1.5e9, True]
    if "date" in formats:
        return [*DAYS, 20261121, 1795000000]
    if "array" in types:
        return ["x", [None], {"a": 1}, [[[[[]]]]] * 3]
    if "boolean" in types:
        return ["maybe", 2, [], "x" * 5000]
    if "integer" in types:
        return [10**30, -1, "one", 1.5, [], True]
    if "number" in types or {"pattern"} & {k for o in options for k in o}:
        return ["NaN", "Infinity", "-1", "1e999999", 1e308, "abc", [], {}]
    return [12345, "x" * 100_000, "\u0000", "a\u202eb", [], {}, True]


def bodies() -> Iterator[Asked]:
    """Every command, each hostile value alone in each of its fields."""
    sound = {c["command"]: c for c in SOUND_COMMANDS}
    for model in COMMAND_TYPES:
        name = model.model_fields["command"].default
        if name not in sound:
            continue  # an account command: the CLI's alone
        base = sound[name]
        parse_command(base)  # the sound request is sound: what follows is refused for one field
        schema = model.model_json_schema()
        for field, field_schema in schema["properties"].items():
            if field in ("command", "command_id"):
                continue
            for value in field_values(field_schema):
                body = {k: v for k, v in base.items() if k != "command"} | {field: value}
                yield Asked("POST", f"/commands/{name}", {}, body)


def test_every_route_refuses_every_hostile_input_and_records_nothing(served: Served) -> None:  # noqa: F811
    before = served.head()
    with served.as_("admin") as client:
        document = client.get("/openapi.json").json()
        asked = [*questions(document), *bodies()]
        failures = []
        for request in asked:
            try:
                answer = request.send(client)
            except httpx.TransportError as error:  # the server dropped the connection
                failures.append(f"{request.method} {request.path} -> {error!r}")
                continue
            kind = answer.headers.get("content-type", "")
            wrong = answer.status_code >= 500 or (
                answer.status_code >= 400 and not kind.startswith(PROBLEM)
            )
            accepted = request.body is not None and answer.status_code < 400
            if wrong or accepted:
                failures.append(
                    f"{request.method} {request.path} {str(request.params)[:120]} "
                    f"{str(request.body)[:200]} -> {answer.status_code} "
                    f"{answer.text[:200]}"
                )
    routes = {(a.method, a.path.split("?")[0]) for a in asked}
    print(f"{len(asked)} hostile requests on {len(routes)} routes: {len(failures)} wrong")
    assert not failures, "\n".join(failures[:40])
    assert served.head() == before, "a hostile request recorded something"
    assert len(asked) > 1000

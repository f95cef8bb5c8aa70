"""Every rule ``decide`` enforces, given/when/then at the pure seam: a ``History`` of recorded
events in, a typed intent (parsed from the command vocabulary, DOMAIN.md §6), and the exact
refusal out — no service, no store, no handler. One case per rule code; a test enumerates
every code the decisions can raise (read from ``ledger/``'s source) and fails when one has
no case here, so a new rule comes with its given/when/then."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from commands.handlers import handle
from commands.parsing import parse_command
from ledger.errors import LedgerError
from ledger.events import Event
from ledger.intents import Envelope, Intent
from ledger.recorded import History
from ledger.rulepacks import load_pack
from tests.support import NOW, at, ex_warehousing, warehousing, world

PACK = load_pack("vn-2015")
LEDGER = Path(__file__).resolve().parents[2] / "ledger"
Given = dict[str, Any] | Intent


class Decide:
    """Given these commands recorded, when this one is decided: its events, or its refusal."""

    def __init__(self, now: datetime = NOW) -> None:
        self.history = History()
        self.now = now
        self.count = 0

    @staticmethod
    def intent(command: Given) -> Intent:
        """A command of the vocabulary, parsed by its model (validated as at every door); an
        account command (``bonded users``, ``tokens``) as its typed intent."""
        if isinstance(command, Intent):
            return command
        return parse_command(command).intent

    def decide(self, command: Given) -> list[Event]:
        intent = self.intent(command)
        self.count += 1
        envelope = Envelope(actor="clerk", recorded_at=self.now, command_id=f"c-{self.count}")
        decision = handle.decision_for(type(intent))
        return list(decision(intent, envelope, self.history, PACK))

    def given(self, *commands: Given) -> Decide:
        for command in commands:
            self.history.add(self.decide(command))
        return self

    def when(self, command: Given) -> list[Event]:
        return self.decide(command)


@dataclass(frozen=True)
class Case:
    """Given ``given`` recorded (the world first, unless ``bare``), when ``when``: refused
    with the rule's code, naming ``field``."""

    given: tuple[Given, ...]
    when: Given
    field: str | None
    bare: bool = False
    now: datetime = NOW
    note: str = field(default="")


RULES: dict[str, Case] = {
    "declaration_exists": Case((warehousing("D1"),), warehousing("D1"), "declaration_no"),
    "insufficient_balance": Case(
        (warehousing("D1"),), ex_warehousing("D1/1", quantity="101"), "quantity"
    ),
    "effective_in_future": Case(
        (), warehousing("D1", effective_at="2026-11-24T10:00:00+07:00"), "effective_at"
    ),
}


@pytest.mark.parametrize("code", sorted(RULES))
def test_each_rule_refuses_at_the_decide_seam(code: str) -> None:
    case = RULES[code]
    decide = Decide(case.now).given(*(() if case.bare else world()), *case.given)
    with pytest.raises(LedgerError) as refused:
        decide.when(case.when)
    assert (refused.value.code, refused.value.field) == (code, case.field), refused.value.message


def rule_codes() -> set[str]:
    """Every code a decision can refuse with: the first argument of each ledger error (or
    ``Violation``, or ``require_found``'s second) and each ``(code, message)`` an event kind
    yields as a refusal, in ``ledger/decide``, ``ledger/entries.py``, ``ledger/lot.py`` and
    ``ledger/events.py``."""
    errors = {"LedgerError", "Invalid", "Conflict", "NotFound", "Violation"}
    sources = [*sorted((LEDGER / "decide").glob("*.py"))]
    sources += [LEDGER / "entries.py", LEDGER / "lot.py", LEDGER / "events.py"]
    found: set[str] = set()
    for source in sources:
        for node in ast.walk(ast.parse(source.read_text())):
            if isinstance(node, ast.Call):
                name = getattr(node.func, "id", getattr(node.func, "attr", None))
                position = 1 if name == "require_found" else 0 if name in errors else None
                if position is not None and len(node.args) > position:
                    argument = node.args[position]
                    if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                        found.add(argument.value)
            if isinstance(node, ast.Yield) and isinstance(node.value, ast.Tuple):
                first = node.value.elts[0] if node.value.elts else None
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    found.add(first.value)
    return {code for code in found if re.fullmatch(r"[a-z]+(_[a-z]+)*", code)}


def test_every_rule_of_decide_has_its_case() -> None:
    missing = rule_codes() - set(RULES)
    assert not missing, f"rules with no given/when/then here: {sorted(missing)}"

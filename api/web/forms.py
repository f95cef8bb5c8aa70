"""A command's form, derived from its model (``commands/models.py``): one input per field,
with the field's type, bounds and whether it is required; a list of objects (a declaration's
goods lines, its seals) as rows of inputs. What the form sends is turned back into exactly
the JSON object of a ``bonded apply`` line, so a form is refused as that line would be."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from pydantic import ValidationError

from commands.models import COMMAND_NAMES, COMMAND_TYPES, Command
from commands.parsing import field_problems
from ledger.errors import FieldProblem

ZONE = "+07:00"  # Vietnam keeps UTC+07:00 all year (ledger/calendar.py)
ROWS = 3  # the empty rows a list of objects offers; more are added by recording again
SKIPPED = ("command", "command_id")


@dataclass(frozen=True)
class Field:
    name: str  # the input's name: ``quantity``, ``lines[0].hs_code``
    key: str  # the field's name in the model: ``quantity``, ``hs_code``
    kind: str  # text, number, integer, date, datetime, boolean, choice, list
    required: bool
    max_length: int | None = None
    choices: tuple[str, ...] = ()
    title: str = ""

    def at(self, group: str, row: int) -> Field:
        return Field(
            f"{group}[{row}].{self.key}",
            self.key,
            self.kind,
            False,
            self.max_length,
            self.choices,
            self.title,
        )


@dataclass(frozen=True)
class Group:
    """A list of objects: its fields, offered ``ROWS`` times."""

    name: str
    required: bool
    fields: tuple[Field, ...]

    def rows(self) -> list[list[Field]]:
        return [[f.at(self.name, row) for f in self.fields] for row in range(ROWS)]


@dataclass(frozen=True)
class CommandForm:
    command: str
    model: type[Command]
    fields: tuple[Field, ...]
    groups: tuple[Group, ...]

    @property
    def summary(self) -> str:
        return (self.model.__doc__ or self.command).strip().splitlines()[0]

    def data(self, sent: dict[str, str]) -> dict[str, Any]:
        """The ``bonded apply`` line the form's values make: blanks left out, a moment
        without offset taken in Vietnam's zone, a list's empty rows dropped."""
        data: dict[str, Any] = {"command": self.command}
        for field in self.fields:
            value = _value(field, sent.get(field.name))
            if value is not None:
                data[field.key] = value
        for group in self.groups:
            items = []
            for row in group.rows():
                item = {f.key: _value(f, sent.get(f.name)) for f in row}
                filled = {k: v for k, v in item.items() if v is not None and v is not False}
                if filled:
                    items.append({k: v for k, v in item.items() if v is not None})
            if items or group.required:
                data[group.name] = items
        return data

    def problems(self, data: dict[str, Any]) -> dict[str, str]:
        """Every field the model refuses, by input name (all of them, not the first)."""
        return {name: found.message for name, found in self.field_problems(data).items()}

    def field_problems(self, data: dict[str, Any]) -> dict[str, FieldProblem]:
        """``problems``, each kept as its validator named it, to be told in the page's
        language (``api.web.refused.told``)."""
        try:
            self.model.model_validate(data)
        except ValidationError as error:
            found: dict[str, FieldProblem] = {}
            for problem in field_problems(error):
                found.setdefault(problem.field or "command", problem)
            return found
        return {}


def _value(field: Field, given: str | None) -> Any:
    if field.kind == "boolean":
        return given in ("on", "true", "1")
    if given is None or not given.strip():
        return None
    text = given.strip()
    if field.kind == "datetime" and re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d)?", text):
        return text + ZONE
    if field.kind == "list":
        return [part.strip() for part in text.split(";") if part.strip()]
    return text


def input_name(field: str | None) -> str | None:
    """A refusal's field as the form names it: ``lines[1].line_no`` stays, the ledger's
    ``entries/0/hs_prefix`` becomes ``entries[0].hs_prefix``."""
    if not field:
        return None
    return re.sub(r"/(\d+)(/|$)", lambda m: f"[{m.group(1)}]" + ("." if m.group(2) else ""), field)


def _kind(schema: dict[str, Any]) -> tuple[str, int | None, tuple[str, ...]]:
    options = schema.get("anyOf", [schema])
    chosen = next((o for o in options if o.get("type") not in (None, "null")), options[0])
    if "enum" in chosen:
        return "choice", None, tuple(str(v) for v in chosen["enum"])
    kind = chosen.get("type", "string")
    if any(o.get("type") == "number" for o in options):
        return "number", None, ()
    if kind == "string":
        form = chosen.get("format")
        return (
            ({"date": "date", "date-time": "datetime"}.get(form, "text")),
            chosen.get("maxLength"),
            (),
        )
    if kind == "array":
        return "list", None, ()
    return {"integer": "integer", "boolean": "boolean"}.get(kind, "text"), None, ()


def _fields(schema: dict[str, Any], defs: dict[str, Any]) -> tuple[list[Field], list[Group]]:
    required = set(schema.get("required", ()))
    fields: list[Field] = []
    groups: list[Group] = []
    for name, prop in schema.get("properties", {}).items():
        if name in SKIPPED:
            continue
        items = prop.get("items", {})
        if prop.get("type") == "array" and "$ref" in items:
            inner = defs[items["$ref"].rsplit("/", 1)[-1]]
            inner_fields, _ = _fields(inner, defs)
            groups.append(Group(name, name in required, tuple(inner_fields)))
            continue
        kind, max_length, choices = _kind(prop)
        fields.append(
            Field(name, name, kind, name in required, max_length, choices, prop.get("title", ""))
        )
    return fields, groups


@cache
def form_of(command: str) -> CommandForm:
    """The form of a command named in the vocabulary (``KeyError`` for another name)."""
    model = dict(zip(COMMAND_NAMES, COMMAND_TYPES, strict=True))[command]
    schema = model.model_json_schema()
    fields, groups = _fields(schema, schema.get("$defs", {}))
    return CommandForm(command, model, tuple(fields), tuple(groups))

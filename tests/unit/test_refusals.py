"""The catalogue of refusals (``ledger/refusals.py``) against the source: every code raised
anywhere in ``ledger/``, ``commands/``, ``projections/`` or ``api/`` has its entry, in
English and Vietnamese, and every entry's code is raised somewhere. The codes are read from
the source by its syntax tree, as ``test_every_rule`` reads the codes ``decide`` can raise;
and a refusal, a pydantic error and a validator's message are rendered in Vietnamese."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from datetime import date
from functools import cache
from pathlib import Path

import pytest
from pydantic import BaseModel, Field, ValidationError

from api.problems import HTTP_CODES, HTTP_ERROR
from commands.parsing import InvalidCommand, parse_command
from ledger import codes
from ledger.calendar import parse_day, parse_moment, within_range
from ledger.errors import Conflict, Invalid, LedgerError, NotFound
from ledger.periods import parse_period
from ledger.refusals import REFUSALS, FieldProblem, localized, problem_text, value_error_text
from projections.names import Known
from tests.support import ex_warehousing

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("ledger", "commands", "projections", "api")
CODE = re.compile(r"[a-z]+(_[a-z]+)*")
# a call naming a problem's code as its second argument: a helper taking the code after the
# value it checks, an HTTP problem made outright, a request refused before the app
SECOND = {"require_found", "problem", "problem_body", "Refused"}


def sources() -> dict[Path, ast.Module]:
    files = sorted(f for package in PACKAGES for f in (ROOT / package).rglob("*.py"))
    return {f: ast.parse(f.read_text(), str(f)) for f in files}


def error_classes(trees: dict[Path, ast.Module]) -> set[str]:
    """``LedgerError`` and every class deriving from it, however far, by name."""
    found = {"LedgerError", "Violation"}  # Violation: a lot's rule, raised as a LedgerError
    grown = True
    while grown:
        grown = False
        for tree in trees.values():
            for node in ast.walk(tree):
                if isinstance(node, ast.ClassDef) and node.name not in found:
                    bases = {getattr(b, "id", getattr(b, "attr", None)) for b in node.bases}
                    if bases & found:
                        found.add(node.name)
                        grown = True
    return found


def _name(call: ast.Call) -> str | None:
    return getattr(call.func, "id", getattr(call.func, "attr", None))


def _loops(tree: ast.Module) -> dict[ast.AST, list[ast.For]]:
    """Each node's enclosing ``for`` loops, innermost last."""
    enclosing: dict[ast.AST, list[ast.For]] = {}

    def visit(node: ast.AST, loops: list[ast.For]) -> None:
        enclosing[node] = loops
        inner = [*loops, node] if isinstance(node, ast.For) else loops
        for child in ast.iter_child_nodes(node):
            visit(child, inner)

    visit(tree, [])
    return enclosing


def _strings(argument: ast.expr, loops: list[ast.For]) -> Iterator[str]:
    """The codes an argument can be: its string literals (both sides of ``a if c else b``),
    and an f-string over the name a loop takes from a tuple of literals
    (``for name in ("province", "year"): ... f"missing_{name}"``)."""
    if isinstance(argument, ast.JoinedStr):
        yield from _formatted(argument, loops)
        return
    for node in ast.walk(argument):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node.value


def _formatted(text: ast.JoinedStr, loops: list[ast.For]) -> Iterator[str]:
    names = [
        v.value.id
        for v in text.values
        if isinstance(v, ast.FormattedValue) and isinstance(v.value, ast.Name)
    ]
    for loop in reversed(loops):
        if (
            len(names) == 1
            and isinstance(loop.target, ast.Name)
            and loop.target.id == names[0]
            and isinstance(loop.iter, ast.Tuple | ast.List)
        ):
            for item in loop.iter.elts:
                if isinstance(item, ast.Constant):
                    yield "".join(
                        str(item.value) if isinstance(v, ast.FormattedValue) else str(v.value)
                        for v in text.values
                        if isinstance(v, ast.FormattedValue | ast.Constant)
                    )
            return
    raise AssertionError(f"a code made by formatting this test cannot read: {ast.unparse(text)}")


@cache
def raised_codes() -> dict[str, list[str]]:
    """Every code raised in the four packages, with where: the first argument of each call of
    a ``LedgerError`` class (and ``super().__init__`` in one), the code argument of a helper
    (``require_found``, ``problem``, ``Refused``), the first item of each ``(code, message)`` a
    lot event's ``refusals`` yields, the code a ``Known(kind, ...)`` refuses an unknown name
    with, and the codes ``api.problems`` gives Starlette's HTTP errors."""
    trees = sources()
    errors = error_classes(trees)
    found: dict[str, list[str]] = {}

    def note(code: str, path: Path, node: ast.AST) -> None:
        where = f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', 0)}"
        found.setdefault(code, []).append(where)

    for path, tree in trees.items():
        loops = _loops(tree)
        classes = [n for n in ast.walk(tree) if isinstance(n, ast.ClassDef) and n.name in errors]
        supers = {id(c) for cls in classes for c in ast.walk(cls) if isinstance(c, ast.Call)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                name = _name(node)
                position = None
                if name in errors:
                    position = 0
                elif name in SECOND:
                    position = 1
                elif name == "__init__" and id(node) in supers:
                    position = 0  # super().__init__(code, ...) in a LedgerError class
                elif name == "Known" and node.args:
                    kind = node.args[0]
                    assert isinstance(kind, ast.Constant), ast.unparse(node)
                    note(Known(str(kind.value), "", ()).refusal("", ()).code, path, node)
                if position is not None and len(node.args) > position:
                    for code in _strings(node.args[position], loops[node]):
                        note(code, path, node)
            if isinstance(node, ast.FunctionDef) and node.name == "refusals":
                for inner in ast.walk(node):
                    if isinstance(inner, ast.Yield) and isinstance(inner.value, ast.Tuple):
                        first = inner.value.elts[0]
                        if isinstance(first, ast.Constant) and isinstance(first.value, str):
                            note(first.value, path, inner)
    for code in (*HTTP_CODES.values(), HTTP_ERROR):
        found.setdefault(code, []).append("api/problems.py: Starlette's HTTP errors")
    return {code: where for code, where in found.items() if CODE.fullmatch(code)}


def test_every_code_raised_has_its_refusal() -> None:
    raised = raised_codes()
    missing = sorted(set(raised) - set(REFUSALS))
    assert not missing, {code: raised[code] for code in missing}


def test_every_refusal_is_raised_somewhere() -> None:
    unused = sorted(set(REFUSALS) - set(raised_codes()))
    assert not unused, f"refusals of codes nothing raises: {unused}"


def test_the_scan_finds_codes_of_every_kind_of_site() -> None:
    """The scan is not vacuous: it finds a code of each way one is raised."""
    raised = raised_codes()
    for code in (
        "insufficient_balance",  # Violation(...) in ledger/entries.py
        "lot_on_hold",  # yielded by a lot event's refusals
        "unknown_contract",  # require_found(value, code, ...)
        "invalid_spreadsheet",  # super().__init__(code, ...) in InvalidSheet
        "unknown_owner",  # Known("goods owner", ...).refusal
        "missing_year",  # f"missing_{name}" for name in ("province", "year")
        "header_fields_too_large",  # Refused(status, code, detail)
        "database_unavailable",  # problem(status, code, detail)
        "method_not_allowed",  # HTTP_CODES
        "invalid_command",  # InvalidCommand(...)
    ):
        assert code in raised, code
    assert len(raised) >= 100


@pytest.mark.parametrize("code", sorted(REFUSALS))
def test_each_refusal_is_one_sentence_in_each_language(code: str) -> None:
    refusal = REFUSALS[code]
    assert refusal.code == code
    for text in (refusal.en, refusal.vi):
        assert text and text == text.strip() and text[0].isupper(), text
        assert not text.endswith("."), "a rule sentence, shown before its specifics"
        assert "\n" not in text
    assert refusal.vi != refusal.en
    assert re.search(r"[àáảãạăâđèéẻẽẹêìíỉĩịòóỏõọôơùúủũụưỳýỷỹỵ]", refusal.vi.lower()), refusal.vi


# --- rendering --------------------------------------------------------------------------------


def test_english_is_the_message_as_raised() -> None:
    error = Conflict("already_settled", "declaration D1 was settled at 2026-06-10", "x")
    assert localized(error, "en") == error.message


def test_vietnamese_is_the_rule_then_the_specifics() -> None:
    error = LedgerError(
        "insufficient_balance",
        "the ex-warehousing of 101 at 2026-05-01T10:00:00+07:00 needs lot D1/1's on-hand "
        "balance, which is 100 then",
        "quantity",
    )
    assert localized(error, "vi") == (
        "Số lượng xuất kho vượt quá số lượng tồn của lô hàng tại thời điểm đó (việc xuất kho 101 "
        "lúc 2026-05-01T10:00:00+07:00 cần số dư tồn trong kho của lô hàng D1/1, khi đó chỉ còn "
        "100)"
    )
    elsewhere = LedgerError("insufficient_balance", "a message of another shape", "quantity")
    assert localized(elsewhere, "vi").endswith("(a message of another shape)")  # as raised
    unknown = NotFound("unknown_declaration", "declaration D9 has not been recorded")
    assert localized(unknown, "vi").startswith("Tờ khai chưa được ghi nhận trong sổ (")


def test_an_uncatalogued_code_keeps_its_english() -> None:
    error = LedgerError("a_code_of_tomorrow", "something new")
    assert localized(error, "vi") == "something new"


def test_a_pydantic_error_in_vietnamese() -> None:
    with pytest.raises(InvalidCommand) as refused:
        parse_command({**ex_warehousing(quantity="0"), "bill_no": "B" * 65, "colour": "red"})
    error = refused.value
    assert error.message.startswith("quantity: Input should be greater than 0")  # unchanged
    vi = localized(error, "vi")
    assert vi == (
        "Lệnh không đúng khuôn dạng quy định: quantity: phải lớn hơn 0; "
        "bill_no: dài tối đa 64 ký tự; colour: trường này không được phép có"
    )


class Asked(BaseModel):
    quantity: int = Field(gt=0, le=1_000_000_000_000)
    day: date
    source: str = Field(pattern=r"^[a-z]+$")
    year: int = Field(ge=1990)


@pytest.mark.parametrize(
    ("given", "field", "vietnamese"),
    [
        ({"quantity": "x"}, "quantity", "phải là một số nguyên"),
        ({"quantity": 0}, "quantity", "phải lớn hơn 0"),
        ({"quantity": 10**13}, "quantity", "phải nhỏ hơn hoặc bằng 1.000.000.000.000"),
        (
            {"day": "2026-13-01"},
            "day",
            "phải là một ngày hợp lệ dạng YYYY-MM-DD: tháng phải từ 1 đến 12",
        ),
        ({"source": "ABC"}, "source", "không đúng khuôn dạng quy định (^[a-z]+$)"),
        ({"quantity": None}, "quantity", "thiếu trường bắt buộc"),
        ({"year": 1989}, "year", "phải lớn hơn hoặc bằng 1990"),  # a year is not grouped
    ],
)
def test_each_pydantic_type_by_its_template(
    given: dict[str, object], field: str, vietnamese: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        sent = {"quantity": 1, "day": "2026-01-01", "source": "a", "year": 2026, **given}
        Asked.model_validate({k: v for k, v in sent.items() if v is not None})
    detail = next(d for d in refused.value.errors() if d["loc"] == (field,))
    problem = FieldProblem(field, detail["type"], detail.get("ctx", {}), detail["msg"])
    assert problem_text(problem, "vi") == vietnamese
    assert problem_text(problem, "en") == detail["msg"]


def _message(check: object, *arguments: object) -> str:
    with pytest.raises(ValueError) as refused:
        check(*arguments)  # type: ignore[operator]
    return str(refused.value)


@pytest.mark.parametrize(
    ("message", "vietnamese"),
    [
        (_message(parse_day, "2026/01/01"), "'2026/01/01' không phải là ngày dạng YYYY-MM-DD"),
        (
            _message(within_range, date(1989, 12, 31)),
            "ngày 1989-12-31 nằm ngoài khoảng ngày sổ nhận: từ 1990-01-01 đến 2199-12-31",
        ),
        (
            _message(parse_moment, "2026-01-01T10:00:00"),
            "ngày giờ phải kèm độ lệch so với UTC, ví dụ 2025-03-01T10:00:00+07:00",
        ),
        (
            _message(parse_moment, "2026-01-01T10:00:00+15:00"),
            "độ lệch so với UTC phải trong khoảng -12:00 đến +14:00",
        ),
        (
            _message(parse_moment, "yesterday at ten"),
            "phải là một ngày (YYYY-MM-DD) hoặc ngày giờ theo ISO 8601",
        ),
        (
            _message(parse_period, "2026-Q5"),
            "kỳ '2026-Q5' phải là nửa năm (2025-H1) hoặc quý (2025-Q3)",
        ),
        (_message(codes.hs_code, "85A2"), "mã HS gồm 4 đến 10 chữ số, chỉ chữ số"),
        (
            _message(codes.plain_text, "a\x00b"),
            "không được chứa ký tự điều khiển hoặc ký tự định dạng ẩn U+0000",
        ),
        (_message(codes.country, "XX"), "'XX' không phải mã quốc gia ISO 3166 alpha-2"),
        (_message(codes.currency, "XXY"), "'XXY' không phải mã tiền tệ ISO 4217"),
        (
            _message(codes.vietnamese_tax_code, "0101245487"),
            "'0101245487' không phải mã số thuế (MST) Việt Nam hợp lệ: chữ số kiểm tra không đúng",
        ),
    ],
)
def test_the_products_own_value_errors_in_vietnamese(message: str, vietnamese: str) -> None:
    assert value_error_text(message, "vi") == vietnamese
    assert value_error_text(message, "en") == message


def test_a_check_s_own_specifics_in_vietnamese_and_a_bare_rule_not_repeated() -> None:
    day = Invalid("invalid_date", "as_of: '2026/01/01' is not a date YYYY-MM-DD", "as_of")
    assert localized(day, "vi") == (
        "Ngày không hợp lệ (as_of: '2026/01/01' không phải là ngày dạng YYYY-MM-DD)"
    )
    expired = LedgerError("csrf", "the form had expired: it was not recorded; send it again")
    assert localized(expired, "vi") == "Biểu mẫu đã hết hạn nên chưa được ghi nhận; hãy gửi lại"

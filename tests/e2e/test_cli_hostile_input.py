"""bonded apply as a hostile user would try it: every bad line is refused alone, with its
line number and a short reason, and every good line is still applied."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.e2e.test_cli_apply import BONDED, QUICKSTART

GOOD = QUICKSTART.read_bytes().splitlines()  # 17 commands


def ex_warehousing(**fields: object) -> bytes:
    body = {
        "command": "ex_warehouse",
        "lot_id": "TK-100001/1",
        "quantity": "1",
        "effective_at": "2026-03-02",
        "destination": "non_tariff_zone",
        "bill_no": "B1",
        **fields,
    }
    return json.dumps(body).encode()


HOSTILE: list[tuple[bytes, str]] = [
    (b'{"command": "register_enterprise", "name": "\xff\xfe"}', "invalid_encoding"),
    (b'{"command": "ex_warehouse", "x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "invalid_json"),
    (b'{"command": "ex_warehouse", "version": 1' + b"0" * 5000 + b"}", "invalid_json"),
    (ex_warehousing(quantity=1e300).replace(b"1e+300", b"1e999999"), "invalid_command (quantity)"),
    (ex_warehousing(quantity="0.0000000000000000000000001"), "invalid_command (quantity)"),
    (ex_warehousing(bill_no="B\u0000"), "invalid_command (bill_no)"),
    (ex_warehousing(bill_no="B\u202e1"), "invalid_command (bill_no)"),
    (ex_warehousing(bill_no="x" * 2_000_000), "line_too_long"),
    (b'{"command": "' + b"t" * 100_000 + b'"}', "unknown_command (command)"),
    (ex_warehousing(lot_id="\ud800/1"), "invalid_command (lot_id)"),
]


def test_each_hostile_line_is_refused_alone_and_the_rest_applied(tmp_path: Path) -> None:
    lines = [*GOOD[:2], *(line for line, _ in HOSTILE), *GOOD[2:]]
    (tmp_path / "hostile.jsonl").write_bytes(b"\n".join(lines) + b"\n")
    result = subprocess.run(
        [BONDED, "apply", "hostile.jsonl"],
        cwd=tmp_path,
        capture_output=True,
        timeout=120,
        env={"PATH": str(Path(BONDED).parent)},
    )
    stderr = result.stderr.decode()
    assert result.returncode == 1, stderr
    assert (
        result.stdout.decode().strip() == f"applied 17, already applied 0, refused {len(HOSTILE)}"
    )
    refusals = stderr.splitlines()
    assert len(refusals) == len(HOSTILE), stderr
    for number, ((_, reason), refusal) in enumerate(zip(HOSTILE, refusals, strict=True), 3):
        assert refusal.startswith(f"line {number}: refused {reason}"), refusal
        for filler in ("x", "t", "0", "[", "9"):  # a short excerpt of the input at most
            assert filler * 50 not in refusal, refusal
    assert "Traceback" not in stderr

"""bonded apply as a user runs it: a real process, a real database file."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
QUICKSTART = ROOT / "docs" / "examples" / "quickstart.jsonl"
BONDED = shutil.which("bonded", path=str(Path(sys.executable).parent)) or "bonded"


def bonded(
    *args: str, cwd: Path, stdin: str | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("BONDED_")}
    environment.update(env or {})
    return subprocess.run(
        [BONDED, *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
    )


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    return tmp_path


def test_the_quickstart_applies_once_and_then_answers_already_applied(workdir: Path) -> None:
    first = bonded("apply", str(QUICKSTART), cwd=workdir)
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == "applied 17, already applied 0, refused 0"
    assert (workdir / "bonded.db").is_file()  # the embedded default, created on first use
    again = bonded("apply", str(QUICKSTART), cwd=workdir)
    assert again.returncode == 0
    assert again.stdout.strip() == "applied 0, already applied 17, refused 0"


def test_refusals_name_line_code_and_reason_and_exit_1(workdir: Path) -> None:
    lines = QUICKSTART.read_text().splitlines()[:10]
    lines.insert(3, '{"command": "ex_warehouse", "lot_id": "NOPE/1", "quantity": "1"}')
    lines.append("this is not json")
    lines.append(
        json.dumps(
            {
                "command": "ex_warehouse",
                "lot_id": "TK-100001/1",
                "quantity": "5000",
                "effective_at": "2026-03-02",
                "destination": "non_tariff_zone",
                "bill_no": "B1",
            }
        )
    )
    result = bonded("apply", "-", cwd=workdir, stdin="\n".join(lines) + "\n")
    assert result.returncode == 1
    assert "line 4: refused invalid_command (effective_at)" in result.stderr
    assert "line 12: refused invalid_json" in result.stderr
    assert "line 13: refused insufficient_balance (quantity)" in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout.strip() == "applied 10, already applied 0, refused 3"


def test_stop_on_error_stops_at_the_first_refusal(workdir: Path) -> None:
    lines = QUICKSTART.read_text().splitlines()
    lines.insert(2, '{"command": "teleport"}')
    result = bonded(
        "apply", "-", "--stop-on-error", "--batch-size", "1", cwd=workdir, stdin="\n".join(lines)
    )
    assert result.returncode == 1
    assert "line 3: refused unknown_command (command)" in result.stderr
    assert result.stdout.strip() == (
        "applied 2, already applied 0, refused 1, not run 15 (stopped at the first refusal)"
    )


def test_json_summary(workdir: Path) -> None:
    result = bonded("apply", str(QUICKSTART), "--format", "json", cwd=workdir)
    summary = json.loads(result.stdout)
    assert summary == {
        "applied": 17,
        "already_applied": 0,
        "refused": 0,
        "not_run": 0,
        "refusals": [],
        "position": 38,  # the log's position after its 38 events: read your writes from it
    }
    again = bonded("apply", str(QUICKSTART), "--format", "json", cwd=workdir)
    assert json.loads(again.stdout)["position"] == 38  # a repeat: the log's head


def test_a_missing_file_is_a_usage_error(workdir: Path) -> None:
    result = bonded("apply", "nope.jsonl", cwd=workdir)
    assert result.returncode == 2
    assert "nope.jsonl: no such file" in result.stderr


def test_an_unreachable_database_is_a_message_not_a_traceback(workdir: Path) -> None:
    env = {"BONDED_DATABASE_URL": "postgresql+psycopg2://nobody@127.0.0.1:1/none"}
    result = bonded("apply", str(QUICKSTART), cwd=workdir, env=env)
    assert result.returncode == 4  # the database does not answer
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith(
        "error: the database postgresql+psycopg2://nobody@127.0.0.1:1/none did not answer"
    )


def test_a_repeated_command_on_an_existing_database_is_already_applied(workdir: Path) -> None:
    bonded("apply", str(QUICKSTART), cwd=workdir)
    one = QUICKSTART.read_text().splitlines()[0]
    result = bonded("apply", "-", cwd=workdir, stdin=one)
    assert result.stdout.strip() == "applied 0, already applied 1, refused 0"


def test_help_explains_the_command(workdir: Path) -> None:
    result = bonded("apply", "--help", cwd=workdir)
    assert result.returncode == 0
    assert "JSON Lines" in result.stdout and "--stop-on-error" in result.stdout


def test_projections_run_with_two_workers_catches_every_read_model_up(workdir: Path) -> None:
    applied = bonded("apply", str(QUICKSTART), cwd=workdir)
    assert applied.returncode == 0, applied.stderr
    before = json.loads(bonded("projections", "status", "--format", "json", cwd=workdir).stdout)
    assert before["lag"] > 0  # apply records; the read models follow on their own
    environment = {k: v for k, v in os.environ.items() if not k.startswith("BONDED_")}
    run = subprocess.Popen(
        [BONDED, "projections", "run", "--workers", "2", "--poll", "0.05"],
        cwd=workdir,
        env=environment,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        for _ in range(600):  # until caught up, or a minute
            status = bonded("projections", "status", "--format", "json", cwd=workdir)
            if json.loads(status.stdout)["lag"] == 0:
                break
            if run.poll() is not None:
                break
        else:
            pytest.fail("two workers did not catch the read models up in a minute")
    finally:
        run.send_signal(signal.SIGINT)
        _, errors = run.communicate(timeout=30)
    after = json.loads(bonded("projections", "status", "--format", "json", cwd=workdir).stdout)
    assert after["lag"] == 0, errors
    assert all(model["lag"] == 0 for model in after["read_models"].values())
    assert "worker 1: lot_history" in errors and "worker 2: " in errors


def test_a_stopped_apply_says_what_it_committed_and_a_repeat_records_each_once(
    workdir: Path,
) -> None:
    """SIGTERM (a service manager stopping it) or Ctrl-C midway: exit 130, what was
    committed, and that the same file may be applied again (every line has a command_id)."""
    from bench.soak import warehousing

    database = workdir / "bonded.db"
    env = {"BONDED_DATABASE_URL": f"sqlite:///{database}"}
    setup = [line for line in QUICKSTART.read_text().splitlines() if '"register_' in line]
    assert bonded("apply", "-", cwd=workdir, stdin="\n".join(setup), env=env).returncode == 0
    lines = workdir / "keyed.jsonl"
    lines.write_text("".join(json.dumps(warehousing(f"stop-{n}")) + "\n" for n in range(3000)))
    environment = {k: v for k, v in os.environ.items() if not k.startswith("BONDED_")} | env
    run = subprocess.Popen(
        [BONDED, "apply", str(lines), "--batch-size", "100"],
        cwd=workdir,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    import sqlite3

    def recorded() -> int:
        with sqlite3.connect(database, timeout=30) as connection:
            query = "SELECT count(*) FROM bonded_events WHERE topic LIKE '%:DeclarationRegistered'"
            return int(connection.execute(query).fetchone()[0])

    while recorded() < 300 and run.poll() is None:  # a few batches committed
        pass
    run.send_signal(signal.SIGTERM)
    out, err = run.communicate(timeout=120)
    assert run.returncode == 130, (out, err[-2000:])
    assert "stopped (Ctrl-C or SIGTERM) while applying" in err and "Traceback" not in err
    assert "committed before it stopped: applied " in err
    assert "safe to repeat: every line left has a command_id" in err
    again = bonded("apply", str(lines), cwd=workdir, env=env)
    assert again.returncode == 0, again.stderr[-2000:]
    assert recorded() == 3000

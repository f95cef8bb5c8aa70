"""Every CLI mistake is a sentence (issue 20): a misspelt database URL, a SQLite file in a
folder that does not exist, a database that does not answer, an unknown rule pack, a file to
write in a missing folder or a digest that is not there — each ends in one line naming what is
wrong and what is accepted, with a documented exit code, never a traceback or exit 3; and a
question or scope naming what does not exist is refused with the nearest known names."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.test_cli_apply import QUICKSTART, bonded
from tests.http.server import free_port

USAGE, UNREACHABLE = 2, 4


def sentence(result: object) -> str:
    stderr = str(getattr(result, "stderr", ""))
    assert "Traceback" not in stderr and "BONDED_DEBUG" not in stderr, stderr
    unboxed = stderr.translate({ord(c): " " for c in "│╭╮╰╯─"})  # Typer's error box
    return " ".join(unboxed.split())


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("postgresq://u@127.0.0.1/x", "names the database kind 'postgresq'; use sqlite:///"),
        ("mysql://u@127.0.0.1/x", "names the database kind 'mysql'"),
        ("bonded.db", "is not a database URL; use sqlite:///PATH/TO/FILE.db"),
        ("sqlite:////nonexistent/folder/bonded.db", "a folder that does not exist"),
    ],
)
def test_a_database_url_the_ledger_cannot_use_is_named_with_the_forms_accepted(
    tmp_path: Path, url: str, says: str
) -> None:
    result = bonded("balances", cwd=tmp_path, env={"BONDED_DATABASE_URL": url})
    assert result.returncode == USAGE, result.stderr
    assert says in sentence(result)
    assert "BONDED_DATABASE_URL" in result.stderr


def test_a_database_that_does_not_answer_is_named_without_its_password(tmp_path: Path) -> None:
    url = f"postgresql://clerk:s3cret-word@127.0.0.1:{free_port()}/bonded"
    result = bonded("balances", cwd=tmp_path, env={"BONDED_DATABASE_URL": url})
    assert result.returncode == UNREACHABLE, result.stderr
    said = sentence(result)
    assert f"the database postgresql://clerk:***@127.0.0.1:{url.split(':')[3]}" in said
    assert "s3cret-word" not in result.stderr + result.stdout


@pytest.mark.parametrize(
    ("env", "says"),
    [
        ({"BONDED_RULE_PACK": "vn-2099"}, "BONDED_RULE_PACK 'vn-2099' is not a rule pack"),
        ({"BONDED_DUE_SOON_DAYS": "soon"}, "BONDED_DUE_SOON_DAYS 'soon' must be a whole number"),
    ],
)
def test_a_setting_out_of_its_rule_is_named(tmp_path: Path, env: dict[str, str], says: str) -> None:
    result = bonded("balances", cwd=tmp_path, env=env)
    assert result.returncode == USAGE and says in sentence(result)


@pytest.fixture
def quickstart(tmp_path: Path) -> Path:
    assert bonded("apply", str(QUICKSTART), cwd=tmp_path).returncode == 0
    return tmp_path


REPORT = ["report", "periodic", "--warehouse", "KNQ-HCM-01", "--period", "2026-Q1"]
PACK = ["inspection", "--province", "Ho Chi Minh City", "--year", "2026"]


@pytest.mark.parametrize(
    ("arguments", "says"),
    [
        ([*REPORT, "-o", "missing/q1.xlsx"], "the folder 'missing' does not exist"),
        ([*REPORT, "--format", "json", "-o", "."], "'.' is a folder; name a file in it"),
        ([*PACK, "-o", "missing/pack.xlsx"], "the folder 'missing' does not exist"),
        ([*PACK, "--format", "json", "-o", "."], "'.' is a folder"),
        (["audit", "digest", "-o", "missing/digest.json"], "the folder 'missing' does not exist"),
        (["audit", "digest", "-o", "."], "'.' is a folder"),
    ],
)
def test_a_file_in_a_missing_folder_or_a_folder_is_named(
    quickstart: Path, arguments: list[str], says: str
) -> None:
    result = bonded(*arguments, cwd=quickstart)
    assert result.returncode == USAGE, result.stderr
    assert says in sentence(result) and "--output" in result.stderr


def test_a_digest_that_is_not_there_is_named(quickstart: Path) -> None:
    result = bonded("audit", "verify", "--digest", "nowhere.json", cwd=quickstart)
    assert result.returncode == USAGE
    assert "no file 'nowhere.json'" in sentence(result)


def test_unknown_names_are_refused_with_the_nearest_and_spellings_of_one_name_agree(
    quickstart: Path,
) -> None:
    cases = [
        (["balances", "--warehouse", "KNQ-HCM-9"], "nearest: KNQ-HCM-02, KNQ-HCM-01"),
        (["overdue", "--province", "Hanoi"], "province 'Hanoi' is not known"),
        (["settlements", "--owner", "0312345678"], "nearest: 0312345673"),
        (["warnings", "--kind", "banana"], "known: count_variance, due_soon"),
        (
            ["users", "add", "clerk", "--role", "customs_officer", "--office", "HCMC"],
            "customs office 'HCMC' is not known",
        ),
    ]
    for arguments, says in cases:
        result = bonded(*arguments, cwd=quickstart)
        assert result.returncode == USAGE, (arguments, result.stderr)
        assert says in sentence(result), (arguments, result.stderr)
    spellings = ["Ho Chi Minh City", "ho chi minh city", "TP. Hồ Chí Minh", "hồ chí minh"]
    answers = {
        bonded("balances", "--province", name, "--format", "json", cwd=quickstart).stdout
        for name in spellings
    }
    assert len(answers) == 1 and "TK-100001/1" in answers.pop()
    lower = bonded("balances", "--warehouse", "knq-hcm-01", "--format", "json", cwd=quickstart)
    assert lower.returncode == 0 and '"warehouse_id": "KNQ-HCM-01"' in lower.stdout
    added = bonded(
        "users",
        "add",
        "inspector",
        "--role",
        "provincial_inspector",
        "--province",
        "hồ chí minh",
        cwd=quickstart,
    )
    assert added.returncode == 0, added.stderr
    assert added.stdout.strip() == "added inspector: provincial_inspector for Ho Chi Minh City"


def test_a_password_is_set_only_strong_enough_and_only_as_its_hash(tmp_path: Path) -> None:
    from api.passwords import verifies
    from api.wiring import open_ledger
    from commands.settings import Settings
    from ledger.streams import user_stream
    from ledger.users import User

    assert bonded("users", "add", "inspector", "--role", "auditor", cwd=tmp_path).returncode == 0
    short = bonded(
        "users", "password", "inspector", "--password-stdin", cwd=tmp_path, stdin="short\n"
    )
    assert short.returncode == 2 and "at least 10 characters" in sentence(short)
    unknown = bonded(
        "users",
        "password",
        "nobody",
        "--password-stdin",
        cwd=tmp_path,
        stdin="long enough password\n",
    )
    assert unknown.returncode == 1 and "unknown_user" in unknown.stderr
    good = bonded(
        "users",
        "password",
        "inspector",
        "--password-stdin",
        cwd=tmp_path,
        stdin="long enough password\n",
    )
    assert good.returncode == 0, good.stderr
    ledger = open_ledger(Settings(f"sqlite:///{tmp_path / 'bonded.db'}"))
    try:
        events = ledger.service.store.read(user_stream("inspector"))
    finally:
        ledger.close()
    user = User.from_events(events)
    assert user is not None and verifies(user.password_hash, "long enough password")
    assert not any("long enough password" in repr(event) for event in events)

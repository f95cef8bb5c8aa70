"""Spreadsheets uploaded to the import page, kept between their preview and their apply.

Kept as files in a folder of this machine's temporary directory, one per installation (named
by a digest of its database URL), readable by this user alone: ``ID.data`` the bytes as
uploaded, ``ID.json`` who uploaded it in which session and its SHA-256, and once applied
``ID.result.json``. The id is random (``secrets``); an upload is found only with the session
and the user that uploaded it, else it is as if it did not exist.

Why files and not a table or a second upload: the bytes are needed again at apply, and
asking the person to pick the same file twice invites applying another; a table would be a
schema change for what is scratch, not a record. Every worker process of one ``bonded
serve`` shares the machine's temporary directory. (Several hosts behind one address would
need the session kept on one host.) Nothing here is the ledger's: what is recorded is
recorded by the commands, and losing this folder loses nothing but a preview.

Bounds: one upload kept per session (a new one replaces it); each kept at most
``KEPT_FOR``, a session's longest life; all together at most ``MAX_KEPT`` bytes.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import stat
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from api.web.sessions import LONGEST

MAX_KEPT = 1 << 30  # bytes, every upload kept together
KEPT_FOR = LONGEST
_ID = re.compile(r"[A-Za-z0-9_-]{32}")


class TooManyUploads(Exception):
    """The folder is full: a new upload waits until older ones expire."""


@dataclass(frozen=True)
class Upload:
    upload_id: str
    file_name: str
    file_format: str
    sha256: str
    uploaded_at: datetime
    data: bytes


def folder(database_url: str) -> Path:
    digest = hashlib.sha256(database_url.encode("utf-8")).hexdigest()[:16]
    path = Path(tempfile.gettempdir()) / f"bonded-imports-{digest}"
    path.mkdir(mode=0o700, exist_ok=True)
    found = path.lstat()  # a shared temporary directory: the folder must be ours alone
    if not stat.S_ISDIR(found.st_mode) or found.st_uid != os.getuid() or found.st_mode & 0o077:
        raise PermissionError(f"{path} is not a folder of this user's alone; remove it")
    return path


def session_key(csrf_token: str) -> str:
    """What binds an upload to its session: a digest of the session's own secret token."""
    return hashlib.sha256(csrf_token.encode("utf-8")).hexdigest()


def keep(
    where: Path,
    session: str,
    user: str,
    file_name: str,
    file_format: str,
    data: bytes,
    now: datetime,
) -> Upload:
    """Keeps an upload for this session, in place of the session's earlier one."""
    _tidy(where, session, now)
    if sum(p.stat().st_size for p in where.glob("*.data")) + len(data) > MAX_KEPT:
        raise TooManyUploads
    upload = Upload(
        secrets.token_urlsafe(24),
        file_name,
        file_format,
        hashlib.sha256(data).hexdigest(),
        now,
        data,
    )
    _write(where / f"{upload.upload_id}.data", data)
    about = {
        "session": session,
        "user": user,
        "file_name": file_name,
        "file_format": file_format,
        "sha256": upload.sha256,
        "uploaded_at": now.isoformat(),
    }
    _write(where / f"{upload.upload_id}.json", json.dumps(about).encode("utf-8"))
    return upload


def find(where: Path, upload_id: str, session: str, user: str, now: datetime) -> Upload | None:
    """The upload, if this session and user made it and it has not expired."""
    about = _about(where, upload_id)
    if about is None or about["session"] != session or about["user"] != user:
        return None
    uploaded_at = datetime.fromisoformat(about["uploaded_at"])
    if now - uploaded_at > KEPT_FOR:
        return None
    try:
        data = (where / f"{upload_id}.data").read_bytes()
    except OSError:
        return None
    if hashlib.sha256(data).hexdigest() != about["sha256"]:
        return None
    return Upload(
        upload_id, about["file_name"], about["file_format"], about["sha256"], uploaded_at, data
    )


def claim(where: Path, upload_id: str) -> bool:
    """True for the first to apply the upload, False for any later one (a double click)."""
    try:
        os.close(os.open(where / f"{upload_id}.applying", os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    except FileExistsError:
        return False
    return True


def release(where: Path, upload_id: str) -> None:
    """An apply that failed midway: the upload may be applied again."""
    if _ID.fullmatch(upload_id):
        (where / f"{upload_id}.applying").unlink(missing_ok=True)


def result(where: Path, upload_id: str) -> dict[str, Any] | None:
    try:
        found: dict[str, Any] = json.loads((where / f"{upload_id}.result.json").read_bytes())
    except (OSError, ValueError):
        return None
    return found


def applying(where: Path, upload_id: str) -> bool:
    return (where / f"{upload_id}.applying").exists()


def keep_result(where: Path, upload_id: str, outcome: dict[str, Any]) -> None:
    _write(where / f"{upload_id}.result.json", json.dumps(outcome).encode("utf-8"))


def _about(where: Path, upload_id: str) -> dict[str, Any] | None:
    if not _ID.fullmatch(upload_id):
        return None
    try:
        about: dict[str, Any] = json.loads((where / f"{upload_id}.json").read_bytes())
    except (OSError, ValueError):
        return None
    return about


def _tidy(where: Path, session: str, now: datetime) -> None:
    """Forgets what is older than ``KEPT_FOR``, and this session's earlier upload."""
    oldest = (now - KEPT_FOR).timestamp()
    for path in where.iterdir():
        upload_id = path.name.split(".", 1)[0]
        try:
            expired = path.stat().st_mtime < oldest
        except OSError:
            continue
        about = _about(where, upload_id) if path.name == f"{upload_id}.json" else None
        if expired or (about is not None and about["session"] == session):
            for kept in where.glob(f"{upload_id}.*") if _ID.fullmatch(upload_id) else [path]:
                kept.unlink(missing_ok=True)


def _write(path: Path, data: bytes) -> None:
    """Whole or not at all: written beside, then renamed into place."""
    partial = path.with_name(path.name + ".partial")
    descriptor = os.open(partial, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        out.write(data)
    partial.replace(path)

"""Who PostgreSQL runs as: it refuses to run as root, so a process started as root runs its
servers as the ``postgres`` user Debian's packages create; anyone else runs them as itself."""

from __future__ import annotations

import os
import pwd
from pathlib import Path
from typing import Any

RUN_AS = "postgres"


def owner() -> pwd.struct_passwd | None:
    """The user the servers run as when this runs as root; None otherwise (they run as us)."""
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam(RUN_AS)
    except KeyError as error:
        raise RuntimeError(f"running as root needs a '{RUN_AS}' user to run PostgreSQL") from error


def give(path: Path) -> None:
    """``path`` made the servers' user's (when that is not us)."""
    found = owner()
    if found is not None:
        os.chown(path, found.pw_uid, found.pw_gid)


def as_owner() -> dict[str, Any]:
    """``subprocess`` arguments that run a child as the servers' user: its ids taken by the
    child itself (no su in between, so its pid is the server's), its home and names."""
    found = owner()
    if found is None:
        return {}
    names = {"HOME": found.pw_dir, "USER": found.pw_name, "LOGNAME": found.pw_name}
    return {
        "user": found.pw_uid,
        "group": found.pw_gid,
        "extra_groups": [],
        "env": {**os.environ, **names},
    }

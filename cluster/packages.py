"""The cluster's engines, from Debian's packages: installed with apt-get when missing (as
root, or through sudo), never downloaded any other way."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

PG_BIN = Path("/usr/lib/postgresql/15/bin")
# the package each command comes from
PACKAGES = {"patroni": "patroni", "etcd": "etcd-server", "haproxy": "haproxy"}


class Missing(RuntimeError):
    """An engine is missing and cannot be installed here."""


def missing() -> list[str]:
    """The packages whose command is not on this machine."""
    found = [package for command, package in PACKAGES.items() if not _which(command)]
    if not (PG_BIN / "postgres").exists():
        found.append("postgresql-15")
    return found


def _which(command: str) -> str | None:
    return shutil.which(command) or shutil.which(command, path="/usr/sbin:/usr/bin:/sbin:/bin")


def command(name: str) -> str:
    found = _which(name)
    if found is None:
        raise Missing(f"{name} is not installed (Debian's package {PACKAGES.get(name, name)})")
    return found


def ensure_installed(say: object = print) -> None:
    """Installs the missing packages with apt-get, as root or through sudo; refuses with
    what to run when neither is possible."""
    needed = missing()
    if not needed:
        return
    if os.geteuid() == 0:
        prefix: list[str] = []
    elif shutil.which("sudo"):
        prefix = ["sudo", "-n"]
    else:
        raise Missing(
            f"missing: {', '.join(needed)}; install them as root: "
            f"apt-get install -y {' '.join(needed)}"
        )
    assert callable(say)
    say(f"installing Debian's {', '.join(needed)} with apt-get")
    environment = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run([*prefix, "apt-get", "update", "-q"], check=True, env=environment)
    subprocess.run(
        [*prefix, "apt-get", "install", "-y", "-q", *needed], check=True, env=environment
    )
    if still := missing():
        raise Missing(f"apt-get did not install {', '.join(still)}")

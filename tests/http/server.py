"""A real ``bonded serve`` (uvicorn) on loopback, for end-to-end tests."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.e2e.test_cli_apply import BONDED

READY_WITHIN = 30.0  # seconds


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def serving(
    database_url: str, cwd: Path, *extra: str, settings: dict[str, str] | None = None
) -> Iterator[str]:
    """Starts ``bonded serve`` on a free port and yields its base URL once it answers; its
    settings are the database URL and ``settings`` (``BONDED_...``) alone."""
    port = free_port()
    environment = {k: v for k, v in os.environ.items() if not k.startswith("BONDED_")}
    environment.update(settings or {})
    environment["BONDED_DATABASE_URL"] = database_url
    log = (cwd / f"serve-{port}.log").open("w")
    process = subprocess.Popen(
        [BONDED, "serve", "--port", str(port), *extra],
        cwd=cwd,
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + READY_WITHIN
        while True:
            try:
                if httpx.get(f"{base}/openapi.json", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                log.flush()
                raise RuntimeError(
                    f"bonded serve did not start: {(cwd / log.name).read_text()[-2000:]}"
                )
            time.sleep(0.1)  # waiting for readiness, not for timing
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()

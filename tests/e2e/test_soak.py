"""The fault soak's short version (issue 23, point 1; ``bench/soak.py`` runs the long one):
20 cycles per backend of ``bonded apply``, ``bonded serve`` under 8 retrying clients and
``bonded projections run`` killed with SIGKILL at random moments and started again, and of
the backend's own fault: PostgreSQL (a server of the soak's own) stopped with ``pg_ctl stop
-m immediate`` mid-import, SQLite on a small file system that fills up; after
every cycle nothing lost, nothing recorded twice, the read models equal to a rebuild, the
hash chain verified and the log read from 0 without a gap or a repeat."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.soak import on_backend, summary
from tests.conftest import IN_CI, postgres_problem

CYCLES = 20  # five of each kind: three kills and the backend's own fault


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_cycles_of_killed_processes_and_failing_databases_lose_and_double_nothing(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    if backend == "postgres":
        request.getfixturevalue("postgres_url")  # skips (or fails under CI) without a server
        assert postgres_problem() is None
    found = on_backend(backend, tmp_path, CYCLES, 23, 16)
    print(f"{backend}: {summary(found)}")
    assert (found["lost"], found["duplicated"]) == (0, 0), summary(found)
    assert found["rebuilt"] == found["chain"] == found["feed"] == CYCLES, summary(found)
    if IN_CI or "fault" in found:  # the disk-full cycles need root (a tmpfs of their own)
        assert found["kinds"].get(found.get("fault"), 0) == CYCLES // 4, summary(found)

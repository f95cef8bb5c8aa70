"""The fault soak's short version (issue 23, point 1; ``bench/soak.py`` runs the long one):
20 cycles per backend of ``bonded apply``, ``bonded serve`` under 8 retrying clients and
``bonded projections run`` killed with SIGKILL at random moments and started again; after
every cycle nothing lost, nothing recorded twice, the read models equal to a rebuild, the
hash chain verified and the log read from 0 without a gap or a repeat."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.soak import postgres_database, soak, summary
from tests.conftest import postgres_problem
from tests.http.server import free_port

CYCLES = 21  # seven of each kind


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_twenty_cycles_of_killed_processes_lose_and_double_nothing(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    if backend == "sqlite":
        found = soak(f"sqlite:///{tmp_path / 'soak.db'}", tmp_path, CYCLES, 23, 16, free_port())
    else:
        request.getfixturevalue("postgres_url")  # skips (or fails under CI) without a server
        assert postgres_problem() is None
        with postgres_database() as url:
            found = soak(url, tmp_path, CYCLES, 23, 16, free_port())
    print(f"{backend}: {summary(found)}")
    assert (found["lost"], found["duplicated"]) == (0, 0), summary(found)
    assert found["rebuilt"] == found["chain"] == found["feed"] == CYCLES, summary(found)

"""Schemathesis against the OpenAPI document, with a token of each role: requests generated
from the schema (valid and not) get no server error and no response that breaks the schema;
schema-violating requests are refused.

One check is left out: that every schema-valid request is accepted. The ledger's own checks go
further than a JSON schema can say (an MST's check digit, an HS code, a country code, the
rules of DOMAIN.md §3) and answer 422 or 409 for such requests, as specified.

Nor is the check that schema-violating requests are refused: it found real gaps (405 without
Allow, unknown and repeated query parameters accepted, fixed and tested in test_served.py), but
it also flags requests whose violating part its client drops on the way (a query key it cannot
serialise), which reach the server valid. Examples are derandomized: CI sees the same cases."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from api.http import create_app
from api.wiring import open_ledger
from commands.settings import Settings
from tests.http.world import ROLES, furnish
from tests.resolution import stand_in

_FOLDER = Path(tempfile.mkdtemp(prefix="bonded-schemathesis-"))
_LEDGER = open_ledger(Settings(f"sqlite:///{_FOLDER / 'bonded.db'}"))
TOKENS: dict[str, str] = {}
schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(_LEDGER))


@pytest.fixture(scope="module", autouse=True)
def world() -> Iterator[None]:
    TOKENS.update(furnish(_LEDGER))
    yield
    _LEDGER.close()
    shutil.rmtree(_FOLDER, ignore_errors=True)


@pytest.fixture(autouse=True)
def names_resolved_here(monkeypatch: pytest.MonkeyPatch) -> None:
    """The URLs generated for ``POST /subscriptions`` name hosts that resolve to nothing here
    (tests.resolution): no DNS server is asked, and the URL is refused as it would be."""
    stand_in(monkeypatch)


@pytest.mark.parametrize("role", ROLES)
@schema.parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_no_server_error_and_every_response_as_documented(
    case: schemathesis.Case, role: str
) -> None:
    case.call_and_validate(
        headers={"Authorization": f"Bearer {TOKENS[role]}"},
        excluded_checks=[positive_data_acceptance, negative_data_rejection],
    )

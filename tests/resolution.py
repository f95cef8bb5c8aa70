"""A stand-in for ``socket.getaddrinfo`` in tests of where the ledger sends: made-up names
resolve to the addresses a test gives them, ``localhost`` to the loopback, and an address
however spelt (``127.1``, ``2130706433``) to itself; anything else fails at once. No test
asks a DNS server anything, and no address it is given is connected to unless it is loopback."""

from __future__ import annotations

import socket
from typing import Any

import pytest

LOCALHOST = ["127.0.0.1", "::1"]


def stand_in(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    """Installs the stand-in; returns its table of names, to fill in (and change) at will."""
    table: dict[str, list[str]] = {"localhost": LOCALHOST}
    real = socket.getaddrinfo

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> list[Any]:
        name = host.decode() if isinstance(host, bytes) else str(host)
        if name.lower() not in table:  # an address, or nothing: never a query to a server
            return real(name, port, type=socket.SOCK_STREAM, flags=socket.AI_NUMERICHOST)
        return [
            (socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port))
            for a in table[name.lower()]
        ]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return table

"""Where the ledger sends (commands.destinations): http(s) URLs whose host resolves to public
addresses only, unless the installation allows more. Names resolve through a stand-in for
``socket.getaddrinfo`` (tests.resolution): nothing here leaves the machine, and no address is
ever connected to."""

from __future__ import annotations

import ipaddress
import socket
from typing import Any

import pytest

from commands.destinations import NOTHING_MORE, Allowance, DestinationRefused, check, shape
from commands.settings import InvalidSetting, Settings
from tests.resolution import stand_in

PUBLIC = "93.184.215.14"  # a public address: resolved to by the stand-in, never connected to
LOOPBACK = Allowance.parse("127.0.0.0/8,::1,localhost")


@pytest.fixture(autouse=True)
def names(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    return stand_in(monkeypatch)


def refusal(url: str, allowance: Allowance = NOTHING_MORE) -> str:
    with pytest.raises(DestinationRefused) as refused:
        check(url, allowance)
    return str(refused.value)


def test_a_host_resolving_to_public_addresses_only_is_accepted(names: dict[str, list[str]]) -> None:
    names["hooks.example.vn"] = [PUBLIC, "2606:2800:21f:cb07:6820:80da:af6b:8b2c"]
    found = check("https://hooks.example.vn/bonded?x=1", NOTHING_MORE)
    assert [str(a) for a in found] == names["hooks.example.vn"]
    assert [str(a) for a in check(f"http://{PUBLIC}:8443/hook", NOTHING_MORE)] == [PUBLIC]


def test_one_address_of_the_installation_among_public_ones_refuses_it(
    names: dict[str, list[str]],
) -> None:
    for inward in ("10.1.2.3", "127.0.0.1", "169.254.169.254", "::1", "::ffff:10.0.0.1"):
        names["mixed.example.vn"] = [PUBLIC, inward]
        with pytest.raises(DestinationRefused) as refused:
            check("https://mixed.example.vn/hook", NOTHING_MORE)
        assert str(refused.value).startswith(
            "mixed.example.vn resolves to an address that is not public: the ledger sends only "
            "to public addresses, and to those the installation allows (BONDED_WEBHOOK_ALLOW)"
        )
        assert refused.value.address == ipaddress.ip_address(inward)
        assert inward not in str(refused.value)  # nothing said of the installation's names


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/hook",
        "http://localhost/",
        "http://LocalHost/",
        "http://[::1]/",
        "http://127.1/",  # the same address, spelt otherwise
        "http://2130706433/",
        "http://0x7f.0.0.1/",
        "http://[::ffff:127.0.0.1]/",
        "http://0.0.0.0/",
        "http://[::]/",
    ],
)
def test_the_loopback_however_spelt_is_refused_unless_allowed(url: str) -> None:
    assert "the ledger sends only to public addresses" in refusal(url)
    assert all(a.is_loopback or a.is_unspecified for a in _mapped(check(url, _everything())))


def test_the_installation_allows_networks_and_names(names: dict[str, list[str]]) -> None:
    assert [str(a) for a in check("http://127.0.0.1:9/", LOOPBACK)] == ["127.0.0.1"]
    assert [str(a) for a in check("http://[::1]:9/", LOOPBACK)] == ["::1"]
    assert check("http://localhost:9/", LOOPBACK)
    names["hooks.internal"] = ["10.0.0.7"]
    assert "hooks.internal resolves to an address that is not public" in refusal(
        "http://hooks.internal/", LOOPBACK
    )
    assert check("http://hooks.internal/", Allowance.parse("hooks.internal"))
    assert check("http://hooks.internal/", Allowance.parse("10.0.0.0/24"))
    assert "not public" in refusal("http://hooks.internal/", Allowance.parse("10.0.1.0/24"))


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("ftp://127.0.0.1/hook", "http:// or https://"),
        ("file:///etc/passwd", "http:// or https://"),
        ("http:///hook", "with a host"),
        ("http://user:pw@127.0.0.1/", "no user name or password"),
        ("http://user@hooks.example.vn/", "no user name or password"),
        ("http://hooks.example.vn\\@127.0.0.1/", "backslash"),
        ("http://hooks.example.vn /", "no space"),
        ("http://127.0.0.1:99999/", "not a URL"),
    ],
)
def test_a_url_of_another_shape_is_refused_before_anything_is_resolved(
    url: str, words: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(socket, "getaddrinfo", _never)
    with pytest.raises(DestinationRefused, match=words):
        shape(url)
    with pytest.raises(DestinationRefused, match=words):
        check(url, _everything())


def test_a_host_that_does_not_resolve_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    def nothing(*args: Any, **kwargs: Any) -> list[Any]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", nothing)
    assert "does not resolve" in refusal("https://nowhere.example.vn/")


def test_the_allowance_is_a_setting_checked_with_a_clear_message() -> None:
    allow = Settings.from_env({"BONDED_WEBHOOK_ALLOW": " 127.0.0.0/8, ::1 ,localhost,"})
    assert allow.webhook_allow == LOOPBACK
    assert Settings.from_env({}).webhook_allow == NOTHING_MORE
    for wrong, words in [
        ("127.0.0.1/8", "host bits set"),
        ("*.example.vn", "neither a network"),
        ("http://127.0.0.1", "is not a network"),
        ("127.1", "neither a network"),
    ]:
        with pytest.raises(InvalidSetting, match="BONDED_WEBHOOK_ALLOW") as caught:
            Settings.from_env({"BONDED_WEBHOOK_ALLOW": wrong})
        assert words in str(caught.value) and "127.0.0.0/8,::1,localhost" in str(caught.value)


def _everything() -> Allowance:
    return Allowance.parse("0.0.0.0/0,::/0")


def _mapped(found: list[Any]) -> list[Any]:
    return [
        a.ipv4_mapped if isinstance(a, ipaddress.IPv6Address) and a.ipv4_mapped else a
        for a in found
    ]


def _never(*args: Any, **kwargs: Any) -> list[Any]:
    raise AssertionError("nothing is resolved for a URL of the wrong shape")

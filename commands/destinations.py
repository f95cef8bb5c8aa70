"""Where the ledger may send what it pushes (DOMAIN.md §8): the rule for a subscription's URL.

An ``http://`` or ``https://`` URL naming a host, without a user name or password, whose host
resolves only to public addresses, never to the installation's own network (loopback,
private, link-local, multicast, reserved or unspecified addresses, an IPv4 address inside an
IPv6 one included). An installation may allow more by configuration: ``BONDED_WEBHOOK_ALLOW``,
networks and host names separated by commas (``127.0.0.0/8,::1,localhost`` for the demo and the
tests). A host named there is allowed whatever it resolves to; an address in a network named
there is allowed.

Checked when a URL is subscribed, and again as each delivery connects: a name may resolve
elsewhere later, so the delivery worker connects to the very address it checked
(``api.delivery``).
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolve = Callable[[str, int], Sequence[IPAddress]]

SETTING = "BONDED_WEBHOOK_ALLOW"
SCHEMES = {"http": 80, "https": 443}
HOST_NAME = re.compile(r"^(?!-)[a-z0-9_-]{1,63}(?<!-)(\.(?!-)[a-z0-9_-]{1,63}(?<!-))*\.?$")
# IPv6 prefixes that carry an IPv4 address in their last 32 bits: NAT64 (RFC 6052, 8215)
NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))


class DestinationRefused(ValueError):
    """A URL the ledger does not send to, with the rule it breaks. The message never says
    which address a name resolved to (a caller is told no more of the installation's own
    network than that); the address refused is kept for the installation's log."""

    def __init__(self, message: str, address: IPAddress | None = None) -> None:
        super().__init__(message)
        self.address = address


@dataclass(frozen=True)
class Allowance:
    """What the installation allows beyond public addresses (``BONDED_WEBHOOK_ALLOW``)."""

    networks: tuple[IPNetwork, ...] = ()
    hosts: frozenset[str] = frozenset()

    @classmethod
    def parse(cls, text: str) -> Allowance:
        """``127.0.0.0/8,::1,localhost``: networks (an address alone is one) and host names;
        ``ValueError`` naming the first item that is neither."""
        networks: list[IPNetwork] = []
        hosts: set[str] = set()
        for item in (part.strip() for part in text.split(",")):
            if not item:
                continue
            try:
                networks.append(ipaddress.ip_network(item))
                continue
            except ValueError as error:
                if "/" in item:
                    raise ValueError(f"{item[:60]!r} is not a network: {error}") from None
            name = item.lower().rstrip(".")
            if not HOST_NAME.match(name) or name.rsplit(".", 1)[-1].isdigit():
                raise ValueError(
                    f"{item[:60]!r} is neither a network (127.0.0.0/8, ::1) nor a host name "
                    "(localhost)"
                )
            hosts.add(name)
        return cls(tuple(networks), frozenset(hosts))

    def allows_host(self, host: str) -> bool:
        return host.lower().rstrip(".") in self.hosts

    def allows(self, address: IPAddress) -> bool:
        """A public address, or one in a network the installation allows; an IPv6 address
        carrying IPv4 ones, only if each of them is too."""
        return all(
            _public(a) or any(a in network for network in self.networks) for a in _judged(address)
        )


NOTHING_MORE = Allowance()


def shape(url: str) -> tuple[str, str, int]:
    """The URL's scheme, host and port; ``DestinationRefused`` if it is not an http(s) URL
    naming a host without a user name or password."""
    if not url.isascii() or any(c.isspace() or c == "\\" or ord(c) < 32 for c in url):
        raise DestinationRefused(
            "a URL in plain ASCII, with no space, backslash or control character (an "
            "international domain name in its xn-- form)"
        )
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise DestinationRefused(f"not a URL: {error}") from None
    if parts.scheme not in SCHEMES or not parts.hostname:
        raise DestinationRefused("an http:// or https:// URL with a host")
    if "@" in parts.netloc:
        raise DestinationRefused(
            "no user name or password in the URL: the secret signs each delivery instead"
        )
    return parts.scheme, parts.hostname, port or SCHEMES[parts.scheme]


def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address ``host`` resolves to (an address is itself); ``OSError`` if none."""
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(ipaddress.ip_address(str(info[4][0])) for info in found))


def addresses(
    host: str, port: int, allowance: Allowance, resolve: Resolve = resolve
) -> list[IPAddress]:
    """The addresses to connect to for ``host``: every one it resolves to, each allowed, or
    ``DestinationRefused`` naming the first that is not. ``OSError`` if it does not resolve."""
    found = list(resolve(host, port))
    if not found:
        raise OSError(f"{host} resolves to no address")
    if allowance.allows_host(host):
        return found
    for address in found:
        if not allowance.allows(address):
            what = (
                f"{host} is not a public address"
                if address == _literal(host)
                else f"{host} resolves to an address that is not public"
            )
            raise DestinationRefused(
                f"{what}: the ledger sends only to public addresses, and to those the "
                f"installation allows ({SETTING})",
                address,
            )
    return found


def check(url: str, allowance: Allowance, resolve: Resolve = resolve) -> list[IPAddress]:
    """Where a URL being subscribed would be sent, or ``DestinationRefused`` with the rule
    it breaks (a host that does not resolve, too)."""
    _, host, port = shape(url)
    try:
        return addresses(host, port, allowance, resolve)
    except OSError as error:
        raise DestinationRefused(f"the host {host} does not resolve ({error})") from None


def _literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def _public(address: IPAddress) -> bool:
    return address.is_global and not (
        address.is_loopback
        or address.is_private
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or (isinstance(address, ipaddress.IPv6Address) and address.is_site_local)
    )


def _judged(address: IPAddress) -> list[IPAddress]:
    """What an address is judged as: an IPv4-mapped IPv6 address as its IPv4 one; one that
    carries IPv4 addresses (6to4, Teredo, NAT64) as itself and each of them."""
    if not isinstance(address, ipaddress.IPv6Address):
        return [address]
    if address.ipv4_mapped is not None:
        return [address.ipv4_mapped]
    carried = [address.sixtofour, *(address.teredo or ())]
    if any(address in network for network in NAT64):
        carried.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    return [address, *(a for a in carried if a is not None)]

"""Which webhook URLs we refuse to call: server-side request forgery protection.

An integrator's URL must not make ClientSynq call into its own network: loopback, private
ranges, link-local (cloud metadata at 169.254.169.254), CGNAT, multicast, reserved and
unspecified addresses are refused, for IPv4, IPv6 and IPv4 inside IPv6. A name is refused
if *any* address it resolves to is refused (an attacker controls which one a client picks),
and the check runs at registration and again before every attempt, because DNS can change.
Hosts an operator allowlists (development: 127.0.0.1, a local receiver) skip the address
check and may use http; everything else must be https.

The check returns the addresses it vetted, and the sender connects to one of those (DNS
pinning): resolving the name again at connect time would let a rebinding DNS server answer
a public address to the check and a private one to the connection.
"""
from __future__ import annotations

import ipaddress
from collections.abc import Callable, Sequence
from urllib.parse import urlsplit

from clientsynq.webhooks.domain.errors import UnsafeUrl

Resolver = Callable[[str], Sequence[str]]
CGNAT = ipaddress.ip_network("100.64.0.0/10")
METADATA_HOSTS = frozenset({"metadata.google.internal", "metadata", "instance-data"})
MAX_URL_LENGTH = 2048


def is_forbidden_address(text: str) -> bool:
    address = ipaddress.ip_address(text.split("%", 1)[0])
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour or (
            address.teredo[1] if address.teredo else None)
        if embedded is not None and is_forbidden_address(str(embedded)):
            return True
    return (address.is_private or address.is_loopback or address.is_link_local
            or address.is_multicast or address.is_reserved or address.is_unspecified
            or (isinstance(address, ipaddress.IPv4Address) and address in CGNAT)
            or not address.is_global)


def check_url(url: str, resolve: Resolver, allowed_hosts: Sequence[str]) -> tuple[str, ...]:
    """The addresses `url` may be called at now; UnsafeUrl if none."""
    if len(url) > MAX_URL_LENGTH:
        raise UnsafeUrl("the URL is too long")
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower().rstrip(".")
        _ = parts.port  # a malformed port raises here
    except ValueError:
        raise UnsafeUrl("the URL is malformed") from None
    if parts.scheme not in ("http", "https") or not host:
        raise UnsafeUrl("the URL must be https:// with a host")
    if parts.username or parts.password:
        raise UnsafeUrl("the URL must not carry credentials")
    if host in allowed_hosts:
        return _resolved(host, resolve)
    if parts.scheme != "https":
        raise UnsafeUrl("the URL must use https")
    if host in METADATA_HOSTS:
        raise UnsafeUrl("the host is a cloud metadata service")
    addresses = _resolved(host, resolve)
    if any(is_forbidden_address(a) for a in addresses):
        raise UnsafeUrl("the host resolves to a private, loopback or reserved address")
    return addresses


def _resolved(host: str, resolve: Resolver) -> tuple[str, ...]:
    addresses = tuple(_literal(host) or resolve(host))
    if not addresses:
        raise UnsafeUrl("the host does not resolve")
    return addresses


def _literal(host: str) -> list[str]:
    try:
        return [str(ipaddress.ip_address(host.strip("[]")))]
    except ValueError:
        return []

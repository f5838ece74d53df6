"""The reader's address, read in one place: REMOTE_ADDR, or a trusted reverse proxy's header.

Behind a reverse proxy REMOTE_ADDR is the proxy, so every reader would share one
rate-limit bucket, one view-dedup identity and one IP属地. With
ZIXUN_PROXY_HEADER set (``X-Forwarded-For`` or ``X-Real-IP``), the address comes
from that header, but only when the request itself came from one of
ZIXUN_TRUSTED_PROXIES. The header is read from the right: each trusted proxy
appends the address it saw, so the rightmost address that is not a trusted
proxy is the client, and whatever a client wrote to the left is never used.
A value that is not an IP address falls back to REMOTE_ADDR.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

# At most this many entries of a forwarded header are looked at, from the right.
MAX_HOPS = 20


def client_address(request: HttpRequest) -> str:
    """The client's IP address as a string ("" when unknown)."""
    remote = str(request.META.get("REMOTE_ADDR", ""))
    header = settings.ZIXUN_PROXY_HEADER.strip()
    if not header:
        return remote
    trusted = _trusted_networks(_setting_text(settings.ZIXUN_TRUSTED_PROXIES))
    peer = _parse(remote)
    if peer is None or not _is_trusted(peer, trusted):
        return remote
    value = request.META.get(_meta_key(header))
    if not isinstance(value, str) or not value.strip():
        return remote
    forwarded = _from_the_right(value, trusted)
    return str(forwarded) if forwarded is not None else remote


def _setting_text(value: object) -> str:
    """ZIXUN_TRUSTED_PROXIES as one comma-separated string (a list, or a string in a test)."""
    if isinstance(value, str):
        return value
    if isinstance(value, list | tuple):
        return ",".join(str(part) for part in value)
    raise ImproperlyConfigured("ZIXUN_TRUSTED_PROXIES must be a list of IP addresses or networks")


def _meta_key(header: str) -> str:
    return "HTTP_" + header.upper().replace("-", "_")


@lru_cache(maxsize=8)
def _trusted_networks(text: str) -> tuple[Network, ...]:
    networks = []
    for part in text.split(","):
        if not (part := part.strip()):
            continue
        try:
            networks.append(ipaddress.ip_network(part, strict=False))
        except ValueError:
            raise ImproperlyConfigured(
                f"ZIXUN_TRUSTED_PROXIES: {part!r} is not an IP address or network"
            ) from None
    return tuple(networks)


def _is_trusted(address: Address, trusted: tuple[Network, ...]) -> bool:
    return any(address.version == network.version and address in network for network in trusted)


def _parse(text: str) -> Address | None:
    """An address, from "203.0.113.7", "203.0.113.7:4711", "2001:db8::1" or "[2001:db8::1]:4711"."""
    text = text.strip()
    if text.startswith("["):
        text = text[1:].partition("]")[0]
    elif text.count(":") == 1:
        text = text.partition(":")[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped  # ::ffff:10.0.0.1 from a dual-stack socket is 10.0.0.1
    return address


def _from_the_right(value: str, trusted: tuple[Network, ...]) -> Address | None:
    """The rightmost untrusted address of a comma-separated list; None on garbage."""
    hops = value.split(",")[-MAX_HOPS:]
    address: Address | None = None
    for hop in reversed(hops):
        address = _parse(hop)
        if address is None:
            return None
        if not _is_trusted(address, trusted):
            return address
    # Every hop is a trusted proxy: the leftmost one is the furthest known.
    return address

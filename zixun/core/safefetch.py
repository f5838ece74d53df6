"""Server-side HTTP requests that reach only public addresses (no SSRF).

Every URL the server fetches on a user's behalf (a webhook today; a remote image or a
feed later, issue #16) goes through ``url_vet`` and ``safe_request``:

1. The URL itself: http or https only; no user name or password; no whitespace,
   backslash or control character; port 80, 443 or 1024-65535 (a request to a mail or
   SSH port of a public host is a cross-protocol attack, not a webhook); a host that
   is a name or a canonical IP literal. An IPv4 address in another spelling
   (``2130706433``, ``0x7f.1``, ``017700000001``) is read the way the C resolver
   would read it and vetted as that address; ``localhost`` names are refused by name.
2. The name is resolved once, with ``socket.getaddrinfo``, and refused if ANY address
   is not public (``address_refusal``): loopback, private, link-local, CGNAT,
   unspecified, multicast, broadcast, reserved and documentation ranges, unique-local
   IPv6, and IPv6 forms that embed a private IPv4 (mapped, compatible, NAT64, 6to4,
   Teredo).
3. The connection goes to a vetted address itself, never to the name again (a second
   lookup could answer differently: DNS rebinding), with the name in the Host header
   and, for https, in the TLS SNI and the certificate check.
4. Redirects are never followed blindly: at most ``max_redirects``, each Location
   vetted exactly like the first URL, the same request sent again; https never
   redirects to http.

An operator may allow private networks (``allowed_networks``, e.g. an intranet
deployment's webhook receivers); the cloud metadata addresses, unspecified,
multicast and broadcast addresses stay refused even then.
"""

from __future__ import annotations

import http.client
import ipaddress
import re
import socket
import ssl
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from zixun.core.errors import ServiceError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

URL_INVALID = _("地址格式不对，请填写以 http:// 或 https:// 开头的完整网址")
URL_SCHEME = _("只能使用 http 或 https 地址")
URL_USERINFO = _("地址中不能包含用户名或密码")
URL_PORT = _("端口只能是 80、443 或 1024 以上")
URL_PRIVATE = _("该地址指向内网，不能接收通知")
URL_UNRESOLVED = _("无法解析该地址的域名，请检查拼写")

URL_MAX_LENGTH = 2000
SCHEMES = {"http": 80, "https": 443}
REDIRECT_CODES = {301, 302, 303, 307, 308}

# Cloud instance metadata: AWS, GCP, Azure, Huawei and OpenStack (169.254.169.254), AWS
# over IPv6, Alibaba Cloud (100.100.100.200), Tencent Cloud (169.254.0.23). Refused even
# inside an allowed network: they hand out the server's own credentials.
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a)
    for a in ("169.254.169.254", "fd00:ec2::254", "100.100.100.200", "169.254.0.23")
)
LOCALHOST_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"}
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")
_HOSTNAME = re.compile(r"[a-z0-9_-]+(?:\.[a-z0-9_-]+)*")
_NUMERIC_LABEL = re.compile(r"(?:0x[0-9a-f]*|[0-9]+)")
_BAD_CHARACTERS = re.compile(r"[\s\\\x00-\x1f\x7f]")


class UnsafeURLError(ServiceError):
    """A URL the server will not fetch; ``reason`` is a short code for logs."""

    def __init__(self, message: str | Promise, *, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


class FetchError(Exception):
    """The request was allowed but failed: timeout, connection refused, TLS, redirects."""


@dataclass(frozen=True)
class Target:
    """A vetted URL: where to connect (``addresses``, all public) and what to ask for."""

    url: str
    scheme: str
    host: str  # ASCII (IDNA), for the Host header, SNI and the certificate check
    port: int
    path: str  # path and query, never empty
    addresses: tuple[IPAddress, ...]


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes  # at most ``max_body`` bytes of it
    url: str  # the URL that answered (after redirects)
    redirects: int


def networks_parse(values: Iterable[str]) -> tuple[IPNetwork, ...]:
    """CIDR strings (``10.1.0.0/16``, ``fd12::/64``, a bare address) as networks."""
    return tuple(ipaddress.ip_network(value.strip(), strict=False) for value in values if value)


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 form carries: compatible, NAT64, 6to4 or Teredo."""
    if address in _NAT64 or (address in _IPV4_COMPATIBLE and int(address) > 1):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    return None


def address_refusal(address: IPAddress, allowed: Iterable[IPNetwork] = ()) -> str | None:
    """Why ``address`` may not be connected to (a short code), or None if it may."""
    if isinstance(address, ipaddress.IPv6Address):
        address = address.ipv4_mapped or address
        address = ipaddress.ip_address(str(address).split("%")[0])  # no zone id
    if address in METADATA_ADDRESSES:
        return "metadata"
    if address.is_unspecified or address.is_multicast:
        return "unspecified-or-multicast"
    if address == ipaddress.IPv4Address("255.255.255.255"):
        return "broadcast"
    if any(address.version == net.version and address in net for net in allowed):
        return None
    if isinstance(address, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            if address in _IPV4_COMPATIBLE:
                return "ipv4-compatible"  # deprecated (RFC 4291); nothing routes it
            if address_refusal(embedded) is not None:
                return "embedded-private"
            return None if address in _NAT64 or address.sixtofour else "teredo"
    if address.is_loopback:
        return "loopback"
    if address.is_link_local:
        return "link-local"
    if not address.is_global or address.is_reserved:
        return "private"  # private, CGNAT, documentation, benchmarking, reserved, ULA
    return None


def _host_address(host: str) -> IPAddress | None:
    """``host`` as an IP address if it is one, in any spelling inet_aton reads."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    last = host.rsplit(".", 1)[-1]
    if _NUMERIC_LABEL.fullmatch(last):  # the WHATWG rule: a numeric last label is IPv4
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError as error:
            raise UnsafeURLError(URL_INVALID, reason="bad-ipv4") from error
    return None


def _resolve(host: str, port: int) -> list[IPAddress]:
    try:
        answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as error:
        raise UnsafeURLError(URL_UNRESOLVED, reason="dns") from error
    addresses: list[IPAddress] = []
    for *_info, sockaddr in answers:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%")[0])
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise UnsafeURLError(URL_UNRESOLVED, reason="dns")
    return addresses


def url_vet(url: str, *, allowed_networks: Iterable[IPNetwork] = ()) -> Target:
    """Check ``url`` and resolve its host; raises UnsafeURLError with a message for the user."""
    allowed = tuple(allowed_networks)
    if not url or len(url) > URL_MAX_LENGTH or _BAD_CHARACTERS.search(url):
        raise UnsafeURLError(URL_INVALID, reason="invalid")
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        raise UnsafeURLError(URL_SCHEME, reason="scheme")
    if "@" in parts.netloc:
        raise UnsafeURLError(URL_USERINFO, reason="userinfo")
    try:
        port = SCHEMES[scheme] if parts.port is None else parts.port
    except ValueError as error:
        raise UnsafeURLError(URL_INVALID, reason="port") from error
    if port not in (80, 443) and not 1024 <= port <= 65535:
        raise UnsafeURLError(URL_PORT, reason="port")
    host = (parts.hostname or "").removesuffix(".")
    if not host or "%" in host:
        raise UnsafeURLError(URL_INVALID, reason="host")
    address = _host_address(host)
    if address is not None:
        host = f"[{address}]" if address.version == 6 else str(address)
        addresses = [address]
    else:
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError as error:
            raise UnsafeURLError(URL_INVALID, reason="host") from error
        if not _HOSTNAME.fullmatch(host):
            raise UnsafeURLError(URL_INVALID, reason="host")
        if host in LOCALHOST_NAMES or host.endswith(".localhost"):
            raise UnsafeURLError(URL_PRIVATE, reason="localhost")
        addresses = _resolve(host, port)
    for candidate in addresses:
        if refusal := address_refusal(candidate, allowed):
            raise UnsafeURLError(URL_PRIVATE, reason=refusal)
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return Target(url, scheme, host.strip("[]"), port, path, tuple(addresses))


def _connect(address: IPAddress, port: int, timeout: float) -> socket.socket:
    """A TCP connection to ``address`` itself: no name, so no second DNS lookup."""
    family = socket.AF_INET6 if address.version == 6 else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    try:
        sock.connect((str(address), port))
    except BaseException:
        sock.close()
        raise
    return sock


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """HTTP to a vetted address; the Host header still names the URL's host."""

    def __init__(self, target: Target, address: IPAddress, timeout: float) -> None:
        super().__init__(_host_for_header(target), target.port, timeout=timeout)
        self.address = address

    def connect(self) -> None:
        self.sock = _connect(self.address, self.port, self.timeout or 5.0)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to a vetted address, with the URL's host for SNI and the certificate check."""

    def __init__(
        self, target: Target, address: IPAddress, timeout: float, context: ssl.SSLContext
    ) -> None:
        super().__init__(_host_for_header(target), target.port, timeout=timeout, context=context)
        self.address = address
        self.server_name = target.host
        self.tls = context

    def connect(self) -> None:
        sock = _connect(self.address, self.port, self.timeout or 5.0)
        try:
            self.sock = self.tls.wrap_socket(sock, server_hostname=self.server_name)
        except BaseException:
            sock.close()
            raise


def _host_for_header(target: Target) -> str:
    return f"[{target.host}]" if ":" in target.host else target.host


def _send_once(
    target: Target,
    *,
    method: str,
    body: bytes | None,
    headers: Mapping[str, str],
    timeout: float,
    max_body: int,
    context: ssl.SSLContext | None,
) -> tuple[int, str | None, bytes]:
    """One request to the first vetted address that accepts a connection."""
    last_error: OSError | None = None
    for address in target.addresses:
        connection: http.client.HTTPConnection
        if target.scheme == "https":
            tls = context or ssl.create_default_context()
            connection = _PinnedHTTPSConnection(target, address, timeout, tls)
        else:
            connection = _PinnedHTTPConnection(target, address, timeout)
        try:
            try:
                connection.connect()
            except OSError as error:  # refused, unreachable, TLS: try the next address
                last_error = error
                continue
            connection.request(method, target.path, body=body, headers=dict(headers))
            response = connection.getresponse()
            content = response.read(max_body)
            return response.status, response.getheader("Location"), content
        except (OSError, http.client.HTTPException) as error:
            raise FetchError(_error_text(error)) from error
        finally:
            connection.close()
    raise FetchError(_error_text(last_error) if last_error else "no address")


def _error_text(error: BaseException) -> str:
    """A short, stable description of a network failure (no addresses in it)."""
    if isinstance(error, TimeoutError):
        return "timeout"
    if isinstance(error, ConnectionRefusedError):
        return "connection refused"
    if isinstance(error, ssl.SSLCertVerificationError):
        return "TLS certificate not valid for the host"
    if isinstance(error, ssl.SSLError):
        return "TLS error"
    if isinstance(error, ConnectionError):
        return "connection closed"
    if isinstance(error, http.client.HTTPException):
        return "invalid HTTP response"
    return type(error).__name__


def safe_request(
    url: str,
    *,
    method: str = "GET",
    body: bytes | None = None,
    headers: Mapping[str, str] | None = None,
    allowed_networks: Iterable[IPNetwork] = (),
    timeout: float = 5.0,
    max_redirects: int = 3,
    max_body: int = 4096,
    context: ssl.SSLContext | None = None,
) -> Response:
    """Send one request to a public address, following at most ``max_redirects``.

    ``timeout`` bounds the connection and each read. Raises UnsafeURLError when the
    URL (or a redirect's Location) is refused, FetchError when the request fails.
    Any status is returned as it is, a 3xx after the last allowed redirect included.
    """
    allowed = tuple(allowed_networks)
    target = url_vet(url, allowed_networks=allowed)
    for redirects in range(max_redirects + 1):
        status, location, content = _send_once(
            target, method=method, body=body, headers=headers or {}, timeout=timeout,
            max_body=max_body, context=context,
        )  # fmt: skip
        if status not in REDIRECT_CODES or not location:
            return Response(status, content, target.url, redirects)
        if redirects == max_redirects:
            raise FetchError("too many redirects")
        next_url = urljoin(target.url, location.strip())
        if target.scheme == "https" and not next_url.lower().startswith("https:"):
            raise UnsafeURLError(URL_SCHEME, reason="https-downgrade")
        target = url_vet(next_url, allowed_networks=allowed)
    raise AssertionError("unreachable")  # pragma: no cover

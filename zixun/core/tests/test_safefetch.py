import ipaddress
import shutil
import socket
import ssl
import subprocess

import pytest

from zixun.core import safefetch
from zixun.core.safefetch import (
    URL_INVALID,
    URL_PORT,
    URL_PRIVATE,
    URL_SCHEME,
    URL_UNRESOLVED,
    URL_USERINFO,
    FetchError,
    UnsafeURLError,
    address_refusal,
    networks_parse,
    safe_request,
    url_vet,
)
from zixun.core.testing import exactly
from zixun.core.tests.receiver import Answer, Receiver

LOCAL = networks_parse(["127.0.0.1/32"])
REAL_GETADDRINFO = socket.getaddrinfo


class FakeDNS:
    """socket.getaddrinfo with a zone of our own: only what leaves the machine is faked."""

    def __init__(self, zone: dict[str, list[str]]) -> None:
        self.zone = zone
        self.asked: list[str] = []

    def __call__(self, host, port, *args, **kwargs):
        self.asked.append(host)
        if host not in self.zone:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        answers = []
        for address in self.zone[host]:
            family = socket.AF_INET6 if ":" in address else socket.AF_INET
            sockaddr = (address, port, 0, 0) if family == socket.AF_INET6 else (address, port)
            answers.append((family, socket.SOCK_STREAM, 6, "", sockaddr))
        return answers


@pytest.fixture
def dns(monkeypatch):
    fake = FakeDNS({})
    monkeypatch.setattr(socket, "getaddrinfo", fake)
    return fake


@pytest.fixture
def receiver():
    with Receiver() as server:
        yield server


PRIVATE_ANSWERS = [
    "127.0.0.1",
    "127.8.9.10",
    "10.0.0.1",
    "172.16.5.4",
    "192.168.1.1",
    "169.254.169.254",
    "169.254.10.1",
    "100.64.0.1",
    "100.100.100.200",
    "0.0.0.0",  # noqa: S104 - an address refused, not bound
    "224.0.0.251",
    "255.255.255.255",
    "192.0.2.10",
    "198.51.100.7",
    "203.0.113.9",
    "198.18.0.1",
    "240.0.0.1",
    "::1",
    "::",
    "::ffff:127.0.0.1",
    "::ffff:10.0.0.1",
    "::ffff:169.254.169.254",
    "::127.0.0.1",
    "64:ff9b::a00:1",
    "64:ff9b::7f00:1",
    "2002:7f00:1::1",
    "2002:a00:1::",
    "2001:0:4136:e378:8000:63bf:f5ff:fffe",
    "fc00::1",
    "fd12:3456::1",
    "fe80::1",
    "ff02::1",
    "2001:db8::1",
    "fd00:ec2::254",
]


@pytest.mark.parametrize("address", PRIVATE_ANSWERS)
def test_a_public_looking_name_that_resolves_to_a_private_address_is_refused(dns, address):
    dns.zone["hooks.example.com"] = [address]
    with pytest.raises(UnsafeURLError, match=exactly(URL_PRIVATE)):
        url_vet("https://hooks.example.com/zixun")
    assert dns.asked == ["hooks.example.com"]


def test_one_private_address_among_public_ones_is_enough_to_refuse(dns):
    dns.zone["hooks.example.com"] = ["93.184.216.34", "2606:2800:220:1::1", "10.0.0.1"]
    with pytest.raises(UnsafeURLError, match=exactly(URL_PRIVATE)):
        url_vet("https://hooks.example.com/")


def test_a_public_name_passes_with_every_address_it_resolves_to(dns):
    dns.zone["hooks.example.com"] = ["93.184.216.34", "2606:2800:220:1::1", "93.184.216.34"]
    target = url_vet("https://Hooks.Example.com./zixun?x=1#frag")
    assert target.host == "hooks.example.com"
    assert (target.scheme, target.port, target.path) == ("https", 443, "/zixun?x=1")
    assert [str(a) for a in target.addresses] == ["93.184.216.34", "2606:2800:220:1::1"]


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://127.1/",
        "http://2130706433/",
        "http://0x7f.1/",
        "http://0x7f000001/",
        "http://017700000001/",
        "http://0177.0.0.1/",
        "http://10.0.0.1:8080/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://[::ffff:7f00:1]/",
        "http://[::127.0.0.1]/",
        "http://[64:ff9b::a9fe:a9fe]/",
        "http://[2002:a9fe:a9fe::]/",
        "http://[fc00::1]/",
        "http://[fe80::1]/",
        "http://100.64.0.1/",
        "http://0.0.0.0/",
        "http://localhost/",
        "http://localhost./",
        "http://LOCALHOST:8080/",
        "http://api.localhost/",
        "http://localhost.localdomain/",
    ],
)
def test_literal_private_addresses_and_localhost_names_are_refused_without_dns(dns, url):
    with pytest.raises(UnsafeURLError, match=exactly(URL_PRIVATE)):
        url_vet(url)
    assert dns.asked == []  # the numeric spellings are read, never looked up


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://example.com/", URL_SCHEME),
        ("file:///etc/passwd", URL_SCHEME),
        ("gopher://example.com:70/", URL_SCHEME),
        ("javascript:alert(1)", URL_SCHEME),
        ("//example.com/", URL_SCHEME),
        ("https://user:pw@example.com/", URL_USERINFO),
        ("https://example.com@127.0.0.1/", URL_USERINFO),
        ("https://example.com:22/", URL_PORT),
        ("https://example.com:25/", URL_PORT),
        ("https://example.com:0/", URL_PORT),
        ("https://example.com:99999/", URL_INVALID),
        ("https://example.com:8o/", URL_INVALID),
        ("https://exa mple.com/", URL_INVALID),
        ("https://example.com\\@127.0.0.1/", URL_INVALID),
        ("https://example.com/\r\nX-Injected: 1", URL_INVALID),
        ("https:///nohost", URL_INVALID),
        ("https://exa_mple!.com/", URL_INVALID),
        ("https://1.2.3.999/", URL_INVALID),
        ("https://[fe80::1%25eth0]/", URL_INVALID),
        ("", URL_INVALID),
        ("https://example.com/" + "a" * 2000, URL_INVALID),
    ],
)
def test_urls_that_are_not_plain_public_http_are_refused_with_a_clear_message(dns, url, message):
    dns.zone["example.com"] = ["93.184.216.34"]
    with pytest.raises(UnsafeURLError, match=exactly(message)):
        url_vet(url)


def test_a_name_that_does_not_resolve_is_refused(dns):
    with pytest.raises(UnsafeURLError, match=exactly(URL_UNRESOLVED)):
        url_vet("https://nowhere.example/")


def test_allowed_networks_let_an_intranet_through_but_never_the_metadata_address(dns):
    allowed = networks_parse(["10.20.0.0/16", "169.254.0.0/16", "fd12::/16"])
    dns.zone["ci.corp.example"] = ["10.20.3.4", "fd12::5"]
    assert url_vet("http://ci.corp.example:8080/", allowed_networks=allowed).addresses
    for address in ["169.254.169.254", "10.21.0.1", "fd00:ec2::254"]:
        dns.zone["metadata.corp.example"] = [address]
        with pytest.raises(UnsafeURLError, match=exactly(URL_PRIVATE)):
            url_vet("http://metadata.corp.example/", allowed_networks=allowed)
    # Metadata, unspecified and multicast stay refused even if the operator allows everything.
    everything = networks_parse(["0.0.0.0/0", "::/0"])
    for address in ["169.254.169.254", "100.100.100.200", "0.0.0.0", "224.0.0.1", "::"]:  # noqa: S104
        assert address_refusal(ipaddress.ip_address(address), everything) is not None
    assert address_refusal(ipaddress.ip_address("10.9.9.9"), everything) is None


@pytest.mark.parametrize("address", ["93.184.216.34", "2606:2800:220:1::1", "64:ff9b::808:808"])
def test_public_addresses_pass(address):
    assert address_refusal(ipaddress.ip_address(address)) is None


def test_the_connection_goes_to_the_vetted_address_with_the_name_in_the_host_header(dns, receiver):
    # Rebinding: the name would answer differently the second time; there is no second time.
    dns.zone["hooks.example.com"] = ["127.0.0.1"]
    url = receiver.url("/in?x=1", host="hooks.example.com")
    response = safe_request(url, method="POST", body=b"{}", allowed_networks=LOCAL)
    dns.zone["hooks.example.com"] = ["10.0.0.1"]  # too late to matter
    assert response.status == 200
    assert dns.asked == ["hooks.example.com"]
    [request] = receiver.requests
    assert (request.method, request.path, request.body) == ("POST", "/in?x=1", b"{}")
    assert request.headers["Host"] == f"hooks.example.com:{receiver.port}"


def test_without_the_allowed_network_the_local_server_is_never_reached(dns, receiver):
    dns.zone["hooks.example.com"] = ["127.0.0.1"]
    with pytest.raises(UnsafeURLError, match=exactly(URL_PRIVATE)):
        safe_request(receiver.url(host="hooks.example.com"), method="POST", body=b"{}")
    assert receiver.requests == []


def test_a_redirect_to_a_private_address_is_refused_before_it_is_followed(dns, receiver):
    dns.zone["hooks.example.com"] = ["127.0.0.1"]
    dns.zone["evil.example.com"] = ["10.0.0.1"]
    for location in [
        "http://10.0.0.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://evil.example.com/",
        "http://[::ffff:10.0.0.1]:1234/",
        "http://localhost:9999/",
        "ftp://example.com/",
    ]:
        receiver.answer(Answer(302, headers={"Location": location}))
        with pytest.raises(UnsafeURLError):
            safe_request(receiver.url(host="hooks.example.com"), allowed_networks=LOCAL)
    assert len(receiver.requests) == 6  # only the first hop each time


def test_redirects_are_followed_at_most_three_times_each_vetted(dns, receiver):
    dns.zone["hooks.example.com"] = ["127.0.0.1"]
    url = receiver.url("/a", host="hooks.example.com")
    receiver.answer(
        Answer(307, headers={"Location": "/b"}),
        Answer(308, headers={"Location": receiver.url("/c")}),
        Answer(200, body=b"x" * 10_000),
    )
    response = safe_request(url, method="POST", body=b"{}", allowed_networks=LOCAL)
    assert (response.status, response.redirects, len(response.body)) == (200, 2, 4096)
    assert [r.path for r in receiver.requests] == ["/a", "/b", "/c"]
    assert all(r.method == "POST" and r.body == b"{}" for r in receiver.requests)
    assert dns.asked == ["hooks.example.com", "hooks.example.com"]

    receiver.requests.clear()
    receiver.answer(*[Answer(302, headers={"Location": "/again"})] * 4)
    with pytest.raises(FetchError, match="too many redirects"):
        safe_request(url, allowed_networks=LOCAL)
    assert len(receiver.requests) == 4


def test_a_slow_receiver_times_out(receiver):
    receiver.answer(Answer(200, delay=0.6))
    with pytest.raises(FetchError, match="timeout"):
        safe_request(receiver.url(), allowed_networks=LOCAL, timeout=0.2)


def test_a_closed_port_is_a_fetch_error():
    with Receiver() as receiver:
        url = receiver.url()
    with pytest.raises(FetchError, match="connection refused"):
        safe_request(url, allowed_networks=LOCAL)


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    """A self-signed certificate for hooks.example.com (openssl, once per module)."""
    if shutil.which("/usr/bin/openssl") is None:
        pytest.skip("openssl is not installed")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(  # noqa: S603 - fixed arguments
        ["/usr/bin/openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "1",
         "-subj", "/CN=hooks.example.com", "-addext", "subjectAltName=DNS:hooks.example.com"],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


def test_https_checks_the_certificate_against_the_name_not_the_address(dns, certificate):
    cert, key = certificate
    server_tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_tls.load_cert_chain(cert, key)
    client_tls = ssl.create_default_context(cafile=str(cert))
    dns.zone["hooks.example.com"] = ["127.0.0.1"]
    dns.zone["other.example.com"] = ["127.0.0.1"]
    with Receiver(tls=server_tls) as receiver:
        url = receiver.url("/tls", host="hooks.example.com", scheme="https")
        response = safe_request(url, method="POST", body=b"{}", allowed_networks=LOCAL,
                                context=client_tls)  # fmt: skip
        assert response.status == 200
        assert receiver.requests[0].headers["Host"] == f"hooks.example.com:{receiver.port}"
        wrong = receiver.url("/tls", host="other.example.com", scheme="https")
        with pytest.raises(FetchError, match="TLS certificate"):
            safe_request(wrong, allowed_networks=LOCAL, context=client_tls)
        assert len(receiver.requests) == 1
    https_only = "https://hooks.example.com/"
    with pytest.raises(UnsafeURLError, match=exactly(URL_PRIVATE)):
        safe_request(https_only, context=client_tls)  # 127.0.0.1, not allowed this time


def test_https_never_redirects_to_http(dns, certificate):
    cert, key = certificate
    server_tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_tls.load_cert_chain(cert, key)
    dns.zone["hooks.example.com"] = ["127.0.0.1"]
    with Receiver(tls=server_tls) as receiver:
        receiver.answer(Answer(301, headers={"Location": "http://hooks.example.com/plain"}))
        with pytest.raises(UnsafeURLError, match=exactly(URL_SCHEME)):
            safe_request(
                receiver.url(host="hooks.example.com", scheme="https"),
                allowed_networks=LOCAL,
                context=ssl.create_default_context(cafile=str(cert)),
            )


def test_the_module_never_calls_create_connection():
    # create_connection would resolve the name again; the module connects to addresses only.
    source = safefetch.__file__
    with open(source, encoding="utf-8") as file:
        assert "create_connection" not in file.read()

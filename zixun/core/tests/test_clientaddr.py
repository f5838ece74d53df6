import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory
from django.urls import reverse

from zixun.articles.tests.factories import ArticleFactory
from zixun.core.clientaddr import client_address
from zixun.core.ratelimit import requester_key as _who
from zixun.engagement.models import Comment
from zixun.engagement.viewcount import view_buffer

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/130 Safari/537.36"


def request_from(remote_addr, **headers):
    return RequestFactory().get("/", REMOTE_ADDR=remote_addr, **headers)


@pytest.fixture
def behind_proxy(settings):
    settings.ZIXUN_PROXY_HEADER = "X-Forwarded-For"
    settings.ZIXUN_TRUSTED_PROXIES = ["127.0.0.1", "::1"]
    return settings


def region_of(ip: str) -> str:
    """A ZIXUN_IP_REGION_RESOLVER for the tests: the proxy and one reader."""
    return {"127.0.0.1": "本机", "203.0.113.7": "广东"}.get(ip, "")


# The function ------------------------------------------------------------------------------


def test_the_default_is_remote_addr():
    assert client_address(request_from("198.51.100.4")) == "198.51.100.4"
    assert client_address(RequestFactory().get("/")) == "127.0.0.1"


def test_the_header_is_ignored_when_not_configured(settings):
    settings.ZIXUN_PROXY_HEADER = ""
    request = request_from("127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert client_address(request) == "127.0.0.1"


@pytest.mark.parametrize(
    ("header", "meta"),
    [("X-Forwarded-For", "HTTP_X_FORWARDED_FOR"), ("X-Real-IP", "HTTP_X_REAL_IP")],
)
def test_the_header_is_honoured_from_a_trusted_proxy(behind_proxy, header, meta):
    behind_proxy.ZIXUN_PROXY_HEADER = header
    assert client_address(request_from("127.0.0.1", **{meta: "203.0.113.7"})) == "203.0.113.7"
    # The other header is not the configured one.
    other = "HTTP_X_REAL_IP" if meta == "HTTP_X_FORWARDED_FOR" else "HTTP_X_FORWARDED_FOR"
    assert client_address(request_from("127.0.0.1", **{other: "203.0.113.7"})) == "127.0.0.1"


def test_the_header_is_ignored_when_the_peer_is_not_trusted(behind_proxy):
    request = request_from("198.51.100.4", HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert client_address(request) == "198.51.100.4"


def test_the_rightmost_untrusted_address_wins_over_a_spoofed_left_entry(behind_proxy):
    # The client sent "X-Forwarded-For: 1.2.3.4"; nginx appended the address it saw.
    request = request_from("127.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.7")
    assert client_address(request) == "203.0.113.7"
    # Two proxies (a load balancer in 10.0.0.0/8, then nginx on loopback): skip both.
    behind_proxy.ZIXUN_TRUSTED_PROXIES = ["127.0.0.1", "10.0.0.0/8"]
    request = request_from("127.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.7, 10.1.2.3")
    assert client_address(request) == "203.0.113.7"
    # Only trusted hops: the leftmost is the furthest known address.
    request = request_from("127.0.0.1", HTTP_X_FORWARDED_FOR="10.9.9.9, 10.1.2.3")
    assert client_address(request) == "10.9.9.9"
    # Garbage a client wrote on the left is never looked at.
    request = request_from("127.0.0.1", HTTP_X_FORWARDED_FOR="<script>, 203.0.113.7")
    assert client_address(request) == "203.0.113.7"


def test_changed_settings_are_seen_at_once(behind_proxy):
    request = request_from("10.1.2.3", HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert client_address(request) == "10.1.2.3"
    behind_proxy.ZIXUN_TRUSTED_PROXIES = "127.0.0.1, 10.0.0.0/8"  # a string works too
    assert client_address(request) == "203.0.113.7"
    behind_proxy.ZIXUN_PROXY_HEADER = ""
    assert client_address(request) == "10.1.2.3"


def test_ipv6(behind_proxy):
    request = request_from("::1", HTTP_X_FORWARDED_FOR="2001:db8::7")
    assert client_address(request) == "2001:db8::7"
    request = request_from("::1", HTTP_X_FORWARDED_FOR="2001:DB8:0:0::7, ::1")
    assert client_address(request) == "2001:db8::7"
    request = request_from("::1", HTTP_X_FORWARDED_FOR="[2001:db8::7]:4711")
    assert client_address(request) == "2001:db8::7"
    # A dual-stack socket shows the IPv4 proxy as ::ffff:127.0.0.1.
    request = request_from("::ffff:127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.7:4711")
    assert client_address(request) == "203.0.113.7"
    # An IPv6 peer outside the trusted networks is not a proxy.
    request = request_from("2001:db8::1", HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert client_address(request) == "2001:db8::1"


@pytest.mark.parametrize(
    "value", ["", "   ", "unknown", "203.0.113.7, garbage", "203.0.113.999", ",", "1.2.3.4 5.6.7.8"]
)
def test_a_garbage_header_falls_back_to_remote_addr(behind_proxy, value):
    assert client_address(request_from("127.0.0.1", HTTP_X_FORWARDED_FOR=value)) == "127.0.0.1"


def test_a_bad_trusted_proxy_setting_is_a_clear_error(behind_proxy):
    behind_proxy.ZIXUN_TRUSTED_PROXIES = ["127.0.0.1", "proxy.example.com"]
    with pytest.raises(ImproperlyConfigured, match=r"proxy\.example\.com"):
        client_address(request_from("127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.7"))


# Its callers -------------------------------------------------------------------------------


def test_the_rate_limit_key_is_the_forwarded_address(behind_proxy):
    request = request_from("127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.7")
    request.user = AnonymousUser()
    assert _who(request) == "ip203.0.113.7"


@pytest.mark.django_db
def test_forwarded_readers_get_their_own_rate_limit_bucket(client, behind_proxy):
    article = ArticleFactory()
    url = reverse("api:article-share", args=[article.pk])  # what the share menu's script calls

    def share(forwarded_for):
        return client.post(
            url,
            {"channel": "link"},
            content_type="application/json",
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_FORWARDED_FOR=forwarded_for,
        ).status_code

    codes = [share("203.0.113.7") for _ in range(31)]
    assert codes[:30] == [201] * 30
    assert codes[30] == 429
    assert share("198.51.100.4") == 201  # another reader behind the same proxy
    assert share("198.51.100.4, 203.0.113.7") == 429  # cannot escape by prepending


@pytest.mark.django_db
def test_forwarded_readers_are_counted_as_different_readers(client, behind_proxy):
    article = ArticleFactory()
    view_buffer.flush()

    def read(forwarded_for):
        response = client.get(
            article.get_absolute_url(),
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_FORWARDED_FOR=forwarded_for,
            HTTP_USER_AGENT=BROWSER,
        )
        assert response.status_code == 200

    try:
        read("203.0.113.7")
        read("198.51.100.4")
        read("203.0.113.7")  # a reload: not counted again
        assert view_buffer.pending() == 2
    finally:
        view_buffer.flush()


@pytest.mark.django_db
def test_ip_region_comes_from_the_forwarded_address(client, writer, behind_proxy):
    behind_proxy.ZIXUN_IP_REGION_RESOLVER = "zixun.core.tests.test_clientaddr.region_of"
    article = ArticleFactory()
    client.force_login(writer)
    response = client.post(
        reverse("api:me-comment"),
        {"article_id": article.pk, "body": "来自广东的跟贴"},
        content_type="application/json",
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="203.0.113.7",
    )
    assert response.status_code == 201
    assert Comment.objects.get().region == "广东"

"""The signed-in page's CSRF token: Django's check accepts it, each is new, the mask unbiased."""

from collections import Counter

from django.conf import settings
from django.http import HttpResponse
from django.middleware.csrf import (  # type: ignore[attr-defined]  # Django's own unmasking
    CSRF_ALLOWED_CHARS,
    CSRF_TOKEN_LENGTH,
    CsrfViewMiddleware,
    _get_new_csrf_string,
    _unmask_cipher_token,
)
from django.test import RequestFactory

from zixun.web.csrftoken import csrf_token


def _request(cookie: str | None):
    request = RequestFactory().get("/")
    if cookie is not None:
        request.COOKIES[settings.CSRF_COOKIE_NAME] = cookie
    CsrfViewMiddleware(lambda r: HttpResponse()).process_request(request)
    return request


def test_the_token_unmasks_to_the_readers_secret_and_renews_the_cookie():
    secret = _get_new_csrf_string()
    request = _request(secret)
    tokens = {csrf_token(request) for _ in range(50)}
    assert len(tokens) == 50  # a new mask every time (BREACH)
    for token in tokens:
        assert len(token) == CSRF_TOKEN_LENGTH
        assert set(token) <= set(CSRF_ALLOWED_CHARS)
        assert _unmask_cipher_token(token) == secret
    assert request.META["CSRF_COOKIE_NEEDS_UPDATE"] is True  # as Django's get_token


def test_without_a_secret_django_makes_one_and_sets_the_cookie():
    for cookie in (None, "", "short", "!" * 32):
        request = _request(cookie)
        token = csrf_token(request)
        secret = request.META["CSRF_COOKIE"]
        assert secret != cookie
        assert _unmask_cipher_token(token) == secret
        response = CsrfViewMiddleware(lambda r: HttpResponse()).process_response(
            request, HttpResponse()
        )
        assert response.cookies[settings.CSRF_COOKIE_NAME].value == secret


def test_every_character_is_as_likely_in_the_mask():
    request = _request(_get_new_csrf_string())
    counts = Counter(char for _ in range(3000) for char in csrf_token(request)[:32])
    assert set(counts) == set(CSRF_ALLOWED_CHARS)
    # Bytes taken modulo 62 without dropping 248–255 would make the first eight characters
    # a quarter more likely than the others.
    first = sum(counts[c] for c in CSRF_ALLOWED_CHARS[:8]) / 8
    rest = sum(counts[c] for c in CSRF_ALLOWED_CHARS[8:]) / 54
    assert 0.93 < first / rest < 1.07

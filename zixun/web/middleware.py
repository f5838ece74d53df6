from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation


class ChosenLanguageMiddleware:
    """Chinese first: the language is the reader's explicit choice (the language
    cookie) or LANGUAGE_CODE, never guessed from the browser's Accept-Language.
    Replaces Django's LocaleMiddleware, which would negotiate."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class ContentSecurityPolicyMiddleware:
    """Send ZIXUN_CSP on every response that does not set its own policy."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if settings.ZIXUN_CSP and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = settings.ZIXUN_CSP
        return response


class PermissionsPolicyMiddleware:
    """Send ZIXUN_PERMISSIONS_POLICY on every response that does not set its own: browser
    features the site never uses (camera, microphone, geolocation, payment …) stay off."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if settings.ZIXUN_PERMISSIONS_POLICY and "Permissions-Policy" not in response:
            response["Permissions-Policy"] = settings.ZIXUN_PERMISSIONS_POLICY
        return response


class SignedInNoStoreMiddleware:
    """Send ``Cache-Control: private, no-store`` on every response to a signed-in request.

    A signed-in page carries the reader's name, form token and state, so no shared cache
    (proxy, CDN) and no browser history may keep it, including the cached reader variant
    (ADR 0012). Anonymous responses are left as they are, and so is public media, which is
    the same for everyone; a view that sets its own Cache-Control keeps it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = settings.SESSION_COOKIE_NAME
        if (
            "Cache-Control" not in response
            # no session, no user: anonymous requests are told apart without loading one
            and (session in request.COOKIES or session in response.cookies)
            and request.user.is_authenticated
            and not request.path.startswith(settings.MEDIA_URL)
        ):
            response["Cache-Control"] = "private, no-store"
        return response

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext_lazy as _


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


NUL_REFUSED = _("提交的内容里有无法保存的字符（NUL），请删掉后再试。")


class NulRefusalMiddleware:
    """Refuse (400) a query string or a form post with a NUL character, as Django's form fields
    do: PostgreSQL cannot store one, and no reader types one. The views read request.POST
    directly, so the check is here, once; the API's JSON parser makes the same check."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _has_nul(request):
            return render(request, "400.html", {"message": NUL_REFUSED}, status=400)
        return self.get_response(request)


FORM_CHECK_MAX_BYTES = 1024 * 1024


def _has_nul(request: HttpRequest) -> bool:
    """A NUL in a query parameter, or in a field of a form post. A large multipart post is an
    upload, left to its view (which cleans its text fields) so that it is not parsed before the
    view's own size checks; the API checks its JSON bodies itself."""
    if "%00" in request.META.get("QUERY_STRING", "") and _nul_in(request.GET.lists()):
        return True
    if request.method != "POST" or request.path.startswith("/api/"):
        return False
    if request.content_type == "application/x-www-form-urlencoded":
        return b"%00" in request.body and _nul_in(request.POST.lists())
    if request.content_type == "multipart/form-data":
        try:
            size = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return False
        return size <= FORM_CHECK_MAX_BYTES and _nul_in(request.POST.lists())
    return False


def _nul_in(fields: Iterable[tuple[str, list[str]]]) -> bool:
    return any("\x00" in name or any("\x00" in v for v in values) for name, values in fields)

"""Presentation modes a reader can turn on. Presentation only: services never branch on them.

A browser keeps each mode in a cookie. A signed-in reader's account also keeps 关怀版
(``User.care_mode``) once they switch it while signed in; that choice wins over the cookie,
so signing in on another browser brings it along (docs/accessibility.md).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from itertools import product

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.http import HttpRequest, HttpResponse

from zixun.accounts.models import User

CARE_COOKIE = "zixun_care"
A11Y_COOKIE = "zixun_a11y"
THEME_COOKIE = "zixun_theme"
SCRIPT_COOKIE = "zixun_script"
MODE_COOKIE_SECONDS = 365 * 24 * 3600


@dataclass(frozen=True)
class Mode:
    """One mode a reader switches: its cookie, and the cookie value of each state the switch
    offers (None: no cookie, the default). A state's value must not be the default's."""

    cookie: str
    states: dict[str, str | None]


# The switches (/mode/<name>/<state>/) in the order the page cache key lists them.
MODES = {
    "care": Mode(CARE_COOKIE, {"on": "1", "off": None}),
    "a11y": Mode(A11Y_COOKIE, {"on": "1", "off": None}),
    # Dark or light whatever the system says; no cookie follows the system's setting.
    "theme": Mode(THEME_COOKIE, {"dark": "dark", "light": "light", "auto": None}),
    # 繁體 pages, converted from 简体 on the server (script.py).
    "script": Mode(SCRIPT_COOKIE, {"hant": "hant", "hans": None}),
}


# The values a cookie may hold, from the switches: anything else counts as no cookie.
THEMES = tuple(value for value in MODES["theme"].states.values() if value)
HANT = MODES["script"].states["hant"]


@dataclass(frozen=True)
class Modes:
    """How this request's page is presented."""

    care: bool = False
    a11y: bool = False
    theme: str = ""  # "", "dark" or "light"
    hant: bool = False

    def key(self) -> str:
        """The modes as the page cache keys them: one character per mode, in MODES order."""
        return f"{int(self.care)}{int(self.a11y)}{self.theme[:1] or '-'}{'t' if self.hant else 's'}"

    @staticmethod
    def all_keys() -> list[str]:
        """Every key a page can be cached under."""
        return [
            Modes(care, a11y, theme, hant).key()
            for care, a11y, theme, hant in product(
                (False, True), (False, True), ("", *THEMES), (False, True)
            )
        ]


def account_care_mode(request: HttpRequest) -> bool | None:
    """The signed-in reader's 关怀版 preference, or None (anonymous, or never chosen).

    A request without a session cookie is anonymous, told apart without loading a user,
    unless it is the one that signs the reader in."""
    if settings.SESSION_COOKIE_NAME not in request.COOKIES and not _signing_in(request):
        return None
    user = getattr(request, "user", None)
    if isinstance(user, User) and user.is_authenticated:
        return user.care_mode
    return None


def _signing_in(request: HttpRequest) -> bool:
    """The request changed its session to hold a user: it signed the reader in. The session
    is read only once changed: reading it on every visitor's request would cost a session
    lookup on the pages served from the cache."""
    session = getattr(request, "session", None)
    return session is not None and session.modified and SESSION_KEY in session


def care_mode_get(request: HttpRequest) -> bool:
    """关怀版 for this request: the account's preference when set, else the cookie's."""
    preference = account_care_mode(request)
    if preference is not None:
        return preference
    return request.COOKIES.get(CARE_COOKIE) == "1"


def hant_get(request: HttpRequest) -> bool:
    """繁體 for this request: the cookie alone (no user is loaded)."""
    return request.COOKIES.get(SCRIPT_COOKIE) == HANT


def modes_get(request: HttpRequest) -> Modes:
    """The modes this request's page is rendered in. A cookie value no switch sets counts
    as no cookie."""
    return _modes(request, care=care_mode_get(request))


def _modes(request: HttpRequest, *, care: bool) -> Modes:
    theme = request.COOKIES.get(THEME_COOKIE, "")
    return Modes(
        care=care,
        a11y=request.COOKIES.get(A11Y_COOKIE) == "1",
        theme=theme if theme in THEMES else "",
        hant=hant_get(request),
    )


def cookie_modes_key(request: HttpRequest) -> str:
    """The key of the modes the cookies alone give, with no user loaded: what a signed-in
    reader's page is most likely keyed by (``CareCookieMiddleware`` keeps the 关怀版 cookie in
    line with the account), for reading it ahead together with the session."""
    return _modes(request, care=request.COOKIES.get(CARE_COOKIE) == "1").key()


def modes_key(request: HttpRequest) -> str:
    """The modes as the page cache keys them (``Modes.key``).

    From the modes the page is rendered with, not from the cookies alone: a signed-in reader
    whose account says 关怀版 while the cookie does not (the first page on a new browser)
    must neither get nor leave the plain variant."""
    return modes_get(request).key()


def mode_cookie_set(response: HttpResponse, cookie: str, value: str | None) -> None:
    """Set one mode's cookie on the response, or delete it (``None``, the default state)."""
    if value is not None:
        response.set_cookie(
            cookie, value, max_age=MODE_COOKIE_SECONDS, samesite="Lax", httponly=True,
            secure=settings.SESSION_COOKIE_SECURE,
        )  # fmt: skip
    else:
        response.delete_cookie(cookie, samesite="Lax")


class CareCookieMiddleware:
    """Bring the browser's 关怀版 cookie in line with a signed-in reader's account.

    The page already follows the account (``care_mode_get``); the cookie keeps the choice
    in this browser after signing out too. It is set with the response that signs the
    reader in, or on the first one after (a session that was already open)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        preference = account_care_mode(request)
        if (
            preference is not None
            and (request.COOKIES.get(CARE_COOKIE) == "1") != preference
            and CARE_COOKIE not in response.cookies
        ):
            mode_cookie_set(response, CARE_COOKIE, "1" if preference else None)
        return response

"""Request helpers shared by every view: the acting user, the editor check, wants-JSON,
safe redirects back and id parsing. One copy each."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from zixun.accounts.models import User

View = Callable[..., Any]
ID_DIGITS_MAX = 18  # below 2**63: a longer "id" is no id of ours


def acting_user(request: HttpRequest) -> User:
    """The signed-in user; call it behind login_required (or an equivalent check)."""
    user = request.user
    assert isinstance(user, User)
    return user


def editor_required(view: View) -> View:
    """Editors only; everyone else gets a 404, so the editor pages are not revealed."""

    @wraps(view)
    @login_required
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        user = request.user
        if not isinstance(user, User) or not user.is_editor:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def wants_json(request: HttpRequest) -> bool:
    """The page's script asked for JSON (the same view serves a plain form without JS)."""
    return request.headers.get("Accept", "").startswith("application/json")


def safe_next(request: HttpRequest, target: str, fallback: str) -> str:
    """``target`` if it is a URL of this site, else ``fallback`` (no open redirects)."""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def redirect_back(request: HttpRequest, fallback: str | None = None) -> HttpResponseRedirect:
    """Back to ``next`` (from the form or the query string) when it is ours, else ``fallback``."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    return HttpResponseRedirect(safe_next(request, target, fallback or reverse("web:home")))


def absolute_url(request: HttpRequest, path: str) -> str:
    """``path`` on the site's configured address (ZIXUN_SITE_URL), never on whatever Host
    header a request sent, so a cached page carries no other host's links; without the
    setting (development), on the request's host, and the page cache keys on the host."""
    base = settings.ZIXUN_SITE_URL.rstrip("/")
    return f"{base}{path}" if base else request.build_absolute_uri(path)


def id_param(value: str | None) -> int | None:
    """A positive id from a query or form value, or None for anything else.

    Only ASCII digits: ``str.isdigit`` also accepts "²" and other Unicode digits that
    ``int`` refuses (a 500 the audit found), and ``int`` accepts "١٢" and "1_0".
    Every id a view reads from a query string or a form goes through here.
    """
    if value and len(value) <= ID_DIGITS_MAX and value.isascii() and value.isdigit():
        number = int(value)
        return number if number > 0 else None
    return None

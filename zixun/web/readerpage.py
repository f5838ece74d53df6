"""Signed-in readers get the cached page too, with their parts filled in (ADR 0012).

The page is rendered once for "a signed-in reader" with markers where one
reader's page differs from another's, and kept in the page cache beside the
anonymous page. Serving it costs the session and user lookups that every
signed-in request makes, one indexed query for the reader's state (liked,
favourited, following) and a few string replacements:

- the CSRF token of every form (``{% csrf_token %}`` renders the marker);
- the user name in the top bar;
- the editor's link, kept for editors only;
- the tools of the reader's own comments (edit, delete), kept only in the
  comments whose author is this reader;
- the like, favourite and follow buttons (state, pressed, next action, label).

The markers hold a secret derived from SECRET_KEY, so no one can write one
into a comment to have it replaced.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.utils.html import escape
from django.utils.translation import gettext as _

from zixun.accounts.models import User
from zixun.engagement.selectors import ReaderState, reader_state_for


@cache
def _secret(secret_key: str) -> str:
    digest = hashlib.sha256(f"zixun-reader-page:{secret_key}".encode()).hexdigest()
    return f"zx{digest[:20]}"


def mark(name: str) -> str:
    """The marker ``name`` in a page rendered for "a signed-in reader"."""
    return f"{_secret(settings.SECRET_KEY)}{name}"


def own_mark() -> str:
    """Opens and closes a part kept for one reader: <!--MARK:owner-->…<!--/MARK-->."""
    return mark("own")


@dataclass(frozen=True)
class Toggle:
    """How a like, favourite or follow button shows its state."""

    css: str  # " is-on" or ""
    pressed: str  # "true" or "false"
    action: str  # what a press does: "off" or "on"
    label: str  # for the follow button: 已关注 or + 关注
    count: str  # the counter beside it, as of this request

    @classmethod
    def of(cls, on: bool, count: int | None, *, label_on: str = "", label_off: str = "") -> Toggle:
        return cls(
            css=" is-on" if on else "",
            pressed="true" if on else "false",
            action="off" if on else "on",
            label=label_on if on else label_off,
            count="" if count is None else str(count),
        )

    @classmethod
    def marked(cls, name: str) -> Toggle:
        return cls(*(mark(f"{name}-{part}") for part in PARTS))


PARTS = ("css", "pressed", "action", "label", "count")


def toggles_for(
    state: ReaderState | None,
    *,
    like_count: int | None = None,
    favorite_count: int | None = None,
    follower_count: int | None = None,
) -> dict[str, Toggle]:
    """The buttons of an anonymous reader (None) or of a reader in ``state``; the counts
    come from ``state`` when it has them."""
    state = state or ReaderState()
    return {
        "like": Toggle.of(state.liked, _first(state.like_count, like_count)),
        "favorite": Toggle.of(state.favorited, _first(state.favorite_count, favorite_count)),
        "follow": Toggle.of(
            state.following,
            _first(state.follower_count, follower_count),
            label_on=_("已关注"),
            label_off=_("+ 关注"),
        ),
    }


def _first(*values: int | None) -> int | None:
    return next((v for v in values if v is not None), None)


class _AnyId:
    """Equal to every id: a template's ``comment.user_id == user.pk`` holds for each comment,
    so the own-comment tools are rendered (between markers) for all of them."""

    def __eq__(self, other: object) -> bool:
        return True

    def __hash__(self) -> int:
        return 0


class PlaceholderUser:
    """The ``user`` of a page rendered for "a signed-in reader"."""

    is_authenticated = True
    is_anonymous = False
    is_editor = True  # the editor's link is rendered between markers, kept for editors
    pk = _AnyId()

    def get_username(self) -> str:
        return mark("name")


def template_context() -> dict[str, Any]:
    """What a view adds to its context to render the page for "a signed-in reader"."""
    return {
        "user": PlaceholderUser(),
        "csrf_token": mark("csrf"),
        "reader": True,
        "toggles": {name: Toggle.marked(name) for name in ("like", "favorite", "follow")},
        "own_mark": own_mark(),
    }


def is_template_request(request: HttpRequest) -> bool:
    """True while the page cache renders the page for "a signed-in reader"."""
    return bool(getattr(request, "zixun_reader_template", False))


def page_fill(html: str, *, request: HttpRequest, user: User, meta: dict[str, Any]) -> str:
    """One reader's page from the page rendered for "a signed-in reader": two regular
    expression passes over the page, whatever the number of markers."""
    secret = re.escape(_secret(settings.SECRET_KEY))
    keep = {str(user.pk), *(["editor"] if user.is_editor else [])}

    def owned(match: re.Match[str]) -> str:
        return match.group(2) if match.group(1) in keep else ""

    html = re.sub(
        f"<!--{secret}own:(\\w+)-->(.*?)<!--/{secret}own-->", owned, html, flags=re.DOTALL
    )
    state = None
    if "article_id" in meta or "creator_id" in meta:
        state = reader_state_for(
            user=user, article_id=meta.get("article_id"), creator_id=meta.get("creator_id")
        )
    values = {"csrf": get_token(request), "name": escape(user.get_username())}
    for name, toggle in toggles_for(state).items():
        for part in PARTS:
            values[f"{name}-{part}"] = escape(getattr(toggle, part))
    return re.sub(f"{secret}([a-z]+(?:-[a-z]+)?)", lambda m: values.get(m.group(1), ""), html)

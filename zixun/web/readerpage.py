"""Signed-in readers get the cached page too, with their parts filled in (ADR 0012).

The page is rendered once for "a signed-in reader" with markers where one
reader's page differs from another's, and kept in the page cache beside the
anonymous page. Serving it costs one cache read for the session and the page,
one statement for the user and the reader's state (liked, favourited,
following; ``pagecache._reader_page``) and a few string replacements:

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
from django.utils.html import escape
from django.utils.translation import gettext as _

from zixun.accounts.models import User
from zixun.engagement.selectors import ReaderState, reader_state_for
from zixun.web.csrftoken import csrf_token
from zixun.web.modes import hant_get
from zixun.web.script import text_to_hant


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


# A page split at its markers, made once when the page is cached: literal text, a marker
# ("csrf", "like-css" …) or a part kept for one owner (a user id or "editor").
Part = str | tuple[str] | tuple[str, "Parts"]
Parts = tuple[Part, ...]


def page_split(html: str) -> Parts:
    """``html`` rendered for "a signed-in reader", split at its markers so that filling it in
    per request is a join over a few dozen pieces, with no scan of the page."""
    secret = re.escape(_secret(settings.SECRET_KEY))
    pattern = re.compile(
        f"<!--{secret}own:(\\w+)-->|<!--/{secret}own-->|{secret}([a-z]+(?:-[a-z]+)?)"
    )
    stack: list[tuple[str, list[Part]]] = [("", [])]
    at = 0
    for match in pattern.finditer(html):
        stack[-1][1].append(html[at : match.start()])
        at = match.end()
        owner, name = match.group(1), match.group(2)
        if owner is not None:
            stack.append((owner, []))
        elif name is not None:
            stack[-1][1].append((name,))
        elif len(stack) > 1:  # the end of an owner's part
            owner_done, parts = stack.pop()
            stack[-1][1].append((owner_done, tuple(parts)))
    stack[-1][1].append(html[at:])
    while len(stack) > 1:  # an unclosed part (never rendered so): keep nothing of it
        stack.pop()
    return tuple(stack[0][1])


def page_fill(
    parts: Parts,
    *,
    request: HttpRequest,
    user: User,
    meta: dict[str, Any],
    state: ReaderState | None = None,
) -> str:
    """One reader's page from the split page rendered for "a signed-in reader"; ``state``,
    when the caller read it already, for the article and account ``meta`` names."""
    keep = {str(user.pk), *(["editor"] if user.is_editor else [])}
    if state is None and ("article_id" in meta or "creator_id" in meta):
        state = reader_state_for(
            user=user, article_id=meta.get("article_id"), creator_id=meta.get("creator_id")
        )
    values = {"csrf": csrf_token(request), "name": escape(user.get_username())}
    hant = hant_get(request)
    for name, toggle in toggles_for(state).items():
        for part in PARTS:
            value = getattr(toggle, part)
            values[f"{name}-{part}"] = escape(text_to_hant(value) if hant else value)
    out: list[str] = []
    _emit(parts, out, keep, values)
    return "".join(out)


def _emit(parts: Parts, out: list[str], keep: set[str], values: dict[str, str]) -> None:
    for part in parts:
        if isinstance(part, str):
            out.append(part)
        elif len(part) == 1:
            out.append(values.get(part[0], ""))
        elif part[0] in keep:
            _emit(part[1], out, keep, values)

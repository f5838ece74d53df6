"""The comment filter hook (ZIXUN_COMMENT_SCREEN).

A screen is ``screen(text, *, user, article) -> Verdict`` (zixun.core.moderation), or, for a
simpler hook, just the action "allow", "review" or "block": "review" holds the comment for
an editor, "block" refuses it with a message naming the rule, "mask" stores it with the
matched words as ＊. The default runs the keyword filter (docs/moderation.md).
"""

from __future__ import annotations

from typing import Any

from zixun.core.moderation import Verdict, moderation_backend


def screen_comment(text: str, *, user: Any, article: Any) -> Verdict:
    """The site's keyword filter over a comment."""
    return moderation_backend().screen(text, field="comment")


def screen_allow_all(text: str, *, user: Any, article: Any) -> str:
    return "allow"

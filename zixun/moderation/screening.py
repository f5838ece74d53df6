"""The comment filter hook (ZIXUN_COMMENT_SCREEN). A later issue plugs the keyword filter in here.

A screen is ``screen(text, *, user, article) -> "allow" | "review" | "block"``:
"review" holds the comment for an editor, "block" refuses it with a message.
"""

from __future__ import annotations

from typing import Any


def screen_allow_all(text: str, *, user: Any, article: Any) -> str:
    return "allow"

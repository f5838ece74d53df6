"""The moderation interface: what the domain apps ask of trust and safety, whatever the policy.

The keyword filter and the near-duplicate index live in the moderation app, above the
apps that store text (articles, creators, engagement). Those apps call
``moderation_backend()`` without importing the moderation app, so the layers stay one-way
(docs/architecture.md, ADR 0011), as with the search backend. ZIXUN_MODERATION_BACKEND is a
dotted path to a class; the default is ``zixun.moderation.backend.Moderation``;
``NullModeration`` allows everything and finds no copies.

A screen's verdict, weakest to strongest: "allow", "mask" (the text is stored with the
matched words replaced by ＊), "review" (an editor decides before it is shown) and "block"
(refused with a message that names the rule).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Literal, Protocol

from django.conf import settings
from django.utils.module_loading import import_string

Action = Literal["allow", "mask", "review", "block"]
STRENGTH: dict[str, int] = {"allow": 0, "mask": 1, "review": 2, "block": 3}
# Where a text comes from, for the message and the audit entry.
Field = Literal["title", "body", "summary", "tags", "comment", "name", "bio", "report"]


@dataclass(frozen=True)
class Verdict:
    action: Action = "allow"
    text: str = ""  # the text to store: masked when the action is "mask", else as given
    rule: str = ""  # the deciding list's name (a category), for the message and the editor
    words: tuple[str, ...] = ()  # the matched words (for editors, never shown to the writer)

    @property
    def allowed(self) -> bool:
        return self.action in {"allow", "mask"}


@dataclass(frozen=True)
class NearCopy:
    """An earlier published article of another account that ``text`` nearly copies."""

    article_id: int
    similarity: float


def strongest(verdicts: list[Verdict]) -> Verdict:
    """The verdict that decides for a set of fields (the first of the strongest)."""
    return max(verdicts, key=lambda v: STRENGTH[v.action], default=Verdict())


class ModerationBackend(Protocol):
    def screen(self, text: str, *, field: Field) -> Verdict:
        """The keyword filter's verdict on one field's text (plain text or sanitized HTML)."""

    def near_copy(self, text: str, *, creator_id: int, article_id: int | None) -> NearCopy | None:
        """The closest earlier published article of another account that ``text`` nearly
        copies, or None (also for a text too short to judge)."""


class NullModeration:
    """Allows everything; finds no copies."""

    def screen(self, text: str, *, field: Field) -> Verdict:
        return Verdict(text=text)

    def near_copy(self, text: str, *, creator_id: int, article_id: int | None) -> NearCopy | None:
        return None


@cache
def _backend_class(path: str) -> type[ModerationBackend]:
    cls: type[ModerationBackend] = import_string(path)
    return cls


def moderation_backend() -> ModerationBackend:
    return _backend_class(settings.ZIXUN_MODERATION_BACKEND)()

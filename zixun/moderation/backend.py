"""The site's moderation policy behind zixun.core.moderation: the keyword filter built from the
lists editors keep in the admin, and the near-duplicate index (docs/moderation.md).

Each process keeps one built filter and the FilterVersion number it was built at; every
screen reads that number (one primary-key read) and rebuilds when a list changed, so an
editor's change takes effect at once in every worker, without a restart.
"""

from __future__ import annotations

import threading

from zixun.core.moderation import Field, NearCopy, Verdict
from zixun.moderation import keywords
from zixun.moderation.fingerprint import fingerprint
from zixun.moderation.models import AllowWord, BlockedDomain, FilterVersion, Word

_lock = threading.Lock()
_built: tuple[int, keywords.Filter] | None = None


def filter_version() -> int:
    number = FilterVersion.objects.values_list("number", flat=True).first()
    return number or 0


def filter_build() -> keywords.Filter:
    """The filter as the lists stand now (active lists only)."""
    rows = Word.objects.filter(word_list__is_active=True).values_list(
        "word", "word_list__name", "word_list__action"
    )
    rules = [keywords.Rule(word=word, category=name, action=keywords.Action(action))
             for word, name, action in rows.iterator(chunk_size=5000)]  # fmt: skip
    allow = AllowWord.objects.values_list("word", flat=True)
    domains = frozenset(BlockedDomain.objects.values_list("domain", flat=True))
    return keywords.Filter(rules, allow=list(allow), blocked_domains=domains)


def current_filter() -> keywords.Filter:
    """This process's filter, rebuilt when the lists changed since it was built."""
    global _built
    number = filter_version()
    built = _built
    if built is not None and built[0] == number:
        return built[1]
    with _lock:
        if _built is not None and _built[0] == number:
            return _built[1]
        fresh = filter_build()
        _built = (number, fresh)
        return fresh


def filter_forget() -> None:
    """Drop this process's filter (tests: a rolled-back transaction can reuse a number)."""
    global _built
    _built = None


class Moderation:
    def screen(self, text: str, *, field: Field) -> Verdict:
        if not text or not text.strip():
            return Verdict(text=text)
        found = current_filter().check(text)
        return Verdict(
            action=found.action,
            text=found.text,
            rule=keywords.rule_label(found.rule) if found.rule else "",
            words=tuple(dict.fromkeys(hit.word for hit in found.hits)),
        )

    def near_copy(self, text: str, *, creator_id: int, article_id: int | None) -> NearCopy | None:
        from zixun.moderation.services import near_copies

        mark = fingerprint(text)
        if mark is None:
            return None
        for other_id, similarity, other_creator in near_copies(mark, exclude=article_id):
            if other_creator != creator_id:
                return NearCopy(article_id=other_id, similarity=similarity)
        return None

"""``{% card_list cards %}``: a list of article cards (相关推荐, 往期回顾, 热点推荐 …), built in
Python. The markup is the same as a template would make (a card's label chip, title, account,
time and small thumbnail), at a tenth of the Django template engine's cost: a page-cache miss
of the article page renders three of these lists (docs/adr/0008-page-cache.md, amendment)."""

from __future__ import annotations

from collections.abc import Iterable

from django import template
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from zixun.articles.selectors import ArticleCard

register = template.Library()


def label_chip(card: ArticleCard) -> str:
    """The fact-check chip before a title (web/_label.html), or ''."""
    if not card.label:
        return ""
    return f'<span class="fact-chip fact-{escape(card.label)}">{escape(card.label_name)}</span> '


def _card(card: ArticleCard) -> str:
    # The dates as the ``date`` filter writes "c" and "m-d H:i", without its formatter
    # (a tenth of a card's cost): ISO 8601, then month-day hour:minute, zero-padded.
    url = escape(card.url)
    when = (
        timezone.localtime(card.published_at)
        if timezone.is_aware(card.published_at)
        else (card.published_at)
    )
    thumb = ""
    if cover := card.cover:
        thumb = (
            f'<a class="thumb thumb-small" href="{url}" tabindex="-1" aria-hidden="true">'
            f'<img src="{escape(cover.src)}" srcset="{escape(cover.srcset)}" sizes="96px" '
            f'width="{cover.width}" height="{cover.height}" loading="lazy" decoding="async" '
            f'alt=""></a>'
        )
    return (
        f'\n  <li class="card{" with-thumb" if card.cover else ""}"><div class="item-text">'
        f'{label_chip(card)}<a class="card-title" href="{url}">{escape(card.title)}</a>\n'
        f'    <span class="card-meta"><a href="{escape(card.creator_url)}">'
        f"{escape(card.creator_name)}</a> "
        f'<time datetime="{when.isoformat()}">'
        f"{when.month:02d}-{when.day:02d} {when.hour:02d}:{when.minute:02d}</time>"
        f"</span></div>\n    {thumb}</li>"
    )


@register.simple_tag
def card_list(cards: Iterable[ArticleCard]) -> SafeString:
    items = [_card(card) for card in cards]
    if not items:
        items = [f'\n<li class="card empty">{escape(gettext("暂无内容"))}</li>']
    return mark_safe(f'<ul class="cards">{"".join(items)}</ul>')  # noqa: S308 (each part escaped)

"""What the search pages read: results with their cards, matching accounts, suggestions."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import urlencode

from django.db.models import QuerySet, Sum
from django.urls import reverse
from django.utils import timezone

from zixun.articles.selectors import ArticleCard, article_cards
from zixun.core.pagination import Keyset, Page, PageRequest, keyset_page
from zixun.core.search import SearchHit, SearchQuery, search_backend
from zixun.core.sitecache import block_get
from zixun.creators.models import Creator
from zixun.search.models import QueryCount, SearchAccount, SearchIntervention
from zixun.search.text import clean, fold

ACCOUNTS_SHOWN = 3
SUGGESTIONS = 8
HOT_SEARCHES = 10
NEWEST = Keyset()


@dataclass(frozen=True)
class ResultItem:
    hit: SearchHit
    card: ArticleCard


@dataclass(frozen=True)
class AccountMatch:
    id: int
    name: str
    followers: int
    url: str
    verification_label: str = ""


@dataclass(frozen=True)
class SearchPage:
    items: list[ResultItem] = field(default_factory=list)
    accounts: list[AccountMatch] = field(default_factory=list)
    next_cursor: str = ""
    query: str = ""


def search_page(query: SearchQuery, *, with_accounts: bool) -> SearchPage:
    """A page of results (cards in result order, offline articles dropped), and on the first
    page the accounts whose name matches."""
    results = search_backend().query(query)
    cards = {card.id: card for card in article_cards(ids=[hit.article_id for hit in results.hits])}
    items = [
        ResultItem(hit, cards[hit.article_id]) for hit in results.hits if hit.article_id in cards
    ]
    accounts = account_matches(query.text) if with_accounts and results.query else []
    return SearchPage(
        items=items, accounts=accounts, next_cursor=results.next_cursor, query=results.query
    )


def _key(text: str) -> str:
    return clean(fold(text)).replace(" ", "")


def _prefix(field_name: str, value: str) -> dict[str, str]:
    """A range that an index answers on both databases (LIKE 'x%' is not always indexed)."""
    return {f"{field_name}__gte": value, f"{field_name}__lt": value + "\U0010ffff"}


def account_matches(text: str, *, limit: int = ACCOUNTS_SHOWN) -> list[AccountMatch]:
    """Accounts whose folded name starts with or holds the query, or whose full pinyin or initials
    start with it (pinyin only for names: a body never matches a homophone). Most followed first."""
    key = _key(text)
    if not key:
        return []
    found: dict[int, int] = {}
    lookups = [_prefix("folded", key)]
    if key.isascii() and key.isalnum():
        lookups += [_prefix("pinyin", key), _prefix("initials", key)]
    for lookup in lookups:
        found.update(SearchAccount.objects.filter(**lookup).order_by("-followers")
                     .values_list("creator_id", "followers")[:limit])  # fmt: skip
    if len(found) < limit and len(key) >= 2:
        found.update(SearchAccount.objects.filter(folded__contains=key).order_by("-followers")
                     .values_list("creator_id", "followers")[:limit])  # fmt: skip
    ids = sorted(found, key=lambda pk: -found[pk])[:limit]
    creators = {c.pk: c for c in Creator.objects.filter(pk__in=ids, is_suspended=False)}
    url = reverse("web:account", kwargs={"creator_id": 1}).replace("/1/", "/{}/")
    return [AccountMatch(id=pk, name=creators[pk].name, followers=creators[pk].follower_count,
                         url=url.format(pk), verification_label=creators[pk].verification_label)
            for pk in ids if pk in creators]  # fmt: skip


@dataclass(frozen=True)
class Suggestion:
    text: str
    url: str
    kind: str  # "account" or "query"


def suggestions(text: str, *, limit: int = SUGGESTIONS) -> list[Suggestion]:
    """While typing: matching accounts, then popular queries of the last week that start with it."""
    key = _key(text)
    if not key:
        return []
    out = [Suggestion(a.name, a.url, "account") for a in account_matches(text, limit=3)]
    since = timezone.now() - timedelta(days=7)
    rows = (QueryCount.objects.filter(hour__gte=since, found=True, **_prefix("query", clean(fold(text))))
            .values_list("query", "count"))  # fmt: skip
    totals: dict[str, int] = {}
    for query, count in rows[:2000]:
        totals[query] = totals.get(query, 0) + count
    search_url = reverse("web:search")
    for query in sorted(totals, key=lambda q: (-totals[q], q))[: limit - len(out)]:
        out.append(Suggestion(query, f"{search_url}?{urlencode({'q': query})}", "query"))
    return out


@dataclass(frozen=True)
class HotSearch:
    rank: int
    query: str
    count: int
    url: str
    pinned: bool = False


def _hot_searches_build(limit: int) -> list[HotSearch]:
    since = timezone.now() - timedelta(days=1)
    active = list(
        SearchIntervention.objects.filter(ended_at__isnull=True).values_list(
            "query", "action", "position"
        )
    )
    removed = {q for q, action, _ in active if action == SearchIntervention.Action.REMOVE}
    pins = {
        q: position for q, action, position in active if action == SearchIntervention.Action.PIN
    }
    rows = (QueryCount.objects.filter(hour__gte=since, found=True).values("query")
            .annotate(total=Sum("count")).order_by("-total", "query")[: limit * 3])  # fmt: skip
    counts = {row["query"]: row["total"] for row in rows}
    organic = [q for q in counts if q not in removed and q not in pins]
    ordered: list[str] = organic[:limit]
    for query, position in sorted(pins.items(), key=lambda item: item[1] or 0):
        ordered.insert(min(len(ordered), (position or 1) - 1), query)
    url = reverse("web:search")
    return [HotSearch(rank=i + 1, query=q, count=counts.get(q, 0), pinned=q in pins,
                      url=f"{url}?{urlencode({'q': q})}")
            for i, q in enumerate(ordered[:limit])]  # fmt: skip


def hot_searches(*, limit: int = HOT_SEARCHES) -> list[HotSearch]:
    """热搜: the most searched queries of the last day that found something (counted once per
    reader an hour), with editors' pins at their places and removals left out."""
    return block_get(f"hot-searches:{limit}", lambda: _hot_searches_build(limit))


def hot_search_interventions(*, page: PageRequest | None = None) -> Page[SearchIntervention]:
    """Editors' 热搜 interventions, newest first, for the public 热搜说明 page."""
    queryset: QuerySet[SearchIntervention] = SearchIntervention.objects.select_related(
        "by", "ended_by"
    )
    return keyset_page(queryset, page or PageRequest(), 30, NEWEST)

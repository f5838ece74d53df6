"""为你推荐: the personalized feed, every item with the reason it is there.

1. Candidates: the newest articles of the accounts the reader follows, of the channels
   they read most, what readers with a similar history read (co-reading), the hot
   list, the newest articles, and a little exploration (a channel they do not read).
2. Removed: what they read already, what they marked 不感兴趣 (the article, and by
   their choice that account or that channel), articles carrying a tag they deleted,
   and reprints (the same normalised title or body).
3. Scored by ``candidate_score`` (zixun/ranking/scoring.py, the ranker ``zixun
   eval-recs`` measures) on the candidate's live counters, age, its title against
   the reader's history, their channel affinity, co-reading and whether they were
   shown it before.
4. Ordered with diversity (no two neighbours of one account or channel while others
   are left), with the exploration items at fixed places, and logged as an impression.

With personalization off (ReaderSettings) or for anonymous readers, the feed is the
hot list and the newest articles only, and nothing about the reader is used.
"""

from __future__ import annotations

import hashlib
import math
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from zixun.accounts.models import User
from zixun.articles.models import Article
from zixun.articles.selectors import ArticleCard, article_cards, article_published_ids
from zixun.core.errors import message_format
from zixun.creators.models import Follow
from zixun.engagement.models import Reading
from zixun.moderation.clickbait import penalty as clickbait_penalty
from zixun.ranking.models import ArticleStats, Dislike, Impression, Interest, ReaderSettings
from zixun.ranking.personal import decayed, impression_record, interest_half_life, trend_half_life
from zixun.ranking.scoring import CandidateFeatures, TitleIndex, candidate_score, weights_load
from zixun.ranking.selectors import hot_list

REASON_FOLLOW = _("因为你关注了%(name)s")
REASON_SIMILAR = _("与你读过的《%(title)s》相似")
REASON_CO_READ = _("读过《%(title)s》的读者也在读")
REASON_CHANNEL = _("你常看%(channel)s")
REASON_HOT = _("热榜第 %(rank)s")
REASON_LATEST = _("最新发布")
REASON_EXPLORE = _("换换口味：%(channel)s的新文章")

FEED_SIZE = 20
WINDOW = timedelta(days=7)  # candidates are at most this old (the hot list aside)
HISTORY = 30  # the reader's latest reads that shape the feed
EXPLORE_AT = (4, 11)  # places (from 1) of the exploration items
SIMILAR_ENOUGH = 0.2  # title similarity above which 与你读过的… is the reason
SHOWN_RECENTLY = timedelta(minutes=30)
FOLLOWS_READ = 30  # followed accounts whose newest articles are candidates
PER_FOLLOWED = 4  # newest articles of each  # 换一批 skips what was shown this recently


@dataclass(frozen=True)
class ChannelName:
    """A channel's name in the language active when the reason is shown."""

    zh: str
    en: str

    def __str__(self) -> str:
        return (self.en or self.zh) if get_language() == "en" else self.zh


@dataclass(frozen=True)
class Reason:
    message: Promise
    params: dict[str, object] = field(default_factory=dict)

    def __str__(self) -> str:
        return message_format(self.message, **self.params)


@dataclass(frozen=True)
class FeedItem:
    card: ArticleCard
    reason: Reason
    score: float = 0.0


@dataclass(frozen=True)
class Feed:
    items: list[FeedItem]
    personalized: bool
    impression_id: int | None = None


@dataclass
class _Candidate:
    id: int
    title: str = ""
    creator_id: int = 0
    creator_name: str = ""
    channel_id: int | None = None
    channel_name: ChannelName = ChannelName("", "")
    published_at: datetime | None = None
    tags: list[str] = field(default_factory=list)
    content_hash: str = ""
    story_id: int = 0  # near-duplicates share their original's (Article.story_id)
    clickbait: float = 0.0
    reasons: list[Reason] = field(default_factory=list)
    explore: bool = False
    score: float = 0.0


def personalization_on(user: User) -> bool:
    return bool(
        ReaderSettings.objects.filter(user=user).values_list("personalized", flat=True).first()
        is not False
    )


def _published() -> QuerySet[Article]:
    return Article.objects.filter(status=Article.Status.PUBLISHED, deleted_at__isnull=True)


def _title_key(title: str) -> str:
    """A title without punctuation, spaces or case: reprints of one story share it."""
    text = "".join(
        c for c in unicodedata.normalize("NFKC", title).lower()
        if not unicodedata.category(c).startswith(("P", "Z", "S", "C"))
    )  # fmt: skip
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()


def _add(found: dict[int, _Candidate], ids: list[int], reason: Reason | None = None,
         *, explore: bool = False) -> None:  # fmt: skip
    for article_id in ids:
        if (
            explore
            and article_id in found
            and any(r.message not in (REASON_LATEST, REASON_HOT) for r in found[article_id].reasons)
        ):
            continue  # a candidate for a personal reason already: not an exploration
        candidate = found.setdefault(article_id, _Candidate(id=article_id))
        candidate.explore = candidate.explore or explore
        if reason is not None:
            candidate.reasons.append(reason)


def _newest(queryset: QuerySet[Article], limit: int) -> list[int]:
    return list(queryset.order_by("-published_at", "-id").values_list("id", flat=True)[:limit])


def _co_reading(user: User, history: list[int]) -> tuple[dict[int, float], dict[int, int]]:
    """co_reading(c) = Σ sim(reader, r) over other readers r who read c, with
    sim(reader, r) = Σ_{i read by both} 1 / log2(2 + readers of i) / √(items r read), over
    the readers of the reader's latest reads (bounded); and for each c the history item
    that led to it most (for the reason)."""
    if not history:
        return {}, {}
    shared = list(
        Reading.objects.filter(article_id__in=history)
        .exclude(user=user)
        .order_by("-read_at")
        .values_list("user_id", "article_id")[:400]
    )
    if not shared:
        return {}, {}
    readers_of = Counter(article_id for _, article_id in shared)
    others = {u for u, _ in shared}
    theirs = list(
        Reading.objects.filter(user_id__in=others, read_at__gte=timezone.now() - WINDOW)
        .order_by("-read_at")
        .values_list("user_id", "article_id")[:2000]
    )
    sizes = Counter(u for u, _ in theirs)
    similarity: dict[int, float] = defaultdict(float)
    via: dict[int, int] = {}
    for other, article_id in shared:
        similarity[other] += 1.0 / math.log2(2.0 + readers_of[article_id])
        via.setdefault(other, article_id)
    score: dict[int, float] = defaultdict(float)
    led: dict[int, int] = {}
    for other, article_id in theirs:
        weight = similarity[other] / math.sqrt(sizes[other] or 1)
        score[article_id] += weight
        led.setdefault(article_id, via[other])
    return dict(score), led


def _personal_candidates(user: User, history: list[int], found: dict[int, _Candidate],
                         channel_weights: dict[int, float]) -> dict[int, float]:  # fmt: skip
    """Follows, channels read most, co-reading and exploration; returns co-reading scores."""
    since = timezone.now() - WINDOW
    recent = _published().filter(published_at__gte=since)
    # The accounts followed most recently, each read by its own index range scan
    # (article_by_creator): "creator_id IN (…) ORDER BY published_at" would sort every
    # article of a followed account with a million of them (ADR 0010).
    followed = list(
        Follow.objects.filter(user=user, creator__is_suspended=False)
        .order_by("-created_at")
        .values_list("creator_id", "creator__name")[:FOLLOWS_READ]
    )
    for creator_id, name in followed:
        newest = _newest(recent.filter(creator_id=creator_id), PER_FOLLOWED)
        _add(found, newest, Reason(REASON_FOLLOW, {"name": name}))
    top_channels = sorted(channel_weights, key=lambda c: -channel_weights[c])[:3]
    for channel_id in top_channels:
        _add(found, _newest(recent.filter(channel_id=channel_id), 15))
    co_read, led = _co_reading(user, history)
    best = sorted(co_read, key=lambda a: -co_read[a])[:40]
    _add(found, best)
    for article_id in best:
        found[article_id].reasons.append(Reason(REASON_CO_READ, {"via": led.get(article_id)}))
    unexplored = (
        _published()
        .filter(published_at__gte=since)
        .exclude(channel_id__in=list(channel_weights))
        .exclude(channel_id__isnull=True)
    )
    day = timezone.now().date().toordinal()
    channels = sorted(set(unexplored.values_list("channel_id", flat=True)[:200]))
    if channels and channel_weights:  # exploring needs something to explore away from
        pick = channels[(user.pk * 31 + day) % len(channels)]
        _add(found, _newest(unexplored.filter(channel_id=pick), 2), explore=True)
    return co_read


def _load(found: dict[int, _Candidate]) -> None:
    live = article_published_ids(ids=found)  # by primary key (see article_published_ids)
    rows = Article.objects.filter(pk__in=live).values_list(
        "id", "title", "creator_id", "creator__name", "channel_id", "channel__name",
        "channel__name_en", "published_at", "tags", "content_hash", "duplicate_of_id", "clickbait",
    )  # fmt: skip
    loaded = set()
    for i, title, creator_id, creator_name, channel_id, name, name_en, at, tags, digest, original, bait in rows:  # fmt: skip
        c = found[i]
        c.story_id, c.clickbait = original or i, bait
        c.title, c.creator_id, c.creator_name = title, creator_id, creator_name
        c.channel_id, c.channel_name, c.published_at = (
            channel_id,
            ChannelName(name or "", name_en or ""),
            at,
        )
        c.tags, c.content_hash = list(tags or []), digest
        loaded.add(i)
    for article_id in set(found) - loaded:
        del found[article_id]  # went offline


def _remove_unwanted(user: User | None, found: dict[int, _Candidate], history: set[int]) -> None:
    """Already read, 不感兴趣 (article, account, channel), deleted tags, and reprints."""
    if user is not None:
        read = set(
            Reading.objects.filter(user=user, article_id__in=list(found)).values_list(
                "article_id", flat=True
            )
        )
        dislikes = list(Dislike.objects.filter(user=user).values_list(
            "article_id", "reason", "creator_id", "channel_id"))  # fmt: skip
        gone_articles = {d[0] for d in dislikes}
        gone_accounts = {d[2] for d in dislikes if d[1] == Dislike.Reason.ACCOUNT}
        gone_channels = {d[3] for d in dislikes if d[1] == Dislike.Reason.TOPIC}
        removed_tags = set(
            Interest.objects.filter(user=user, removed=True, kind=Interest.Kind.KEYWORD)
            .values_list("key", flat=True)
        )  # fmt: skip
        for c in list(found.values()):
            if (c.id in read or c.id in history or c.id in gone_articles
                    or c.creator_id in gone_accounts or c.channel_id in gone_channels
                    or removed_tags.intersection(c.tags)):  # fmt: skip
                del found[c.id]


def _dedupe(ranked: list[_Candidate]) -> list[_Candidate]:
    seen: set[str] = set()
    kept = []
    for c in ranked:
        keys = {_title_key(c.title), f"#{c.story_id or c.id}"} | (
            {c.content_hash} if c.content_hash else set()
        )
        if keys & seen:
            continue
        seen |= keys
        kept.append(c)
    return kept


def _next_apart(window: list[_Candidate], previous: _Candidate) -> int:
    """The first in ``window`` of another account and channel than ``previous``, else of
    another account, else the first."""
    other_account = [c.creator_id != previous.creator_id for c in window]
    other_channel = [c.channel_id != previous.channel_id for c in window]
    for i, apart in enumerate(other_account):
        if apart and other_channel[i]:
            return i
    return other_account.index(True) if True in other_account else 0


def _diverse(ranked: list[_Candidate], size: int) -> list[_Candidate]:
    """Greedy: the best next item that shares neither account nor channel with the one
    before it, looking a few places ahead; the exploration items at EXPLORE_AT."""
    explore = [c for c in ranked if c.explore]
    rest = [c for c in ranked if not c.explore]
    out: list[_Candidate] = []
    while (rest or explore) and len(out) < size:
        if explore and (len(out) + 1 in EXPLORE_AT or not rest):
            out.append(explore.pop(0))
            continue
        previous = out[-1] if out else None
        pick = 0 if previous is None else _next_apart(rest[:6], previous)
        out.append(rest.pop(pick))
    return out


def _features(user: User, found: dict[int, _Candidate], history: list[int], index: TitleIndex,
              co_read: dict[int, float], channel_weights: dict[int, float]
              ) -> dict[int, CandidateFeatures]:  # fmt: skip
    now = timezone.now()
    stats = {s.article_id: s for s in ArticleStats.objects.filter(article_id__in=list(found))}
    profile = index.profile(str(i) for i in history)
    shown: set[int] = set()
    for ids, clicked in Impression.objects.filter(
        user_id=user.pk, shown_at__gte=now - timedelta(days=3)
    ).values_list("article_ids", "clicked"):
        shown |= set(ids) - set(clicked)
    total = sum(channel_weights.values())
    half_life = trend_half_life()
    features = {}
    for c in found.values():
        s = stats.get(c.id)
        age = max((now - (c.published_at or now)).total_seconds() / 3600.0, 0.0)
        common = {
            "age_hours": age,
            "title_similarity": index.similarity(str(c.id), profile),
            "channel_affinity": channel_weights.get(c.channel_id or 0, 0.0) / total
            if total
            else 0.0,
            "co_reading": co_read.get(c.id, 0.0),
            "shown_to_reader": 1.0 if c.id in shown else 0.0,
        }
        if s is None:
            features[c.id] = CandidateFeatures(**common)
            continue
        features[c.id] = CandidateFeatures(
            impressions=float(s.impressions),
            clicks=float(s.clicks),
            trend_impressions=decayed(s.trend_impressions, s.last_shown, now, half_life),
            trend_clicks=decayed(s.trend_clicks, s.last_shown, now, half_life),
            idle_hours=(now - s.last_shown).total_seconds() / 3600.0 if s.last_shown else 0.0,
            history_readers=float(s.readers),
            **common,
        )
    return features


def _similar_reason(c: _Candidate, history_titles: dict[int, str], index: TitleIndex
                    ) -> Reason | None:  # fmt: skip
    """与你读过的《…》: the history title nearest the candidate's, if near enough."""
    nearness = {
        i: index.similarity(str(c.id), index.vectors.get(str(i), {})) for i in history_titles
    }
    best = max(nearness, key=lambda i: nearness[i], default=None)
    if best is None or nearness[best] < SIMILAR_ENOUGH:
        return None
    return Reason(REASON_SIMILAR, {"title": history_titles[best]})


def _reason(c: _Candidate, features: CandidateFeatures, history_titles: dict[int, str],
            index: TitleIndex) -> Reason:  # fmt: skip
    follow = next((r for r in c.reasons if r.message is REASON_FOLLOW), None)
    if follow:
        return follow
    if c.explore:
        return Reason(REASON_EXPLORE, {"channel": c.channel_name})
    if features.title_similarity >= SIMILAR_ENOUGH:
        similar = _similar_reason(c, history_titles, index)
        if similar:
            return similar
    co_read = next((r for r in c.reasons if r.message is REASON_CO_READ), None)
    if co_read and co_read.params.get("via") in history_titles:
        return Reason(REASON_CO_READ, {"title": history_titles[co_read.params["via"]]})  # type: ignore[index]
    hot = next((r for r in c.reasons if r.message is REASON_HOT), None)
    if hot:
        return hot
    if features.channel_affinity > 0 and c.channel_name.zh:
        return Reason(REASON_CHANNEL, {"channel": c.channel_name})
    return Reason(REASON_LATEST)


def _plain(found: dict[int, _Candidate], size: int) -> list[_Candidate]:
    """Hot and latest only: hot items in their order, the newest between them."""
    hot = [c for c in found.values() if any(r.message is REASON_HOT for r in c.reasons)]
    hot.sort(key=lambda c: next(int(str(r.params["rank"])) for r in c.reasons
                                if r.message is REASON_HOT))  # fmt: skip
    latest = [c for c in found.values() if c not in hot]
    latest.sort(key=lambda c: (c.published_at or timezone.now(), c.id), reverse=True)
    out: list[_Candidate] = []
    while (hot or latest) and len(out) < size:
        for source in (hot, hot, latest):
            if source and len(out) < size:
                out.append(source.pop(0))
    return out


def foryou(*, user: User | None, size: int = FEED_SIZE, fresh_batch: bool = False) -> Feed:
    """The feed for ``user`` (None: anonymous), logged as an impression for signed-in readers.
    ``fresh_batch`` (换一批) leaves out what the reader was shown in the last half hour."""
    personalized = user is not None and personalization_on(user)
    found: dict[int, _Candidate] = {}
    for item in hot_list(limit=30):
        _add(found, [item.card.id], Reason(REASON_HOT, {"rank": item.rank}))
    _add(found, _newest(_published(), 40), Reason(REASON_LATEST))
    history: list[int] = []
    co_read: dict[int, float] = {}
    channel_weights: dict[int, float] = {}
    if personalized and user is not None:
        history = list(Reading.objects.filter(user=user).order_by("-read_at")
                       .values_list("article_id", flat=True)[:HISTORY])  # fmt: skip
        now = timezone.now()
        half_life = interest_half_life()
        for key, weight, at in Interest.objects.filter(
            user=user, kind=Interest.Kind.CHANNEL, removed=False
        ).values_list("key", "weight", "updated_at"):
            if key.isdigit():
                channel_weights[int(key)] = decayed(weight, at, now, half_life)
        co_read = _personal_candidates(user, history, found, channel_weights)
    _load(found)
    _remove_unwanted(user, found, set(history))
    if fresh_batch and user is not None:
        recent = Impression.objects.filter(user_id=user.pk,
                                           shown_at__gte=timezone.now() - SHOWN_RECENTLY)  # fmt: skip
        for ids in recent.values_list("article_ids", flat=True):
            for article_id in ids:
                found.pop(article_id, None)
    if personalized and user is not None:
        history_titles = dict(Article.objects.filter(pk__in=history).values_list("id", "title"))
        index = TitleIndex({str(i): t for i, t in history_titles.items()}
                           | {str(c.id): c.title for c in found.values()})  # fmt: skip
        features = _features(user, found, history, index, co_read, channel_weights)
        weights = weights_load()
        for c in found.values():
            c.score = candidate_score(features[c.id], weights) * clickbait_penalty(c.clickbait)
        ranked = _dedupe(sorted(found.values(), key=lambda c: (-c.score, -c.id)))
        chosen = _diverse(ranked, size)
        reasons = {c.id: _reason(c, features[c.id], history_titles, index) for c in chosen}
    else:
        chosen = _plain({c.id: c for c in _dedupe(list(found.values()))}, size)
        reasons = {c.id: next(r for r in c.reasons if r.message in (REASON_HOT, REASON_LATEST))
                   for c in chosen}  # fmt: skip
    cards = {card.id: card for card in article_cards(ids=[c.id for c in chosen])}
    items = [FeedItem(card=cards[c.id], reason=reasons[c.id], score=c.score)
             for c in chosen if c.id in cards]  # fmt: skip
    impression_id = None
    if user is not None and items:
        impression_id = impression_record(
            user_id=user.pk, article_ids=[i.card.id for i in items]
        ).pk
    return Feed(items=items, personalized=personalized, impression_id=impression_id)

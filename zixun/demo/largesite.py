"""A large site from the real corpora: ``zixun gen-scale`` (docs/scaling.md).

Phases, in order, each resumable by running it again (the database is the checkpoint,
as in docs/adr/0006-idempotent-import.md: every batch is one transaction holding its
rows and the counters they move):

1. accounts: the reference account (金台资讯) and ``accounts`` others, named from real
   keywords;
2. articles: ``articles`` articles ``gen-<n>`` over the other accounts (a few large,
   most small), then the reference account topped up to ``archive`` published articles
   (``zixun demo-scale``'s code, with real text). Titles are real headlines, bodies real
   sentences resampled, channels from the headline's category, published one every 30 s
   (the archive one every 5 min) back from the first run's start;
3. readers: ``max(readers, followers)`` users ``gen_reader_<n>`` who cannot sign in;
4. followers: the first ``followers`` of them follow the reference account;
5. activity: the rest of ``events`` engagement events by the first ``readers`` users:
   views (with reading history), read-throughs, likes, favourites, shares, comments,
   follows and 不感兴趣, each with its row and counter, on articles chosen with a bias to
   recent ones and at times after their publication;
6. ranking: the hot list recomputed and the new events folded into interests and
   article statistics (the site's own ``hot_recompute`` and ``personal_ingest``).

Search and 相关推荐 are not built here: run ``zixun search-reindex --dirty`` and
``zixun related-rebuild`` afterwards.
"""

from __future__ import annotations

import bisect
import random
import time
from array import array
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import accumulate
from pathlib import Path
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Model
from django.utils import timezone

from zixun.accounts.models import User
from zixun.articles.models import Article
from zixun.articles.services.counters import creator_articles_recount
from zixun.channels.selectors import channel_resolver
from zixun.core.sitecache import site_version_bump
from zixun.creators.models import Creator, Follow
from zixun.creators.services import creator_get_or_create
from zixun.demo.corpus import Corpus, corpus_load
from zixun.demo.reference import REFERENCE_ACCOUNT, REFERENCE_LABEL
from zixun.demo.rows import PreparedInsert
from zixun.demo.scale import demo_scale_account, scale_insert, scale_next_number
from zixun.engagement.models import Comment, Favorite, Like, Reading, Share
from zixun.events.models import Event
from zixun.ranking.hot import hot_recompute
from zixun.ranking.models import ArticleStats, Dislike, IngestCursor
from zixun.ranking.personal import personal_ingest

Kind = Event.Kind
ARTICLE_PREFIX = "gen-"
READER_PREFIX = "gen_reader_"
ARTICLE_STEP = 30  # seconds between two articles of the other accounts
ARCHIVE_STEP = 300  # seconds between two reference-account articles: 1,076,115 ≈ 10 years
# The mix of one reader's actions (follows of the reference account come on top).
KIND_WEIGHTS = (
    (Kind.VIEW, 0.63), (Kind.READ, 0.14), (Kind.LIKE, 0.08), (Kind.FAVORITE, 0.03),
    (Kind.SHARE, 0.03), (Kind.COMMENT, 0.05), (Kind.FOLLOW, 0.03), (Kind.DISLIKE, 0.01),
)  # fmt: skip
# Kinds with one row per reader and article (or account): a repeat becomes a view.
ONCE: dict[int, type[Model]] = {Kind.LIKE: Like, Kind.FAVORITE: Favorite, Kind.DISLIKE: Dislike}
COUNTERS = ("like_count", "favorite_count", "share_count", "comment_count", "view_count")
COUNTER_OF: dict[int, int] = {Kind.LIKE: 0, Kind.FAVORITE: 1, Kind.SHARE: 2, Kind.COMMENT: 3, Kind.VIEW: 4}  # fmt: skip
# Kinds whose event names the article's account (as the services record them).
WITH_CREATOR = {Kind.LIKE, Kind.FAVORITE, Kind.SHARE, Kind.DISLIKE}
# 跟贴 IP属地 of the generated comments.
PROVINCES = ("北京", "上海", "广东", "浙江", "江苏", "四川", "山东", "湖北", "河南", "福建")  # fmt: skip
LOOKUP = 400  # ids per IN list (SQLite binds at most 999 values)

Progress = Callable[[str, int, int], Callable[[int], None]]


def _no_progress(name: str, total: int, initial: int) -> Callable[[int], None]:
    return lambda n: None


@dataclass(frozen=True)
class Sizes:
    """What ``zixun gen-scale`` makes; the defaults are the reference site's figures."""

    articles: int = 1_000_000
    archive: int = 1_076_115
    accounts: int = 2_000
    readers: int = 100_000
    followers: int = 198_203
    events: int = 10_000_000
    batch: int = 5_000
    seed: int = 2026

    @property
    def users(self) -> int:
        return max(self.readers, self.followers)


@dataclass
class Rates:
    articles: int = 0
    articles_s: float = 0.0
    users: int = 0
    events: int = 0
    events_s: float = 0.0
    ranking_s: float = 0.0


def _rng(seed: int, stream: int, n: int) -> random.Random:
    """The generator of item n of a stream: the same item on every run."""
    return random.Random(seed * 1_000_003 + stream * 7_919 + n)  # noqa: S311 - not a secret


def _published(rows: PreparedInsert, start: float, n: int, step: int, rng: random.Random) -> Any:
    """Article n's time, ``step`` seconds apart back from ``start`` (n = 0 exactly at
    ``start``), as the database takes it."""
    offset = n * step + (rng.randrange(step) if n else 0)
    return rows.when("published_at", start - offset)


def _article_rows(creator_id: int, channel_id: int) -> PreparedInsert:
    template = Article(creator_id=creator_id, channel_id=channel_id, title="",
                       status=Article.Status.PUBLISHED, published_at=timezone.now())  # fmt: skip
    return PreparedInsert(Article, template)


def _start_time() -> float:
    """The run's origin: the time of article gen-0 (the first run's start), else now."""
    first = (
        Article.objects.filter(external_id=f"{ARTICLE_PREFIX}0")
        .values_list("published_at", flat=True)
        .first()
    )
    return (first or timezone.now().replace(second=0, microsecond=0)).timestamp()


def _in_slices(ids: Iterable[int]) -> Iterable[list[int]]:
    ids = list(ids)
    for start in range(0, len(ids), LOOKUP):
        yield ids[start : start + LOOKUP]


# 1. Accounts ---------------------------------------------------------------------------------


def _accounts(corpus: Corpus, sizes: Sizes) -> tuple[Creator, list[int]]:
    """The reference account and the others' ids, in the order of their names."""
    big = creator_get_or_create(
        name=REFERENCE_ACCOUNT, verification_label=REFERENCE_LABEL,
        account_type=Creator.AccountType.MEDIA, bio="人民网旗下资讯账号，传递权威声音。",
    )  # fmt: skip
    names = corpus.account_names(sizes.accounts, seed=sizes.seed, taken={REFERENCE_ACCOUNT})
    ids: dict[str, int] = {}
    for chunk in _in_slices(range(len(names))):
        wanted = [names[i] for i in chunk]
        ids.update(Creator.objects.filter(name__in=wanted).values_list("name", "pk"))
    kinds = [Creator.AccountType.PERSONAL] * 6 + [Creator.AccountType.MEDIA] * 3
    kinds.append(Creator.AccountType.ENTERPRISE)
    missing = [
        Creator(name=name, account_type=_rng(sizes.seed, 1, i).choice(kinds))
        for i, name in enumerate(names)
        if name not in ids
    ]
    Creator.objects.bulk_create(missing, batch_size=500, ignore_conflicts=True)
    for chunk in _in_slices(range(len(names))):
        wanted = [names[i] for i in chunk if names[i] not in ids]
        ids.update(Creator.objects.filter(name__in=wanted).values_list("name", "pk"))
    return big, [ids[name] for name in names]


# 2. Articles ---------------------------------------------------------------------------------


def _counts_add(model: type[Model], field: str, deltas: Counter[int]) -> None:
    """Move ``field`` of the rows by their delta: one UPDATE per distinct amount."""
    _counters_add(model, (field,), {pk: (delta,) for pk, delta in deltas.items()})


def _counters_add(
    model: type[Model], fields: tuple[str, ...], deltas: dict[int, tuple[int, ...]]
) -> None:
    """Move ``fields`` of each row by its deltas, one UPDATE … FROM a VALUES list per
    chunk (one statement per distinct amount cost three times as much on PostgreSQL)."""
    rows = [(pk, *amounts) for pk, amounts in deltas.items() if any(amounts)]
    if not rows:
        return
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    assert model._meta.pk is not None
    key = quote(model._meta.pk.column)
    concrete = {f.name: f.column for f in model._meta.concrete_fields}
    columns = [quote(concrete[f]) for f in fields]
    names = ", ".join(f"d{i}" for i in range(len(fields)))
    moves = ", ".join(f"{c} = {table}.{c} + v.d{i}" for i, c in enumerate(columns))
    marks = "(" + ", ".join(["%s"] * (len(fields) + 1)) + ")"
    per = 5000 if connection.vendor == "postgresql" else 900 // (len(fields) + 1)
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per):
            chunk = rows[start : start + per]
            values = ", ".join([marks] * len(chunk))
            # Table and column names come from the model; every value is a parameter.
            sql = (f"WITH v(id, {names}) AS (VALUES {values}) "  # noqa: S608
                   f"UPDATE {table} SET {moves} FROM v WHERE {table}.{key} = v.id")  # fmt: skip
            cursor.execute(sql, [value for row in chunk for value in row])


def _articles(
    corpus: Corpus, sizes: Sizes, accounts: list[int], start: float, progress: Progress
) -> int:
    """The other accounts' articles, up to ``sizes.articles``; returns how many were added."""
    gen = Article.objects.filter(external_id__startswith=ARTICLE_PREFIX)
    have = gen.count()
    missing = max(sizes.articles - have, 0)
    update = progress("articles", sizes.articles, min(have, sizes.articles))
    if not missing or not accounts:
        return 0
    resolve = channel_resolver()
    channels: dict[str, int] = {}
    # A few large accounts, many small ones (Zipf-like).
    cumulative = list(accumulate(1.0 / (i + 1) ** 0.9 for i in range(len(accounts))))
    rows = _article_rows(accounts[0], resolve("").pk)

    def values(n: int) -> dict[str, Any]:
        rng = _rng(sizes.seed, 2, n)
        text = corpus.article(rng)
        category = text.pop("category")
        if category not in channels:
            channels[category] = resolve(category).pk
        account = bisect.bisect(cumulative, rng.random() * cumulative[-1])
        return text | {
            "creator": accounts[min(account, len(accounts) - 1)],
            "channel": channels[category],
            "is_original": rng.random() < 0.2,
            "published_at": _published(rows, start, n, ARTICLE_STEP, rng),
        }

    def count(made: list[dict[str, Any]]) -> None:
        _counts_add(Creator, "article_count", Counter(m["creator"] for m in made))

    added = 0

    def advance(size: int) -> None:
        nonlocal added
        added += size
        update(size)

    scale_insert(
        rows=rows, prefix=ARTICLE_PREFIX,
        start=scale_next_number(Article.objects.all(), ARTICLE_PREFIX), count=missing,
        batch=sizes.batch, values=values, on_batch=count, on_progress=advance,
    )  # fmt: skip
    return added


def _archive(corpus: Corpus, sizes: Sizes, start: float, progress: Progress) -> int:
    """The reference account topped up to ``sizes.archive`` published articles."""
    resolve = channel_resolver()
    channels: dict[str, int] = {}
    big = Creator.objects.get(name=REFERENCE_ACCOUNT)
    have = Article.objects.filter(creator=big, status=Article.Status.PUBLISHED).count()
    update = progress(REFERENCE_ACCOUNT, sizes.archive, min(have, sizes.archive))
    rows = _article_rows(big.pk, resolve("").pk)

    def values(n: int) -> dict[str, Any]:
        rng = _rng(sizes.seed, 3, n)
        text = corpus.article(rng)
        category = text.pop("category")
        if category not in channels:
            channels[category] = resolve(category).pk
        published = _published(rows, start - ARCHIVE_STEP / 2, n, ARCHIVE_STEP, rng)
        return text | {"channel": channels[category], "published_at": published}

    return demo_scale_account(
        name=REFERENCE_ACCOUNT, count=sizes.archive, batch=sizes.batch, on_progress=update,
        values=values,
    )  # fmt: skip


# 3. Readers ----------------------------------------------------------------------------------


def _readers(sizes: Sizes, start: float, progress: Progress) -> int:
    """Users ``gen_reader_<n>`` up to ``sizes.users``: readers with no password (they
    cannot sign in, so every event they have is generated)."""
    gen = User.objects.filter(username__startswith=READER_PREFIX)
    have = gen.count()
    missing = max(sizes.users - have, 0)
    update = progress("readers", sizes.users, min(have, sizes.users))
    newest = gen.order_by("-pk").values_list("username", flat=True).first()
    first = 0 if newest is None else int(newest.removeprefix(READER_PREFIX)) + 1
    rows = PreparedInsert(User, User(username="", password="!", date_joined=timezone.now()))  # noqa: S106 - unusable
    year = 365 * 86400
    done = 0
    while done < missing:
        size = min(sizes.batch, missing - done)
        batch = []
        for n in range(first + done, first + done + size):
            joined = datetime.fromtimestamp(
                start - year - _rng(sizes.seed, 4, n).random() * year, tz=UTC
            )
            batch.append(rows.row(username=f"{READER_PREFIX}{n}", date_joined=joined))
        with transaction.atomic():
            rows.insert(batch)
        done += size
        update(size)
    return done


def _reader_ids() -> list[int]:
    users = User.objects.filter(username__startswith=READER_PREFIX).order_by("pk")
    return list(users.values_list("pk", flat=True))


# 4. The reference account's followers --------------------------------------------------------


def _event_rows() -> PreparedInsert:
    return PreparedInsert(Event, Event(kind=Kind.VIEW, at=timezone.now()))


def _followers(
    sizes: Sizes, big: Creator, readers: list[int], start: float, progress: Progress
) -> int:
    """The first ``sizes.followers`` readers follow the reference account (one event each)."""
    wanted = readers[: sizes.followers]
    following: set[int] = set()
    for chunk in _in_slices(wanted):
        following.update(
            Follow.objects.filter(creator=big, user_id__in=chunk).values_list("user_id", flat=True)
        )
    missing = [u for u in wanted if u not in following]
    update = progress("followers", len(wanted), len(wanted) - len(missing))
    follows = PreparedInsert(Follow, Follow(user_id=0, creator=big))
    events = _event_rows()
    for offset in range(0, len(missing), sizes.batch):
        chunk = missing[offset : offset + sizes.batch]
        follow_rows, event_rows = [], []
        for user_id in chunk:
            at = datetime.fromtimestamp(
                start - _rng(sizes.seed, 5, user_id).random() * 365 * 86400, tz=UTC
            )
            prepared = follows.prepare("created_at", at)
            follow_rows.append(
                follows.raw_row(user=user_id, created_at=prepared, updated_at=prepared)
            )
            event_rows.append(
                events.row(kind=Kind.FOLLOW, user_id=user_id, creator_id=big.pk, at=at)
            )
        with transaction.atomic():
            follows.insert(follow_rows)
            events.insert(event_rows)
            _counts_add(Creator, "follower_count", Counter({big.pk: len(chunk)}))
        update(len(chunk))
    return len(missing)


# 5. Activity ---------------------------------------------------------------------------------


@dataclass
class _Pool:
    """The published articles, newest first: id, account, channel, time."""

    ids: array[int]
    creators: array[int]
    channels: array[int]
    times: array[float]

    def pick(self, rng: random.Random) -> int:
        """An index, most often a recent article: a third of the picks in the newest 3 %."""
        return min(int(len(self.ids) * rng.random() ** 3), len(self.ids) - 1)


def _pool() -> _Pool:
    pool = _Pool(array("q"), array("q"), array("q"), array("d"))
    rows = (
        Article.objects.filter(status=Article.Status.PUBLISHED, deleted_at__isnull=True)
        .order_by("-published_at", "-id")
        .values_list("id", "creator_id", "channel_id", "published_at")
    )
    for pk, creator, channel, published in rows.iterator(chunk_size=20000):
        if published is None:  # not for a published article (a check constraint)
            continue
        pool.ids.append(pk)
        pool.creators.append(creator)
        pool.channels.append(channel)
        pool.times.append(published.timestamp())
    return pool


def _generated_events() -> int:
    readers = User.objects.filter(username__startswith=READER_PREFIX).values("pk")
    return Event.objects.filter(user_id__in=readers).count()


@dataclass
class _Action:
    kind: int
    user: int
    article: int  # index in the pool
    at: float


class _Activity:
    """Builds one batch of actions into rows and counter moves, then writes them."""

    def __init__(self, corpus: Corpus, pool: _Pool) -> None:
        self.corpus = corpus
        self.pool = pool
        now = timezone.now()
        self.events = _event_rows()
        self.comments = PreparedInsert(
            Comment, Comment(article_id=0, body="", created_at=now, updated_at=now)
        )
        self.shares = PreparedInsert(
            Share, Share(article_id=0, channel=Share.Channel.COPY_LINK, created_at=now)
        )
        self.likes = PreparedInsert(Like, Like(user_id=0, article_id=0, created_at=now))
        self.favorites = PreparedInsert(Favorite, Favorite(user_id=0, article_id=0, created_at=now))
        self.dislikes = PreparedInsert(
            Dislike, Dislike(user_id=0, article_id=0, reason=Dislike.Reason.SEEN, created_at=now)
        )
        self.readings = PreparedInsert(Reading, Reading(user_id=0, article_id=0, read_at=now))
        self.follows = PreparedInsert(
            Follow, Follow(user_id=0, creator_id=0, created_at=now, updated_at=now)
        )

    def _taken(
        self, model: type[Model], field: str, pairs: set[tuple[int, int]]
    ) -> set[tuple[int, int]]:
        """Which of (user, target) ``pairs`` already have a row of ``model``."""
        by_user: defaultdict[int, set[int]] = defaultdict(set)
        for user, target in pairs:
            by_user[user].add(target)
        taken: set[tuple[int, int]] = set()
        for users in _in_slices(by_user):
            targets = {t for u in users for t in by_user[u]}
            for targets_chunk in _in_slices(targets):
                taken.update(
                    model._default_manager.filter(
                        user_id__in=users, **{f"{field}__in": targets_chunk}
                    ).values_list("user_id", field)
                )
        return taken & pairs

    def write(self, actions: list[_Action], rng: random.Random) -> None:
        pool = self.pool
        # One row per reader and article (or account): drop repeats, in the batch and
        # against the database; each becomes a view, so the batch keeps its size.
        wanted: defaultdict[int, set[tuple[int, int]]] = defaultdict(set)
        for a in actions:
            if a.kind in ONCE:
                wanted[a.kind].add((a.user, pool.ids[a.article]))
            elif a.kind == Kind.FOLLOW:
                wanted[a.kind].add((a.user, pool.creators[a.article]))
        taken = {
            kind: self._taken(ONCE[kind], "article_id", pairs)
            for kind, pairs in wanted.items()
            if kind in ONCE
        }
        if Kind.FOLLOW in wanted:
            taken[Kind.FOLLOW] = self._taken(Follow, "creator_id", wanted[Kind.FOLLOW])
        rows: defaultdict[str, list[list[Any]]] = defaultdict(list)
        events: list[list[Any]] = []
        readings: dict[tuple[int, int], float] = {}
        counters: defaultdict[int, list[int]] = defaultdict(lambda: [0] * len(COUNTERS))
        followers: Counter[int] = Counter()
        when_of = self.events.when
        for a in actions:
            article_id = pool.ids[a.article]
            creator_id = pool.creators[a.article]
            kind = a.kind
            target = creator_id if kind == Kind.FOLLOW else article_id
            if kind in taken:
                if (a.user, target) in taken[kind]:
                    kind = Kind.VIEW
                else:
                    taken[kind].add((a.user, target))
            when = when_of("at", a.at)
            if kind == Kind.FOLLOW:
                events.append(
                    self.events.raw_row(kind=kind, user_id=a.user, creator_id=creator_id, at=when)
                )
                rows["follows"].append(
                    self.follows.raw_row(
                        user=a.user, creator=creator_id, created_at=when, updated_at=when
                    )
                )
                followers[creator_id] += 1
                continue
            events.append(self.events.raw_row(kind=kind, user_id=a.user, article_id=article_id,
                                              creator_id=creator_id if kind in WITH_CREATOR else None, at=when))  # fmt: skip
            if kind in COUNTER_OF:
                counters[article_id][COUNTER_OF[kind]] += 1
            if kind == Kind.VIEW:
                key = (a.user, article_id)
                readings[key] = max(a.at, readings.get(key, a.at))
            elif kind == Kind.LIKE:
                rows["likes"].append(
                    self.likes.raw_row(user=a.user, article=article_id, created_at=when)
                )
            elif kind == Kind.FAVORITE:
                rows["favorites"].append(
                    self.favorites.raw_row(user=a.user, article=article_id, created_at=when)
                )
            elif kind == Kind.DISLIKE:
                rows["dislikes"].append(self.dislikes.raw_row(user=a.user, article=article_id, creator_id=creator_id,
                                                              channel_id=pool.channels[a.article], created_at=when))  # fmt: skip
            elif kind == Kind.SHARE:
                channel = rng.choice(Share.Channel.values)
                rows["shares"].append(
                    self.shares.raw_row(
                        user=a.user, article=article_id, channel=channel, created_at=when
                    )
                )
            elif kind == Kind.COMMENT:
                rows["comments"].append(self.comments.raw_row(
                    user=a.user, article=article_id, body=self.corpus.comment(rng),
                    region=rng.choice(PROVINCES), created_at=when, updated_at=when,
                ))  # fmt: skip
        with transaction.atomic():
            self.events.insert(events)
            for name, batch in rows.items():
                getattr(self, name).insert(batch)
            self.readings.upsert(
                [self.readings.raw_row(user=u, article=a, read_at=self.readings.when("read_at", t))
                 for (u, a), t in readings.items()],
                unique=("user", "article"), update=("read_at",),
            )  # fmt: skip
            _counters_add(Article, COUNTERS, {a: tuple(c) for a, c in counters.items()})
            _counts_add(Creator, "follower_count", followers)


def _activity(
    corpus: Corpus, sizes: Sizes, readers: list[int], now: float, progress: Progress
) -> int:
    """Engagement events by the first ``sizes.readers`` readers until the generated
    readers have ``sizes.events`` events in all; returns how many were added."""
    have = _generated_events()
    missing = max(sizes.events - have, 0)
    update = progress("events", sizes.events, min(have, sizes.events))
    active = readers[: sizes.readers]
    if not missing or not active:
        return 0
    pool = _pool()
    if not pool.ids:
        return 0
    activity = _Activity(corpus, pool)
    kinds = [k for k, _ in KIND_WEIGHTS]
    cumulative = list(accumulate(w for _, w in KIND_WEIGHTS))
    done = 0
    while done < missing:
        size = min(sizes.batch * 4, missing - done)
        # Seeded by how many events exist: a resumed run makes the batch it lost.
        rng = _rng(sizes.seed, 6, have + done)
        actions = []
        for _ in range(size):
            kind = kinds[bisect.bisect(cumulative, rng.random() * cumulative[-1])]
            user = active[min(int(len(active) * rng.random() ** 2), len(active) - 1)]
            article = pool.pick(rng)
            delay = min(rng.expovariate(1 / 43200.0), 30 * 86400.0)  # half a day on average
            at = min(pool.times[article] + delay, now)
            actions.append(_Action(kind, user, article, at))
        activity.write(actions, rng)
        done += size
        update(size)
    return done


# 6. Ranking ----------------------------------------------------------------------------------


def _ranking(*, learn: bool, progress: Progress) -> None:
    """The hot list from the recent events; interests and article statistics from the new
    ones. With ``learn`` through the site's ``personal_ingest`` (about 2,000 events/s);
    otherwise only the statistics it keeps (signed-in readers per article: no generated
    reader was shown a list, so there are no clicks) in one aggregate, and no interests."""
    hot_recompute()
    last = _personal_cursor()
    upto = Event.objects.order_by("-id").values_list("id", flat=True).first() or 0
    update = progress("ranking", upto - last, 0)
    if learn:
        while read := personal_ingest(max_batches=1):
            update(read)
        return
    views = (
        Event.objects.filter(id__gt=last, id__lte=upto, kind=Kind.VIEW)
        .filter(user_id__isnull=False, article_id__isnull=False)
        .values_list("article_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    readers: Counter[int] = Counter(dict(views.iterator(chunk_size=20000)))
    with transaction.atomic():
        IngestCursor.objects.get_or_create(name="personal")
        if not IngestCursor.objects.filter(name="personal", last_id=last).update(last_id=upto):
            return  # a worker is folding them in
        existing: set[int] = set()
        for chunk in _in_slices(readers):
            existing.update(ArticleStats.objects.filter(pk__in=chunk).values_list("pk", flat=True))
        _counts_add(
            ArticleStats, "readers", Counter({a: n for a, n in readers.items() if a in existing})
        )
        ArticleStats.objects.bulk_create(
            [
                ArticleStats(article_id=a, readers=n)
                for a, n in readers.items()
                if a not in existing
            ],
            batch_size=1000,
        )
    update(upto - last)


def _personal_cursor() -> int:
    cursor = IngestCursor.objects.filter(name="personal").values_list("last_id", flat=True)
    return cursor.first() or 0


# The whole run -------------------------------------------------------------------------------


def gen_scale(
    *, shared: Path, sizes: Sizes, learn: bool = False, progress: Progress = _no_progress
) -> Rates:
    """Generate (or complete) the large site; returns what was added and how fast.
    Raises CorpusMissingError when the shared data sets are absent."""
    corpus = corpus_load(shared)
    rates = Rates()
    start = _start_time()
    big, accounts = _accounts(corpus, sizes)
    try:
        began = time.perf_counter()
        rates.articles = _articles(corpus, sizes, accounts, start, progress)
        rates.articles += _archive(corpus, sizes, start, progress)
        rates.articles_s = rates.articles / max(time.perf_counter() - began, 1e-9)
        rates.users = _readers(sizes, start, progress)
        readers = _reader_ids()
        began = time.perf_counter()
        rates.events = _followers(sizes, big, readers, start, progress)
        rates.events += _activity(corpus, sizes, readers, time.time(), progress)
        rates.events_s = rates.events / max(time.perf_counter() - began, 1e-9)
        began = time.perf_counter()
        _ranking(learn=learn, progress=progress)
        rates.ranking_s = time.perf_counter() - began
    finally:
        if rates.articles or rates.events:
            # Also after an interruption: a cheap check that every account's 文章数 is
            # its articles (the batches moved them already).
            creator_articles_recount(creator_ids=[big.pk, *accounts])
            site_version_bump()
    return rates


__all__ = ["Rates", "Sizes", "gen_scale"]

"""Step 2c: the follow feed (关注), pull-on-read, at the reference page's scale.

Two design claims (docs/adr/0010-follow-feed-pull-on-read.md):

- publishing an article for an account with 198,203 followers (金台资讯's 关注度
  on the reference site) costs what it costs for an account with 1 follower,
  and the article is in every follower's feed at once;
- the feed of a reader following 500 accounts stays fast however active those
  accounts are (the reference account, with its million articles once scaled,
  is one of the 500), and its last page costs what its first does.

A ``manage.py shell`` snippet builds the data with bulk inserts (500 accounts
with a few articles each over two years, a reader following them; an account
with 198,203 Follow rows, each of a new user; an account with 1 follower), then
times in one process: ``article_submit`` for a trusted account (the real
publish path, its commit and on-commit work included) alternating between the
two accounts; ``feed_list_for_user`` for one of the 198,203 followers right
after; and the 500-follow reader's first, middle and last pages (the selector,
and the first page rendered through Django's test client). For comparison it
also times the naive ``creator_id IN (…) ORDER BY published_at`` query. Then
it soft-deletes the articles it added, so that the HTTP measurements that
follow see the same site.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.database import run_snippet
from zixun.demo.reference import REFERENCE_ACCOUNT

FOLLOWERS = 198203  # 金台资讯's 关注度 on the reference site
FOLLOWS = 500
ARTICLES_PER_ACCOUNT = 4
PAGE_SIZE = 20
PUBLISH_REPEAT = 30  # timed publishes per account, after the warm-up
SELECTOR_REPEAT = 100  # timed selector calls per page
PAGE_REPEAT = 20  # timed renders of the first page
NAIVE_REPEAT = 3  # the naive query can sort every followed article: few runs
WARMUP = 5
GOAL_RATIO = 1.5  # "the same cost": within 1.5 × the baseline
KINDS = ("first", "middle", "last")
_TAG = "feed-json"

# Runs in `manage.py shell -c` with PARAMS prepended; prints one `feed-json {...}` line.
_SNIPPET = """\
import json, random, statistics, time
from datetime import timedelta
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from zixun.accounts.models import User
from zixun.articles.models import Article
from zixun.articles.services.review import article_submit
from zixun.channels.models import Channel
from zixun.core.dbstats import statistics_refresh
from zixun.core.pagination import Cursor, PageRequest
from zixun.creators.models import Creator, Follow
from zixun.feeds.selectors import feed_list_for_user

P = PARAMS
TAG = "bench-feed"
BATCH = 5000
rng = random.Random(198203)
now = timezone.now()
channel = Channel.objects.filter(is_active=True).order_by("id").first()
setup_started = time.perf_counter()

# A reader following 500 accounts: the reference account (when present) and
# quiet accounts with a few articles each, spread over two years.
reader = User.objects.create(username=f"{TAG}-reader", password="!")
busy = list(Creator.objects.filter(name=P["busy_account"]))
quiet = Creator.objects.bulk_create(
    [Creator(name=f"{TAG}-{i}") for i in range(P["follows"] - len(busy))], batch_size=BATCH
)
Article.objects.bulk_create(
    [
        Article(
            creator=c, channel=channel, title=f"{c.name} 第{j}篇", status="published",
            published_at=now - timedelta(seconds=rng.randrange(2 * 365 * 86400)),
        )
        for c in quiet
        for j in range(P["per_account"])
    ],
    batch_size=BATCH,
)
followed = busy + quiet
Follow.objects.bulk_create([Follow(user=reader, creator=c) for c in followed], batch_size=BATCH)

# An account with 198,203 followers (each a new user) and one with 1 follower,
# both trusted (they publish without review), run by the same member.
publisher = User.objects.create(username=f"{TAG}-publisher", password="!")
big = Creator.objects.create(name=f"{TAG}-big", is_trusted=True, follower_count=P["followers"])
small = Creator.objects.create(name=f"{TAG}-small", is_trusted=True, follower_count=1)
big.members.add(publisher)
small.members.add(publisher)
first_follower = None
follow_insert_s = 0.0  # what a push fan-out of one article would write: a row per follower
for start in range(0, P["followers"], BATCH):
    users = User.objects.bulk_create(
        [
            User(username=f"{TAG}-f{i}", password="!")
            for i in range(start, min(start + BATCH, P["followers"]))
        ]
    )
    started = time.perf_counter()
    Follow.objects.bulk_create([Follow(user=u, creator=big) for u in users])
    follow_insert_s += time.perf_counter() - started
    first_follower = first_follower or users[0]
    if start // BATCH in (1, 8):
        # What autovacuum does on a live PostgreSQL as the tables grow (the server may run
        # without it): planned for the few users of before, every foreign-key check of a new
        # follow scanned the whole user table, and the setup took a quarter of an hour.
        statistics_refresh()
solo = User.objects.create(username=f"{TAG}-solo", password="!")
Follow.objects.create(user=solo, creator=small)
setup_s = time.perf_counter() - setup_started
stages = {"setup": setup_s, "follow_insert": follow_insert_s}
mark = time.perf_counter()


def stage(name):
    global mark
    stages[name] = time.perf_counter() - mark
    mark = time.perf_counter()

assert Follow.objects.filter(creator=big).count() == P["followers"]

# Publishing: article_submit for a trusted account goes live at once. Alternate
# the two accounts, so that drift weighs on each alike.
def publish(creator):
    article = Article.objects.create(
        creator=creator, channel=channel, title=f"{creator.name} 新文章",
        body_source="第一段正文。\\n\\n第二段正文。", status="draft",
    )
    started = time.perf_counter()
    article_submit(article=article, by=publisher)
    return (time.perf_counter() - started) * 1000, article

accounts = {"followers": big, "one": small}
for _ in range(P["warmup"]):
    for creator in accounts.values():
        publish(creator)
publish_times = {kind: [] for kind in accounts}
newest = {}
for _ in range(P["publish_repeat"]):
    for kind, creator in accounts.items():
        ms, newest[kind] = publish(creator)
        publish_times[kind].append(ms)
publish_ms = {kind: statistics.median(v) for kind, v in publish_times.items()}
stage("publish")

# The article is in every follower's feed at once: one of them, read right now.
follower_page = feed_list_for_user(user=first_follower, page=PageRequest(), size=P["size"])
if not follower_page.items or follower_page.items[0].pk != newest["followers"].pk:
    raise SystemExit("the follower's feed does not start with the article just published")


p95s = {}


def timed(call, repeat, warmup, key=None):
    # The median ms of `repeat` calls; their p95 goes to p95s[key].
    for _ in range(warmup):
        call()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    if key:
        p95s[key] = sorted(times)[round(0.95 * (len(times) - 1))]
    return statistics.median(times)


# How long until a new article of the 198,203-follower account is in a follower's feed:
# from the start of the publish to the follower's first page starting with it.
visible = []
for _ in range(P["publish_repeat"] // 3):
    started = time.perf_counter()
    _, article = publish(big)
    if feed_list_for_user(user=first_follower, page=PageRequest(), size=P["size"]).items[0].pk != article.pk:
        raise SystemExit("the follower's feed does not start with the article just published")
    visible.append((time.perf_counter() - started) * 1000)
visible_ms = {"median": statistics.median(visible), "max": max(visible)}
stage("visible")


follower_feed_ms = timed(
    lambda: feed_list_for_user(user=first_follower, page=PageRequest(), size=P["size"]),
    P["selector_repeat"], P["warmup"],
)
stage("follower_feed")

# The 500-follow reader: first, middle (after a quiet article in the middle of
# the two years) and last pages, checked against the naive query.
ids = [c.pk for c in followed]
naive = Article.objects.filter(
    creator_id__in=ids, status="published", deleted_at__isnull=True
).values_list("id", flat=True)
middle_article = (
    Article.objects.filter(creator__in=quiet).order_by("published_at", "id")
    [len(quiet) * P["per_account"] // 2]
)
middle = Cursor.of(middle_article)
requests = {
    "first": PageRequest(),
    "middle": PageRequest(after=middle),
    "last": PageRequest(last=True),
}
naive_pages = {
    "first": lambda: list(naive.order_by("-published_at", "-id")[: P["size"]]),
    "middle": lambda: list(
        naive.filter(published_at__lte=middle_article.published_at)
        .exclude(published_at=middle_article.published_at, id__gte=middle_article.pk)
        .order_by("-published_at", "-id")[: P["size"]]
    ),
    "last": lambda: list(naive.order_by("published_at", "id")[: P["size"]])[::-1],
}
queries = {}
for kind, request in requests.items():
    with CaptureQueriesContext(connection) as captured:
        page = feed_list_for_user(user=reader, page=request, size=P["size"])
    queries[kind] = len(captured.captured_queries)
    if [a.pk for a in page.items] != naive_pages[kind]():
        raise SystemExit(f"the {kind} feed page differs from the naive query")
feed_ms = {
    kind: timed(
        lambda r=request: feed_list_for_user(user=reader, page=r, size=P["size"]),
        P["selector_repeat"], P["warmup"], kind,
    )
    for kind, request in requests.items()
}
stage("feed")
naive_ms = {kind: timed(call, P["naive_repeat"], 1) for kind, call in naive_pages.items()}
stage("naive")

client = Client(SERVER_NAME="127.0.0.1")
client.force_login(reader)
def render():
    response = client.get("/feed/")
    if response.status_code != 200:
        raise SystemExit(f"GET /feed/: {response.status_code}")
page_ms = timed(render, P["page_repeat"], P["warmup"], "page")
stage("page")

# Leave the published content as it was: the HTTP measurements that follow
# must see the same article page (its hot list tops up with the newest articles).
Article.objects.filter(creator__in=[*quiet, big, small]).update(deleted_at=timezone.now())

result = {
    "setup_s": setup_s,
    "followers": P["followers"],
    "follows": len(followed),
    "busy_account_articles": (
        Article.objects.filter(creator__in=busy, status="published").count() if busy else 0
    ),
    "publish_ms": publish_ms,
    "follower_feed_ms": follower_feed_ms,
    "feed_ms": feed_ms,
    "naive_ms": naive_ms,
    "page_ms": page_ms,
    "feed_p95_ms": {kind: p95s[kind] for kind in requests},
    "page_p95_ms": p95s["page"],
    "visible_ms": visible_ms,
    "queries": queries,
    "database": connection.vendor,
    "stages_s": {name: round(seconds, 2) for name, seconds in stages.items()},
}
print("feed-json", json.dumps(result))
"""


@dataclass(frozen=True)
class FeedResult:
    followers: int  # Follow rows of the big account
    follows: int  # accounts the reader follows
    busy_account_articles: int  # published articles of the followed reference account
    setup_s: float  # seconds the bulk inserts took
    page_size: int
    publish_repeat: int
    selector_repeat: int
    publish_ms: dict[str, float]  # median article_submit: "followers" (198,203) and "one"
    follower_feed_ms: float  # median feed page of one of the 198,203 followers
    feed_ms: dict[str, float]  # the 500-follow reader's pages (first, middle, last)
    naive_ms: dict[str, float]  # the same pages by creator_id IN (…) ORDER BY
    page_ms: float  # the 500-follow reader's first page through the test client
    feed_p95_ms: dict[str, float]  # the p95 of the same selector calls as feed_ms
    page_p95_ms: float
    visible_ms: dict[str, float]  # publish start → in a follower's feed: median, max
    queries: dict[str, int]  # queries per feed page (selector only)
    database: str
    stages_s: dict[str, float]  # seconds each part of the snippet took

    @property
    def publish_ratio(self) -> float:
        one = self.publish_ms["one"]
        return self.publish_ms["followers"] / one if one else 0.0

    @property
    def feed_ratios(self) -> dict[str, float]:
        first = self.feed_ms["first"]
        if not first:
            return {"last/first": 0.0, "middle/first": 0.0}
        return {
            "last/first": self.feed_ms["last"] / first,
            "middle/first": self.feed_ms["middle"] / first,
        }

    @property
    def naive_ratios(self) -> dict[str, float]:
        """How many times slower the naive query is than the feed, per page."""
        return {k: self.naive_ms[k] / self.feed_ms[k] if self.feed_ms[k] else 0.0 for k in KINDS}

    @property
    def claim_holds(self) -> bool:
        ratios = [self.publish_ratio, *self.feed_ratios.values()]
        return all(0 < r <= GOAL_RATIO for r in ratios)

    def as_dict(self) -> dict[str, Any]:
        def rounded(values: dict[str, float]) -> dict[str, float]:
            return {key: round(value, 4) for key, value in values.items()}

        return {
            "followers": self.followers,
            "follows": self.follows,
            "busy_account_articles": self.busy_account_articles,
            "setup_s": round(self.setup_s, 1),
            "page_size": self.page_size,
            "publish_repeat": self.publish_repeat,
            "selector_repeat": self.selector_repeat,
            "publish_ms": rounded(self.publish_ms),
            "publish_ratio": round(self.publish_ratio, 4),
            "follower_feed_ms": round(self.follower_feed_ms, 4),
            "feed_ms": rounded(self.feed_ms),
            "feed_ratios": rounded(self.feed_ratios),
            "naive_ms": rounded(self.naive_ms),
            "naive_ratios": rounded(self.naive_ratios),
            "page_ms": round(self.page_ms, 4),
            "feed_p95_ms": rounded(self.feed_p95_ms),
            "page_p95_ms": round(self.page_p95_ms, 4),
            "visible_ms": rounded(self.visible_ms),
            "goal_ratio": GOAL_RATIO,
            "claim_holds": self.claim_holds,
            "queries": self.queries,
            "database": self.database,
            "stages_s": self.stages_s,
        }


def measure_feed(*, root: Path, env: dict[str, str]) -> FeedResult:
    """Build the follow-feed data in the bench database, then time publish and read."""
    params = {
        "busy_account": REFERENCE_ACCOUNT,
        "followers": FOLLOWERS,
        "follows": FOLLOWS,
        "per_account": ARTICLES_PER_ACCOUNT,
        "size": PAGE_SIZE,
        "publish_repeat": PUBLISH_REPEAT,
        "selector_repeat": SELECTOR_REPEAT,
        "page_repeat": PAGE_REPEAT,
        "naive_repeat": NAIVE_REPEAT,
        "warmup": WARMUP,
    }
    print(
        f"[bench] follow feed: {FOLLOWERS:,} followers of one account, a reader following "
        f"{FOLLOWS} accounts; timing publish and read …",
        flush=True,
    )
    data = run_snippet(
        root=root, env=env, snippet=_SNIPPET, params=params, tag=_TAG,
        label="timing the follow feed",
    )  # fmt: skip
    return FeedResult(
        followers=int(data["followers"]),
        follows=int(data["follows"]),
        busy_account_articles=int(data["busy_account_articles"]),
        setup_s=float(data["setup_s"]),
        page_size=PAGE_SIZE,
        publish_repeat=PUBLISH_REPEAT,
        selector_repeat=SELECTOR_REPEAT,
        publish_ms={k: float(data["publish_ms"][k]) for k in ("followers", "one")},
        follower_feed_ms=float(data["follower_feed_ms"]),
        feed_ms={k: float(data["feed_ms"][k]) for k in KINDS},
        naive_ms={k: float(data["naive_ms"][k]) for k in KINDS},
        page_ms=float(data["page_ms"]),
        feed_p95_ms={k: float(data["feed_p95_ms"][k]) for k in KINDS},
        page_p95_ms=float(data["page_p95_ms"]),
        visible_ms={k: float(v) for k, v in data["visible_ms"].items()},
        queries={k: int(data["queries"][k]) for k in KINDS},
        database=str(data["database"]),
        stages_s={k: float(v) for k, v in data["stages_s"].items()},
    )


def print_feed(result: FeedResult) -> None:
    print()
    print(
        f"follow feed: one account with {result.followers:,} followers vs one with 1; "
        f"a reader following {result.follows} accounts (one with "
        f"{result.busy_account_articles:,} articles); {result.page_size} per page, "
        f"data built in {result.setup_s:.1f} s"
    )
    print(
        f"publish (article_submit, median of {result.publish_repeat}): "
        f"{result.followers:,} followers {result.publish_ms['followers']:.3f} ms, "
        f"1 follower {result.publish_ms['one']:.3f} ms, ratio {result.publish_ratio:.3f}"
    )
    if "follow_insert" in result.stages_s:
        print(
            f"push fan-out, for comparison: bulk-inserting the {result.followers:,} Follow rows "
            f"(one per follower, as an inbox row would be) took {result.stages_s['follow_insert']:.1f} s"
        )
    print(
        f"feed of one of the {result.followers:,} followers, right after: "
        f"{result.follower_feed_ms:.3f} ms (the new article first)"
    )
    print(
        f"{'':<14} {'first':>9} {'middle':>9} {'last':>9} {'last/first':>11} {'middle/first':>13}"
    )
    ratios = result.feed_ratios
    print(
        f"{'feed ms':<14} {result.feed_ms['first']:>9.3f} {result.feed_ms['middle']:>9.3f} "
        f"{result.feed_ms['last']:>9.3f} {ratios['last/first']:>11.3f} "
        f"{ratios['middle/first']:>13.3f}"
    )
    print(
        f"{'feed p95 ms':<14} {result.feed_p95_ms['first']:>9.3f} "
        f"{result.feed_p95_ms['middle']:>9.3f} {result.feed_p95_ms['last']:>9.3f}"
    )
    print(
        f"a new article of the {result.followers:,}-follower account in a follower's feed after "
        f"{result.visible_ms['median']:.1f} ms (median; max {result.visible_ms['max']:.1f} ms), "
        f"publish included"
    )
    print(
        f"{'naive IN ms':<14} {result.naive_ms['first']:>9.3f} {result.naive_ms['middle']:>9.3f} "
        f"{result.naive_ms['last']:>9.3f}"
    )
    print(
        f"feed page render (test client, first page): {result.page_ms:.3f} ms; "
        "queries per feed page: " + ", ".join(f"{k} {result.queries[k]}" for k in KINDS)
    )
    verdict = "holds" if result.claim_holds else "DOES NOT HOLD"
    print(
        f"claim \"publishing costs the same for 198,203 followers as for 1, and the feed's last "
        f'page as its first" (every ratio ≤ {GOAL_RATIO}): {verdict}'
    )

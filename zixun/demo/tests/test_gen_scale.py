from collections import Counter
from dataclasses import replace
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db.models import Count, Sum
from django.urls import reverse
from django.utils import timezone

from zixun.__main__ import main
from zixun.accounts.models import User
from zixun.articles.models import Article
from zixun.creators.models import Creator, Follow
from zixun.demo import largesite
from zixun.demo.corpus import CCTV, corpus_load
from zixun.demo.largesite import ARTICLE_PREFIX, READER_PREFIX, Sizes, gen_scale
from zixun.demo.reference import REFERENCE_ACCOUNT
from zixun.demo.rows import PreparedInsert
from zixun.engagement.models import Comment, Favorite, Like, Reading, Share
from zixun.events.models import Event
from zixun.ranking.models import ArticleStats, Dislike

pytestmark = pytest.mark.django_db

SHARED = settings.ZIXUN_SHARED_DIR
TINY = Sizes(articles=120, archive=30, accounts=8, readers=20, followers=30, events=900, batch=25)


@pytest.fixture(scope="module")
def corpus():
    if not (SHARED / CCTV).is_file():
        pytest.skip(f"the shared corpus is not at {SHARED / CCTV}")
    return corpus_load(SHARED, bodies=300, limit=1500)


@pytest.fixture(autouse=True)
def _small_corpus(corpus, monkeypatch):
    """The real corpus, read once for the module (the first 1,500 lines of each set)."""
    monkeypatch.setattr(largesite, "corpus_load", lambda shared: corpus)


def _generated_readers():
    return User.objects.filter(username__startswith=READER_PREFIX)


def _generated_events():
    return Event.objects.filter(user_id__in=_generated_readers().values("pk"))


def _assert_totals(sizes):
    big = Creator.objects.get(name=REFERENCE_ACCOUNT)
    assert Article.objects.filter(external_id__startswith=ARTICLE_PREFIX).count() == sizes.articles
    assert big.articles.filter(status=Article.Status.PUBLISHED).count() == sizes.archive
    assert _generated_readers().count() == max(sizes.readers, sizes.followers)
    assert Follow.objects.filter(creator=big).count() == sizes.followers
    assert _generated_events().count() == sizes.events


def _assert_counters_equal_rows(*, folded=True):
    """Every denormalised counter equals what it counts (``folded``: the ranking step ran,
    which counts the signed-in readers per article from the events)."""

    def per(model, field="article_id", **filters):
        rows = model.objects.filter(**filters).values_list(field).annotate(n=Count("pk"))
        return Counter(dict(rows.order_by()))

    counts = {
        "like_count": per(Like),
        "favorite_count": per(Favorite),
        "share_count": per(Share),
        "comment_count": per(Comment, status=Comment.Status.VISIBLE),
    }
    for pk, *stored in Article.objects.values_list("pk", *counts):
        assert stored == [c[pk] for c in counts.values()], pk
    views = Counter(
        dict(
            Event.objects.filter(kind=Event.Kind.VIEW)
            .values_list("article_id")
            .annotate(n=Sum("count"))
            .order_by()
        )
    )
    assert dict(Article.objects.filter(view_count__gt=0).values_list("pk", "view_count")) == views
    signed_in = Counter(
        dict(
            Event.objects.filter(kind=Event.Kind.VIEW, user_id__isnull=False)
            .values_list("article_id")
            .annotate(n=Count("id"))
            .order_by()
        )
    )
    stats = dict(ArticleStats.objects.filter(readers__gt=0).values_list("pk", "readers"))
    assert stats == (signed_in if folded else {})
    published = per(Article, "creator_id", status=Article.Status.PUBLISHED)
    followers = per(Follow, "creator_id")
    for pk, articles, follows in Creator.objects.values_list(
        "pk", "article_count", "follower_count"
    ):
        assert (articles, follows) == (published[pk], followers[pk]), pk
    # The rows behind the events: one per event of each kind.
    kinds = Counter(dict(Event.objects.values_list("kind").annotate(n=Count("id")).order_by()))
    assert kinds[Event.Kind.LIKE] == Like.objects.count()
    assert kinds[Event.Kind.FAVORITE] == Favorite.objects.count()
    assert kinds[Event.Kind.SHARE] == Share.objects.count()
    assert kinds[Event.Kind.COMMENT] == Comment.objects.count()
    assert kinds[Event.Kind.DISLIKE] == Dislike.objects.count()
    assert kinds[Event.Kind.FOLLOW] == Follow.objects.count()
    viewed = set(Event.objects.filter(kind=Event.Kind.VIEW).values_list("user_id", "article_id"))
    assert set(Reading.objects.values_list("user_id", "article_id")) == viewed


def test_generates_the_requested_sizes_with_real_text():
    rates = gen_scale(shared=SHARED, sizes=TINY)
    _assert_totals(TINY)
    assert rates.articles == TINY.articles + TINY.archive
    assert rates.events == TINY.events
    assert Creator.objects.count() == TINY.accounts + 1
    article = Article.objects.filter(external_id__startswith=ARTICLE_PREFIX).first()
    assert article.status == Article.Status.PUBLISHED
    assert article.title
    assert article.body_html.startswith("<p>")
    assert article.summary
    assert article.body_text.startswith(article.summary)
    # The text is resampled from the corpus: every paragraph is made of its sentences.
    corpus = largesite.corpus_load(SHARED)
    assert article.title in {t for t, _, _ in corpus.titles}
    first = article.body_text.split("\n")[0]
    assert any(first.startswith(s) for s in corpus.sentences)
    # Spread over channels and time, never in the future.
    generated = Article.objects.filter(external_id__startswith=ARTICLE_PREFIX)
    assert generated.values("channel").distinct().count() > 3
    assert generated.values("creator").distinct().count() > 3
    times = list(generated.order_by("published_at").values_list("published_at", flat=True))
    assert (times[-1] - times[0]).total_seconds() > 25 * TINY.articles  # one every 30 s
    assert times[-1] <= timezone.now()
    assert Event.objects.filter(kind=Event.Kind.FOLLOW).exists()
    assert Comment.objects.exclude(body="").count() == Comment.objects.count()
    _assert_counters_equal_rows()


def test_a_rerun_adds_nothing():
    gen_scale(shared=SHARED, sizes=TINY)
    rates = gen_scale(shared=SHARED, sizes=TINY)
    assert (rates.articles, rates.users, rates.events) == (0, 0, 0)
    _assert_totals(TINY)
    _assert_counters_equal_rows()


def test_a_smaller_run_then_the_full_size_adds_only_the_rest():
    small = Sizes(
        articles=40, archive=10, accounts=8, readers=5, followers=12, events=200, batch=25
    )
    gen_scale(shared=SHARED, sizes=small)
    _assert_totals(small)
    gen_scale(shared=SHARED, sizes=TINY)
    _assert_totals(TINY)
    _assert_counters_equal_rows()


@pytest.mark.parametrize("stop_at", [3, 12, 20])  # in the articles, the followers, the events
def test_an_interrupted_run_resumes_without_duplicates(monkeypatch, stop_at):
    insert = PreparedInsert.insert
    calls = 0

    def interrupted(self, rows):
        nonlocal calls
        calls += 1
        insert(self, rows)  # the rows are written, then Ctrl-C arrives before the commit
        if calls == stop_at:
            raise KeyboardInterrupt

    monkeypatch.setattr(PreparedInsert, "insert", interrupted)
    with pytest.raises(KeyboardInterrupt):
        gen_scale(shared=SHARED, sizes=TINY)
    with pytest.raises(AssertionError):
        _assert_totals(TINY)  # stopped before the end
    _assert_counters_equal_rows(folded=False)  # the open batch rolled back with its counters
    monkeypatch.setattr(PreparedInsert, "insert", insert)
    gen_scale(shared=SHARED, sizes=TINY)
    _assert_totals(TINY)
    _assert_counters_equal_rows()


def test_the_pages_of_a_generated_article_answer(client):
    gen_scale(shared=SHARED, sizes=replace(TINY, events=300))
    article = Article.objects.filter(external_id__startswith=ARTICLE_PREFIX).first()
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    assert article.title in response.content.decode()
    response = client.get(article.creator.get_absolute_url())
    assert response.status_code == 200
    assert article.creator.name in response.content.decode()
    big = Creator.objects.get(name=REFERENCE_ACCOUNT)
    newest = big.articles.order_by("-published_at", "-id").first()
    assert newest.title in client.get(big.get_absolute_url()).content.decode()
    follower = User.objects.get(pk=Follow.objects.filter(creator=big).values("user")[:1])
    client.force_login(follower)
    response = client.get(reverse("web:feed"))
    assert response.status_code == 200
    assert newest.title in response.content.decode()
    # Searchable once indexed, by the separate step the docs name.
    call_command("search_reindex", "--dirty", "--no-progress", stdout=StringIO())
    response = client.get(reverse("web:search"), {"q": article.title})
    assert response.status_code == 200
    assert article.get_absolute_url() in response.content.decode()


def test_the_command_reports_rates_and_skips_without_the_corpus(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr("django.db.connections.close_all", lambda: None)  # keep the test's own
    main(["gen-scale", "--articles", "20", "--archive", "5", "--accounts", "3", "--readers", "4",
          "--followers", "4", "--events", "50", "--no-progress"])  # fmt: skip
    out = capsys.readouterr().out
    assert "文章 +25" in out
    assert "事件 +50" in out
    monkeypatch.setattr(largesite, "corpus_load", corpus_load)
    main(["gen-scale", "--shared", str(tmp_path), "--no-progress"])
    assert "没有语料" in capsys.readouterr().out
    assert _generated_events().count() == 50

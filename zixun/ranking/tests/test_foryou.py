import itertools
from datetime import timedelta

import pytest
from django.utils import timezone

from zixun.accounts.tests.factories import UserFactory
from zixun.articles.tests.factories import ArticleFactory, channel
from zixun.creators.models import Follow
from zixun.creators.tests.factories import CreatorFactory
from zixun.engagement.models import Reading
from zixun.events.models import Event
from zixun.events.services import event_record
from zixun.ranking.foryou import (
    REASON_CO_READ,
    REASON_EXPLORE,
    REASON_FOLLOW,
    REASON_HOT,
    REASON_LATEST,
    REASON_SIMILAR,
    foryou,
)
from zixun.ranking.hot import hot_ingest
from zixun.ranking.models import ArticleStats, Dislike, Impression, Interest
from zixun.ranking.personal import impressions_ingest, personal_ingest
from zixun.ranking.services import (
    article_dislike,
    interest_remove,
    personalization_set,
    reader_ranking_forget,
)

pytestmark = pytest.mark.django_db
Kind = Event.Kind


def fresh(**kwargs):
    kwargs.setdefault("published_at", timezone.now() - timedelta(hours=1))
    return ArticleFactory(**kwargs)


def read(user, article, hours_ago=2):
    Reading.objects.create(user=user, article=article,
                           read_at=timezone.now() - timedelta(hours=hours_ago))  # fmt: skip
    event_record(Kind.VIEW, user_id=user.pk, article_id=article.pk)


def ids(feed):
    return [item.card.id for item in feed.items]


def reasons(feed):
    return {item.card.id: item.reason for item in feed.items}


def test_every_item_has_a_reason_and_a_cold_start_is_hot_and_latest():
    reader = UserFactory()
    hot, other = fresh(title="热榜上的文章"), fresh(title="刚发布的文章")
    event_record(Kind.SHARE, article_id=hot.pk)
    hot_ingest()
    feed = foryou(user=reader)
    assert set(ids(feed)) == {hot.pk, other.pk}
    why = reasons(feed)
    assert why[hot.pk].message is REASON_HOT
    assert str(why[hot.pk]) == "热榜第 1"
    assert all(str(item.reason) for item in feed.items)


def test_follows_similar_titles_and_co_reading_bring_items_with_their_reasons():
    reader, neighbour = UserFactory(), UserFactory()
    account = CreatorFactory(name="金台资讯")
    Follow.objects.create(user=reader, creator=account)
    followed = fresh(creator=account, title="乡村振兴的新路子")
    seen = fresh(title="嫦娥六号带回月背样品", channel=channel("tech"))
    similar = fresh(title="嫦娥六号月背样品研究取得新进展", channel=channel("tech"))
    shared = fresh(title="一篇两人都读过的文章", channel=channel("sports"))
    co_read = fresh(title="邻居读者还读了这篇", channel=channel("ent"))
    read(reader, seen)
    read(reader, shared)
    read(neighbour, shared)
    read(neighbour, co_read, hours_ago=1)
    personal_ingest()
    feed = foryou(user=reader)
    why = reasons(feed)
    assert why[followed.pk].message is REASON_FOLLOW
    assert str(why[followed.pk]) == "因为你关注了金台资讯"
    assert why[similar.pk].message is REASON_SIMILAR
    assert "嫦娥六号带回月背样品" in str(why[similar.pk])
    assert why[co_read.pk].message is REASON_CO_READ
    assert seen.pk not in ids(feed)  # already read
    assert shared.pk not in ids(feed)


def test_the_switch_turns_personalization_off_at_once():
    reader = UserFactory()
    account = CreatorFactory()
    Follow.objects.create(user=reader, creator=account)
    followed = fresh(creator=account)
    fresh()
    assert reasons(foryou(user=reader))[followed.pk].message is REASON_FOLLOW
    personalization_set(user=reader, on=False)
    feed = foryou(user=reader)
    assert not feed.personalized
    assert {r.message for r in reasons(feed).values()} <= {REASON_HOT, REASON_LATEST}
    personalization_set(user=reader, on=True)
    assert foryou(user=reader).personalized


def test_not_interested_hides_the_item_the_account_or_the_channel_at_once():
    reader = UserFactory()
    account = CreatorFactory()
    a1, a2 = fresh(creator=account), fresh(creator=account)
    sport1, sport2 = fresh(channel=channel("sports")), fresh(channel=channel("sports"))
    seen_it = fresh()
    assert {a1.pk, a2.pk, sport1.pk, sport2.pk, seen_it.pk} <= set(ids(foryou(user=reader)))
    article_dislike(user=reader, article_id=seen_it.pk, reason="seen")
    article_dislike(user=reader, article_id=a1.pk, reason="account")
    article_dislike(user=reader, article_id=sport1.pk, reason="topic")
    left = set(ids(foryou(user=reader)))
    assert left.isdisjoint({seen_it.pk, a1.pk, a2.pk, sport1.pk, sport2.pk})
    assert Event.objects.filter(kind=Kind.DISLIKE).count() == 3
    article_dislike(user=reader, article_id=a1.pk, reason="account")  # again: one row
    assert Dislike.objects.count() == 3


def test_interests_are_learned_decay_and_a_deleted_tag_is_not_learned_again():
    reader = UserFactory()
    article = fresh(channel=channel("sports"), tags=["足球", "中超"])
    read(reader, article)
    event_record(Kind.LIKE, user_id=reader.pk, article_id=article.pk)
    personal_ingest()
    tags = {i.label: i for i in Interest.objects.filter(user=reader)}
    assert set(tags) == {"体育", "足球", "中超"}
    assert tags["足球"].weight == pytest.approx(1.0 + 3.0)
    interest_remove(user=reader, interest_id=tags["足球"].pk)
    tagged = fresh(tags=["足球"])
    assert tagged.pk not in ids(foryou(user=reader))  # articles with a deleted tag leave
    read(reader, fresh(channel=channel("sports"), tags=["足球"]))
    personal_ingest()
    assert Interest.objects.get(user=reader, key="足球").removed
    assert Interest.objects.get(user=reader, key="足球").weight == 0


def test_impressions_are_logged_counted_and_a_later_view_is_a_click():
    reader = UserFactory()
    first, second = fresh(), fresh()
    feed = foryou(user=reader)
    impression = Impression.objects.get(pk=feed.impression_id)
    assert set(impression.article_ids) == {first.pk, second.pk}
    impressions_ingest()
    assert ArticleStats.objects.get(article_id=first.pk).impressions == 1
    event_record(Kind.VIEW, user_id=reader.pk, article_id=first.pk)
    personal_ingest()
    impression.refresh_from_db()
    assert impression.clicked == [first.pk]
    stats = ArticleStats.objects.get(article_id=first.pk)
    assert (stats.clicks, stats.readers) == (1, 1)
    assert personal_ingest() == 0  # nothing counted twice


def test_a_fresh_batch_skips_what_was_just_shown_and_reprints_appear_once():
    reader = UserFactory()
    shown = [fresh(title=f"文章{n}") for n in range(3)]
    fresh(title="文章0 ")  # a reprint of 文章0: same title once normalised
    first = ids(foryou(user=reader, size=3))
    assert len(first) == 3
    later = ids(foryou(user=reader, size=3, fresh_batch=True))
    assert set(first).isdisjoint(later)
    assert len(shown) == 3


def test_exploration_brings_a_channel_the_reader_does_not_read():
    reader = UserFactory()
    for _ in range(3):
        read(reader, fresh(channel=channel("sports")))
    personal_ingest()
    other = fresh(channel=channel("ent"))
    feed = foryou(user=reader)
    assert reasons(feed)[other.pk].message in (REASON_EXPLORE, REASON_LATEST)
    assert any(item.reason.message is REASON_EXPLORE for item in feed.items)


def test_no_two_neighbours_share_an_account_while_others_are_left():
    reader = UserFactory()
    busy = CreatorFactory()
    for _ in range(6):
        fresh()
    for _ in range(6):
        fresh(creator=busy)  # newest: ranked first, so they would all come together
    feed = foryou(user=reader)
    assert len(feed.items) == 12
    creators = [item.card.creator_id for item in feed.items]
    assert all(a != b for a, b in itertools.pairwise(creators))


def test_a_leaving_reader_takes_what_recommendations_knew():
    reader = UserFactory()
    article = fresh(tags=["足球"])
    read(reader, article)
    personal_ingest()
    fresh()
    foryou(user=reader)
    article_dislike(user=reader, article_id=fresh().pk, reason="seen")
    gone = reader_ranking_forget(user=reader)
    assert gone["interests"] >= 1
    assert gone["dislikes"] == 1
    assert gone["impressions"] == 1

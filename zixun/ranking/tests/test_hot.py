from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from zixun.accounts.tests.factories import EditorFactory, UserFactory
from zixun.articles.models import Article
from zixun.articles.tests.factories import ArticleFactory, channel
from zixun.audit.models import AuditEntry
from zixun.core.testing import exactly
from zixun.engagement import services as engagement
from zixun.events.models import Event
from zixun.events.services import event_record
from zixun.ranking import hot, receivers
from zixun.ranking.hotstore import hot_store
from zixun.ranking.selectors import hot_interventions, hot_list_build
from zixun.ranking.services import (
    HOT_ALREADY,
    HOT_EDITORS_ONLY,
    HOT_POSITION_INVALID,
    HOT_REASON_REQUIRED,
    HotError,
    hot_intervention_end,
    hot_pin,
    hot_remove,
)

pytestmark = pytest.mark.django_db
Kind = Event.Kind


def heats(**kwargs):
    return {item.card.id: item.heat for item in hot_list_build(**kwargs)}


def ranks(**kwargs):
    return [item.card.id for item in hot_list_build(**kwargs)]


def test_an_actions_weight_halves_every_half_life():
    now = timezone.now()
    fresh, old = ArticleFactory(), ArticleFactory()
    event_record(Kind.LIKE, user_id=1, article_id=fresh.pk, at=now)
    event_record(Kind.LIKE, user_id=1, article_id=old.pk, at=now - timedelta(hours=12))
    hot.hot_ingest()
    scores = hot_store().score_of([fresh.pk, old.pk])
    assert scores[old.pk] == pytest.approx(scores[fresh.pk] / 2)
    epoch = hot_store().state()[1]
    assert hot.heat_now(scores[fresh.pk], epoch, now.timestamp()) == pytest.approx(5.0)


def test_weights_follow_the_documented_table_and_undo_takes_weight_back(writer):
    article = ArticleFactory()
    engagement.article_like(user=writer, article_id=article.pk)
    engagement.article_favorite(user=writer, article_id=article.pk)
    engagement.article_share(user=None, article_id=article.pk, channel="qr")
    hot.hot_ingest()
    assert heats()[article.pk] == 5 + 8 + 10
    engagement.article_unlike(user=writer, article_id=article.pk)
    engagement.article_unlike(user=writer, article_id=article.pk)  # a replay: no event
    hot.hot_ingest()
    assert heats()[article.pk] == 8 + 10
    assert Event.objects.filter(kind=Kind.UNLIKE).count() == 1


def test_ingest_is_incremental_idempotent_and_equal_to_a_recompute(writer):
    a, b = ArticleFactory(), ArticleFactory()
    for _ in range(3):
        event_record(Kind.VIEW, article_id=a.pk, count=4)
    event_record(Kind.COMMENT, user_id=writer.pk, article_id=b.pk)
    assert hot.hot_ingest(batch=2) == 4
    assert hot.hot_ingest() == 0  # nothing new: nothing counted twice
    incremental = hot_store().score_of([a.pk, b.pk])
    assert hot.hot_recompute() == 4
    assert hot_store().score_of([a.pk, b.pk]) == pytest.approx(incremental)
    assert ranks()[:2] == [a.pk, b.pk]  # 12 views beat one comment (8)


def test_a_batch_folded_in_by_another_process_is_not_counted_again():
    article = ArticleFactory()
    event = event_record(Kind.SHARE, article_id=article.pk)
    store = hot_store()
    hot.hot_ingest()
    stale = (event.id - 1, store.state()[1])  # what a slower process read before
    assert not store.apply(deltas={article.pk: 10.0}, channels={}, expected=stale,
                           last_event_id=event.id)  # fmt: skip
    assert heats()[article.pk] == 10


def test_moving_the_epoch_keeps_order_and_heat():
    a, b = ArticleFactory(), ArticleFactory()
    event_record(Kind.LIKE, user_id=1, article_id=a.pk)
    event_record(Kind.SHARE, article_id=b.pk)
    hot.hot_ingest()
    before = heats()
    store = hot_store()
    state = store.state()
    assert store.rebase(expected=state, epoch=state[1] + 3600 * 24, factor=0.25, floor=0.01)
    assert ranks()[:2] == [b.pk, a.pk]
    assert heats()[b.pk] == pytest.approx(before[b.pk], abs=1)


def test_offline_articles_leave_the_list_and_their_events_are_dropped(writer):
    live, gone = ArticleFactory(), ArticleFactory(status=Article.Status.UNPUBLISHED)
    event_record(Kind.SHARE, article_id=live.pk)
    event_record(Kind.SHARE, article_id=gone.pk)
    hot.hot_ingest()
    assert gone.pk not in hot_store().score_of([gone.pk])
    Article.objects.filter(pk=live.pk).update(status=Article.Status.TAKEN_DOWN)
    receivers.on_article_changed(article_id=live.pk)
    assert hot_store().score_of([live.pk]) == {}
    assert live.pk not in ranks()


def test_channel_lists_hold_only_their_channel():
    news, sports = ArticleFactory(), ArticleFactory(channel=channel("sports"))
    event_record(Kind.SHARE, article_id=news.pk)
    event_record(Kind.SHARE, article_id=sports.pk)
    hot.hot_ingest()
    assert ranks(channel_id=sports.channel_id) == [sports.pk]


def test_a_quiet_site_shows_its_newest_articles():
    older = ArticleFactory(published_at=timezone.now() - timedelta(hours=2))
    newer = ArticleFactory(published_at=timezone.now() - timedelta(hours=1))
    stale = ArticleFactory(published_at=timezone.now() - timedelta(days=30))
    items = hot_list_build(limit=5)
    assert [item.card.id for item in items] == [newer.pk, older.pk]
    assert all(item.heat == 0 for item in items)
    assert stale.pk not in ranks()


@override_settings(ZIXUN_HOT_PENALTY="zixun.ranking.tests.test_hot.halve_odd_ids")
def test_the_penalty_hook_multiplies_heat():
    a, b = ArticleFactory(), ArticleFactory()
    odd, even = (a, b) if a.pk % 2 else (b, a)
    event_record(Kind.SHARE, article_id=odd.pk)  # 10, halved to 5
    event_record(Kind.LIKE, user_id=1, article_id=even.pk)
    event_record(Kind.VIEW, article_id=even.pk, count=2)  # 7
    hot.hot_ingest()
    assert ranks()[:2] == [even.pk, odd.pk]
    assert heats()[odd.pk] == 5


def halve_odd_ids(article_ids):
    return {a: 0.5 for a in article_ids if a % 2}


def test_editors_pin_and_remove_with_a_reason_in_the_audit_log():
    editor = EditorFactory()
    a, b, c = ArticleFactory(), ArticleFactory(), ArticleFactory()
    for article, n in ((a, 30), (b, 20), (c, 10)):
        event_record(Kind.VIEW, article_id=article.pk, count=n)
    hot.hot_ingest()
    assert ranks()[:3] == [a.pk, b.pk, c.pk]
    pin = hot_pin(article_id=c.pk, by=editor, position=1, reason="重大突发事件")
    removal = hot_remove(article_id=a.pk, by=editor, reason="标题夸大")
    items = hot_list_build()
    assert [(i.card.id, i.pinned) for i in items[:2]] == [(c.pk, True), (b.pk, False)]
    assert a.pk not in ranks()
    assert a.pk not in ranks(channel_id=a.channel_id)
    actions = AuditEntry.objects.filter(action__startswith="hot.").values_list("action", "reason")
    assert set(actions) == {("hot.pin", "重大突发事件"), ("hot.remove", "标题夸大")}
    hot_intervention_end(intervention_id=removal.pk, by=editor, reason="核实无误")
    assert a.pk in ranks()
    assert AuditEntry.objects.filter(action="hot.unremove", reason="核实无误").exists()
    public = hot_interventions()
    assert [i.pk for i in public.items] == [removal.pk, pin.pk]
    assert public.items[0].ended_at is not None


def test_hot_interventions_are_refused_with_a_clear_message():
    editor, reader = EditorFactory(), UserFactory()
    article = ArticleFactory()
    cases = [
        ({"by": reader, "position": 1, "reason": "理由"}, exactly(HOT_EDITORS_ONLY)),
        ({"by": editor, "position": 1, "reason": "   "}, exactly(HOT_REASON_REQUIRED)),
        ({"by": editor, "position": 0, "reason": "理由"}, exactly(HOT_POSITION_INVALID, limit=50)),
        ({"by": editor, "position": 51, "reason": "理由"}, exactly(HOT_POSITION_INVALID, limit=50)),
    ]
    for kwargs, message in cases:
        with pytest.raises(HotError, match=message):
            hot_pin(article_id=article.pk, **kwargs)
    hot_pin(article_id=article.pk, by=editor, position=2, reason="理由")
    with pytest.raises(HotError, match=exactly(HOT_ALREADY)):
        hot_remove(article_id=article.pk, by=editor, reason="理由")
    assert AuditEntry.objects.filter(action__startswith="hot.").count() == 1

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from zixun.accounts.tests.factories import UserFactory
from zixun.articles.services import review
from zixun.articles.tests.factories import ArticleFactory
from zixun.creators.services import creator_follow, creator_unfollow
from zixun.creators.tests.factories import CreatorFactory
from zixun.engagement import services as engagement
from zixun.engagement.viewcount import view_buffer, view_record
from zixun.events.models import Event
from zixun.events.services import event_record, events_prune, events_recorded
from zixun.privacy.services import user_clear_history, user_delete

pytestmark = pytest.mark.django_db
Kind = Event.Kind
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/130 Safari/537.36"


def kinds():
    return list(Event.objects.order_by("id").values_list("kind", "user_id", "article_id", "count"))


def test_each_reader_action_is_one_event_and_a_replay_is_none(writer):
    article = ArticleFactory()
    engagement.article_like(user=writer, article_id=article.pk)
    engagement.article_like(user=writer, article_id=article.pk)
    engagement.article_favorite(user=writer, article_id=article.pk)
    engagement.article_unfavorite(user=writer, article_id=article.pk)
    engagement.article_unfavorite(user=writer, article_id=article.pk)
    engagement.article_share(user=None, article_id=article.pk, channel="link")
    engagement.comment_create(user=writer, article_id=article.pk, body="说得好")
    engagement.comment_create(user=writer, article_id=article.pk, body="说得好")  # a resend
    a = article.pk
    u = writer.pk
    assert kinds() == [
        (Kind.LIKE, u, a, 1), (Kind.FAVORITE, u, a, 1), (Kind.UNFAVORITE, u, a, 1),
        (Kind.SHARE, None, a, 1), (Kind.COMMENT, u, a, 1),
    ]  # fmt: skip


def test_a_held_comment_becomes_an_event_when_approved(writer, settings):
    settings.ZIXUN_COMMENT_PREMODERATION = True
    from zixun.accounts.tests.factories import EditorFactory

    article = ArticleFactory()
    comment = engagement.comment_create(user=writer, article_id=article.pk, body="待审")
    assert not Event.objects.exists()
    engagement.comment_review(comment_id=comment.pk, by=EditorFactory(), approve=True)
    assert kinds() == [(Kind.COMMENT, writer.pk, article.pk, 1)]


def test_follows_are_events_of_the_account(writer):
    account = CreatorFactory()
    creator_follow(user=writer, creator_id=account.pk)
    creator_follow(user=writer, creator_id=account.pk)
    creator_unfollow(user=writer, creator_id=account.pk)
    rows = Event.objects.order_by("id").values_list("kind", "creator_id")
    assert list(rows) == [(Kind.FOLLOW, account.pk), (Kind.UNFOLLOW, account.pk)]


def test_views_become_events_at_the_flush_not_at_the_render(client, writer):
    view_buffer.flush()
    article = ArticleFactory()
    for address in ("1.1.1.1", "2.2.2.2", "3.3.3.3"):
        view_record(article_id=article.pk, user_id=None, client=address, user_agent=BROWSER)
    view_record(article_id=article.pk, user_id=writer.pk, client="4.4.4.4", user_agent=BROWSER)
    assert not Event.objects.exists()
    view_buffer.flush()
    assert sorted(kinds(), key=str) == sorted(
        [(Kind.VIEW, writer.pk, article.pk, 1), (Kind.VIEW, None, article.pk, 3)], key=str
    )


def test_publishing_is_an_event_once(writer, creator):
    from zixun.accounts.tests.factories import EditorFactory
    from zixun.articles.models import Article

    article = ArticleFactory(creator=creator, status=Article.Status.PENDING, published_at=None)
    review.article_approve(article=article, by=EditorFactory())
    assert list(Event.objects.values_list("kind", "article_id", "creator_id")) == [
        (Kind.PUBLISH, article.pk, creator.pk)
    ]


def test_events_are_announced_after_the_commit(django_capture_on_commit_callbacks):
    heard = []

    def listen(**kwargs):
        heard.append(kwargs["sender"])

    events_recorded.connect(listen)
    try:
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            event_record(Kind.SHARE, article_id=1)
            assert heard == []  # not before the commit
        assert heard == [Event]
        assert len(callbacks) == 1
    finally:
        events_recorded.disconnect(listen)


def test_a_leaving_reader_takes_their_events_and_history_clears_views(writer):
    other = UserFactory()
    article = ArticleFactory()
    event_record(Kind.VIEW, user_id=writer.pk, article_id=article.pk)
    event_record(Kind.LIKE, user_id=writer.pk, article_id=article.pk)
    event_record(Kind.VIEW, user_id=other.pk, article_id=article.pk)
    user_clear_history(user=writer)
    assert list(Event.objects.filter(user_id=writer.pk).values_list("kind", flat=True)) == [
        Kind.LIKE
    ]
    user_delete(user=writer, by=writer)
    assert list(Event.objects.values_list("user_id", flat=True)) == [other.pk]


def test_pruning_keeps_the_retention_and_resumes():
    now = timezone.now()
    for age in (timedelta(hours=1), timedelta(days=100), timedelta(days=200)):
        event_record(Kind.VIEW, article_id=1, at=now - age)
    assert events_prune(before=now - timedelta(days=90), batch=1) == 2
    call_command("events_prune", days=1)
    assert Event.objects.count() == 1
    with pytest.raises(SystemExit):
        call_command("events_prune", days=0)
    assert Event.objects.count() == 1


def test_read_through_counts_once_per_reader_and_skips_bots(client, writer):
    article = ArticleFactory()
    url = f"/article/{article.pk}/read/"
    assert client.post(url, HTTP_USER_AGENT=BROWSER).status_code == 204
    assert client.post(url, HTTP_USER_AGENT=BROWSER).status_code == 204  # a repeat
    assert client.post(url, HTTP_USER_AGENT="curl/8.0").status_code == 204  # a bot
    assert list(Event.objects.values_list("kind", "user_id")) == [(Kind.READ, None)]
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(writer)
    assert strict.post(url, HTTP_USER_AGENT=BROWSER).status_code == 403  # no CSRF token
    assert client.post("/article/999999/read/", HTTP_USER_AGENT=BROWSER).status_code == 404
    assert client.get(url).status_code == 405
    engagement.article_read_through(article_id=article.pk, user_id=writer.pk, reader="x")
    assert Event.objects.filter(kind=Kind.READ, user_id=writer.pk).count() == 1


def test_the_article_page_marks_its_end_for_the_read_through(client):
    article = ArticleFactory()
    html = client.get(article.get_absolute_url()).content.decode()
    assert f'data-read="/article/{article.pk}/read/"' in html

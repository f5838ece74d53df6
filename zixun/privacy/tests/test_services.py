import json
from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.db.models import Count

from zixun.accounts.models import User
from zixun.accounts.tests.factories import EditorFactory, UserFactory
from zixun.articles.models import Article
from zixun.articles.tests.factories import ArticleFactory
from zixun.audit.models import AuditEntry
from zixun.core.pagination import Cursor, PageRequest
from zixun.creators import services as creator_services
from zixun.creators.models import Application, Creator, Follow
from zixun.creators.tests.factories import CreatorFactory
from zixun.creators.tests.test_applications import application_input, id_number, png
from zixun.engagement import selectors as engagement_selectors
from zixun.engagement import services as engagement
from zixun.engagement.models import Comment, Favorite, Like, Reading, Share
from zixun.privacy import services
from zixun.privacy.services import DELETED_USER_NAME

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


def engage(user, article, *, comment="写得好"):
    """Like, favourite, share, comment, read ``article`` and follow its account."""
    engagement.article_like(user=user, article_id=article.pk)
    engagement.article_favorite(user=user, article_id=article.pk)
    engagement.article_share(user=user, article_id=article.pk, channel=Share.Channel.WEIBO)
    creator_services.creator_follow(user=user, creator_id=article.creator_id)
    Reading.objects.create(user=user, article=article, read_at=T0)
    return engagement.comment_create(user=user, article_id=article.pk, body=comment)


def assert_counters_equal_rows():
    for article in Article.objects.annotate(
        likes_n=Count("likes", distinct=True), favorites_n=Count("favorites", distinct=True)
    ):
        assert (article.like_count, article.favorite_count) == (
            article.likes_n,
            article.favorites_n,
        )
    for creator in Creator.objects.annotate(follows_n=Count("follows")):
        assert creator.follower_count == creator.follows_n


@pytest.fixture
def reader():
    return UserFactory(username="读者甲", email="reader@example.com")


# Export ------------------------------------------------------------------------------------


def test_export_holds_everything_of_the_reader_and_nothing_of_others(reader):
    # given
    article = ArticleFactory(title="春天的第一场雨")
    other_article = ArticleFactory(title="别人的文章")
    engage(reader, article, comment="我的跟贴")
    other = UserFactory()
    engage(other, article, comment="别人的跟贴")
    engage(other, other_article, comment="别人的另一条")
    creator_services.application_submit(applicant=reader, data=application_input())
    member_of = CreatorFactory(name="读者的号")
    member_of.members.add(reader)
    # when
    data = services.user_export(user=reader)
    # then
    text = json.dumps(data, ensure_ascii=False)  # serialisable as is
    assert data["profile"]["username"] == "读者甲"
    assert data["profile"]["email"] == "reader@example.com"
    assert data["profile"]["role"] == User.Role.READER
    assert data["profile"]["care_mode"] is None  # never chosen
    assert data["follows"] == [
        {
            "account": article.creator.name,
            "account_id": article.creator_id,
            "followed_at": Follow.objects.get(user=reader).created_at.isoformat(),
        }
    ]
    assert [f["title"] for f in data["favorites"]] == ["春天的第一场雨"]
    assert data["favorites"][0]["url"] == f"/article/{article.pk}/"
    assert [like["title"] for like in data["likes"]] == ["春天的第一场雨"]
    assert [s["channel"] for s in data["shares"]] == [Share.Channel.WEIBO]
    assert [c["body"] for c in data["comments"]] == ["我的跟贴"]
    assert data["comments"][0]["status"] == Comment.Status.VISIBLE
    assert data["reading_history"][0]["read_at"] == T0.isoformat()
    assert data["applications"] == [
        {
            "account_name": "江畔观察",
            "account_type": Creator.AccountType.PERSONAL,
            "status": Application.Status.PENDING,
            "id_number_masked": "110***********002X",
            "reject_reason": "",
            "created_at": Application.objects.get(applicant=reader).created_at.isoformat(),
            "reviewed_at": None,
        }
    ]
    assert [c["name"] for c in data["creator_accounts"]] == ["读者的号"]
    assert id_number() not in text
    assert Application.objects.get().id_fingerprint not in text
    assert "别人" not in text
    assert other.get_username() not in text


def test_export_of_a_new_reader_is_empty_lists(reader):
    data = services.user_export(user=reader)
    for key in ("follows", "favorites", "likes", "shares", "comments", "reading_history"):
        assert data[key] == []


# History -----------------------------------------------------------------------------------


def test_clear_history_forgets_only_the_readers_history(reader):
    # given
    other = UserFactory()
    for article in ArticleFactory.create_batch(3):
        Reading.objects.create(user=reader, article=article, read_at=T0)
        Reading.objects.create(user=other, article=article, read_at=T0)
    # when
    cleared = services.user_clear_history(user=reader)
    # then
    assert cleared == 3
    assert not Reading.objects.filter(user=reader).exists()
    assert Reading.objects.filter(user=other).count() == 3


def test_reading_list_is_keyset_paginated_newest_first(reader):
    # given: two readings share a timestamp, so the id breaks the tie
    articles = ArticleFactory.create_batch(5)
    stamps = [T0, T0 + timedelta(hours=1), T0 + timedelta(hours=1), T0 + timedelta(hours=2), T0]
    readings = [
        Reading.objects.create(user=reader, article=a, read_at=s)
        for a, s in zip(articles, stamps, strict=True)
    ]
    Reading.objects.create(user=UserFactory(), article=articles[0], read_at=T0 + timedelta(days=1))
    expected = sorted(readings, key=lambda r: (r.read_at, r.pk), reverse=True)
    # when
    seen, request = [], PageRequest()
    while True:
        page = engagement_selectors.reading_list(user=reader, page=request, size=2)
        seen += page.items
        if page.next is None:
            break
        request = PageRequest(after=Cursor.decode(page.next))
    # then
    assert [r.pk for r in seen] == [r.pk for r in expected]


@pytest.mark.parametrize(
    "cursor",
    [
        Cursor((), 5),  # a review-queue cursor: id only
        Cursor((3,), 5),  # a 最热 comment cursor: a reply count
        Cursor(("2026-03-01T08:00:00+00:00",), 5),  # the time without its datetime tag
    ],
)
def test_a_reading_cursor_of_another_list_raises(reader, cursor):
    from zixun.core.pagination import InvalidCursorError

    with pytest.raises(InvalidCursorError):
        engagement_selectors.reading_list(user=reader, page=PageRequest(after=cursor))


# Account deletion --------------------------------------------------------------------------


def test_delete_anonymises_comments_and_keeps_every_counter_equal_to_rows(
    reader, django_capture_on_commit_callbacks
):
    # given
    article = ArticleFactory()
    second = ArticleFactory(creator=article.creator)
    comment = engage(reader, article)
    engage(reader, second)
    other = UserFactory()
    engage(other, article)
    reply = engagement.comment_create(
        user=reader, article_id=article.pk, body="回复", parent_id=comment.pk
    )
    # A counter that had drifted ends equal to the rows as well.
    Article.objects.filter(pk=second.pk).update(like_count=7)
    # when
    with django_capture_on_commit_callbacks(execute=True):
        services.user_delete(user=reader, by=reader)
    # then
    assert not User.objects.filter(username="读者甲").exists()
    comment.refresh_from_db()
    reply.refresh_from_db()
    assert comment.user is None
    assert comment.body == "写得好"
    assert comment.status == Comment.Status.VISIBLE
    assert reply.user is None
    thread = engagement_selectors.comment_list_for_article(article=article).items
    assert comment in thread
    assert_counters_equal_rows()
    article.refresh_from_db()
    assert (article.like_count, article.favorite_count, article.comment_count) == (1, 1, 3)
    assert article.creator.follows.count() == 1
    assert Creator.objects.get(pk=article.creator_id).follower_count == 1
    assert not Like.objects.filter(user__isnull=True).exists()
    assert Share.objects.filter(user__isnull=True).count() == 2  # counted shares stay
    assert Reading.objects.count() == 1  # the other reader's


def test_delete_removes_memberships_and_applications_and_records_an_audit_entry(
    reader, django_capture_on_commit_callbacks
):
    # given
    editor = EditorFactory()
    application = creator_services.application_submit(
        applicant=reader,
        data=application_input(account_type=Creator.AccountType.MEDIA, credentials=png()),
    )
    credentials = application.credentials
    creator = creator_services.application_approve(application=application, by=editor)
    shared = CreatorFactory()
    shared.members.add(reader, UserFactory())
    user_id = reader.pk
    # when
    with django_capture_on_commit_callbacks(execute=True):
        services.user_delete(user=reader, by=reader)
    # then
    assert not Application.objects.exists()
    assert not credentials.storage.exists(credentials.name)
    assert Creator.objects.filter(pk=creator.pk).exists()
    assert not creator.members.exists()
    assert shared.members.count() == 1
    entry = AuditEntry.objects.get(action="user.delete")
    assert (entry.target_type, entry.target_id) == ("accounts.user", user_id)
    assert entry.actor is None
    assert entry.actor_name == DELETED_USER_NAME
    assert entry.data["orphaned_accounts"] == [creator.pk]
    assert sorted(entry.data["memberships"]) == sorted([creator.pk, shared.pk])
    submitted = AuditEntry.objects.get(action="application.submit")
    assert submitted.actor_name == DELETED_USER_NAME
    approved = AuditEntry.objects.get(action="application.approve")
    assert approved.actor_name == editor.get_username()
    assert not AuditEntry.objects.filter(actor_name="读者甲").exists()


def test_an_admin_may_delete_an_account_but_another_reader_may_not(reader):
    with pytest.raises(PermissionDenied):
        services.user_delete(user=reader, by=UserFactory())
    assert User.objects.filter(pk=reader.pk).exists()
    admin = UserFactory(role=User.Role.ADMIN)
    services.user_delete(user=reader, by=admin)
    entry = AuditEntry.objects.get(action="user.delete")
    assert entry.actor == admin


def test_delete_leaves_other_readers_untouched(reader):
    article = ArticleFactory()
    other = UserFactory()
    engage(other, article)
    services.user_delete(user=reader, by=reader)
    assert Favorite.objects.filter(user=other).count() == 1
    assert Like.objects.filter(user=other).count() == 1
    assert Comment.objects.get().user == other
    assert_counters_equal_rows()

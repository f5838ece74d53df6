import threading
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.test import override_settings

from zixun.accounts.tests.factories import EditorFactory, UserFactory
from zixun.articles.models import Article
from zixun.articles.tests.factories import ArticleFactory
from zixun.audit.models import AuditEntry
from zixun.core.testing import exactly
from zixun.creators.models import Creator, Follow
from zixun.creators.services import (
    FOLLOW_SELF,
    FOLLOW_UNAVAILABLE,
    FollowError,
    creator_follow,
    creator_unfollow,
)
from zixun.creators.tests.factories import CreatorFactory
from zixun.engagement import services
from zixun.engagement.models import Comment, Favorite, Like, Share
from zixun.engagement.services import EngagementError

pytestmark = pytest.mark.django_db


def counts(article):
    article.refresh_from_db()
    return article.like_count, article.favorite_count, article.share_count, article.comment_count


def test_like_and_unlike_move_the_count_once(writer):
    article = ArticleFactory()
    assert services.article_like(user=writer, article_id=article.pk) == 1
    assert services.article_like(user=writer, article_id=article.pk) == 1  # a replay
    assert Like.objects.count() == 1
    assert services.article_unlike(user=writer, article_id=article.pk) == 0
    assert services.article_unlike(user=writer, article_id=article.pk) == 0
    assert counts(article) == (0, 0, 0, 0)


def test_favourites(writer):
    article = ArticleFactory()
    assert services.article_favorite(user=writer, article_id=article.pk) == 1
    assert services.article_favorite(user=writer, article_id=article.pk) == 1
    assert Favorite.objects.filter(user=writer).count() == 1


@pytest.mark.parametrize(
    "state",
    [
        {"status": Article.Status.UNPUBLISHED},
        {"status": Article.Status.DRAFT, "published_at": None},
    ],
)
def test_offline_articles_cannot_be_liked_and_nothing_changes(writer, state):
    article = ArticleFactory(**state)
    for call in (services.article_like, services.article_favorite):
        with pytest.raises(EngagementError, match=exactly(services.ARTICLE_UNAVAILABLE)):
            call(user=writer, article_id=article.pk)
    with pytest.raises(EngagementError):
        services.article_share(user=writer, article_id=article.pk, channel="weibo")
    with pytest.raises(EngagementError):
        services.comment_create(user=writer, article_id=article.pk, body="你好")
    assert counts(article) == (0, 0, 0, 0)
    assert not Like.objects.exists()


def test_deleted_articles_cannot_be_liked(writer):
    from django.utils import timezone

    article = ArticleFactory(deleted_at=timezone.now())
    with pytest.raises(EngagementError):
        services.article_like(user=writer, article_id=article.pk)


def test_shares_are_counted_per_channel():
    article = ArticleFactory()
    for channel in ("link", "qr", "weibo"):
        services.article_share(user=None, article_id=article.pk, channel=channel)
    assert counts(article)[2] == 3
    assert set(Share.objects.values_list("channel", flat=True)) == {"link", "qr", "weibo"}
    with pytest.raises(EngagementError, match=exactly(services.SHARE_CHANNEL_INVALID)):
        services.article_share(user=None, article_id=article.pk, channel="fax")


def test_follow_rules(writer, creator):
    other = CreatorFactory()
    reader = UserFactory()
    assert creator_follow(user=reader, creator_id=other.pk) == 1
    assert creator_follow(user=reader, creator_id=other.pk) == 1
    assert Follow.objects.filter(user=reader).count() == 1
    with pytest.raises(FollowError, match=exactly(FOLLOW_SELF)):
        creator_follow(user=writer, creator_id=creator.pk)
    Creator.objects.filter(pk=other.pk).update(is_suspended=True)
    with pytest.raises(FollowError, match=exactly(FOLLOW_UNAVAILABLE)):
        creator_follow(user=UserFactory(), creator_id=other.pk)
    assert creator_unfollow(user=reader, creator_id=other.pk) == 0  # leaving is always allowed
    with pytest.raises(FollowError):
        creator_follow(user=reader, creator_id=10**9)


def test_comments_and_one_level_of_replies(writer):
    article = ArticleFactory()
    first = services.comment_create(user=writer, article_id=article.pk, body=" 写得好 \n")
    assert first.body == "写得好"
    reply = services.comment_create(
        user=UserFactory(), article_id=article.pk, body="同意", parent_id=first.pk
    )
    deeper = services.comment_create(
        user=writer, article_id=article.pk, body="谢谢", parent_id=reply.pk
    )
    assert deeper.parent_id == first.pk  # a reply to a reply joins the thread
    first.refresh_from_db()
    assert first.reply_count == 2
    assert counts(article)[3] == 3


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("", exactly(services.COMMENT_EMPTY)),
        ("   \n ", exactly(services.COMMENT_EMPTY)),
        ("字" * 100_000, exactly(services.COMMENT_TOO_LONG, limit=2000)),
    ],
)
def test_bad_comments_get_a_clear_message(writer, body, message):
    article = ArticleFactory()
    with pytest.raises(EngagementError, match=message):
        services.comment_create(user=writer, article_id=article.pk, body=body)
    assert not Comment.objects.exists()
    assert counts(article)[3] == 0


def test_replying_to_a_deleted_comment_is_refused(writer):
    article = ArticleFactory()
    comment = services.comment_create(user=writer, article_id=article.pk, body="原帖")
    services.comment_delete(user=writer, comment_id=comment.pk)
    with pytest.raises(EngagementError, match=exactly(services.COMMENT_REPLY_UNAVAILABLE)):
        services.comment_create(
            user=UserFactory(), article_id=article.pk, body="回复", parent_id=comment.pk
        )
    assert counts(article)[3] == 0


def test_edit_and_delete_only_ones_own(writer):
    article = ArticleFactory()
    comment = services.comment_create(user=writer, article_id=article.pk, body="初稿")
    with pytest.raises(EngagementError, match=exactly(services.COMMENT_NOT_YOURS)):
        services.comment_edit(user=UserFactory(), comment_id=comment.pk, body="改")
    with pytest.raises(EngagementError):
        services.comment_delete(user=UserFactory(), comment_id=comment.pk)
    edited = services.comment_edit(user=writer, comment_id=comment.pk, body="改过")
    assert (edited.body, edited.edited_at is not None) == ("改过", True)
    services.comment_delete(user=writer, comment_id=comment.pk)
    with pytest.raises(EngagementError, match=exactly(services.COMMENT_NOT_FOUND)):
        services.comment_delete(user=writer, comment_id=comment.pk)  # a replay
    assert counts(article)[3] == 0


def test_premoderation_holds_comments_until_an_editor_approves(writer, settings):
    settings.ZIXUN_COMMENT_PREMODERATION = True
    article = ArticleFactory()
    comment = services.comment_create(user=writer, article_id=article.pk, body="待审跟贴")
    assert comment.status == Comment.Status.PENDING
    assert counts(article)[3] == 0
    with pytest.raises(EngagementError):
        services.comment_review(comment_id=comment.pk, by=writer, approve=True)
    services.comment_review(comment_id=comment.pk, by=EditorFactory(), approve=True)
    assert counts(article)[3] == 1


def test_an_accounts_own_premoderation(writer):
    article = ArticleFactory()
    Creator.objects.filter(pk=article.creator_id).update(comments_premoderated=True)
    assert services.comment_create(user=writer, article_id=article.pk, body="x").status == "pending"


@pytest.mark.parametrize("where", ["site", "account"])
def test_an_edit_under_premoderation_goes_back_to_review(writer, settings, where):
    # given: a visible comment, then premoderation turned on (site-wide or by the account)
    article = ArticleFactory()
    comment = services.comment_create(user=writer, article_id=article.pk, body="原来的话")
    assert comment.status == Comment.Status.VISIBLE
    if where == "site":
        settings.ZIXUN_COMMENT_PREMODERATION = True
    else:
        Creator.objects.filter(pk=article.creator_id).update(comments_premoderated=True)
    # when: its author edits it
    edited = services.comment_edit(user=writer, comment_id=comment.pk, body="改成广告")
    # then: the new text waits for an editor, off the counters, with an audit entry
    assert (edited.status, edited.body) == (Comment.Status.PENDING, "改成广告")
    assert counts(article)[3] == 0
    entry = AuditEntry.objects.get(action="comment.hold", target_id=comment.pk)
    assert (entry.from_state, entry.to_state) == ("visible", "pending")
    services.comment_review(comment_id=comment.pk, by=EditorFactory(), approve=True)
    assert counts(article)[3] == 1


def test_members_of_a_suspended_account_cannot_comment(writer, creator):
    # given: a visible comment, then the writer's account suspended
    article = ArticleFactory()
    comment = services.comment_create(user=writer, article_id=article.pk, body="之前的跟贴")
    Creator.objects.filter(pk=creator.pk).update(is_suspended=True)
    refusal = exactly(services.COMMENT_SUSPENDED, name=creator.name)
    # when / then: no new comment, reply or edit
    with pytest.raises(EngagementError, match=refusal):
        services.comment_create(user=writer, article_id=article.pk, body="新跟贴")
    with pytest.raises(EngagementError, match=refusal):
        services.comment_create(
            user=writer, article_id=article.pk, body="回复", parent_id=comment.pk
        )
    with pytest.raises(EngagementError, match=refusal):
        services.comment_edit(user=writer, comment_id=comment.pk, body="改过")
    comment.refresh_from_db()
    assert comment.body == "之前的跟贴"
    # a reader who is not a member still comments, on any account's article
    assert services.comment_create(user=UserFactory(), article_id=article.pk, body="读者").pk
    # and the member may still delete their own comment
    services.comment_delete(user=writer, comment_id=comment.pk)


def screen_block_word(text, *, user, article):
    return "block" if "违禁" in text else ("review" if "可疑" in text else "allow")


@override_settings(ZIXUN_COMMENT_SCREEN="zixun.engagement.tests.test_services.screen_block_word")
def test_the_filter_hook_can_block_or_hold(writer):
    article = ArticleFactory()
    with pytest.raises(EngagementError, match=exactly(services.COMMENT_BLOCKED)):
        services.comment_create(user=writer, article_id=article.pk, body="含违禁词")
    assert (
        services.comment_create(user=writer, article_id=article.pk, body="可疑内容").status
        == "pending"
    )
    assert (
        services.comment_create(user=writer, article_id=article.pk, body="正常").status == "visible"
    )


def test_ip_region_is_resolved_and_the_address_is_not_kept(writer, tmp_path, settings):
    table = tmp_path / "regions.csv"
    table.write_text("203.0.113.0/24,广东\n198.51.100.0/24,上海\n", encoding="utf-8")
    settings.ZIXUN_IP_REGION_RESOLVER = "zixun.engagement.regions.file_resolver"
    settings.ZIXUN_IP_REGION_FILE = str(table)
    article = ArticleFactory()
    comment = services.comment_create(
        user=writer, article_id=article.pk, body="hi", ip="203.0.113.7"
    )
    assert comment.region == "广东"
    assert "203.0.113.7" not in str(Comment.objects.filter(pk=comment.pk).values().get())
    assert (
        services.comment_create(user=writer, article_id=article.pk, body="x", ip="bogus").region
        == ""
    )


def test_recount_rebuilds_every_counter(writer):
    article = ArticleFactory()
    services.article_like(user=writer, article_id=article.pk)
    services.article_favorite(user=writer, article_id=article.pk)
    services.article_share(user=None, article_id=article.pk, channel="qq")
    parent = services.comment_create(user=writer, article_id=article.pk, body="a")
    services.comment_create(user=writer, article_id=article.pk, body="b", parent_id=parent.pk)
    Article.objects.filter(pk=article.pk).update(
        like_count=99, favorite_count=9, share_count=9, comment_count=9
    )
    Comment.objects.filter(pk=parent.pk).update(reply_count=7)
    services.engagement_recount()
    assert counts(article) == (1, 1, 1, 2)
    parent.refresh_from_db()
    assert parent.reply_count == 1


@pytest.mark.django_db(transaction=True)
def test_fifty_readers_liking_at_once_leave_an_exact_count():
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL (SQLite serialises every writer)")
    article = ArticleFactory()
    readers = [UserFactory(username=f"concurrent{n}") for n in range(50)]
    barrier = threading.Barrier(50)
    errors = []

    def like(user):
        try:
            barrier.wait()
            services.article_like(user=user, article_id=article.pk)
            services.article_like(user=user, article_id=article.pk)  # and a replay
        except Exception as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=like, args=(user,)) for user in readers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    article.refresh_from_db()
    assert article.like_count == Like.objects.filter(article=article).count() == 50


@pytest.mark.django_db(transaction=True)
def test_concurrent_follows_make_no_duplicates():
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL (SQLite serialises every writer)")
    creator = CreatorFactory()
    reader = UserFactory()
    barrier = threading.Barrier(20)
    errors = []

    def follow():
        try:
            barrier.wait()
            creator_follow(user=reader, creator_id=creator.pk)
        except Exception as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=follow) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    creator.refresh_from_db()
    assert creator.follower_count == Follow.objects.filter(creator=creator).count() == 1


def test_the_same_comment_posted_twice_within_seconds_is_stored_once(writer, settings):
    # given a reader who posts a comment, then the same text again at once (a double click)
    settings.ZIXUN_COMMENT_DEDUP_SECONDS = 30
    article = ArticleFactory()
    first = services.comment_create(user=writer, article_id=article.pk, body="说得好")
    again = services.comment_create(user=writer, article_id=article.pk, body=" 说得好 ")
    # then one comment is stored and counted, and the repeat returns it
    assert again.pk == first.pk
    assert Comment.objects.filter(article=article).count() == 1
    assert counts(article)[3] == 1
    # but another reader, another text or a reply with the same text are comments of their own
    other = services.comment_create(user=UserFactory(), article_id=article.pk, body="说得好")
    reply = services.comment_create(
        user=writer, article_id=article.pk, body="说得好", parent_id=first.pk
    )
    assert len({first.pk, other.pk, reply.pk}) == 3


def test_the_same_comment_after_the_dedup_window_is_a_new_one(writer, settings):
    # given a comment older than the window
    settings.ZIXUN_COMMENT_DEDUP_SECONDS = 30
    article = ArticleFactory()
    first = services.comment_create(user=writer, article_id=article.pk, body="再说一遍")
    Comment.objects.filter(pk=first.pk).update(created_at=first.created_at - timedelta(seconds=31))
    # when the reader posts the same text, then it is stored
    again = services.comment_create(user=writer, article_id=article.pk, body="再说一遍")
    assert again.pk != first.pk

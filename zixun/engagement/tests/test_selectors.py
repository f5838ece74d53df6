from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zixun.accounts.tests.factories import UserFactory
from zixun.articles.tests.factories import ArticleFactory
from zixun.core.pagination import Cursor, InvalidCursorError, PageRequest
from zixun.core.testing import page_walk
from zixun.engagement import selectors
from zixun.engagement.models import Comment, Favorite, Reading

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


def walk(list_, **kwargs):
    """Every page of a list selector, following ``next`` from the first page."""
    return page_walk(lambda request: list_(**kwargs, page=request))


def seen(pages):
    return [row.pk for page in pages for row in page.items]


@pytest.fixture
def threads():
    """Seven top-level 跟贴 on one article, with ties on both the time and the reply count."""
    article = ArticleFactory()
    comments = []
    for n in range(7):
        comment = Comment.objects.create(article=article, body=f"跟贴{n}", reply_count=n % 3)
        Comment.objects.filter(pk=comment.pk).update(created_at=T0 + timedelta(hours=n // 2))
        comment.refresh_from_db()
        comments.append(comment)
    return article, comments


@pytest.mark.parametrize(
    ("sort", "key"),
    [("hot", lambda c: (c.reply_count, c.pk)), ("new", lambda c: (c.created_at, c.pk))],
)
def test_comments_walk_each_sort_in_its_order(threads, sort, key):
    article, comments = threads
    pages = walk(selectors.comment_list_for_article, article=article, sort=sort, size=2)
    assert seen(pages) == [c.pk for c in sorted(comments, key=key, reverse=True)]
    assert [len(p.items) for p in pages] == [2, 2, 2, 1]


def test_a_hot_cursor_is_refused_by_the_newest_sort(threads):
    article, _ = threads
    hot = selectors.comment_list_for_article(article=article, sort="hot", size=2)
    after = PageRequest(after=Cursor.decode(hot.next))
    with pytest.raises(InvalidCursorError):
        selectors.comment_list_for_article(article=article, sort="new", page=after)


def test_comment_pages_are_one_query_and_a_prefetch(threads, django_assert_num_queries):
    article, comments = threads
    after = PageRequest(after=Cursor.of(comments[3], selectors.MOST_REPLIES))
    with django_assert_num_queries(2):
        selectors.comment_list_for_article(article=article, page=after, size=2)


def test_thread_replies_page_oldest_first():
    article = ArticleFactory()
    parent = Comment.objects.create(article=article, body="楼主", reply_count=5)
    replies = [
        Comment.objects.create(article=article, parent=parent, body=f"回复{n}") for n in range(5)
    ]
    Comment.objects.create(article=article, parent=parent, body="待审", status="pending")
    pages = []
    request = PageRequest()
    while True:
        _, page = selectors.comment_thread(comment_id=parent.pk, page=request, size=2)
        pages.append(page)
        if not page.has_next:
            break
        request = PageRequest(after=Cursor.decode(page.next))
    assert seen(pages) == [r.pk for r in replies]


def _stamp(model, row, field, at):
    model.objects.filter(pk=row.pk).update(**{field: at})
    return model.objects.get(pk=row.pk)


@pytest.mark.parametrize(
    ("list_", "model", "field"),
    [
        (selectors.reading_list, Reading, "read_at"),
        (selectors.favorite_list, Favorite, "created_at"),
        (selectors.comment_list_for_user, Comment, "created_at"),
    ],
    ids=["history", "favourites", "comments"],
)
def test_a_readers_lists_walk_newest_first_one_query_a_page(list_, model, field):
    # given: five rows of the reader's, pairs sharing a time, and someone else's
    reader = UserFactory()

    def make(user, at):
        article = ArticleFactory()
        if model is Comment:
            row = Comment.objects.create(user=user, article=article, body="跟贴")
        elif model is Favorite:
            row = Favorite.objects.create(user=user, article=article)
        else:
            row = Reading.objects.create(user=user, article=article, read_at=at)
        return _stamp(model, row, field, at)

    rows = [make(reader, T0 + timedelta(hours=n // 2)) for n in range(5)]
    make(UserFactory(), T0)
    # when
    pages = walk(list_, user=reader, size=2)
    # then
    expected = sorted(rows, key=lambda r: (getattr(r, field), r.pk), reverse=True)
    assert seen(pages) == [r.pk for r in expected]
    after = PageRequest(after=Cursor.decode(pages[0].next))
    with CaptureQueriesContext(connection) as queries:
        list_(user=reader, page=after, size=2)
    assert len(queries) == 1
    assert "OFFSET" not in queries[0]["sql"].upper()


def test_the_state_read_with_the_user_is_the_state_read_alone():
    from zixun.accounts.backends import user_get_by_pk, user_lookup_with
    from zixun.creators.services import creator_follow
    from zixun.engagement import services

    article, other = ArticleFactory(), ArticleFactory()
    reader, liker = UserFactory(), UserFactory()
    services.article_like(user=reader, article_id=article.pk)
    services.article_like(user=liker, article_id=article.pk)
    services.article_favorite(user=liker, article_id=article.pk)
    creator_follow(user=reader, creator_id=article.creator_id)
    for user in (reader, liker):
        for target in (article, other):
            for article_id, creator_id in [
                (target.pk, target.creator_id),
                (target.pk, None),
                (None, target.creator_id),
            ]:
                alone = selectors.reader_state_for(
                    user=user, article_id=article_id, creator_id=creator_id
                )
                with (
                    CaptureQueriesContext(connection) as queries,
                    user_lookup_with(
                        selectors.user_with_reader_state, article_id or 0, creator_id or 0
                    ),
                ):
                    found = user_get_by_pk(user.pk)
                assert len(queries) == 1
                assert found == user
                state = selectors.reader_state_read(
                    found, article_id=article_id, creator_id=creator_id
                )
                assert state == alone
    assert selectors.reader_state_for(user=reader, article_id=article.pk).liked
    assert selectors.reader_state_for(user=liker, article_id=article.pk).like_count == 2
    # a user read the usual way has no state to give
    plain = user_get_by_pk(reader.pk)
    assert selectors.reader_state_read(plain, article_id=article.pk, creator_id=None) is None

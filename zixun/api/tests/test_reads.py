"""The public reads of /api/v1/: articles, channels, accounts, hot, related, search, comments."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from zixun.accounts.tests.factories import UserFactory
from zixun.articles.models import Article
from zixun.articles.tests.factories import ArticleFactory, channel
from zixun.core.pagination import Cursor
from zixun.core.sitecache import site_version_bump
from zixun.creators.tests.factories import CreatorFactory
from zixun.engagement.models import Comment
from zixun.events.models import Event
from zixun.events.services import event_record
from zixun.ranking.hot import hot_ingest
from zixun.search.engine import index_articles

pytestmark = pytest.mark.django_db

ARTICLES = reverse("api:article_list_api")


def url(name, **kwargs):
    return reverse(f"api:{name}", kwargs=kwargs)


def get(client, path, params=None, **headers):
    response = client.get(path, params or {}, headers=headers)
    return response, (response.json() if response.content else None)


def test_the_latest_articles_are_listed_newest_first_a_page_at_a_time(client):
    # given
    made = [ArticleFactory(title=f"新闻{n}") for n in range(5)]
    ArticleFactory(title="草稿", status=Article.Status.DRAFT, published_at=None)
    ArticleFactory(title="已删除", deleted_at=timezone.now())
    # when
    first, body = get(client, ARTICLES, {"limit": 3})
    _, rest = get(client, ARTICLES, {"limit": 3, "cursor": body["next_cursor"]})
    # then
    assert first.status_code == 200
    assert first["Content-Type"] == "application/json; charset=utf-8"
    assert [item["id"] for item in body["items"]] == [a.pk for a in made[::-1][:3]]
    assert [item["id"] for item in rest["items"]] == [made[1].pk, made[0].pk]
    assert rest["next_cursor"] is None
    item = body["items"][0]
    assert item["title"] == "新闻4"
    assert item["channel"]["slug"] == "news"
    assert item["account"] == {
        "id": made[4].creator_id,
        "name": made[4].creator.name,
        "url": f"http://testserver/account/{made[4].creator_id}/",
    }
    assert item["url"] == f"http://testserver/article/{made[4].pk}/"
    assert item["api_url"] == f"http://testserver{url('article_detail_api', article_id=made[4].pk)}"
    assert item["counters"] == {"views": 0, "likes": 0, "favorites": 0, "shares": 0, "comments": 0}
    assert item["tags"] == ["测试"]
    assert "body_html" not in item


def test_lists_filter_by_channel_and_by_account(client):
    sport = ArticleFactory(title="体育", channel=channel("sports"))
    account = CreatorFactory(name="某号")
    own = ArticleFactory(title="某号的文章", creator=account)
    ArticleFactory(title="别的")
    _, by_channel = get(client, ARTICLES, {"channel": "sports"})
    _, by_account = get(client, ARTICLES, {"account": account.pk})
    _, nested = get(client, url("account_articles_api", account_id=account.pk))
    assert [item["id"] for item in by_channel["items"]] == [sport.pk]
    assert by_channel["items"][0]["channel"]["name"] == channel("sports").name
    assert [item["id"] for item in by_account["items"]] == [own.pk]
    assert nested["items"] == by_account["items"]


def test_unknown_or_conflicting_filters_are_422_with_the_field(client):
    account = CreatorFactory()
    for params, field in (
        ({"channel": "nope"}, "query.channel"),
        ({"account": 10**9}, "query.account"),
        ({"channel": "news", "account": account.pk}, "query.account"),
        ({"limit": 51}, "query.limit"),
        ({"limit": 0}, "query.limit"),
        ({"limit": "x"}, "query.limit"),
    ):
        response, body = get(client, ARTICLES, params)
        assert response.status_code == 422, params
        assert body["code"] == "validation_failed"
        assert [error["field"] for error in body["errors"]] == [field], params


def test_a_bad_or_foreign_cursor_is_a_400_problem(client):
    ArticleFactory()
    comment_cursor = "comments-hot." + Cursor(3, 42).encode()
    int_key = "articles." + Cursor(3, 42).encode()  # another list's key under our tag
    for cursor in ("garbage", "articles.", "articles.!!!", comment_cursor, int_key, "x" * 400):
        response, body = get(client, ARTICLES, {"cursor": cursor})
        assert response.status_code in (400, 422), cursor
        if response.status_code == 400:
            assert body["code"] == "invalid_cursor", cursor
    response, body = get(client, ARTICLES, {"cursor": "garbage"})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert body["detail"] == "分页参数无效，请从第一页重新浏览"


def test_an_article_has_its_body_and_offline_ones_are_404_or_410(client):
    article = ArticleFactory(
        body_html="<p>正文<b>加粗</b></p>", tags=["甲", "乙"], source="新华社", like_count=3
    )
    draft = ArticleFactory(status=Article.Status.DRAFT, published_at=None)
    pending = ArticleFactory(status=Article.Status.PENDING, published_at=None)
    deleted = ArticleFactory(deleted_at=timezone.now())
    taken = ArticleFactory(status=Article.Status.TAKEN_DOWN, takedown_reason="违规")
    response, body = get(client, url("article_detail_api", article_id=article.pk))
    assert response.status_code == 200
    assert body["body_html"] == "<p>正文<b>加粗</b></p>"
    assert body["tags"] == ["甲", "乙"]
    assert body["source"] == "新华社"
    assert body["counters"]["likes"] == 3
    assert body["updated_at"] == body["published_at"]
    missing = [draft.pk, pending.pk, deleted.pk, 10**9, 2**63, 10**30]
    for pk in missing:
        response, body = get(client, url("article_detail_api", article_id=pk))
        assert response.status_code == 404, pk
        assert body["code"] == "not_found"
        assert "草稿" not in response.content.decode()
    draft_body = get(client, url("article_detail_api", article_id=draft.pk))[1]
    unknown_body = get(client, url("article_detail_api", article_id=10**9))[1]
    assert draft_body == unknown_body  # a draft is indistinguishable from nothing
    response, body = get(client, url("article_detail_api", article_id=taken.pk))
    assert response.status_code == 410
    assert body["code"] == "article_taken_down"
    assert "违规" not in response.content.decode()
    assert client.get("/api/v1/articles/abc").status_code == 404


def test_channels_are_listed_in_menu_order_and_inactive_ones_are_404(client):
    response, body = get(client, url("channel_list_api"))
    assert response.status_code == 200
    slugs = [item["slug"] for item in body["items"]]
    assert "news" in slugs
    assert body["next_cursor"] is None
    news = get(client, url("channel_detail_api", slug="news"))[1]
    assert news["name"] == channel("news").name
    assert news["url"] == "http://testserver/channel/news/"
    sports = channel("sports")
    sports.is_active = False
    sports.save()
    assert get(client, url("channel_detail_api", slug="sports"))[0].status_code == 404
    assert get(client, url("channel_detail_api", slug="nope"))[0].status_code == 404


def test_an_account_has_its_profile_and_articles(client):
    account = CreatorFactory(name="金台资讯", article_count=1, follower_count=7)
    ArticleFactory(creator=account)
    response, body = get(client, url("account_detail_api", account_id=account.pk))
    assert response.status_code == 200
    assert body["name"] == "金台资讯"
    assert body["follower_count"] == 7
    assert body["account_type"] == "media"
    assert body["avatar_url"] is None
    assert body["articles_url"].endswith(url("account_articles_api", account_id=account.pk))
    assert get(client, url("account_detail_api", account_id=10**9))[0].status_code == 404
    assert get(client, url("account_articles_api", account_id=10**9))[0].status_code == 404


def test_the_hot_list_is_ranked_by_heat_globally_and_per_channel(client):
    hot = [ArticleFactory(title=f"热门{n}") for n in (1, 2, 3)]
    for article, views in zip(hot, (30, 20, 10), strict=True):
        event_record(Event.Kind.VIEW, article_id=article.pk, count=views)
    sport = ArticleFactory(title="体育热门", channel=channel("sports"))
    event_record(Event.Kind.SHARE, article_id=sport.pk)
    hot_ingest()
    _, body = get(client, url("hot_list_api"), {"limit": 3})
    assert [item["rank"] for item in body["items"]] == [1, 2, 3]
    titles = [item["article"]["title"] for item in body["items"]]
    assert titles.index("热门1") < titles.index("热门2")
    assert body["items"][0]["heat"] > 0
    _, sports = get(client, url("hot_list_api"), {"channel": "sports"})
    assert [item["article"]["id"] for item in sports["items"]] == [sport.pk]
    assert get(client, url("hot_list_api"), {"channel": "nope"})[0].status_code == 422
    assert get(client, url("hot_list_api"), {"limit": 31})[0].status_code == 422


def test_related_articles_are_the_pages_related_list(client):
    article = ArticleFactory()
    neighbour = ArticleFactory()
    ArticleFactory(status=Article.Status.DRAFT, published_at=None)
    response, body = get(client, url("article_related_api", article_id=article.pk))
    assert response.status_code == 200
    assert [item["id"] for item in body["items"]] == [neighbour.pk]
    draft = ArticleFactory(status=Article.Status.DRAFT, published_at=None)
    assert get(client, url("article_related_api", article_id=draft.pk))[0].status_code == 404


def _story(title, body="正文", **kwargs):
    article = ArticleFactory(title=title, body_text=body, summary="", **kwargs)
    index_articles([article.pk])
    return article


def test_search_finds_marks_filters_orders_and_pages(client):
    old = _story(
        "援疆干部扎根喀什", "对口援疆工作。", published_at=datetime(2025, 1, 1, tzinfo=UTC)
    )
    new = _story("援疆医生", "援疆援疆。", channel=channel("sports"))
    _story("无关", "别的内容。")
    search = url("search_api")
    _, body = get(client, search, {"q": "援疆", "order": "newest"})
    assert [hit["article"]["id"] for hit in body["items"]] == [new.pk, old.pk]
    assert "<mark>援疆</mark>" in body["items"][0]["title_html"]
    assert body["query"]
    _, by_channel = get(client, search, {"q": "援疆", "channel": "sports"})
    assert [hit["article"]["id"] for hit in by_channel["items"]] == [new.pk]
    _, since = get(client, search, {"q": "援疆", "since": "2025-06-01T00:00:00+08:00"})
    assert [hit["article"]["id"] for hit in since["items"]] == [new.pk]
    _, until = get(client, search, {"q": "援疆", "until": "2025-06-01T00:00:00Z"})
    assert [hit["article"]["id"] for hit in until["items"]] == [old.pk]
    _, first = get(client, search, {"q": "援疆", "limit": 1, "order": "newest"})
    _, second = get(
        client, search, {"q": "援疆", "limit": 1, "order": "newest", "cursor": first["next_cursor"]}
    )
    assert [hit["article"]["id"] for hit in second["items"]] == [old.pk]
    # a cursor of another search, or of another list, or made up: 400 invalid_cursor
    other = get(client, search, {"q": "干部", "cursor": first["next_cursor"]})
    assert other[0].status_code == 400
    assert other[1]["code"] == "invalid_cursor"
    for cursor in ("search.xyz", "articles." + Cursor(3, 4).encode()):
        response, body = get(client, search, {"q": "援疆", "cursor": cursor})
        assert (response.status_code, body["code"]) == (400, "invalid_cursor")
    # a bound beyond the years the index keys is moved to its edge (was a bigint overflow)
    far = get(client, search, {"q": "援疆", "since": "4518-12-06T18:17:09+00:29"})
    assert (far[0].status_code, far[1]["items"]) == (200, [])
    early = get(client, search, {"q": "援疆", "until": "1971-01-01T00:00:00Z"})
    assert (early[0].status_code, early[1]["items"]) == (200, [])
    for params in ({}, {"q": ""}, {"q": "援疆", "order": "best"}, {"q": "援疆", "since": "2025-01-01"},
                   {"q": "援疆", "since": "0001-01-01T00:00:00+01:00"}, {"q": "援疆", "channel": "nope"}):  # fmt: skip
        response, body = get(client, search, params)
        assert (response.status_code, body["code"]) == (422, "validation_failed"), params


def _comment(article, body, *, parent=None, **kwargs):
    return Comment.objects.create(
        article=article, user=kwargs.pop("user", None) or UserFactory(), parent=parent,
        body=body, **kwargs,
    )  # fmt: skip


def test_comments_are_threaded_visible_only_and_paginated(client):
    article = ArticleFactory()
    start = datetime(2026, 2, 1, tzinfo=UTC)
    first = _comment(article, "第一条", reply_count=2, created_at=start)
    _comment(article, "回复一", parent=first, created_at=start + timedelta(minutes=1))
    _comment(article, "回复二", parent=first, created_at=start + timedelta(minutes=2))
    _comment(article, "隐藏", status=Comment.Status.HIDDEN, created_at=start)
    gone = _comment(article, "删除了", status=Comment.Status.DELETED, reply_count=1)
    _comment(article, "删除后的回复", parent=gone)
    last = _comment(article, "最新", created_at=start + timedelta(hours=1))
    comments = url("article_comments_api", article_id=article.pk)
    _, hot = get(client, comments)
    assert [item["id"] for item in hot["items"]] == [first.pk, gone.pk, last.pk]
    assert [reply["body"] for reply in hot["items"][0]["replies"]] == ["回复一", "回复二"]
    deleted = hot["items"][1]
    assert (deleted["body"], deleted["author"], deleted["is_deleted"]) == (None, None, True)
    assert "隐藏" not in str(hot)
    _, new = get(client, comments, {"sort": "new", "limit": 1})
    assert len(new["items"]) == 1
    _, more = get(client, comments, {"sort": "new", "limit": 1, "cursor": new["next_cursor"]})
    assert more["items"][0]["id"] != new["items"][0]["id"]
    # a 最热 cursor is not a 最新 one
    response, body = get(client, comments, {"sort": "hot", "cursor": new["next_cursor"]})
    assert (response.status_code, body["code"]) == (400, "invalid_cursor")
    _, thread = get(client, hot["items"][0]["replies_url"], {"limit": 1})
    assert thread["parent"]["id"] == first.pk
    assert [reply["body"] for reply in thread["items"]] == ["回复一"]
    _, rest = get(client, hot["items"][0]["replies_url"], {"cursor": thread["next_cursor"]})
    assert [reply["body"] for reply in rest["items"]] == ["回复二"]
    draft = ArticleFactory(status=Article.Status.DRAFT, published_at=None)
    assert get(client, url("article_comments_api", article_id=draft.pk))[0].status_code == 404
    hidden = Comment.objects.get(body="隐藏")
    assert get(client, url("comment_replies_api", comment_id=hidden.pk))[0].status_code == 404


def test_list_endpoints_keep_their_query_budgets(client, django_assert_max_num_queries):
    account = CreatorFactory()
    for n in range(12):
        _story(f"预算{n}", creator=account, channel=channel("news" if n % 2 else "sports"))
    article = Article.objects.filter(creator=account).first()
    for n in range(6):
        parent = _comment(article, f"跟贴{n}", reply_count=1)
        _comment(article, "回复", parent=parent)
    budgets = [
        (ARTICLES, {}, 1),
        (ARTICLES, {"channel": "news"}, 2),
        (ARTICLES, {"account": account.pk}, 2),
        (url("account_articles_api", account_id=account.pk), {}, 2),
        (url("channel_list_api"), {}, 1),
        (url("hot_list_api"), {}, 6),
        (url("article_comments_api", article_id=article.pk), {}, 3),
        (url("article_related_api", article_id=article.pk), {}, 3),
        (url("search_api"), {"q": "预算"}, 16),  # engine-bound, not per item
    ]
    for path, params, budget in budgets:
        with django_assert_max_num_queries(budget):
            response = client.get(path, params)
        assert response.status_code == 200, path


def test_etag_revalidation_is_a_304_without_queries_until_content_changes(
    client, django_assert_num_queries
):
    article = ArticleFactory(title="原标题")
    detail = url("article_detail_api", article_id=article.pk)
    response = client.get(detail)
    etag = response["ETag"]
    assert etag.startswith('W/"')
    assert response["Cache-Control"] == "public, max-age=30"
    with django_assert_num_queries(0):
        again = client.get(detail, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    # an edit starts a new site version: the endpoint runs again and the ETag changes
    Article.objects.filter(pk=article.pk).update(title="新标题")
    site_version_bump()
    changed = client.get(detail, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert changed.json()["title"] == "新标题"
    # a list too, and a stale tag among others
    listed = client.get(ARTICLES)
    both = f'W/"nope", {listed["ETag"]}'
    assert client.get(ARTICLES, headers={"If-None-Match": both}).status_code == 304


def test_a_signed_in_read_is_private_and_still_revalidates(client):
    client.force_login(UserFactory())
    article = ArticleFactory()
    detail = url("article_detail_api", article_id=article.pk)
    response = client.get(detail)
    assert response["Cache-Control"] == "private, no-cache"
    again = client.get(detail, headers={"If-None-Match": response["ETag"]})
    assert again.status_code == 304


def test_head_is_answered_as_get_without_a_body(client):
    article = ArticleFactory()
    response = client.head(url("article_detail_api", article_id=article.pk))
    assert response.status_code == 200
    assert response.content == b""
    assert response["ETag"]

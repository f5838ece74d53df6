import re

import pytest
from django.test import Client
from django.urls import reverse

from zixun.accounts.tests.factories import EditorFactory, UserFactory
from zixun.articles.models import Article
from zixun.articles.tests.factories import ArticleFactory
from zixun.core.pagination import INVALID_CURSOR
from zixun.creators.models import Creator
from zixun.creators.tests.factories import CreatorFactory
from zixun.engagement.models import Comment, Like, Share
from zixun.engagement.services import comment_create

pytestmark = pytest.mark.django_db
JSON = {"HTTP_ACCEPT": "application/json"}


def test_like_as_a_form_and_the_buttons_call_the_api(client, writer):
    article = ArticleFactory()
    client.force_login(writer)
    url = reverse("web:like", args=[article.pk])
    page = client.get(article.get_absolute_url()).content.decode()
    # the page's script calls the API (zixun/api/writes_readers.py); the form works without it
    assert f'data-api="{reverse("api:me-like", args=[article.pk])}"' in page
    response = client.post(url, {"action": "on", "next": article.get_absolute_url()})
    assert response.status_code == 302
    assert Like.objects.filter(user=writer, article=article).exists()
    response = client.post(url, {"action": "off", "next": article.get_absolute_url()})
    assert response.status_code == 302
    assert response["Location"] == article.get_absolute_url()
    assert not Like.objects.exists()


def test_anonymous_readers_are_sent_to_sign_in(client):
    article = ArticleFactory()
    url = reverse("web:like", args=[article.pk])
    # the form posts only redirect, even when JSON is asked for (the scripts call the API)
    for extra in ({}, JSON):
        response = client.post(url, {"next": article.get_absolute_url()}, **extra)
        assert response.status_code == 302
        assert reverse("account_login") in response["Location"]
    assert not Like.objects.exists()


def test_signed_in_posts_need_the_csrf_token(writer):
    article = ArticleFactory()
    client = Client(enforce_csrf_checks=True)
    client.force_login(writer)
    assert client.post(reverse("web:like", args=[article.pk]), **JSON).status_code == 403
    assert not Like.objects.exists()


def test_liking_an_offline_article_is_a_clear_message(client, writer):
    article = ArticleFactory(status=Article.Status.UNPUBLISHED)
    client.force_login(writer)
    response = client.post(reverse("web:like", args=[article.pk]), follow=True)
    assert "文章不存在或已下线" in response.content.decode()
    assert not Like.objects.exists()


def test_social_shares_count_and_go_on_with_a_source(client):
    article = ArticleFactory(title="分享测试")
    response = client.post(reverse("web:share", args=[article.pk]), {"channel": "weibo"})
    assert response.status_code == 302
    assert response["Location"].startswith("https://service.weibo.com/share/share.php?url=")
    assert "src%3Dweibo" in response["Location"]
    # a form post of another channel (the script counts those through the API) goes back
    back = client.post(reverse("web:share", args=[article.pk]), {"channel": "link"}, **JSON)
    assert back.status_code == 302
    assert back["Location"] == article.get_absolute_url()
    assert Article.objects.get(pk=article.pk).share_count == Share.objects.count() == 2
    refused = client.post(reverse("web:share", args=[article.pk]), {"channel": "fax"})
    assert refused.status_code == 302
    assert Share.objects.count() == 2


def test_share_links_share_one_cached_page(
    client, django_assert_num_queries, django_assert_max_num_queries
):
    # given: a reader came from Weibo and the page was rendered for them
    article = ArticleFactory(title="分享来源不影响缓存")
    url = article.get_absolute_url()
    first = client.get(url, {"src": "weibo"})
    assert first.status_code == 200
    assert article.title in first.content.decode()
    # when: readers come from elsewhere, or from nowhere
    with django_assert_num_queries(0):
        others = [client.get(url, {"src": "qq"}), client.get(url), client.get(url, {"src": "x"})]
    # then: each is served the same page from the one cache entry, with no query
    for response in others:
        assert response.status_code == 200
        assert response.content == first.content
    # and: a parameter that changes the page (the comment order) is a page of its own
    with django_assert_max_num_queries(10) as captured:
        other = client.get(url, {"src": "qq", "comments": "new"})
    assert other.status_code == 200
    assert len(captured) > 0


def test_follow_from_the_author_card(client, writer):
    creator = CreatorFactory()
    client.force_login(writer)
    url = reverse("web:follow", args=[creator.pk])
    assert client.post(url, {"action": "on"}).status_code == 302
    assert Creator.objects.get(pk=creator.pk).follower_count == 1
    page = client.get(creator.get_absolute_url())
    assert page.status_code == 200
    article = ArticleFactory(creator=creator)
    html = client.get(article.get_absolute_url()).content.decode()
    assert "已关注" in html


def test_following_oneself_is_a_clear_message(client, writer, creator):
    client.force_login(writer)
    response = client.post(reverse("web:follow", args=[creator.pk]), follow=True)
    assert "不能关注自己" in response.content.decode()
    assert creator.follows.count() == 0


def test_comment_appears_for_anonymous_readers_at_once(
    client, writer, django_capture_on_commit_callbacks
):
    article = ArticleFactory()
    assert "还没有跟贴" in client.get(article.get_absolute_url()).content.decode()  # now cached
    signed_in = Client()
    signed_in.force_login(writer)
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in.post(
            reverse("web:comment-create", args=[article.pk]), {"body": "第一条跟贴"}
        )
    assert response.status_code == 302
    assert response["Location"] == article.get_absolute_url() + "#comments"
    assert "第一条跟贴" in client.get(article.get_absolute_url()).content.decode()
    page = signed_in.get(response["Location"]).content.decode()
    assert "跟贴已发布" in page
    # the page's script calls the API (zixun/api/writes_readers.py); the forms work without it
    assert f'data-api="{reverse("api:me-comment")}"' in page
    comment = Comment.objects.get()
    assert f'data-api="{reverse("api:me-comment-edit", args=[comment.pk])}"' in page


def test_a_100000_character_comment_is_refused_beside_the_box(client, writer):
    article = ArticleFactory()
    client.force_login(writer)
    response = client.post(
        reverse("web:comment-create", args=[article.pk]), {"body": "长" * 100_000}, **JSON
    )
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert "不能超过" in html
    assert 'aria-invalid="true"' in html
    assert not Comment.objects.exists()


def test_comments_are_rate_limited(client, writer):
    article = ArticleFactory()
    client.force_login(writer)
    codes = [
        client.post(
            reverse("web:comment-create", args=[article.pk]), {"body": f"第{n}条"}, **JSON
        ).status_code
        for n in range(7)
    ]
    assert codes[:5] == [302] * 5
    assert codes[-1] == 429
    assert Comment.objects.count() == 5


def test_comment_pages_sort_and_paginate(client, writer):
    article = ArticleFactory()
    made = [comment_create(user=writer, article_id=article.pk, body=f"跟贴{n}") for n in range(35)]
    comment_create(user=UserFactory(), article_id=article.pk, body="回复", parent_id=made[3].pk)
    html = client.get(article.get_absolute_url()).content.decode()
    assert html.index("跟贴3") < html.index("跟贴34")  # hot: the one with a reply first
    newest = client.get(article.get_absolute_url() + "?comments=new").content.decode()
    assert "跟贴34" in newest
    page = client.get(reverse("web:comments", args=[article.pk]) + "?sort=new").content.decode()
    assert "跟贴34" in page
    assert "下一页" in page
    assert client.get(reverse("web:comments", args=[article.pk]) + "?after=%%%").status_code == 400


def test_editors_publish_held_comments(client, writer, settings):
    settings.ZIXUN_COMMENT_PREMODERATION = True
    article = ArticleFactory()
    comment = comment_create(user=writer, article_id=article.pk, body="请审核")
    client.force_login(EditorFactory())
    assert "请审核" in client.get(reverse("web:editor")).content.decode()
    client.post(reverse("web:editor-comment", args=[comment.pk]), {"action": "approve"})
    comment.refresh_from_db()
    assert comment.status == Comment.Status.VISIBLE
    client.force_login(writer)
    assert client.post(reverse("web:editor-comment", args=[comment.pk])).status_code == 404


def test_recount_command_fixes_engagement_counters(writer, capsys):
    from django.core.management import call_command

    from zixun.engagement.services import article_like

    article = ArticleFactory()
    article_like(user=writer, article_id=article.pk)
    Article.objects.filter(pk=article.pk).update(like_count=42)
    call_command("engagement_recount")
    article.refresh_from_db()
    assert article.like_count == 1
    assert "已重算 1 篇文章" in capsys.readouterr().out


def test_follow_from_the_account_page(client, writer):
    creator = CreatorFactory()
    client.force_login(writer)
    page = client.get(creator.get_absolute_url()).content.decode()
    assert reverse("web:follow", args=[creator.pk]) in page
    assert "+ 关注" in page
    client.post(reverse("web:follow", args=[creator.pk]), {"action": "on"})
    page = client.get(creator.get_absolute_url()).content.decode()
    assert "已关注" in page
    assert '<dd class="followers">1</dd>' in page


def test_long_threads_show_their_first_replies_and_page_the_rest(
    client, writer, django_assert_max_num_queries
):
    from zixun.engagement.selectors import REPLIES_SHOWN

    article = ArticleFactory()
    parent = comment_create(user=writer, article_id=article.pk, body="楼主")
    for n in range(40):
        comment_create(user=writer, article_id=article.pk, body=f"回复{n:02d}", parent_id=parent.pk)
    page = client.get(article.get_absolute_url()).content.decode()
    assert page.count("回复0") == REPLIES_SHOWN  # 回复00 … 回复04
    assert "回复05" not in page
    assert "查看全部 40 条回复" in page
    thread = reverse("web:comment-thread", args=[parent.pk])
    with django_assert_max_num_queries(3):
        first = client.get(thread).content.decode()
    assert "回复00" in first
    assert "回复29" in first
    assert "回复30" not in first
    more = re.search(r'href="\?after=([^"]+)" rel="next"', first).group(1)
    with django_assert_max_num_queries(3):
        second = client.get(f"{thread}?after={more}").content.decode()
    assert "回复30" in second
    assert "回复39" in second
    assert "回复29" not in second
    reply = Comment.objects.filter(parent=parent).first()
    assert client.get(reverse("web:comment-thread", args=[reply.pk])).status_code == 404
    assert client.get(f"{thread}?after=30").status_code == 400  # the old ?after=<id>


def test_comment_pages_refuse_a_cursor_of_the_other_sort(client, writer):
    article = ArticleFactory()
    for n in range(35):
        comment_create(user=writer, article_id=article.pk, body=f"跟贴{n}")
    url = reverse("web:comments", args=[article.pk])
    hot = client.get(url).content.decode()
    after = re.search(r'href="\?sort=hot&amp;after=([^"]+)" rel="next"', hot).group(1)
    assert client.get(f"{url}?sort=hot&after={after}").status_code == 200
    response = client.get(f"{url}?sort=new&after={after}")
    assert response.status_code == 400
    assert str(INVALID_CURSOR) in response.content.decode()


def test_a_held_comment_shows_on_the_cached_page_once_an_editor_approves_it(
    client, writer, django_capture_on_commit_callbacks
):
    # given: a held comment, and the article page cached without it
    article = ArticleFactory()
    Creator.objects.filter(pk=article.creator_id).update(comments_premoderated=True)
    comment = comment_create(user=writer, article_id=article.pk, body="待审的跟贴")
    assert "待审的跟贴" not in client.get(article.get_absolute_url()).content.decode()
    # when: an editor approves it
    editor = Client()
    editor.force_login(EditorFactory())
    with django_capture_on_commit_callbacks(execute=True):
        response = editor.post(
            reverse("web:editor-comment", args=[comment.pk]), {"action": "approve"}
        )
    assert response.status_code == 302
    # then: readers see it at once
    assert "待审的跟贴" in client.get(article.get_absolute_url()).content.decode()


def test_an_edited_comment_under_premoderation_leaves_the_cached_page(
    client, writer, django_capture_on_commit_callbacks
):
    # given: a visible comment on a cached page, then the account premoderates comments
    article = ArticleFactory()
    comment = comment_create(user=writer, article_id=article.pk, body="原来的跟贴")
    assert "原来的跟贴" in client.get(article.get_absolute_url()).content.decode()
    Creator.objects.filter(pk=article.creator_id).update(comments_premoderated=True)
    # when: its author edits it
    author = Client()
    author.force_login(writer)
    with django_capture_on_commit_callbacks(execute=True):
        response = author.post(
            reverse("web:comment-edit", args=[comment.pk]), {"body": "改过的跟贴"}
        )
    assert response.status_code == 302
    # then: readers see neither the old text (cached) nor the new one (held for review)
    page = client.get(article.get_absolute_url()).content.decode()
    assert "原来的跟贴" not in page
    assert "改过的跟贴" not in page
    assert Comment.objects.get(pk=comment.pk).status == Comment.Status.PENDING

"""The article page's buttons, comment box and author card (issue 9, points 3 and 4)."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from zixun.accounts.tests.factories import UserFactory
from zixun.articles.tests.factories import ArticleFactory
from zixun.core.errors import message_format
from zixun.creators.tests.factories import CreatorFactory
from zixun.engagement import services as engagement
from zixun.engagement.models import Comment
from zixun.engagement.services import COMMENT_EMPTY, COMMENT_TOO_LONG

pytestmark = pytest.mark.django_db


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def buttons(page, name):
    """The like or favourite buttons: under the body and in the phone's bottom bar."""
    forms = re.findall(rf'<form[^>]*data-(?:toggle|bar)="{name}".*?</form>', page, re.DOTALL)
    return [re.search(r"<button.*?</button>", form, re.DOTALL).group(0) for form in forms]


def comment_box(page):
    return re.search(r'<form[^>]*class="comment-form".*?</form>', page, re.DOTALL).group(0)


@pytest.mark.parametrize("warm", [False, True], ids=["full render", "cached reader page"])
def test_a_reader_who_liked_sees_pressed_buttons_with_their_counts(warm):
    # given an article liked and favourited by alice, and (warm) its reader page already cached
    article = ArticleFactory()
    alice = UserFactory()
    engagement.article_like(user=alice, article_id=article.pk)
    engagement.article_favorite(user=alice, article_id=article.pk)
    if warm:
        signed_in(UserFactory()).get(article.get_absolute_url())
    # when alice opens it
    page = signed_in(alice).get(article.get_absolute_url()).content.decode()
    # then both copies of each button are pressed, with drawn icons and the count
    for name in ("like", "favorite"):
        found = buttons(page, name)
        assert len(found) == 2, name
        for button in found:
            assert 'aria-pressed="true"' in button
            assert "<svg" in button
            assert '<span class="count">1</span>' in button
    assert "👍" not in page
    assert "☆" not in page


def test_an_anonymous_reader_sees_unpressed_buttons_the_share_label_and_the_bar():
    # given an article shared three times
    article = ArticleFactory(share_count=3)
    # when an anonymous reader opens it
    page = Client().get(article.get_absolute_url()).content.decode()
    # then the buttons are not pressed, the share count is labelled and the bottom bar is there
    for name in ("like", "favorite"):
        assert all('aria-pressed="false"' in button for button in buttons(page, name))
    assert re.search(r'分享 <span class="share-count">3</span>', page)
    bar = re.search(r'<nav class="article-bar".*?</nav>', page, re.DOTALL).group(0)
    assert 'href="#comments"' in bar
    assert 'href="#share"' in bar
    assert '<li class="comment-empty muted">还没有跟贴</li>' in page


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("   ", message_format(COMMENT_EMPTY)),
        ("长" * 2001, message_format(COMMENT_TOO_LONG, limit=2000)),
    ],
    ids=["empty", "too long"],
)
def test_a_refused_comment_without_js_keeps_the_text_beside_its_error(body, message):
    # given a signed-in reader on an article
    article = ArticleFactory()
    client = signed_in(UserFactory())
    client.get(article.get_absolute_url())  # the cached reader page exists
    # when the form posts a comment the service refuses
    response = client.post(reverse("web:comment-create", args=[article.pk]), {"body": body})
    # then the article page comes back (not a redirect) with the error beside the box
    assert response.status_code == 400
    page = response.content.decode()
    box = comment_box(page)
    assert re.search(r'<p class="form-error" id="comment-error" role="alert">([^<]*)</p>', box)
    assert message in box
    assert f">{body}</textarea>" in box
    assert 'aria-invalid="true"' in box
    assert f'<h1 id="article-title">{article.title}</h1>' in page
    assert Comment.objects.count() == 0


def test_a_rate_limited_comment_without_js_keeps_the_text(settings):
    # given a reader who has posted five comments this minute
    article = ArticleFactory()
    client = signed_in(UserFactory())
    url = reverse("web:comment-create", args=[article.pk])
    for n in range(5):
        assert client.post(url, {"body": f"第{n}条"}).status_code == 302
    # when a sixth posts, then the page shows the limit beside the box with the text kept
    response = client.post(url, {"body": "第六条"})
    assert response.status_code == 429
    box = comment_box(response.content.decode())
    assert re.search(r'role="alert">操作太频繁，请 \d+ 秒后再试</p>', box)
    assert ">第六条</textarea>" in box


def test_a_refused_comment_is_a_problem_for_the_script():
    article = ArticleFactory()
    client = signed_in(UserFactory())
    response = client.post(  # what the comment form's script sends (site.js)
        reverse("api:me-comment"),
        {"article_id": article.pk, "body": ""},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["detail"] == message_format(COMMENT_EMPTY)
    assert not Comment.objects.exists()


def test_a_double_post_stores_one_comment():
    # given a reader who sends the same comment twice in a row
    article = ArticleFactory()
    client = signed_in(UserFactory())
    url = reverse("web:comment-create", args=[article.pk])
    client.post(url, {"body": "同一条跟贴"})
    client.post(url, {"body": "同一条跟贴"})
    # then it is stored once and the page counts one
    assert Comment.objects.filter(article=article).count() == 1
    article.refresh_from_db()
    assert article.comment_count == 1


def test_the_author_card_shows_the_accounts_label_or_the_platforms_words(settings):
    settings.ZIXUN_SITE_NAME = "晨报"
    labelled = ArticleFactory(creator=CreatorFactory(verification_label="人民网官方网易号"))
    plain = ArticleFactory(creator=CreatorFactory(verification_label=""))
    card = r'<p class="verification">([^<]*)</p>'
    page = Client().get(labelled.get_absolute_url()).content.decode()
    assert re.search(card, page).group(1) == "人民网官方网易号"
    page = Client().get(plain.get_absolute_url()).content.decode()
    assert re.search(card, page).group(1) == "晨报号"

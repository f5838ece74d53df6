import pytest
from django.urls import reverse

from zixun.accounts.tests.factories import EditorFactory, UserFactory
from zixun.articles.tests.factories import ArticleFactory
from zixun.creators.tests.factories import CreatorFactory

pytestmark = pytest.mark.django_db

NO_STORE = "private, no-store"


def test_signed_in_pages_are_private_and_not_stored(client):
    # given an editor who runs an account, and a published article
    editor = EditorFactory()
    CreatorFactory().members.add(editor)
    article = ArticleFactory()
    client.force_login(editor)
    pages = [
        reverse("me:home"),
        reverse("web:studio"),
        reverse("web:editor"),
        reverse("web:home"),
        article.get_absolute_url(),
    ]
    for url in pages:
        # when the signed-in reader asks twice (the second from the cached reader variant)
        for _ in range(2):
            response = client.get(url)
            # then no cache may keep the page
            assert response.status_code == 200, url
            assert response["Cache-Control"] == NO_STORE, url


def test_the_response_that_signs_in_is_not_stored(client):
    user = UserFactory()
    response = client.post(
        reverse("account_login"), {"login": user.email, "password": "correct horse battery"}
    )
    assert response.status_code == 302
    assert "no-store" in response["Cache-Control"]


def test_anonymous_pages_keep_their_caching(client):
    article = ArticleFactory()
    for url in [reverse("web:home"), article.get_absolute_url()]:
        assert "Cache-Control" not in client.get(url), url


@pytest.mark.django_db
def test_a_nul_in_a_query_or_a_json_body_is_refused_with_a_message(client, writer):
    # a search with a NUL: refused with the reason, not a database error
    response = client.get("/search/", {"q": "新闻\x00"})
    assert response.status_code == 400
    assert "NUL" in response.content.decode()
    # the API: a problem, nothing stored
    from zixun.api import tokens

    secret = tokens.token_create_personal(user=writer, name="脚本", scopes=list(tokens.PERSONAL_SCOPES),
                                          expires_at=None).secret  # fmt: skip
    response = client.post(
        "/api/v1/me/comments", '{"article_id": 1, "body": "跟贴\\u0000"}',
        content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {secret}",
    )  # fmt: skip
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_character"
    # a plain query without one goes through
    assert client.get("/search/", {"q": "新闻"}).status_code == 200

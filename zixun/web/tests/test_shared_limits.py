"""Limits hold across processes: what another worker counted counts here too (audit point 7)."""

import pytest
from django.urls import reverse

from zixun.accounts.tests.factories import UserFactory
from zixun.articles.tests.factories import ArticleFactory
from zixun.core.testing import in_another_process

pytestmark = pytest.mark.django_db


def test_the_like_limit_holds_when_another_worker_counted_the_likes(client):
    # given a reader whose 30 likes this minute were counted by another worker
    reader = UserFactory()
    article = ArticleFactory()
    in_another_process(
        "from zixun.core.ratelimit import rate_limit_hit\n"
        "for _ in range(30):\n"
        f"    assert rate_limit_hit(scope='like', who='u{reader.pk}', per_minute=30) == 0\n"
    )
    # when they like once more here
    client.force_login(reader)
    response = client.post(
        reverse("web:like", args=[article.pk]), {"action": "on"}, HTTP_ACCEPT="application/json"
    )
    # then it is refused
    assert response.status_code == 429


def test_sign_in_limits_are_shared_by_processes(client):
    # given 30 sign-in attempts this minute from one address, counted by another worker
    in_another_process(
        "from allauth.core import ratelimit\n"
        "from django.test import RequestFactory\n"
        "request = RequestFactory().post('/accounts/login/', REMOTE_ADDR='203.0.113.9')\n"
        "for _ in range(30):\n"
        "    assert ratelimit.consume(request, action='login')\n"
    )
    # when that address tries once more here, then allauth's limit refuses it
    response = client.post(
        reverse("account_login"),
        {"login": "someone@example.com", "password": "guess"},
        REMOTE_ADDR="203.0.113.9",
    )
    assert response.status_code == 429
    # and another address is not limited
    other = client.post(
        reverse("account_login"),
        {"login": "someone@example.com", "password": "guess"},
        REMOTE_ADDR="203.0.113.10",
    )
    assert other.status_code == 200

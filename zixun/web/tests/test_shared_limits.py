"""Limits hold across processes: what another worker counted counts here too (audit point 7)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from zixun.accounts.tests.factories import UserFactory
from zixun.articles.tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

ROOT = Path(settings.BASE_DIR)


def in_another_process(code):
    """Run ``code`` in a fresh `manage.py shell`, as another worker of the site would."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.test_settings"}
    subprocess.run(  # noqa: S603 - the test's own code
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=60,
        capture_output=True,
    )


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

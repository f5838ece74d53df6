"""/healthz answers for the database and both caches."""

import pytest
from django.test import override_settings

pytestmark = pytest.mark.django_db


def test_a_working_site_is_healthy_and_nothing_is_stored(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(1):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "cache": "ok", "shared_cache": "ok"},
    }
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    assert not response.cookies


def test_a_cache_that_cannot_be_reached_makes_it_unavailable_without_saying_why(client, caplog):
    # given the shared cache pointing at a Redis where nothing listens
    unreachable = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "shared": {
            "BACKEND": "zixun.core.rediscache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.5},
        },
    }
    with override_settings(CACHES=unreachable):  # Django reconnects the caches for it
        response = client.get("/healthz")
    # then it answers 503 naming the part, and the reason is only in the log
    assert response.status_code == 503
    body = response.json()
    assert body == {
        "status": "unavailable",
        "checks": {"database": "ok", "cache": "ok", "shared_cache": "failed"},
    }
    assert "127.0.0.1:1" not in response.content.decode()
    assert "health check shared_cache failed" in caplog.text


def test_only_get_is_answered(client):
    assert client.post("/healthz").status_code == 405

"""The session engine (zixun/web/sessions.py): Django's cached_db sessions, which take their data
when it was read ahead from the cache with the page (ADR 0012)."""

from __future__ import annotations

import pytest
from django.contrib.sessions.backends.db import SessionStore as DbSessionStore
from django.core.cache import cache

from zixun.web.sessions import SessionStore, session_cache_key

pytestmark = pytest.mark.django_db


def test_a_session_given_its_data_does_not_read_it_again(django_assert_num_queries):
    stored = SessionStore()
    stored["reader"] = 42
    stored.save()
    session = SessionStore(stored.session_key)
    key = session_cache_key(session)
    assert key == stored.cache_key
    data = cache.get(key)
    cache.delete(key)  # a read would go to the database now
    session.prime(data)
    with django_assert_num_queries(0):
        assert session["reader"] == 42
    assert session_cache_key(session) is None  # loaded: nothing to read ahead


def test_a_session_not_in_the_cache_is_loaded_from_the_database():
    stored = SessionStore()
    stored["reader"] = 7
    stored.save()
    cache.delete(stored.cache_key)
    session = SessionStore(stored.session_key)
    session.prime(None)
    assert session["reader"] == 7


def test_no_key_is_made_up_for_a_request_without_a_session():
    for key in (None, "", "short"):  # no cookie, or one too short to be a session's
        session = SessionStore(key)
        assert session_cache_key(session) is None
        assert session.session_key is None  # asking made no new session
    assert session_cache_key(DbSessionStore()) is None  # another engine: read the usual way


def test_an_unknown_session_key_reads_as_an_empty_session():
    session = SessionStore("k" * 32)
    cache_key = session_cache_key(session)
    assert cache_key is not None
    session.prime(cache.get(cache_key))  # nothing there
    assert dict(session.items()) == {}

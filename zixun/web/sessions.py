"""The session engine: Django's cached_db sessions, which can be handed their data when it was
read from the cache together with something else (ADR 0012).

A signed-in page needs the session and the cached page for "a signed-in reader"; with Redis
each is a round trip. ``pagecache`` reads both with one ``get_many`` and gives the session
its part with ``session_prime``. The data is what ``load()`` would have read from the same
cache key; a session not in the cache is loaded from the database as before.
"""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.backends.base import SessionBase
from django.contrib.sessions.backends.cached_db import SessionStore as CachedDbSessionStore


class SessionStore(CachedDbSessionStore):
    def cache_key_if_any(self) -> str | None:
        """The session's cache key, or None for a request without a (well-formed) one; unlike
        ``cache_key``, never makes a new session key."""
        return None if self.session_key is None else self.cache_key_prefix + self.session_key

    def prime(self, data: dict[str, Any] | None) -> None:
        """Take the data read from the cache under ``cache_key_if_any``; None (not in the
        cache) leaves the session to ``load()``."""
        if data is not None and not hasattr(self, "_session_cache"):
            self._session_cache = data


def session_cache_key(session: SessionBase) -> str | None:
    """The cache key under which ``session`` can be read ahead, or None when it cannot."""
    if isinstance(session, SessionStore) and not hasattr(session, "_session_cache"):
        return session.cache_key_if_any()
    return None

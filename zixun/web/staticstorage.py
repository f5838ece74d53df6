"""The static files' storage in production: WhiteNoise's compressed, hashed files, each name's
URL worked out once per process.

``{% static %}`` asks the storage for the URL of a file on every render: the manifest lookup,
cleaning and joining the name cost about 25 µs here, and the article page asks six times (a few
per cent of a page-cache miss; ADR 0018, amendment of 2026-12-03). The manifest is read once when
the process starts and never changes under it (``collectstatic`` of a new release is picked up by
a restart, as before), so the answer for a name never changes either. A name missing from the
manifest still raises, every time, as WhiteNoise's storage does.
"""

from __future__ import annotations

from typing import Any

from whitenoise.storage import CompressedManifestStaticFilesStorage

URLS_MAX = 4096


class StaticStorage(CompressedManifestStaticFilesStorage):  # type: ignore[misc]
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._urls: dict[str, str] = {}

    def url(self, name: str | None, force: bool = False) -> str:
        if force or name is None:
            return str(super().url(name, force))
        found = self._urls.get(name)
        if found is None:
            found = str(super().url(name))
            if len(self._urls) < URLS_MAX:
                self._urls[name] = found
        return found

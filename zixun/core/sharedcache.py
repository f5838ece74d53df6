"""The cache every worker on the machine shares, for state that must not be counted per process.

Rate limits (ours in ``core/ratelimit.py`` and allauth's sign-in limits), the
view dedup, the site version and the page cache's forget log live in the
``shared`` cache alias. With ``REDIS_URL`` that is Redis, like the default cache.
The embedded default keeps the page cache and the blocks in each process's memory
(fast; the site version and the forget log tell every process within a second
what another changed), but a limit counted per process lets ``--workers N`` pass
N times the allowance: so ``shared`` is this file cache under
``ZIXUN_SHARED_CACHE_DIR``.

Django's file cache makes ``add`` and ``incr`` a read followed by a write, and its
``incr`` gives the entry a new timeout. Here both hold an exclusive lock on one
lock file, so two workers never both win an ``add`` (allauth's lock) or lose an
increment, and ``incr`` keeps the entry's expiry (a one-minute window stays one
minute). Expired entries are removed when the cache is full, before any live one.
"""

from __future__ import annotations

import fcntl
import os
import pickle
import tempfile
import time
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import IO, Any, cast

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.filebased import FileBasedCache
from django.core.files.move import file_move_safe

# Look at the number of entries once per this many writes, not on every write.
CULL_CHECK_EVERY = 100


class SharedFileCache(FileBasedCache):
    # FileBasedCache's internals, which django-stubs leaves out.
    _dir: str
    _max_entries: int
    _createdir: Callable[[], None]
    _key_to_file: Callable[[Any, Any], str]
    _delete: Callable[[str], bool]
    _list_cache_files: Callable[[], list[str]]
    _is_expired: Callable[[IO[bytes]], bool]

    def __init__(self, dir: str, params: dict[str, Any]) -> None:
        super().__init__(dir, params)
        self._writes = 0

    @contextmanager
    def _locked(self) -> Iterator[None]:
        self._createdir()
        fd = os.open(os.path.join(self._dir, "lock"), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # releases the lock

    def add(
        self, key: Any, value: Any, timeout: float | None = DEFAULT_TIMEOUT, version: Any = None
    ) -> bool:
        with self._locked():
            return bool(super().add(key, value, timeout, version))

    def incr(self, key: Any, delta: int = 1, version: Any = None) -> Any:
        with self._locked():
            fname = self._key_to_file(key, version)
            try:
                with open(fname, "rb") as f:
                    expiry = pickle.load(f)  # noqa: S301 - our own files, as Django's file cache
                    value = pickle.loads(zlib.decompress(f.read()))  # noqa: S301
            except (FileNotFoundError, EOFError):
                raise ValueError(f"Key '{key}' not found") from None
            if expiry is not None and expiry < time.time():
                self._delete(fname)
                raise ValueError(f"Key '{key}' not found")
            value += delta
            self._write(fname, expiry, value)
            return value

    def _write(self, fname: str, expiry: float | None, value: Any) -> None:
        fd, tmp_path = tempfile.mkstemp(dir=self._dir)
        try:
            with open(fd, "wb") as f:
                f.write(pickle.dumps(expiry, self.pickle_protocol))
                f.write(zlib.compress(pickle.dumps(value, self.pickle_protocol)))
            file_move_safe(tmp_path, fname, allow_overwrite=True)
        except BaseException:
            if os.path.exists(tmp_path):
                os.remove(tmp_path)
            raise

    def _cull(self) -> None:
        self._writes += 1
        if self._writes % CULL_CHECK_EVERY:
            return
        files = self._list_cache_files()
        if len(files) < self._max_entries:
            return
        for fname in files:  # expired entries first
            try:
                with open(fname, "rb") as f:
                    self._is_expired(f)  # deletes the file when it has expired
            except FileNotFoundError:
                pass
        cast(Any, super())._cull()

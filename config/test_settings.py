"""Test settings: only speed and isolation differ from config.settings."""

import atexit
import os
import re
import shutil
import tempfile

# pytest-xdist runs the suite in worker processes (gw0, gw1, …). Each worker gets its own Redis
# database, counted down from the one REDIS_URL names, because every test empties the cache
# (FLUSHDB); the processes a test starts inherit the worker's environment and so its database.
# The database itself is per worker already (pytest-django suffixes the test database's name).
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
if WORKER and os.environ.get("REDIS_URL") and "ZIXUN_TEST_REDIS_BASE" not in os.environ:
    _url = os.environ["ZIXUN_TEST_REDIS_BASE"] = os.environ["REDIS_URL"]
    _base = re.fullmatch(r"(.*/)(\d+)", _url)
    if _base is None:
        raise RuntimeError(f"REDIS_URL must end in a database number to run in workers: {_url}")
    _number = int(_base.group(2)) - int(WORKER.removeprefix("gw"))
    if _number < 0:
        raise RuntimeError(f"too many workers for Redis databases below {_url}")
    os.environ["REDIS_URL"] = f"{_base.group(1)}{_number}"

from config.settings import *  # noqa: E402, F403
from config.settings import CACHES, REDIS_URL  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Tasks run at once, inside the request or test that enqueues them.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "private": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
if REDIS_URL:
    # Keep test keys apart from a running site's.
    CACHES["default"]["KEY_PREFIX"] = "zixun-test"
    CACHES["shared"]["KEY_PREFIX"] = "zixun-test"
else:
    # Each test run its own shared cache (inherited by the processes it starts), apart from a
    # running site's and from other runs.
    if "ZIXUN_TEST_SHARED_CACHE_DIR" not in os.environ:
        # The run that makes the folder removes it when it ends; its subprocesses only use it.
        os.environ["ZIXUN_TEST_SHARED_CACHE_DIR"] = tempfile.mkdtemp(prefix="zixun-test-shared-")
        atexit.register(
            shutil.rmtree, os.environ["ZIXUN_TEST_SHARED_CACHE_DIR"], ignore_errors=True
        )
    # A folder per worker: every test empties it.
    CACHES["shared"]["LOCATION"] = os.path.join(
        os.environ["ZIXUN_TEST_SHARED_CACHE_DIR"], WORKER or "main"
    )
WHITENOISE_AUTOREFRESH = True  # serve from the finders; no collectstatic before tests

"""Test settings: only speed and isolation differ from config.settings."""

import atexit
import os
import shutil
import tempfile

from config.settings import *  # noqa: F403
from config.settings import CACHES, REDIS_URL

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
    CACHES["shared"]["LOCATION"] = os.environ["ZIXUN_TEST_SHARED_CACHE_DIR"]
WHITENOISE_AUTOREFRESH = True  # serve from the finders; no collectstatic before tests

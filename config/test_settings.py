"""Test settings: only speed and isolation differ from config.settings."""

import os
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
    CACHES["shared"]["LOCATION"] = os.environ.setdefault(
        "ZIXUN_TEST_SHARED_CACHE_DIR", tempfile.mkdtemp(prefix="zixun-test-shared-")
    )
WHITENOISE_AUTOREFRESH = True  # serve from the finders; no collectstatic before tests

"""Settings read from the environment: a bad value stops start-up with a clear message."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_a_number_setting_that_is_not_a_number_names_itself():
    # given a setting that must be a whole number, set to something else
    env = {**os.environ, "ZIXUN_PAGE_SIZE": "twenty", "DJANGO_SETTINGS_MODULE": "config.settings"}
    # when the settings are read
    run = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    # then start-up stops with the setting's name and value, not a bare ValueError
    assert run.returncode != 0
    assert (
        "ImproperlyConfigured: ZIXUN_PAGE_SIZE must be a whole number, not 'twenty'" in run.stderr
    )

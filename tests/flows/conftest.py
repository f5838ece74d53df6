"""Journeys at the HTTP level: each person has their own Client, as each has a browser.

They run on both databases (tests/browser walks the same journeys in Chromium, on
SQLite only). Every step goes through a URL, as a person's browser would.
"""

from __future__ import annotations

import pytest
from django.test import Client

from zixun.accounts.tests.factories import EditorFactory


@pytest.fixture
def editor() -> Client:
    """An editor (审核) signed in in their own browser."""
    client = Client()
    client.force_login(EditorFactory(username="shenhe"))
    return client


@pytest.fixture
def visitor() -> Client:
    """An anonymous visitor: served from the page cache whenever it can be."""
    return Client()

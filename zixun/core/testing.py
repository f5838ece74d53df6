"""Helpers shared by the test suites of every app (imported by tests only)."""

from __future__ import annotations

import re

from django.utils.functional import Promise

from zixun.core.errors import message_format


def exactly(message: str | Promise, **params: object) -> str:
    """A ``pytest.raises(match=...)`` pattern for exactly this message, as shown now."""
    return f"^{re.escape(message_format(message, **params))}$"

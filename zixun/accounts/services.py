"""Writes on a user's own account settings."""

from __future__ import annotations

from zixun.accounts.models import User


def user_care_mode_set(*, user: User, on: bool) -> None:
    """Remember 关怀版 on the account, so that it follows the reader to every browser."""
    if user.care_mode is on:
        return
    user.care_mode = on
    user.save(update_fields=["care_mode"])

"""A row and the counter that counts such rows, changed together.

Likes, favourites and follows are rows guarded by a unique constraint. The
counter moves with an atomic ``F()`` update in the same transaction, and only
when the row really appeared or went: a replayed request changes nothing, and
any number of concurrent requests leave the counter equal to the rows.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, models, transaction


def counted_row_set(
    *,
    on: bool,
    rows: models.QuerySet[Any],
    values: dict[str, Any],
    move: Callable[[int], int],
) -> int:
    """Create (``on``) or delete the row ``values`` in ``rows``, move the counter with it,
    and return the counter's value.

    ``move(delta)`` adds ``delta`` (+1, -1 or 0) to the counter and returns its value;
    it belongs to the app that owns the counted table, so that each app writes only
    its own tables.
    """
    with transaction.atomic():
        if on:
            try:
                with transaction.atomic():  # a savepoint: a duplicate must not spoil the outer one
                    rows.create(**values)
                changed = 1
            except IntegrityError:
                changed = 0  # already there
        else:
            deleted, _ = rows.filter(**values).delete()
            changed = -1 if deleted else 0
        return move(changed)

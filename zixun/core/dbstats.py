"""Fresh planner statistics after a bulk load.

PostgreSQL plans every query from statistics that ``ANALYZE`` gathers (autovacuum runs it as
rows change, when it is on). Right after a load of many rows they still describe the small
table of before: on a site just topped up to a million articles, the home page's newest-first
query was planned for 418 rows and ran for minutes. So the commands that load in bulk
(``demo-scale``, ``gen-scale``, ``demo_load``, ``articles_import``, a restore) end with
:func:`statistics_refresh`. It samples a bounded number of rows per table: seconds at a
million articles. SQLite's planner needs no statistics for these queries; nothing is done there.
"""

from __future__ import annotations

from django.db import DEFAULT_DB_ALIAS, connections


def statistics_refresh(using: str = DEFAULT_DB_ALIAS) -> bool:
    """ANALYZE the whole database on PostgreSQL; True when it ran."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return True

"""Fresh planner statistics after a bulk load.

PostgreSQL plans every query from statistics that ``ANALYZE`` gathers (autovacuum runs it as
rows change, when it is on). Right after a load of many rows they still describe the small
table of before: on a site just topped up to a million articles, the home page's newest-first
query was planned for 418 rows and ran for minutes. So the commands that load in bulk
(``demo-scale``, ``gen-scale``, ``demo_load``, ``articles_import``, a restore) end with
:func:`statistics_refresh`. It samples a bounded number of rows per table: seconds at a
million articles. SQLite's planner needs no statistics for these queries; nothing is done there.

Outside a transaction it runs ``VACUUM (ANALYZE)``: the vacuum also marks the new pages
all-visible, which the index-only scans of the feed, search and 相关推荐 need to leave the
table's rows unread. Before it, on a site with autovacuum off, publishing with 3,400 articles
indexed for 相关推荐 took 110 ms on PostgreSQL, after it 40 ms (the postings were read from the
table, one row at a time). VACUUM skips the pages already all-visible, so a second run is cheap.
"""

from __future__ import annotations

from django.db import DEFAULT_DB_ALIAS, connections


def statistics_refresh(using: str = DEFAULT_DB_ALIAS) -> bool:
    """VACUUM (ANALYZE) the whole database on PostgreSQL, or only ANALYZE inside a transaction
    (where VACUUM cannot run); True when it ran."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)")
    return True

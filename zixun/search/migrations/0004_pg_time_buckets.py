"""PostgreSQL: the vectors hold time buckets (engine.bucket_lexemes) from now on.

Rows are written with them by the new code; the buckets plan (engine.PostgresStore, ADR 0013
amendment of 2026-12-02) is taken only once the table's comment says that every row holds
them. Here that is checked (an empty table, as on a new site, passes at once); a site with rows
written before gets them from a full ``zixun search-reindex`` (resumable, about 1,000 articles
a second), which checks again when it ends. Until then the earlier plans serve every search.
Nothing is rewritten here: rewriting every vector in place costs GIN an insertion of every word
of every row (about 45 minutes at a million rows, measured)."""

import sys

from django.db import migrations


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from zixun.search.engine import PostgresStore

    if not PostgresStore().check_buckets():
        print(
            "\n  search: run `zixun search-reindex` once for the faster PostgreSQL plan "
            "(docs/search.md); search works meanwhile.",
            file=sys.stderr,
        )


class Migration(migrations.Migration):
    dependencies = [("search", "0003_pg_plans")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]

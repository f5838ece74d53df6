"""PostgreSQL: one GIN index over the vector alone, and statistics for 10,000 of its words.

The newest matches are now found by one of three plans chosen from the planner's estimate
(engine.PostgresStore, ADR 0013): a walk along the primary key for common words, the GIN bitmap
for rare ones, the GIN bitmap ANDed with the primary key's bitmap of the newest rows between.
The (row key, vector) GIN indexes of 0002 scanned a key range inside GIN far more slowly than
the primary key does, and the title index served a plan PostgreSQL no longer uses. The estimate
that picks the plan needs the vector's element statistics to know far more than the default
100 targets' words. Built concurrently: a large site keeps publishing while it runs."""

from django.db import migrations

STATEMENTS = (
    "CREATE INDEX CONCURRENTLY IF NOT EXISTS search_pg_words ON search_pg USING gin (tsv)",
    "DROP INDEX CONCURRENTLY IF EXISTS search_pg_tsv",
    "DROP INDEX CONCURRENTLY IF EXISTS search_pg_title",
    "ALTER TABLE search_pg ALTER COLUMN tsv SET STATISTICS 10000",
)


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in STATEMENTS:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY runs outside a transaction

    dependencies = [("search", "0002_fulltext")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]

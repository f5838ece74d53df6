"""The full-text table of the database in use: FTS5 on SQLite; on PostgreSQL a tsvector table
with GIN indexes over (row key, vector) — btree_gin, a trusted contrib extension, lets one index
scan intersect a word with a key window (engine.PostgresStore, ADR 0013). Without the extension
the indexes cover the vectors alone (correct, slower for common words)."""

from django.db import migrations, transaction

SQLITE = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5("
    "title, body, tags, facets, tokenize = 'unicode61 remove_diacritics 2')"
)
TABLE = (
    "CREATE TABLE IF NOT EXISTS search_pg (rowkey bigint PRIMARY KEY, tsv tsvector NOT NULL, "
    "title tsvector NOT NULL)"
)
WITH_KEY = (
    "CREATE EXTENSION IF NOT EXISTS btree_gin",
    "CREATE INDEX IF NOT EXISTS search_pg_tsv ON search_pg USING gin (rowkey, tsv)",
    "CREATE INDEX IF NOT EXISTS search_pg_title ON search_pg USING gin (rowkey, title)",
)
VECTOR_ONLY = (
    "CREATE INDEX IF NOT EXISTS search_pg_tsv ON search_pg USING gin (tsv)",
    "CREATE INDEX IF NOT EXISTS search_pg_title ON search_pg USING gin (title)",
)
# Vectors are read back for ranking: lz4 decompresses several times faster than pglz.
LZ4 = "ALTER TABLE search_pg ALTER COLUMN tsv SET COMPRESSION lz4"


def _try(schema_editor, statements) -> bool:
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            for statement in statements:
                schema_editor.execute(statement)
    except Exception:  # noqa: BLE001 — an optional feature the server does not offer
        return False
    return True


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        schema_editor.execute(SQLITE)
        return
    schema_editor.execute(TABLE)
    if not _try(schema_editor, WITH_KEY):
        for statement in VECTOR_ONLY:
            schema_editor.execute(statement)
    _try(schema_editor, [LZ4])


def backwards(apps, schema_editor):
    table = "search_pg" if schema_editor.connection.vendor == "postgresql" else "search_fts"
    schema_editor.execute(f"DROP TABLE IF EXISTS {table}")


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]

"""The full-text table of the database in use: FTS5 on SQLite, a tsvector with GIN on PostgreSQL."""

from django.db import migrations

SQLITE = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5("
    "title, body, tags, facets, tokenize = 'unicode61 remove_diacritics 2')"
)
POSTGRES = (
    "CREATE TABLE IF NOT EXISTS search_pg (rowkey bigint PRIMARY KEY, tsv tsvector NOT NULL)",
    "CREATE INDEX IF NOT EXISTS search_pg_tsv ON search_pg USING gin (tsv)",
)


def forwards(apps, schema_editor):
    statements = POSTGRES if schema_editor.connection.vendor == "postgresql" else (SQLITE,)
    for statement in statements:
        schema_editor.execute(statement)


def backwards(apps, schema_editor):
    table = "search_pg" if schema_editor.connection.vendor == "postgresql" else "search_fts"
    schema_editor.execute(f"DROP TABLE IF EXISTS {table}")


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]

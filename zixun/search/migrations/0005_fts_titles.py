"""SQLite: the titles (and facets) in a table of their own, ``search_fts_title``.

Title matches join the candidates (engine.Fts5Store.match, ``title_only``). In ``search_fts``
a word's doclist holds its every occurrence in every body, and FTS5 filters the title column
row by row: finding the 50 newest titles with two common words walked 20–48 ms at a million
articles; in a table of titles alone the same walk takes 1–5 ms (docs/search.md). The table is
filled here from the index (about 50 s at a million rows); the store writes both from now on.
PostgreSQL has its title vector beside the full one (migration 0002)."""

from django.db import migrations

CREATE = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS search_fts_title USING fts5("
    "title, facets, tokenize = 'unicode61 remove_diacritics 2')"
)
FILL = (
    "INSERT INTO search_fts_title(rowid, title, facets) SELECT rowid, title, facets FROM search_fts"
)


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        return
    schema_editor.execute(CREATE)
    schema_editor.execute("DELETE FROM search_fts_title")
    schema_editor.execute(FILL)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        schema_editor.execute("DROP TABLE IF EXISTS search_fts_title")


class Migration(migrations.Migration):
    dependencies = [("search", "0004_pg_time_buckets")]

    operations = [migrations.RunPython(forwards, backwards)]

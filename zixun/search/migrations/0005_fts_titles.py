"""SQLite: the titles (and facets) in a table of their own, ``search_fts_title``.

Title matches join the candidates (engine.Fts5Store.match, ``title_only``). In ``search_fts``
a word's doclist holds its every occurrence in every body, and FTS5 filters the title column
row by row: finding the 50 newest titles with two common words walked 20–48 ms at a million
articles; in a table of titles alone the same walk takes 1–5 ms (docs/search.md). The table is
filled here from the index (about 20 s at a million rows); the store writes both from now on.

It is contentless (``content=''``, ``columnsize=0``): only rowids are ever read from it, and a
table with content writes a row into two B-trees keyed by rowid, at random places for articles
imported with past dates (500 titles: 90–125 ms against 3–4 ms contentless). A contentless row
is deleted by repeating its values (``'delete'``), which the store reads from ``search_fts``.
PostgreSQL has its title vector beside the full one (migration 0002)."""

from django.db import migrations

CREATE = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS search_fts_title USING fts5("
    "title, facets, content = '', columnsize = 0, tokenize = 'unicode61 remove_diacritics 2')"
)
FILL = (
    "INSERT INTO search_fts_title(rowid, title, facets) SELECT rowid, title, facets FROM search_fts"
)


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        return
    schema_editor.execute(CREATE)
    schema_editor.execute("INSERT INTO search_fts_title(search_fts_title) VALUES ('delete-all')")
    schema_editor.execute(FILL)
    # One segment: the fill leaves many, and merging them piecemeal later made every commit of
    # new articles about a quarter slower (indexing 870–1,379 against 1,222–1,502 articles/s).
    schema_editor.execute("INSERT INTO search_fts_title(search_fts_title) VALUES ('optimize')")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        schema_editor.execute("DROP TABLE IF EXISTS search_fts_title")


class Migration(migrations.Migration):
    dependencies = [("search", "0004_pg_time_buckets")]

    operations = [migrations.RunPython(forwards, backwards)]

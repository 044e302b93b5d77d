"""Each backend's own search structures (see ADR 0004).

SQLite: FTS5 and R*Tree virtual tables. PostgreSQL: GIN (tsvector) and GiST
(point) expression indexes, and pg_trgm for typo tolerance. Vendor-checked and
reversible; the SQL is written out here so later code changes cannot alter it.
"""

from django.db import migrations

SQL = {
    "sqlite": (
        [
            "CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5("
            "tokens, tokenize = 'unicode61 remove_diacritics 2', "
            "prefix = '2 3 4', detail = 'none')",
            "CREATE VIRTUAL TABLE IF NOT EXISTS search_rtree USING rtree("
            "id, min_lat, max_lat, min_lng, max_lng)",
        ],
        ["DROP TABLE IF EXISTS search_fts", "DROP TABLE IF EXISTS search_rtree"],
    ),
    "postgresql": (
        [
            "CREATE EXTENSION IF NOT EXISTS pg_trgm",
            "CREATE INDEX IF NOT EXISTS searchdoc_tsv ON search_searchdocument "
            "USING gin (to_tsvector('simple'::regconfig, tokens))",
            "CREATE INDEX IF NOT EXISTS searchdoc_point ON search_searchdocument "
            "USING gist (point(lng, lat)) WHERE lat IS NOT NULL",
            "CREATE INDEX IF NOT EXISTS searchterm_trgm ON search_searchterm "
            "USING gin (token gin_trgm_ops)",
        ],
        [
            "DROP INDEX IF EXISTS searchdoc_tsv",
            "DROP INDEX IF EXISTS searchdoc_point",
            "DROP INDEX IF EXISTS searchterm_trgm",
        ],
    ),
}


def create(apps, schema_editor):
    for statement in SQL.get(schema_editor.connection.vendor, ([], []))[0]:
        schema_editor.execute(statement)


def drop(apps, schema_editor):
    for statement in SQL.get(schema_editor.connection.vendor, ([], []))[1]:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("search", "0001_search_index")]

    operations = [migrations.RunPython(create, drop)]

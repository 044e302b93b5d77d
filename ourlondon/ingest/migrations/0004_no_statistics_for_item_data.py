"""No planner statistics for a feed item's JSON (PostgreSQL).

No query filters or sorts on `ingest_feeditem.data`, yet every ANALYZE the
harvester runs (`core.bulkwrite.maintain_tables`) decoded and measured a
sample of it: 1.6 s of a 100,000-session harvest, the largest of its
statistics runs. Statistics target 0 leaves the column out; -1 (the default)
puts it back. SQLite keeps no such per-column statistics.
"""

from django.db import migrations


def _target(value):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(
                "ALTER TABLE ingest_feeditem ALTER COLUMN data "
                f"SET STATISTICS {int(value)}"
            )

    return run


class Migration(migrations.Migration):
    dependencies = [("ingest", "0003_redundant_fk_indexes")]

    operations = [migrations.RunPython(_target(0), _target(-1))]

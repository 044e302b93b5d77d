"""Fill SearchDocument.day0_last_ts for an index built before the field existed.

The engine trusts the column whenever a search starts part-way through day 0, so
an index left unfilled until the next nightly rebuild would miss sessions later
today. Day 0 is read from SearchIndexState; an empty index has nothing to fill.
"""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import migrations

LONDON = ZoneInfo("Europe/London")


def fill(apps, schema_editor):
    state = apps.get_model("search", "SearchIndexState").objects.first()
    if state is None:
        return
    start = datetime.combine(state.day0, time(0), tzinfo=LONDON)
    end = datetime.combine(state.day0 + timedelta(days=1), time(0), tzinfo=LONDON)
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "UPDATE search_searchdocument SET day0_last_ts = ("
            "SELECT MAX(s.start_ts) FROM search_searchsession s "
            "WHERE s.activity_id = search_searchdocument.activity_id "
            "AND s.start_ts >= %s AND s.start_ts < %s)",
            [int(start.timestamp()), int(end.timestamp())],
        )


def empty(apps, schema_editor):
    apps.get_model("search", "SearchDocument").objects.update(day0_last_ts=None)


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0007_covering_indexes_for_million_session_search"),
    ]

    operations = [migrations.RunPython(fill, empty)]

"""A waiting session's series is kept on its report (`FeedRejection.
waiting_for`, indexed for the waiting ones only), not on every feed item
(`FeedItem.super_event_id`, an index entry written for every session
harvested). Sessions waiting now keep their place: their series is copied
across before the old column goes.
"""

from django.db import migrations, models
from django.db.models import Exists, OuterRef, Subquery, Value
from django.db.models.functions import NullIf, Trim

WAITING = "Waiting for its series"


def copy_series_across(apps, schema_editor):
    FeedItem = apps.get_model("ingest", "FeedItem")
    FeedRejection = apps.get_model("ingest", "FeedRejection")
    series = FeedItem.objects.filter(
        feed_id=OuterRef("feed_id"), kind=OuterRef("kind"), item_id=OuterRef("item_id")
    ).values("super_event_id")[:1]
    # One statement; a session with no series given stays null.
    FeedRejection.objects.filter(reason__startswith=WAITING).update(
        waiting_for=NullIf(Trim(Subquery(series)), Value(""))
    )


def copy_series_back(apps, schema_editor):
    FeedItem = apps.get_model("ingest", "FeedItem")
    FeedRejection = apps.get_model("ingest", "FeedRejection")
    waiting = FeedRejection.objects.filter(
        feed_id=OuterRef("feed_id"),
        kind=OuterRef("kind"),
        item_id=OuterRef("item_id"),
        waiting_for__isnull=False,
    )
    FeedItem.objects.filter(Exists(waiting)).update(
        super_event_id=Subquery(waiting.values("waiting_for")[:1])
    )


class Migration(migrations.Migration):
    dependencies = [
        ("ingest", "0004_no_statistics_for_item_data"),
    ]

    operations = [
        migrations.AddField(
            model_name="feedrejection",
            name="waiting_for",
            field=models.CharField(blank=True, max_length=1000, null=True),
        ),
        migrations.AddIndex(
            model_name="feedrejection",
            index=models.Index(
                condition=models.Q(("waiting_for__isnull", False)),
                fields=["waiting_for"],
                name="feedrejection_waiting",
            ),
        ),
        migrations.RunPython(copy_series_across, copy_series_back),
        migrations.RemoveField(
            model_name="feeditem",
            name="super_event_id",
        ),
    ]

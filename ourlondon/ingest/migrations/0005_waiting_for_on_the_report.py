"""A waiting session's series is kept on its report (`FeedRejection.
waiting_for`, indexed for the waiting ones only), not on every feed item
(`FeedItem.super_event_id`, an index entry written for every session
harvested). Sessions waiting now keep their place: their series is copied
across before the old column goes.
"""

from django.db import migrations, models

WAITING = "Waiting for its series"
BATCH = 1000


def copy_series_across(apps, schema_editor):
    FeedItem = apps.get_model("ingest", "FeedItem")
    FeedRejection = apps.get_model("ingest", "FeedRejection")
    waiting = FeedRejection.objects.filter(reason__startswith=WAITING).order_by("pk")
    for report in waiting.iterator(chunk_size=BATCH):
        series = (
            FeedItem.objects.filter(
                feed_id=report.feed_id, kind=report.kind, item_id=report.item_id
            )
            .values_list("super_event_id", flat=True)
            .first()
        )
        if series:
            FeedRejection.objects.filter(pk=report.pk).update(
                waiting_for=series.strip()
            )


def copy_series_back(apps, schema_editor):
    FeedItem = apps.get_model("ingest", "FeedItem")
    FeedRejection = apps.get_model("ingest", "FeedRejection")
    waiting = FeedRejection.objects.exclude(waiting_for=None).order_by("pk")
    for report in waiting.iterator(chunk_size=BATCH):
        FeedItem.objects.filter(
            feed_id=report.feed_id, kind=report.kind, item_id=report.item_id
        ).update(super_event_id=report.waiting_for)


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

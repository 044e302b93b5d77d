"""The feed registry and what each feed has told us.

A `Feed` is one RPDE feed URL of one publisher, fetched only once a moderator has
approved it. Its harvest position (`next_url`) moves forward in the same
transaction as that page's items, so a harvester killed at any moment resumes
with nothing duplicated and nothing missed.

`FeedItem` keeps the latest version of every item a feed published (its raw
JSON): sessions can then be joined to a series that arrives later, from this
feed or another, and a re-sync can tell what disappeared. `FeedRejection` is the
data-quality report: one row per item that could not be used, and why (for a
session waiting for its series, which series).
"""

from __future__ import annotations

from django.db import models


class Feed(models.Model):
    class Kind(models.TextChoices):
        SESSION_SERIES = "SessionSeries", "SessionSeries"
        SCHEDULED_SESSION = "ScheduledSession", "ScheduledSession"
        FACILITY_USE = "FacilityUse", "FacilityUse"
        INDIVIDUAL_FACILITY_USE = "IndividualFacilityUse", "IndividualFacilityUse"
        SLOT = "Slot", "Slot"
        COURSE_INSTANCE = "CourseInstance", "CourseInstance"
        EVENT = "Event", "Event"

    class Status(models.TextChoices):
        NEW = "new", "Not harvested yet"
        HARVESTING = "harvesting", "Catching up"
        CAUGHT_UP = "caught-up", "Up to date"
        BACKING_OFF = "backing-off", "Waiting (server asked us to)"
        FAILING = "failing", "Failing"
        STOPPED = "stopped", "Stopped: feed gone"

    name = models.SlugField(max_length=100, unique=True)
    publisher = models.CharField(max_length=200)
    kind = models.CharField(max_length=32, choices=Kind.choices)
    url = models.URLField(max_length=1000, help_text="The feed's first page.")
    enabled = models.BooleanField(default=True)
    approved = models.BooleanField(
        default=False, help_text="Only URLs a moderator approved are ever fetched."
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    poll_seconds = models.PositiveIntegerField(
        default=8, help_text="How often to ask the last page for news once caught up."
    )
    # Harvest state.
    next_url = models.URLField(max_length=2000, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default="new")
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    last_error_url = models.URLField(max_length=2000, blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    failures = models.PositiveIntegerField(
        default=0, help_text="Failed attempts in a row (for backing off)."
    )
    not_before = models.DateTimeField(
        null=True, blank=True, help_text="Do not fetch again before this time."
    )
    last_full_sync_at = models.DateTimeField(null=True, blank=True)
    # Set while a weekly re-read from the first page is under way: items not
    # seen again by its end have vanished without a tombstone.
    resync_started_at = models.DateTimeField(null=True, blank=True)
    quiet_polls = models.PositiveIntegerField(
        default=0, help_text="Polls in a row that found nothing new."
    )
    pages = models.PositiveBigIntegerField(default=0)
    items_seen = models.PositiveBigIntegerField(default=0)
    items_rejected = models.PositiveBigIntegerField(default=0)
    items_deleted = models.PositiveBigIntegerField(default=0)
    items_outside_london = models.PositiveBigIntegerField(default=0)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def poll_interval(self) -> float:
        """Seconds between polls once caught up: `poll_seconds` while the feed is
        busy, doubling with each quiet poll up to five minutes."""
        return float(min(self.poll_seconds * 2 ** min(self.quiet_polls, 10), 300))


class FeedItem(models.Model):
    """The latest state of one item of one feed, as published."""

    # Indexed by the unique (feed, kind, item_id), which leads with it.
    feed = models.ForeignKey(
        Feed, on_delete=models.CASCADE, related_name="items", db_index=False
    )
    kind = models.CharField(max_length=64)
    item_id = models.CharField(max_length=300)
    # RPDE allows a string or an integer of any size: kept as published.
    modified = models.CharField(max_length=64)
    deleted = models.BooleanField(default=False)
    data = models.JSONField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    # When a page last carried it (for the re-sync's sweep).
    seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["feed", "kind", "item_id"], name="feeditem_unique_id"
            )
        ]

    def __str__(self) -> str:
        return f"{self.feed} {self.kind} {self.item_id}"


class FeedRejection(models.Model):
    """An item the catalogue could not take, with the reason (latest only)."""

    feed = models.ForeignKey(Feed, on_delete=models.CASCADE, related_name="rejections")
    kind = models.CharField(max_length=64)
    item_id = models.CharField(max_length=300)
    reason = models.TextField()
    outside_london = models.BooleanField(default=False)
    # A session waiting for its series: the series' @id, the key it is found
    # by when the series arrives. Null (not "") for every other item, so
    # the partial index holds the waiting ones only: an index of every
    # item's series on FeedItem was written for every session harvested,
    # at a spot anywhere in it. With the sessions' start index (also gone),
    # a million sessions into SQLite took 110.0 s; without either, 92.4 s.
    waiting_for = models.CharField(max_length=1000, null=True, blank=True)  # noqa: DJ001
    at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-at"]
        indexes = [
            models.Index(
                fields=["waiting_for"],
                condition=models.Q(waiting_for__isnull=False),
                name="feedrejection_waiting",
            )
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["feed", "kind", "item_id"], name="feedrejection_unique_id"
            )
        ]

    def __str__(self) -> str:
        return f"{self.feed} {self.item_id}: {self.reason[:60]}"

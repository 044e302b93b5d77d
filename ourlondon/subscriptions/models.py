"""Who asked for which updates, and the proof that they did.

A `Subscriber` is an email address and only what its topics need (a postcode and
interests for "near me"; never a name or an IP address). Every change of mind is
a `ConsentRecord`, append-only: what was agreed (topics), to which exact words
(`ConsentWording`, versioned, never edited once used), when, where (the page) and
how (the form, then the emailed link).
"""

from __future__ import annotations

from django.db import models


class Topic(models.Model):
    slug = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=100)
    description = models.CharField(max_length=300)
    # "New activities near me" needs a postcode and interests; the others do not.
    needs_place = models.BooleanField(default=False)
    active = models.BooleanField(default=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class ConsentWording(models.Model):
    """The consent statement shown beside the button. A new wording is a new
    version; a version that anyone agreed to is never changed."""

    version = models.PositiveIntegerField(unique=True)
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"Wording v{self.version}"


class Subscriber(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for the address to be confirmed"
        CONFIRMED = "confirmed", "Confirmed"
        UNSUBSCRIBED = "unsubscribed", "Unsubscribed"

    email = models.EmailField(max_length=254, unique=True)
    status = models.CharField(max_length=16, choices=Status.choices, default="pending")
    topics = models.ManyToManyField(Topic, related_name="subscribers", blank=True)
    postcode = models.CharField(max_length=8, blank=True)
    interests = models.JSONField(default=list, blank=True)  # category values
    radius_km = models.PositiveSmallIntegerField(default=3)
    # "10-13", "14-17", "18-25" or "" (any): the digest lists activities whose
    # age range overlaps it.
    age_band = models.CharField(max_length=5, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Subscriber {self.pk} ({self.get_status_display()})"


class ConsentRecord(models.Model):
    class Action(models.TextChoices):
        GIVEN = "given", "Agreed on the form"
        CONFIRMED = "confirmed", "Confirmed by the emailed link"
        CHANGED = "changed", "Topics changed on the manage page"
        WITHDRAWN = "withdrawn", "Unsubscribed"

    subscriber = models.ForeignKey(
        Subscriber, on_delete=models.CASCADE, related_name="consents"
    )
    action = models.CharField(max_length=16, choices=Action.choices)
    topics = models.JSONField(default=list)  # topic slugs at the time
    wording = models.ForeignKey(ConsentWording, on_delete=models.PROTECT)
    page = models.CharField(max_length=200)
    method = models.CharField(max_length=100)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} at {self.at:%Y-%m-%d %H:%M}"


class Announcement(models.Model):
    """A message from staff to everyone confirmed for one topic."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"

    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="+")
    subject = models.CharField(max_length=150)
    body = models.TextField(max_length=20_000, help_text="Plain text.")
    status = models.CharField(max_length=10, choices=Status.choices, default="draft")
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.subject


class Delivery(models.Model):
    """One message to one subscriber: at most one row per pair, and a row is
    marked sent the moment the SMTP server accepts it, so a send that is run
    again (after a crash, or twice) skips everyone already done."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    announcement = models.ForeignKey(
        Announcement, on_delete=models.CASCADE, related_name="deliveries"
    )
    subscriber = models.ForeignKey(
        Subscriber, on_delete=models.CASCADE, related_name="deliveries"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default="pending")
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["announcement", "subscriber"], name="delivery_once"
            )
        ]
        indexes = [
            models.Index(fields=["announcement", "status"], name="delivery_todo")
        ]

    def __str__(self) -> str:
        return f"{self.announcement_id} → {self.subscriber_id}: {self.status}"


class Suppression(models.Model):
    """An erased address, kept only as a keyed hash so it is never mailed again."""

    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Suppressed {self.digest[:12]}…"


class DigestDelivery(models.Model):
    """This week's "near me" email for one subscriber: sent, or nothing new."""

    class Status(models.TextChoices):
        SENT = "sent", "Sent"
        EMPTY = "empty", "Nothing new: not sent"

    subscriber = models.ForeignKey(
        Subscriber, on_delete=models.CASCADE, related_name="digests"
    )
    week = models.DateField(help_text="The Monday of the week it is for.")
    status = models.CharField(max_length=8, choices=Status.choices)
    activities = models.PositiveSmallIntegerField(default=0)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["subscriber", "week"], name="digest_once")
        ]

    def __str__(self) -> str:
        return f"Digest {self.week} for {self.subscriber_id}: {self.status}"

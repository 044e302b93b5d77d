"""The catalogue: who runs what, where, for whom, and when.

An `Activity` is a series (a weekly club, a holiday programme, a one-off event). Its
`Schedule` rows say when it runs; `Occurrence` rows are the dated sessions computed
from them for a rolling window (see `catalogue/recurrence.py`).
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q

from ourlondon.catalogue.queries import (
    ActivityQuerySet,
    OccurrenceQuerySet,
    PublicActivityManager,
)
from ourlondon.catalogue.vocabulary import (
    WEEKDAY_CODES,
    AccessibilityFeature,
    Category,
)
from ourlondon.core.models import Borough

MAX_AGE = 120


def validate_accessibility(value: Any) -> None:
    allowed = set(AccessibilityFeature.values)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValidationError("Accessibility features must be a list of codes.")
    unknown = sorted(set(value) - allowed)
    if unknown:
        raise ValidationError(
            "Unknown accessibility feature(s): %(unknown)s.",
            params={"unknown": ", ".join(unknown)},
        )


def validate_weekdays(value: str) -> None:
    days = [d for d in value.split(",") if d]
    unknown = [d for d in days if d not in WEEKDAY_CODES]
    if unknown:
        raise ValidationError(
            "Unknown weekday(s): %(days)s. Use MO, TU, WE, TH, FR, SA, SU.",
            params={"days": ", ".join(unknown)},
        )
    if len(set(days)) != len(days):
        raise ValidationError("A weekday is repeated.")


class ActivityType(models.Model):
    """A kind of activity: an OpenActive Activity List concept, or one of ours."""

    class Source(models.TextChoices):
        OPENACTIVE = "openactive", "OpenActive Activity List"
        OURLONDON = "ourlondon", "ourlondon"

    # The concept URI: https://openactive.io/activity-list#<uuid> for OpenActive,
    # urn:ourlondon:activity-type:<slug> for ours. Feeds are matched on it.
    uri = models.CharField("URI", max_length=200, unique=True)
    label = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100, unique=True)
    category = models.CharField(max_length=24, choices=Category.choices)
    definition = models.TextField(blank=True)
    alt_labels = models.JSONField(default=list, blank=True)
    broader = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source = models.CharField(max_length=16, choices=Source.choices)

    class Meta:
        ordering = ["label"]

    def __str__(self) -> str:
        return self.label


class Organisation(models.Model):
    """A club, charity, council, school or business that runs activities."""

    class Kind(models.TextChoices):
        CHARITY = "charity", "Registered charity"
        CIO = "cio", "Charitable incorporated organisation"
        COMPANY = "company", "Company"
        CIC = "cic", "Community interest company"
        SCHOOL = "school", "School or college"
        COUNCIL = "council", "Council or public body"
        FAITH = "faith", "Faith group"
        COMMUNITY = "community", "Unincorporated community group"
        # One person running activities in their own name: their own address and
        # phone stay private (providers.SafeguardingProfile), so each listing
        # gives a booking contact and a public venue (providers/solo.py).
        SOLE_TRADER = "sole_trader", "Sole trader or individual"
        # Organisers named by an open-data feed, until a moderator or the
        # organisation itself says what they are.
        UNKNOWN = "unknown", "Not stated (from an open-data feed)"

    class Verification(models.TextChoices):
        UNVERIFIED = "unverified", "Not checked"
        PENDING = "pending", "Check in progress"
        VERIFIED = "verified", "Checked"
        REJECTED = "rejected", "Check failed"
        SUSPENDED = "suspended", "Suspended"

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    charity_number = models.CharField(
        max_length=10,
        blank=True,
        help_text="England and Wales: 6 to 8 digits; Scotland: SC and 6 digits.",
    )
    company_number = models.CharField(
        max_length=8, blank=True, help_text="8 characters, e.g. 01234567 or SC123456."
    )
    website = models.URLField(blank=True)
    public_email = models.EmailField(blank=True)
    public_phone = models.CharField(max_length=32, blank=True)
    verification = models.CharField(
        max_length=16, choices=Verification.choices, default=Verification.UNVERIFIED
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    is_demo = models.BooleanField(
        default=False, help_text="Generated demo data, not a real organisation."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(verification="verified") | Q(verified_at__isnull=False),
                name="organisation_verified_has_date",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors: dict[str, str] = {}
        number = self.charity_number.strip().upper()
        if number and not re.fullmatch(
            r"\d{6,8}(-\d{1,2})?|SC\d{6}|NIC\d{5,6}", number
        ):
            errors["charity_number"] = (
                "Enter a charity number as registered: 6 to 8 digits (England and "
                "Wales), SC and 6 digits (Scotland) or NIC and 5-6 digits (NI)."
            )
        self.charity_number = number
        company = self.company_number.strip().upper()
        if company and not re.fullmatch(r"(\d{8}|[A-Z]{2}\d{6})", company):
            errors["company_number"] = (
                "Enter the 8-character Companies House number, e.g. 01234567 or "
                "SC123456."
            )
        self.company_number = company
        if self.kind in {self.Kind.CHARITY, self.Kind.CIO} and not number:
            errors["charity_number"] = "A registered charity needs its charity number."
        if self.kind in {self.Kind.COMPANY, self.Kind.CIC} and not company:
            errors["company_number"] = "A company needs its Companies House number."
        if errors:
            raise ValidationError(errors)


class Venue(models.Model):
    """A place where activities happen, always inside one of London's 33 areas."""

    name = models.CharField(max_length=200)
    address = models.TextField(blank=True)
    postcode = models.CharField(max_length=8)
    lat = models.FloatField(
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
        null=True,
        blank=True,
        help_text="Leave empty to use the postcode's point.",
    )
    lng = models.FloatField(
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
        null=True,
        blank=True,
    )
    borough = models.ForeignKey(
        Borough, on_delete=models.PROTECT, related_name="venues", editable=False
    )
    organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="venues",
    )
    accessibility = models.JSONField(
        default=list, blank=True, validators=[validate_accessibility]
    )
    is_demo = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        indexes = [
            models.Index(fields=["lat", "lng"], name="venue_lat_lng"),
            # Importers match a place to a venue by postcode, a page at a time.
            models.Index(fields=["postcode"], name="venue_postcode"),
        ]

    def __str__(self) -> str:
        return f"{self.name}, {self.postcode}"

    def clean(self) -> None:
        from ourlondon.catalogue.places import locate_venue

        located = locate_venue(postcode=self.postcode, lat=self.lat, lng=self.lng)
        self.postcode = located.postcode
        self.lat, self.lng = located.lat, located.lng
        self.borough_id = located.borough_code


def age_label(age_min: int | None, age_max: int | None) -> str:
    """An age range in words; "not stated" is never "all ages"."""
    if age_min is not None and age_max is not None:
        return f"Ages {age_min} to {age_max}"
    if age_min is not None:
        return f"Ages {age_min} and over"
    if age_max is not None:
        return f"Up to age {age_max}"
    return "Age not stated"


class Activity(models.Model):
    """A series a young person can join: a weekly club, a course, an event."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PENDING = "pending", "Waiting for review"
        PUBLISHED = "published", "Published"
        WITHDRAWN = "withdrawn", "Withdrawn"

    class Gender(models.TextChoices):
        ANY = "any", "Open to everyone"
        FEMALE = "female", "Girls and young women only"
        MALE = "male", "Boys and young men only"

    class Source(models.TextChoices):
        MANUAL = "manual", "Entered by hand"
        DEMO = "demo", "Demo data"
        OPENACTIVE = "openactive", "OpenActive feed"
        ICAL = "ical", "iCalendar feed"
        SPREADSHEET = "spreadsheet", "Spreadsheet upload"

    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="activities"
    )
    venue = models.ForeignKey(
        Venue,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="activities",
        help_text="Leave empty for an online activity.",
    )
    is_online = models.BooleanField(default=False)
    types = models.ManyToManyField(ActivityType, related_name="activities")
    # Null means "not stated", never "all ages": a feed that omits its age range
    # must not be shown as suitable for children.
    age_min = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(MAX_AGE)]
    )
    age_max = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(MAX_AGE)]
    )
    gender = models.CharField(max_length=8, choices=Gender.choices, default=Gender.ANY)
    is_free = models.BooleanField(default=False)
    price = models.DecimalField(
        "price (£)",
        max_digits=7,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text="Per session. Leave empty when free or when the price varies.",
    )
    concessions = models.CharField(
        max_length=200, blank=True, help_text="e.g. free for under-16s on free meals"
    )
    accessibility = models.JSONField(
        default=list, blank=True, validators=[validate_accessibility]
    )
    booking_url = models.URLField(blank=True, max_length=500)
    booking_phone = models.CharField(max_length=32, blank=True)
    booking_email = models.EmailField(blank=True)
    booking_notes = models.CharField(
        max_length=200, blank=True, help_text="e.g. just turn up; book a free taster"
    )
    what_to_bring = models.CharField(max_length=300, blank=True)
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    source = models.CharField(
        max_length=16, choices=Source.choices, default=Source.MANUAL
    )
    # The publisher's identifier for this item, so re-imports update in place.
    source_id = models.CharField(max_length=300, blank=True)
    is_demo = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    last_confirmed_at = models.DateTimeField(
        null=True, blank=True, help_text="When the provider last said it still runs."
    )

    all_objects = ActivityQuerySet.as_manager()
    public = PublicActivityManager()

    class Meta:
        verbose_name_plural = "activities"
        default_manager_name = "all_objects"
        ordering = ["title"]
        indexes = [
            models.Index(fields=["status", "updated_at"], name="activity_status"),
            # Feeds look activities up by source_id; the unique index below is
            # partial, which neither SQLite nor PostgreSQL (past 100 values in
            # an IN list) can use for that, so each page read the whole table.
            models.Index(fields=["source", "source_id"], name="activity_source_id"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(age_max__lte=MAX_AGE) | Q(age_max__isnull=True),
                name="activity_age_max_range",
            ),
            models.CheckConstraint(
                condition=Q(age_min__isnull=True)
                | Q(age_max__isnull=True)
                | Q(age_min__lte=F("age_max")),
                name="activity_age_min_le_max",
            ),
            models.CheckConstraint(
                condition=Q(price__isnull=True) | Q(price__gte=0),
                name="activity_price_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(is_free=False) | Q(price__isnull=True) | Q(price=0),
                name="activity_free_has_no_price",
            ),
            models.CheckConstraint(
                condition=Q(is_online=True) | Q(venue__isnull=False),
                name="activity_has_venue_or_online",
            ),
            models.UniqueConstraint(
                fields=["source", "source_id"],
                condition=~Q(source_id=""),
                name="activity_unique_source_id",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def age_stated(self) -> bool:
        return self.age_min is not None or self.age_max is not None

    @property
    def age_label(self) -> str:
        return age_label(self.age_min, self.age_max)

    @property
    def cost_label(self) -> str:
        if self.is_free:
            return "Free"
        if self.price is not None:
            return f"£{self.price:.2f}"
        return "Paid (ask the organiser)"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if (
            self.age_min is not None
            and self.age_max is not None
            and self.age_min > self.age_max
        ):
            errors["age_max"] = "The oldest age must not be below the youngest age."
        if self.is_free and self.price:
            errors["price"] = "A free activity cannot have a price."
        if not self.is_online and self.venue_id is None:
            errors["venue"] = "Choose a venue, or mark the activity as online."
        if errors:
            raise ValidationError(errors)


class HolidayPeriod(models.Model):
    """A school holiday (London-wide typical dates), for term-time schedules."""

    name = models.CharField(max_length=100)
    start_date = models.DateField()
    end_date = models.DateField()

    class Meta:
        ordering = ["start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")),
                name="holiday_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.start_date:%d %b %Y} – {self.end_date:%d %b %Y})"


class Schedule(models.Model):
    """When an activity runs: a weekly pattern or a one-off, in London time."""

    class Kind(models.TextChoices):
        WEEKLY = "weekly", "Weekly"
        ONE_OFF = "one_off", "One-off"

    class Season(models.TextChoices):
        ALL_YEAR = "all", "All year"
        TERM_TIME = "term", "Term time only"
        HOLIDAYS = "holidays", "School holidays only"

    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="schedules"
    )
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.WEEKLY)
    # RFC 5545 BYDAY codes, comma-separated ("MO,WE"); weekly schedules only.
    weekdays = models.CharField(
        max_length=20, blank=True, validators=[validate_weekdays]
    )
    start_time = models.TimeField()
    end_time = models.TimeField()
    start_date = models.DateField(
        help_text="Weekly: first possible date. One-off: the date."
    )
    end_date = models.DateField(
        null=True,
        blank=True,
        help_text="Weekly: last possible date (empty = ongoing). "
        "One-off: the last day, if it runs over several days.",
    )
    season = models.CharField(
        max_length=8, choices=Season.choices, default=Season.ALL_YEAR
    )
    # Dates (ISO strings) on which a weekly session does not run.
    exceptions = models.JSONField(default=list, blank=True)
    # The feed item this schedule came from (an OpenActive ScheduledSession's
    # @id, say), so a re-import updates or removes exactly that schedule.
    source_id = models.CharField(max_length=300, blank=True, db_index=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="schedule_end_date_after_start",
            ),
            models.CheckConstraint(
                condition=Q(end_time__gt=F("start_time"))
                | Q(kind="one_off", end_date__gt=F("start_date")),
                name="schedule_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        if self.kind == self.Kind.ONE_OFF:
            return f"{self.start_date:%a %d %b %Y} {self.start_time:%H:%M}"
        days = self.weekdays.replace(",", ", ") or "no days"
        return f"Weekly {days} {self.start_time:%H:%M}–{self.end_time:%H:%M}"

    @property
    def weekday_list(self) -> list[str]:
        return [d for d in self.weekdays.split(",") if d]

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.end_date and self.start_date and self.end_date < self.start_date:
            errors["end_date"] = "The end date must not be before the start date."
        multi_day = (
            self.kind == self.Kind.ONE_OFF
            and self.end_date is not None
            and self.start_date is not None
            and self.end_date > self.start_date
        )
        if (
            self.start_time is not None
            and self.end_time is not None
            and not multi_day
            and self.end_time <= self.start_time
        ):
            errors["end_time"] = "The session must end after it starts."
        if self.kind == self.Kind.WEEKLY and not self.weekday_list:
            errors["weekdays"] = "Choose at least one day of the week."
        if not isinstance(self.exceptions, list):
            errors["exceptions"] = "Exceptions must be a list of dates."
        else:
            from datetime import date

            try:
                self.exceptions = sorted(
                    {date.fromisoformat(str(d)).isoformat() for d in self.exceptions}
                )
            except ValueError:
                errors["exceptions"] = "Exceptions must be dates like 2026-12-25."
        if errors:
            raise ValidationError(errors)


class Occurrence(models.Model):
    """One dated session, materialised from a schedule. Times are stored in UTC."""

    # No index of their own: (activity, start) and the unique (schedule, start)
    # lead with them, and each index is written again for every session a
    # harvest or a schedule change materialises.
    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="occurrences", db_index=False
    )
    schedule = models.ForeignKey(
        Schedule, on_delete=models.CASCADE, related_name="occurrences", db_index=False
    )
    start = models.DateTimeField()
    end = models.DateTimeField()

    objects = OccurrenceQuerySet.as_manager()

    class Meta:
        ordering = ["start"]
        # No index on start alone: every page and the API ask for one
        # activity's sessions (this index), and search has its own table. Its
        # entries land anywhere in it, so each harvested page wrote ~500
        # scattered index pages for it. With the feed items' series index
        # (also gone), a million sessions into SQLite took 110.0 s; without
        # either, 92.4 s.
        indexes = [
            models.Index(fields=["activity", "start"], name="occurrence_activity"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["schedule", "start"], name="occurrence_unique_start"
            ),
            models.CheckConstraint(
                condition=Q(end__gt=F("start")), name="occurrence_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.activity_id} at {self.start:%Y-%m-%d %H:%M}"


class ListingReport(models.Model):
    """ "Report a problem with this listing", from a public page, for moderators.

    Anonymous on purpose: no account, no name, no address, no IP; only what the
    person chose to write. A reply needs nothing more than fixing the listing.
    """

    class Reason(models.TextChoices):
        SAFEGUARDING = "safeguarding", "I am worried about someone's safety"
        WRONG = "wrong", "Some details are wrong"
        NOT_RUNNING = "not-running", "It is not running any more"
        INAPPROPRIATE = "inappropriate", "It is not suitable for young people"
        OTHER = "other", "Something else"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        RESOLVED = "resolved", "Resolved"
        DISMISSED = "dismissed", "Dismissed"

    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="reports"
    )
    reason = models.CharField(max_length=16, choices=Reason.choices)
    details = models.TextField(max_length=2000, blank=True)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.OPEN
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Who closed it, when and why: the moderator's note, kept with the report
    # (the audit log has the same, before and after).
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    handled_at = models.DateTimeField(null=True, blank=True)
    handling_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "created_at"], name="report_queue")]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} (activity {self.activity_id})"

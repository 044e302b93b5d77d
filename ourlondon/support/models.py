"""Safety and support: who to call now, support services, safe havens, the
prevention toolkits and the London Needs You Alive campaign.

The directory (`Organization`, `Service`, `Location`, `ServiceAtLocation`,
`Contact`, `ServiceSchedule`, `TaxonomyTerm`) follows the Open Referral UK
(HSDS-UK 3.0) shape, with the spelling of its tables, so an import maps field to
field. Rows from an import are keyed on the publisher's `external_id` (the HSDS
`id`, a UUID) so a second import updates rather than duplicates.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q

from ourlondon.support.hours import WEEKDAY_NAMES, Opening
from ourlondon.support.markup import render_markdown
from ourlondon.support.queries import (
    PublicSafeHavenManager,
    SafeHavenQuerySet,
    ServiceQuerySet,
)

MAX_AGE = 120


# Get help now ---------------------------------------------------------------


def validate_dial_number(value: str) -> None:
    if value and not all(c.isdigit() or c == " " for c in value):
        raise ValidationError("A number may contain only digits and spaces.")


class HelpLine(models.Model):
    """One entry on the "Get help now" page: a line to call or text, a site."""

    class Group(models.TextChoices):
        EMERGENCY = "emergency", "In danger now"
        TALK = "talk", "Talk to someone"
        REPORT = "report", "Report a crime"
        EXPLOITATION = "exploitation", "Exploitation, county lines and gangs"
        HOSPITAL = "hospital", "Hurt or in hospital"

    name = models.CharField(max_length=100)
    group = models.CharField(max_length=16, choices=Group.choices)
    summary = models.CharField(max_length=300)
    phone = models.CharField(
        max_length=20,
        blank=True,
        help_text="As people should dial it, with spaces: 0800 1111.",
        # Digits and spaces only: it becomes a tel: link.
        validators=[validate_dial_number],
    )
    text_number = models.CharField(
        "text (SMS) number",
        max_length=20,
        blank=True,
        validators=[validate_dial_number],
    )
    text_message = models.CharField(
        "text to send", max_length=40, blank=True, help_text="Such as SHOUT."
    )
    url = models.URLField("website", blank=True)
    link_text = models.CharField(max_length=80, blank=True)
    hours = models.CharField(max_length=80, blank=True, help_text="Such as 24/7.")
    order = models.PositiveSmallIntegerField(default=100)
    is_active = models.BooleanField("shown", default=True)
    last_checked = models.DateField(
        null=True,
        blank=True,
        help_text="When someone last called or visited to check these details.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["order", "name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(phone="") | ~Q(text_number="") | ~Q(url=""),
                name="helpline_has_a_way_to_reach",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def tel(self) -> str:
        return "".join(c for c in self.phone if c.isdigit())

    @property
    def sms(self) -> str:
        return "".join(c for c in self.text_number if c.isdigit())


# The support services directory (Open Referral UK) ----------------------------


class DirectoryImport(models.Model):
    """One import of Open Referral UK data: where from, what came of it."""

    class Outcome(models.TextChoices):
        DONE = "done", "Imported"
        FAILED = "failed", "Failed (nothing imported)"

    source = models.CharField(max_length=500)
    started_at = models.DateTimeField(auto_now_add=True)
    outcome = models.CharField(max_length=8, choices=Outcome.choices)
    imported = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    # [{"id": ..., "name": ..., "reason": ...}] and, for a failed run, the error.
    report = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.source} at {self.started_at:%Y-%m-%d %H:%M}"


class Organization(models.Model):
    external_id = models.CharField(max_length=200, unique=True)
    name = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    website = models.URLField(max_length=500, blank=True)
    email = models.EmailField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class TaxonomyTerm(models.Model):
    """A need or kind of service, from the publisher's vocabulary (HSDS
    `taxonomy_term`, reached through a service's `attributes`)."""

    external_id = models.CharField(max_length=200, unique=True)
    code = models.CharField(max_length=100, blank=True)
    name = models.CharField(max_length=200)
    vocabulary = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Service(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        INACTIVE = "inactive", "Inactive"
        DEFUNCT = "defunct", "Defunct"
        TEMPORARILY_CLOSED = "temporarily closed", "Temporarily closed"

    external_id = models.CharField(max_length=200, unique=True)
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="services"
    )
    name = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    url = models.URLField(max_length=500, blank=True)
    email = models.EmailField(blank=True)
    status = models.CharField(max_length=20, choices=Status.choices)
    fees = models.TextField(blank=True)
    # Eligibility: HSDS-UK 3.0 keeps the age range on the service. None is "not
    # stated", never "all ages".
    minimum_age = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(MAX_AGE)]
    )
    maximum_age = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(MAX_AGE)]
    )
    eligibility_description = models.TextField(blank=True)
    last_modified = models.DateTimeField(null=True, blank=True)
    taxonomy_terms = models.ManyToManyField(
        TaxonomyTerm, blank=True, related_name="services"
    )
    source = models.CharField(max_length=500, blank=True)
    imported_at = models.DateTimeField(auto_now=True)

    objects = ServiceQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(minimum_age__isnull=True)
                | Q(maximum_age__isnull=True)
                | Q(minimum_age__lte=F("maximum_age")),
                name="service_age_range_in_order",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Location(models.Model):
    external_id = models.CharField(max_length=200, unique=True)
    name = models.CharField(max_length=300, blank=True)
    address = models.CharField(max_length=500, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    lat = models.FloatField(
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    lng = models.FloatField(
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )

    class Meta:
        indexes = [models.Index(fields=["lat", "lng"])]

    def __str__(self) -> str:
        return self.name or self.address or self.external_id


class ServiceAtLocation(models.Model):
    external_id = models.CharField(max_length=200, unique=True)
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, related_name="service_at_locations"
    )
    location = models.ForeignKey(
        Location, on_delete=models.CASCADE, related_name="service_at_locations"
    )

    def __str__(self) -> str:
        return f"{self.service} at {self.location}"


class Contact(models.Model):
    """A way to reach a service: a public phone line or address, as published."""

    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, related_name="contacts"
    )
    name = models.CharField(max_length=200, blank=True)
    title = models.CharField(max_length=200, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)

    def __str__(self) -> str:
        return self.name or self.phone or self.email

    @property
    def tel(self) -> str:
        return "".join(c for c in self.phone if c.isdigit() or c == "+")


class ServiceSchedule(models.Model):
    """When a service is open, as published (`byday`, `opens_at`, `closes_at`),
    with the publisher's own words kept for what the fields cannot say."""

    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, related_name="schedules"
    )
    byday = models.CharField(max_length=40, blank=True)
    opens_at = models.TimeField(null=True, blank=True)
    closes_at = models.TimeField(null=True, blank=True)
    description = models.TextField(blank=True)

    def __str__(self) -> str:
        return self.description or self.byday


# Safe havens ---------------------------------------------------------------


class SafeHaven(models.Model):
    """A place where a young person in trouble can walk in and be kept safe
    while help comes: a shop, library, community centre or business.

    Moderated: public pages read `SafeHaven.public` (approved only), staff and
    the application form `SafeHaven.all_objects`.
    """

    class Kind(models.TextChoices):
        SHOP = "shop", "Shop"
        LIBRARY = "library", "Library"
        COMMUNITY_CENTRE = "community-centre", "Community centre"
        BUSINESS = "business", "Business"
        FAITH = "faith", "Place of worship"
        OTHER = "other", "Other"

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for a check"
        APPROVED = "approved", "Approved (public)"
        REJECTED = "rejected", "Rejected"

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    address = models.CharField(max_length=300)
    postcode = models.CharField(max_length=10)
    lat = models.FloatField(null=True, blank=True)
    lng = models.FloatField(null=True, blank=True)
    borough = models.ForeignKey(
        "core.Borough",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    description = models.TextField(
        blank=True, help_text="What a young person will find: who to ask for."
    )
    phone = models.CharField(max_length=20, blank=True)
    open_24_hours = models.BooleanField(default=False)
    # Who applied, for the moderator's check only: never shown on a public page.
    contact_name = models.CharField(max_length=200, blank=True)
    contact_email = models.EmailField(blank=True)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING
    )
    created_at = models.DateTimeField(auto_now_add=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    moderator_note = models.TextField(blank=True)

    all_objects = SafeHavenQuerySet.as_manager()
    public = PublicSafeHavenManager()

    class Meta:
        ordering = ["name"]
        base_manager_name = "all_objects"
        default_manager_name = "all_objects"

    def __str__(self) -> str:
        return self.name

    def openings(self) -> list[Opening]:
        return [h.opening() for h in self.hours.all()]


class OpeningHours(models.Model):
    """One opening of a safe haven: `closes` at or before `opens` runs past
    midnight; 00:00 to 00:00 is the whole day (see `support/hours.py`)."""

    haven = models.ForeignKey(SafeHaven, on_delete=models.CASCADE, related_name="hours")
    weekday = models.PositiveSmallIntegerField(
        choices=list(enumerate(WEEKDAY_NAMES)), validators=[MaxValueValidator(6)]
    )
    opens = models.TimeField()
    closes = models.TimeField()

    class Meta:
        ordering = ["weekday", "opens"]
        verbose_name_plural = "opening hours"
        constraints = [
            models.CheckConstraint(
                condition=Q(weekday__gte=0, weekday__lte=6),
                name="opening_weekday_in_range",
            )
        ]

    def __str__(self) -> str:
        return self.opening().label()

    def opening(self) -> Opening:
        return Opening(self.weekday, self.opens, self.closes)


# Toolkits ----------------------------------------------------------------------


class Toolkit(models.TextChoices):
    EDUCATION = "education", "London Needs You Alive educational toolkit"
    BUSINESS = "business", "Business toolkit"


class Audience(models.TextChoices):
    SCHOOLS = "schools", "Schools"
    FAITH = "faith-groups", "Faith groups"
    COMMUNITY = "community-groups", "Community groups"
    YOUTH_WORKERS = "youth-workers", "Youth workers"
    PARENTS = "parents", "Parents and carers"


class Stage(models.TextChoices):
    PREPARE = "prepare", "Prepare"
    RESPOND = "respond", "Respond"
    RECOVER = "recover", "Recover"


class Resource(models.Model):
    """One item in a toolkit's library: a file to download or a link."""

    class Format(models.TextChoices):
        GUIDE = "guide", "Guide"
        LESSON_PLAN = "lesson-plan", "Lesson plan"
        VIDEO = "video", "Video"
        POSTER = "poster", "Poster"
        CHECKLIST = "checklist", "Checklist"
        WEB_PAGE = "web-page", "Web page"

    title = models.CharField(max_length=200)
    toolkit = models.CharField(max_length=12, choices=Toolkit.choices)
    audience = models.CharField(
        max_length=20,
        choices=Audience.choices,
        blank=True,
        help_text="For the educational toolkit.",
    )
    stage = models.CharField(
        max_length=10,
        choices=Stage.choices,
        blank=True,
        help_text="For the business toolkit.",
    )
    format = models.CharField(max_length=12, choices=Format.choices)
    summary = models.CharField(max_length=500)
    file = models.FileField(upload_to="toolkits/", blank=True)
    link = models.URLField(max_length=500, blank=True)
    is_published = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(file="") & ~Q(link="")) | (~Q(file="") & Q(link="")),
                name="resource_has_a_file_or_a_link",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if bool(self.file) == bool(self.link):
            raise ValidationError("Give a file or a link (one, not both).")

    @property
    def href(self) -> str:
        return self.file.url if self.file else self.link


class ToolkitPage(models.Model):
    """A page of a toolkit, written in Markdown in the admin."""

    toolkit = models.CharField(max_length=12, choices=Toolkit.choices)
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100)
    summary = models.CharField(max_length=300, blank=True)
    body = models.TextField(
        help_text="Markdown. Scripts, styles and unsafe links are removed on save."
    )
    # Derived from `body` on every save; never edited by hand.
    body_html = models.TextField(editable=False, default="")
    order = models.PositiveSmallIntegerField(default=100)
    is_published = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["toolkit", "order", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["toolkit", "slug"], name="toolkit_page_slug_unique"
            )
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Not a side effect: `body_html` is a pure function of `body`, kept so a
        # page view never renders Markdown, and so nothing unsanitised is stored.
        self.body_html = render_markdown(self.body)
        super().save(*args, **kwargs)


# Campaign ----------------------------------------------------------------------


class RoleModelMessage(models.Model):
    """A message from a role model for the London Needs You Alive campaign."""

    name = models.CharField(max_length=100)
    role = models.CharField(
        max_length=150, help_text="Who they are: “youth worker, Croydon”."
    )
    message = models.TextField(max_length=1000)
    slug = models.SlugField(max_length=100, unique=True)
    order = models.PositiveSmallIntegerField(default=100)
    is_published = models.BooleanField(default=True)

    class Meta:
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return f"{self.name}, {self.role}"

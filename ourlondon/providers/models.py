"""What a provider tells us about their organisation, and who may act for it.

The public `catalogue.Organisation` keeps what may be shown (name, kind, numbers,
public contact, verification state and date). What only moderators see lives
here: the safeguarding lead, the policy, the DBS declaration, referees and the
provider's private contact details (a sole trader's home address or own phone
must never reach a public page, so they never sit on a public model).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from ourlondon.catalogue.models import Activity, ActivityType, Organisation, Venue


class SafeguardingProfile(models.Model):
    """The safeguarding check a moderator makes before an organisation is
    "checked". One per organisation; replaced in place when the provider edits it
    (every change is in the audit log, before and after)."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="safeguarding"
    )
    # For "other" kinds (school, council, faith group, community group): what it
    # is, e.g. the school's URN or the council department.
    kind_detail = models.CharField(max_length=200, blank=True)
    lead_name = models.CharField("safeguarding lead", max_length=200)
    lead_role = models.CharField("their role", max_length=200)
    lead_contact = models.CharField(
        "their email or phone", max_length=254, help_text="Seen by moderators only."
    )
    policy_file = models.FileField(upload_to="policies/%Y/", blank=True)
    policy_url = models.URLField("policy link", blank=True)
    dbs_declared = models.BooleanField(
        "staff working with under-18s have suitable DBS checks", default=False
    )
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    declared_at = models.DateTimeField(null=True, blank=True)
    # Private: never on a public page, a card or the API.
    private_phone = models.CharField(max_length=32, blank=True)
    private_address = models.TextField(blank=True)
    rejection_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(policy_file="") | ~models.Q(policy_url=""),
                name="safeguarding_has_policy",
            ),
        ]

    def __str__(self) -> str:
        return f"Safeguarding: {self.organisation}"


class Referee(models.Model):
    """An unincorporated group names two people who can vouch for it."""

    profile = models.ForeignKey(
        SafeguardingProfile, on_delete=models.CASCADE, related_name="referees"
    )
    name = models.CharField(max_length=200)
    contact = models.CharField("email or phone", max_length=254)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A person who may act for an organisation in the portal."""

    class Role(models.TextChoices):
        OWNER = "owner", "Owner"
        MEMBER = "member", "Member"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=8, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation"], name="membership_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.role}) at {self.organisation}"


class ClaimRequest(models.Model):
    """A provider asks to manage an organisation already listed (from a feed or
    added by staff). A moderator decides."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for a moderator"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="claims"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="claims"
    )
    message = models.TextField(
        help_text="Your role there and how we can confirm it (e.g. a phone number "
        "on the organisation's own website)."
    )
    status = models.CharField(
        max_length=8, choices=Status.choices, default=Status.PENDING
    )
    reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation"],
                condition=models.Q(status="pending"),
                name="claim_one_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} claims {self.organisation}"


class ListingDraft(models.Model):
    """A provider's proposed listing, or proposed change to a live one.

    The public `Activity` is only written when a moderator approves, so a live
    listing keeps showing its approved version while a change waits. `data` is
    the whole proposed listing in the shape of `providers.listings.listing_data`
    (so the moderator's diff compares like with like).
    """

    class Status(models.TextChoices):
        SUBMITTED = "submitted", "Waiting for review"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        WITHDRAWN = "withdrawn", "Withdrawn by you"

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="listing_drafts"
    )
    # Null for a new listing; the approved Activity is linked on approval.
    activity = models.ForeignKey(
        Activity,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="drafts",
    )
    data = models.JSONField()
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.SUBMITTED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["activity"],
                condition=models.Q(status="submitted"),
                name="listing_one_change_waiting",
            ),
        ]

    def __str__(self) -> str:
        return str(self.data.get("title", "listing"))


class ProviderFeed(models.Model):
    """A calendar (iCalendar) or OpenActive feed a provider publishes, given to
    us to read instead of typing listings.

    Nothing is fetched until a moderator approves it: approval is the moderation
    step for everything the feed will bring. An approved OpenActive feed is
    registered with the harvester (`ingest.Feed`, linked here); an approved
    iCalendar feed is read by `provider_feeds.refresh_feed`, daily.
    """

    class Kind(models.TextChoices):
        ICAL = "ical", "iCalendar (.ics)"
        OPENACTIVE = "openactive", "OpenActive (RPDE)"

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for a moderator"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        FAILING = "failing", "Failing (see the last error)"

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="provider_feeds"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    url = models.URLField(max_length=1000)
    # OpenActive only: what the feed lists (an RPDE feed carries one kind).
    rpde_kind = models.CharField(max_length=32, blank=True)
    # iCalendar only: what a calendar cannot say. Its events get this type, and
    # this venue when their LOCATION has no London postcode.
    activity_type = models.ForeignKey(
        ActivityType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    default_venue = models.ForeignKey(
        Venue, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING
    )
    reason = models.TextField(blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    ingest_feed = models.OneToOneField(
        "ingest.Feed",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="provider_feed",
    )
    last_fetched_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    # What the last successful read did: events listed and events skipped (with
    # the reason for each, shown to the provider).
    events_imported = models.PositiveIntegerField(default=0)
    last_report = models.TextField(blank=True)
    # Activities (source ids) this feed withdrew because they left the calendar:
    # only these are published again if they come back. One a moderator took
    # down stays down.
    withdrawn_events = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "url"],
                condition=~models.Q(status="rejected"),
                name="provider_feed_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.url}"


class ListingFreshness(models.Model):
    """Where a provider-managed listing is in its 90-day confirmation cycle.

    When it was last confirmed is `Activity.last_confirmed_at` (approval counts);
    this row remembers what the freshness check did about it, so a reminder is
    sent once per period and only a listing the check itself hid comes back when
    the provider confirms (one a moderator took down stays down).
    """

    activity = models.OneToOneField(
        Activity, on_delete=models.CASCADE, related_name="freshness"
    )
    # The last reminder; one is due again only after a newer confirmation.
    reminded_at = models.DateTimeField(null=True, blank=True)
    # Set when the check hid the listing (status withdrawn) for want of a
    # confirmation; cleared when it is confirmed or a moderator acts on it.
    hidden_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "listing freshness"

    def __str__(self) -> str:
        return f"Freshness of activity {self.activity_id}"

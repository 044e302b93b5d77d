"""Funds, their rounds and the grants they made, on the 360Giving standard.

A `Grant` keeps the columns the pages filter and sum (amount, date, borough,
recipient) and, in `data`, the grant exactly as it was published: 360Giving
allows many more fields than we show (classifications, transactions, funder
extensions), and an export must give back every one of them. The columns win
where the two differ (staff corrected a grant in the admin), see
`funding/exporting.py`.
"""

from __future__ import annotations

from datetime import date

from django.db import models
from django.db.models import Q

from ourlondon.catalogue.models import Organisation
from ourlondon.core import clock
from ourlondon.core.models import Borough
from ourlondon.funding.queries import GrantQuerySet
from ourlondon.subscriptions.models import Announcement, Topic


class Fund(models.Model):
    slug = models.SlugField(max_length=100, unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    total_budget = models.DecimalField(
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="The fund's whole budget, as announced (pounds).",
    )
    administering_body = models.CharField(
        max_length=200, help_text="Who runs the fund, e.g. Mayor of London (GLA)."
    )
    # The 360Giving funder written on grants made here when a file omits it.
    funder_id = models.CharField("funder org-id", max_length=100, blank=True)
    funder_name = models.CharField(max_length=200, blank=True)
    url = models.URLField("web page", blank=True)
    # "Tell me when the next round opens" signs people up to this updates topic.
    topic = models.ForeignKey(
        Topic,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Updates topic whose confirmed subscribers hear of new rounds.",
    )
    is_demo = models.BooleanField(default=False, help_text="Made-up demo data.")
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class Round(models.Model):
    """A window for applications. Its status is derived from its dates, never
    stored, so it can never disagree with the calendar."""

    class Status(models.TextChoices):
        UPCOMING = "upcoming", "Opens soon"
        OPEN = "open", "Open for applications"
        CLOSED = "closed", "Closed"

    fund = models.ForeignKey(Fund, on_delete=models.CASCADE, related_name="rounds")
    name = models.CharField(max_length=200)
    opens = models.DateField()
    closes = models.DateField()
    budget = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    how_to_apply = models.TextField(blank=True)
    url = models.URLField("apply at", blank=True)
    # Set, once, in the same transaction that creates the round's announcement:
    # the reason a round is announced exactly once (see funding/rounds.py).
    announcement = models.OneToOneField(
        Announcement,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="funding_round",
        editable=False,
    )
    is_demo = models.BooleanField(default=False)

    class Meta:
        ordering = ["-opens"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes__gte=models.F("opens")),
                name="round_closes_after_opening",
            ),
            models.CheckConstraint(
                condition=Q(budget__isnull=True) | Q(budget__gte=0),
                name="round_budget_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.fund.name}: {self.name}"

    def status_on(self, day: date) -> Round.Status:
        if day < self.opens:
            return Round.Status.UPCOMING
        if day <= self.closes:
            return Round.Status.OPEN
        return Round.Status.CLOSED

    @property
    def status(self) -> Round.Status:
        return self.status_on(clock.today())


class Grant(models.Model):
    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="grants")
    identifier = models.CharField(
        max_length=200, unique=True, help_text="360Giving id, starting 360G-."
    )
    title = models.CharField(max_length=500)
    description = models.TextField()
    currency = models.CharField(max_length=3, default="GBP")
    amount_awarded = models.DecimalField(max_digits=14, decimal_places=2)
    award_date = models.DateField()
    planned_start = models.DateField(null=True, blank=True)
    planned_end = models.DateField(null=True, blank=True)
    recipient_org_id = models.CharField("recipient org-id", max_length=100)
    recipient_name = models.CharField(max_length=300)
    recipient_postcode = models.CharField(max_length=10, blank=True)
    recipient_charity_number = models.CharField(max_length=20, blank=True)
    recipient_company_number = models.CharField(max_length=20, blank=True)
    # The London borough the grant benefits: from the grant's beneficiary
    # location (a GSS code), or else from the recipient's postcode; which one is
    # recorded so the export never invents a beneficiary location.
    borough = models.ForeignKey(
        Borough, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    borough_from_postcode = models.BooleanField(default=False)
    funder_id = models.CharField("funding org-id", max_length=100)
    funder_name = models.CharField(max_length=300)
    programme = models.CharField("grant programme", max_length=300, blank=True)
    # The catalogue organisation with the same org-id, charity or company
    # number, when it lists with us (matched at import; see funding/importing.py).
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="grants",
    )
    data = models.JSONField(
        default=dict, help_text="The grant as published (360Giving JSON)."
    )
    is_demo = models.BooleanField(default=False, help_text="Made-up demo data.")
    imported_at = models.DateTimeField(auto_now=True)

    objects = models.Manager.from_queryset(GrantQuerySet)()

    class Meta:
        ordering = ["-award_date", "identifier"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_awarded__gte=0), name="grant_amount_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(identifier__startswith="360G-"),
                name="grant_identifier_360g",
            ),
        ]
        indexes = [
            models.Index(fields=["fund", "award_date"], name="grant_fund_date"),
            models.Index(fields=["borough", "fund"], name="grant_borough_fund"),
        ]

    def __str__(self) -> str:
        return f"{self.identifier}: {self.title}"

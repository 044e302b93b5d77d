"""Moderators' filters (GET) and decisions (POST) on the queues, the report inbox
and the audit log. Filters are plain GET forms, so a filtered queue is a link a
moderator can share; a bad value is a 400 with the field's message."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone

from ourlondon.audit.models import AuditEvent
from ourlondon.catalogue.models import MAX_AGE, ListingReport, Organisation
from ourlondon.catalogue.places import locate_venue
from ourlondon.core.models import Borough
from ourlondon.providers.models import ListingDraft


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


class ListingQueueFilter(forms.Form):
    borough = forms.ChoiceField(required=False, label="Borough")
    organisation = forms.ChoiceField(required=False, label="Organisation")
    kind = forms.ChoiceField(
        required=False,
        label="New or changed",
        choices=[
            ("", "Both"),
            ("new", "New listings"),
            ("change", "Changes to live listings"),
        ],
    )
    age_from = forms.IntegerField(
        required=False, min_value=0, max_value=MAX_AGE, label="For ages from"
    )
    age_to = forms.IntegerField(
        required=False, min_value=0, max_value=MAX_AGE, label="to"
    )
    since = forms.DateField(
        required=False,
        label="Sent since",
        help_text="For example 2026-03-01.",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        borough = self.fields["borough"]
        organisation = self.fields["organisation"]
        assert isinstance(borough, forms.ChoiceField)
        assert isinstance(organisation, forms.ChoiceField)
        borough.choices = [("", "Any")] + list(
            Borough.objects.order_by("name").values_list("gss_code", "name")
        )
        waiting = Organisation.objects.filter(
            listing_drafts__status=ListingDraft.Status.SUBMITTED
        ).distinct()
        organisation.choices = [("", "Any")] + [
            (str(pk), name) for pk, name in waiting.values_list("pk", "name")
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        low, high = data.get("age_from"), data.get("age_to")
        if low is not None and high is not None and low > high:
            raise ValidationError("The first age must not be above the second.")
        return data

    def apply(self, drafts: Any) -> list[ListingDraft]:
        """The waiting drafts that match, oldest first. Borough and ages are read
        from the proposed listing (JSON), so they are matched here in Python: a
        queue is at most a few hundred drafts."""
        data = self.cleaned_data
        if data.get("organisation"):
            drafts = drafts.filter(organisation_id=int(data["organisation"]))
        if data.get("kind") == "new":
            drafts = drafts.filter(activity__isnull=True)
        elif data.get("kind") == "change":
            drafts = drafts.filter(activity__isnull=False)
        if data.get("since"):
            drafts = drafts.filter(updated_at__gte=_start_of(data["since"]))
        found = list(drafts.order_by("created_at", "pk"))
        low, high = data.get("age_from"), data.get("age_to")
        if low is not None or high is not None:
            found = [d for d in found if _ages_overlap(d.data, low, high)]
        if data.get("borough"):
            found = [d for d in found if draft_borough(d) == data["borough"]]
        return found


def _ages_overlap(data: dict[str, Any], low: int | None, high: int | None) -> bool:
    """Whether the listing's ages meet the range; an unstated end is open."""
    age_min, age_max = data.get("age_min"), data.get("age_max")
    if high is not None and age_min is not None and age_min > high:
        return False
    return not (low is not None and age_max is not None and age_max < low)


def draft_borough(draft: ListingDraft) -> str | None:
    """The GSS code of the proposed venue's borough; None when online or the
    postcode cannot be placed."""
    postcode = draft.data.get("postcode")
    if draft.data.get("is_online") or not postcode:
        return None
    try:
        return locate_venue(postcode=postcode).borough_code
    except ValidationError:
        return None


class OrganisationQueueFilter(forms.Form):
    q = forms.CharField(required=False, max_length=200, label="Name contains")
    kind = forms.ChoiceField(
        required=False,
        label="Kind",
        choices=[("", "Any"), *Organisation.Kind.choices],
    )
    since = forms.DateField(
        required=False,
        label="Sent since",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def apply(self, organisations: Any) -> Any:
        data = self.cleaned_data
        if data.get("q"):
            organisations = organisations.filter(name__icontains=data["q"])
        if data.get("kind"):
            organisations = organisations.filter(kind=data["kind"])
        if data.get("since"):
            organisations = organisations.filter(
                updated_at__gte=_start_of(data["since"])
            )
        return organisations.order_by("updated_at", "pk")


class ReportFilter(forms.Form):
    status = forms.ChoiceField(
        required=False,
        label="Status",
        choices=[("", "Any"), *ListingReport.Status.choices],
    )
    reason = forms.ChoiceField(
        required=False,
        label="Reason",
        choices=[("", "Any"), *ListingReport.Reason.choices],
    )

    def apply(self, reports: Any) -> Any:
        data = self.cleaned_data
        if data.get("status"):
            reports = reports.filter(status=data["status"])
        if data.get("reason"):
            reports = reports.filter(reason=data["reason"])
        return reports


class CloseReportForm(forms.Form):
    outcome = forms.ChoiceField(
        label="Outcome",
        choices=[
            (ListingReport.Status.RESOLVED, "Resolved: something was done"),
            (ListingReport.Status.DISMISSED, "Dismissed: nothing needed doing"),
        ],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label="Note (what was done, or why nothing was)",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AuditFilter(forms.Form):
    action = forms.ChoiceField(
        required=False,
        label="Action",
        choices=[("", "Any"), *AuditEvent.Action.choices],
    )
    object_type = forms.CharField(
        required=False,
        max_length=100,
        label="Object type",
        help_text="For example catalogue.activity.",
    )
    actor = forms.CharField(
        required=False, max_length=254, label="Who (address contains)"
    )
    date_from = forms.DateField(
        required=False, label="From", widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        required=False, label="To", widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            raise ValidationError("The first date must not be after the second.")
        return data

    def apply(self, events: Any) -> Any:
        data = self.cleaned_data
        if data.get("action"):
            events = events.filter(action=data["action"])
        if data.get("object_type"):
            events = events.filter(object_type=data["object_type"].strip().lower())
        if data.get("actor"):
            events = events.filter(Q(actor_label__icontains=data["actor"]))
        if data.get("date_from"):
            events = events.filter(at__gte=_start_of(data["date_from"]))
        if data.get("date_to"):
            events = events.filter(
                at__lt=_start_of(data["date_to"]) + timedelta(days=1)
            )
        return events.order_by("-at", "-id")

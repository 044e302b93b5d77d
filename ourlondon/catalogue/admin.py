"""Staff admin for the catalogue: search, filters and inline schedules.

Saving an activity (or its schedules) re-materialises its future sessions, so what
staff see on the public page matches the schedule they just edited. Every add,
change and deletion here is in the audit log, before and after (`AuditedAdmin`).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import Count, QuerySet
from django.forms import BaseInlineFormSet, ModelForm
from django.http import HttpRequest, HttpResponse

from ourlondon.audit.log import record_event
from ourlondon.audit.models import AuditEvent
from ourlondon.audit.staff_edits import AuditedAdmin
from ourlondon.catalogue.forms import ActivityForm, ScheduleForm, VenueForm
from ourlondon.catalogue.models import (
    Activity,
    ActivityType,
    HolidayPeriod,
    ListingReport,
    Occurrence,
    Organisation,
    Schedule,
    Venue,
)
from ourlondon.catalogue.recurrence import materialise_activity
from ourlondon.catalogue.taxonomy import holidays_running_out
from ourlondon.core import clock


@admin.register(ActivityType)
class ActivityTypeAdmin(AuditedAdmin[ActivityType]):
    list_display = ["label", "category", "source", "broader", "uri"]
    list_filter = ["category", "source"]
    search_fields = ["label", "slug", "uri", "alt_labels"]
    list_select_related = ["broader"]
    autocomplete_fields = ["broader"]
    readonly_fields = ["uri", "source"]


@admin.register(Organisation)
class OrganisationAdmin(AuditedAdmin[Organisation]):
    list_display = [
        "name",
        "kind",
        "charity_number",
        "company_number",
        "verification",
        "verified_at",
        "is_demo",
        "n_activities",
    ]
    list_filter = ["verification", "kind", "is_demo"]
    search_fields = ["name", "charity_number", "company_number", "public_email"]
    prepopulated_fields = {"slug": ["name"]}
    date_hierarchy = "created_at"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Organisation]:
        return super().get_queryset(request).annotate(n=Count("activities"))

    @admin.display(description="activities", ordering="n")
    def n_activities(self, obj: Any) -> int:
        return int(obj.n)


@admin.register(Venue)
class VenueAdmin(AuditedAdmin[Venue]):
    form = VenueForm
    list_display = ["name", "postcode", "borough", "organisation", "is_demo"]
    list_filter = ["borough", "is_demo"]
    search_fields = ["name", "address", "postcode"]
    list_select_related = ["borough", "organisation"]
    autocomplete_fields = ["organisation"]
    readonly_fields = ["borough"]


class ScheduleInline(admin.TabularInline[Schedule, Activity]):
    model = Schedule
    form = ScheduleForm
    extra = 0
    min_num = 1


@admin.register(Activity)
class ActivityAdmin(AuditedAdmin[Activity]):
    form = ActivityForm
    inlines = [ScheduleInline]
    list_display = [
        "title",
        "organisation",
        "venue_borough",
        "age_label",
        "is_free",
        "status",
        "source",
        "is_demo",
        "updated_at",
    ]
    list_filter = [
        "status",
        "source",
        "is_free",
        "is_demo",
        "types__category",
        "venue__borough",
    ]
    search_fields = ["title", "description", "organisation__name", "source_id"]
    list_select_related = ["organisation", "venue__borough"]
    autocomplete_fields = ["organisation", "venue", "types"]
    readonly_fields = ["created_at", "updated_at"]
    date_hierarchy = "updated_at"
    fieldsets = [
        (None, {"fields": ["title", "description", "types", "status", "is_demo"]}),
        ("Who runs it and where", {"fields": ["organisation", "venue", "is_online"]}),
        ("Who it is for", {"fields": ["age_min", "age_max", "gender"]}),
        ("Cost", {"fields": ["is_free", "price", "concessions"]}),
        ("Access", {"fields": ["accessibility", "what_to_bring"]}),
        (
            "Booking",
            {
                "fields": [
                    "booking_url",
                    "booking_phone",
                    "booking_email",
                    "booking_notes",
                ]
            },
        ),
        (
            "Source",
            {
                "fields": [
                    "source",
                    "source_id",
                    "last_confirmed_at",
                    "created_at",
                    "updated_at",
                ]
            },
        ),
    ]

    @admin.display(description="borough", ordering="venue__borough__name")
    def venue_borough(self, obj: Activity) -> str:
        return obj.venue.borough.name if obj.venue else "Online"

    def save_related(
        self,
        request: HttpRequest,
        form: ModelForm[Activity],
        formsets: list[BaseInlineFormSet[Any, Any, Any]],
        change: bool,
    ) -> None:
        super().save_related(request, form, formsets, change)
        materialise_activity(form.instance.pk)


@admin.register(Occurrence)
class OccurrenceAdmin(admin.ModelAdmin[Occurrence]):
    """Sessions are computed from schedules: shown for checking, not edited."""

    list_display = ["activity", "start", "end"]
    # By activity, then time: what the (activity, start) index serves without
    # sorting every session (there is no index on start alone).
    ordering = ["activity_id", "start"]
    date_hierarchy = "start"
    search_fields = ["activity__title"]
    list_select_related = ["activity"]
    show_full_result_count = False
    raw_id_fields = ["activity", "schedule"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(
        self, request: HttpRequest, obj: Occurrence | None = None
    ) -> bool:
        return False


@admin.register(HolidayPeriod)
class HolidayPeriodAdmin(AuditedAdmin[HolidayPeriod]):
    list_display = ["name", "start_date", "end_date"]
    date_hierarchy = "start_date"

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        warn_if_holidays_run_out(request)
        return super().changelist_view(request, extra_context)


def warn_if_holidays_run_out(request: HttpRequest) -> None:
    warning = holidays_running_out()
    if warning:
        messages.warning(request, warning)


@admin.register(ListingReport)
class ListingReportAdmin(AuditedAdmin[ListingReport]):
    """Reports from the public "report a problem" form."""

    list_display = ["created_at", "reason", "activity", "status"]
    list_filter = ["status", "reason"]
    search_fields = ["activity__title", "details"]
    list_select_related = ["activity"]
    raw_id_fields = ["activity"]
    readonly_fields = ["activity", "reason", "details", "created_at"]
    actions = ["mark_resolved"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ListingReport]:
        # Open reports first, newest first; the reason filter finds safeguarding.
        return super().get_queryset(request).order_by("status", "-created_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description="Mark the selected reports resolved")
    def mark_resolved(
        self, request: HttpRequest, queryset: QuerySet[ListingReport]
    ) -> None:
        # One by one, so each closing is in the audit log.
        for report in queryset.filter(status=ListingReport.Status.OPEN):
            report.status = ListingReport.Status.RESOLVED
            report.handled_by = request.user if request.user.is_authenticated else None
            report.handled_at = clock.now()
            report.handling_note = "Marked resolved in the staff admin."
            report.save(
                update_fields=["status", "handled_by", "handled_at", "handling_note"]
            )
            record_event(
                AuditEvent.Action.UPDATE,
                actor=request.user,
                obj=report,
                before={"status": ListingReport.Status.OPEN},
                after={"status": report.status},
                note=report.handling_note,
                request=request,
            )

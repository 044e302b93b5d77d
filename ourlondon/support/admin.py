"""Staff admin for safety and support: help lines, the directory and its
imports, safe havens with their moderation queue, toolkits and the campaign."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from ourlondon.support.havens import decide_havens
from ourlondon.support.models import (
    Contact,
    DirectoryImport,
    HelpLine,
    OpeningHours,
    Organization,
    Resource,
    RoleModelMessage,
    SafeHaven,
    Service,
    ServiceAtLocation,
    ServiceSchedule,
    TaxonomyTerm,
    ToolkitPage,
)


@admin.register(HelpLine)
class HelpLineAdmin(admin.ModelAdmin[HelpLine]):
    list_display = [
        "name",
        "group",
        "phone",
        "text_number",
        "last_checked",
        "is_active",
    ]
    list_filter = ["group", "is_active", ("last_checked", admin.EmptyFieldListFilter)]
    list_editable = ["last_checked"]
    search_fields = ["name", "summary"]
    ordering = ["order", "name"]


class ContactInline(admin.TabularInline[Contact, Service]):
    model = Contact
    extra = 0


class ScheduleInline(admin.TabularInline[ServiceSchedule, Service]):
    model = ServiceSchedule
    extra = 0


class ServiceAtLocationInline(admin.TabularInline[ServiceAtLocation, Service]):
    model = ServiceAtLocation
    extra = 0
    raw_id_fields = ["location"]


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin[Service]):
    list_display = ["name", "organization", "status", "minimum_age", "maximum_age"]
    list_filter = ["status", "taxonomy_terms"]
    search_fields = ["name", "description", "external_id", "organization__name"]
    list_select_related = ["organization"]
    raw_id_fields = ["organization"]
    filter_horizontal = ["taxonomy_terms"]
    readonly_fields = ["external_id", "source", "imported_at", "last_modified"]
    inlines = [ContactInline, ScheduleInline, ServiceAtLocationInline]


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin[Organization]):
    list_display = ["name", "website", "external_id"]
    search_fields = ["name", "external_id"]


@admin.register(TaxonomyTerm)
class TaxonomyTermAdmin(admin.ModelAdmin[TaxonomyTerm]):
    list_display = ["name", "code", "vocabulary"]
    search_fields = ["name", "code"]


@admin.register(DirectoryImport)
class DirectoryImportAdmin(admin.ModelAdmin[DirectoryImport]):
    list_display = ["source", "started_at", "outcome", "imported", "rejected"]
    list_filter = ["outcome"]
    readonly_fields = [f.name for f in DirectoryImport._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


class OpeningHoursInline(admin.TabularInline[OpeningHours, SafeHaven]):
    model = OpeningHours
    extra = 0


@admin.register(SafeHaven)
class SafeHavenAdmin(admin.ModelAdmin[SafeHaven]):
    list_display = ["name", "kind", "postcode", "borough", "status", "created_at"]
    list_filter = ["status", "kind", "open_24_hours", "borough"]
    search_fields = ["name", "address", "postcode", "contact_email"]
    list_select_related = ["borough"]
    readonly_fields = ["created_at", "reviewed_at"]
    inlines = [OpeningHoursInline]
    actions = ["approve", "reject"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[SafeHaven]:
        return SafeHaven.all_objects.select_related("borough").defer("borough__outline")

    @admin.action(description="Approve: show on the map and list")
    def approve(self, request: HttpRequest, queryset: QuerySet[SafeHaven]) -> None:
        count = decide_havens(queryset, status=SafeHaven.Status.APPROVED)
        self.message_user(request, f"{count} approved.", messages.SUCCESS)

    @admin.action(description="Reject")
    def reject(self, request: HttpRequest, queryset: QuerySet[SafeHaven]) -> None:
        count = decide_havens(queryset, status=SafeHaven.Status.REJECTED)
        self.message_user(request, f"{count} rejected.", messages.SUCCESS)


@admin.register(Resource)
class ResourceAdmin(admin.ModelAdmin[Resource]):
    list_display = ["title", "toolkit", "audience", "stage", "format", "is_published"]
    list_filter = ["toolkit", "audience", "stage", "format", "is_published"]
    search_fields = ["title", "summary"]


@admin.register(ToolkitPage)
class ToolkitPageAdmin(admin.ModelAdmin[ToolkitPage]):
    list_display = ["title", "toolkit", "order", "is_published", "updated_at"]
    list_filter = ["toolkit", "is_published"]
    search_fields = ["title", "body"]
    prepopulated_fields = {"slug": ["title"]}


@admin.register(RoleModelMessage)
class RoleModelMessageAdmin(admin.ModelAdmin[RoleModelMessage]):
    list_display = ["name", "role", "order", "is_published"]
    list_filter = ["is_published"]
    search_fields = ["name", "role", "message"]
    prepopulated_fields = {"slug": ["name"]}

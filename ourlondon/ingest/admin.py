"""Staff admin for feeds: register, approve, watch, and read what was rejected."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from ourlondon.core import clock
from ourlondon.ingest.models import Feed, FeedRejection


@admin.register(Feed)
class FeedAdmin(admin.ModelAdmin[Feed]):
    list_display = [
        "name",
        "publisher",
        "kind",
        "approved",
        "enabled",
        "status",
        "last_success_at",
        "items_seen",
        "items_rejected",
        "items_outside_london",
    ]
    list_filter = ["status", "approved", "enabled", "kind"]
    search_fields = ["name", "publisher", "url"]
    readonly_fields = [
        "approved_at",
        "next_url",
        "status",
        "last_success_at",
        "last_error",
        "last_error_url",
        "last_error_at",
        "failures",
        "not_before",
        "last_full_sync_at",
        "pages",
        "items_seen",
        "items_rejected",
        "items_deleted",
        "items_outside_london",
    ]
    actions = ["approve", "restart_from_first_page"]

    @admin.action(description="Approve the selected feeds (they will be fetched)")
    def approve(self, request: HttpRequest, queryset: QuerySet[Feed]) -> None:
        queryset.update(approved=True, approved_at=clock.now())

    @admin.action(description="Harvest again from the first page")
    def restart_from_first_page(
        self, request: HttpRequest, queryset: QuerySet[Feed]
    ) -> None:
        queryset.update(
            next_url="", status=Feed.Status.NEW, not_before=None, failures=0
        )


@admin.register(FeedRejection)
class FeedRejectionAdmin(admin.ModelAdmin[FeedRejection]):
    """The data-quality report: every item a feed sent that we could not use."""

    list_display = ["at", "feed", "kind", "item_id", "reason", "outside_london"]
    list_filter = ["feed", "outside_london"]
    search_fields = ["item_id", "reason"]
    list_select_related = ["feed"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(
        self, request: HttpRequest, obj: FeedRejection | None = None
    ) -> bool:
        return False

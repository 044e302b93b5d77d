"""Staff manage topics and consent wordings; consent records are read-only."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from ourlondon.subscriptions.models import ConsentRecord, ConsentWording, Topic


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin[Topic]):
    list_display = ["name", "slug", "active", "needs_place", "order"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(ConsentWording)
class ConsentWordingAdmin(admin.ModelAdmin[ConsentWording]):
    """A new wording is a new version: a used one is never edited."""

    list_display = ["version", "created_at"]

    def has_change_permission(
        self, request: HttpRequest, obj: ConsentWording | None = None
    ) -> bool:
        return False


@admin.register(ConsentRecord)
class ConsentRecordAdmin(admin.ModelAdmin[ConsentRecord]):
    list_display = ["at", "subscriber", "action", "wording", "method"]
    list_filter = ["action", "wording"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(
        self, request: HttpRequest, obj: ConsentRecord | None = None
    ) -> bool:
        return False

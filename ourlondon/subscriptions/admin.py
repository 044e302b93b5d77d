"""Staff manage topics and consent wordings; consent records are read-only."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html

from ourlondon.subscriptions.models import (
    Announcement,
    ConsentRecord,
    ConsentWording,
    Subscriber,
    Topic,
)
from ourlondon.subscriptions.rights import erase, send_export
from ourlondon.subscriptions.sending import message_for, recipients
from ourlondon.subscriptions.tasks import send_announcement


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


@admin.register(Announcement)
class AnnouncementAdmin(admin.ModelAdmin[Announcement]):
    """Compose, preview, see how many will get it, then send to the topic."""

    list_display = ["subject", "topic", "status", "created_at", "sent_at"]
    list_filter = ["status", "topic"]
    readonly_fields = ["status", "sent_at", "recipients_now", "preview"]
    actions = ["send"]

    @admin.display(description="Confirmed subscribers of the topic now")
    def recipients_now(self, obj: Announcement) -> int:
        return recipients(obj) if obj.pk else 0

    @admin.display(description="Preview (as a subscriber sees it)")
    def preview(self, obj: Announcement) -> str:
        if not obj.pk:
            return "Save to preview."
        sample = Subscriber(pk=0, email="subscriber@example.org")
        message = message_for(obj, sample)
        return format_html(
            "<pre>Subject: {}\n\n{}</pre>", message.subject, message.body
        )

    @admin.action(description="Send to the topic's confirmed subscribers")
    def send(self, request: HttpRequest, queryset: QuerySet[Announcement]) -> None:
        for announcement in queryset.exclude(status=Announcement.Status.SENT):
            send_announcement(announcement.pk)
            self.message_user(
                request,
                f"“{announcement.subject}” is being sent to {recipients(announcement)} "
                "subscribers.",
            )


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin[Subscriber]):
    """For answering a person's request about their own data; nothing else."""

    list_display = ["pk", "status", "created_at", "confirmed_at", "unsubscribed_at"]
    list_filter = ["status", "topics"]
    search_fields = ["email"]
    readonly_fields = [
        "email",
        "status",
        "topics",
        "postcode",
        "interests",
        "created_at",
        "confirmed_at",
        "unsubscribed_at",
    ]
    actions = ["send_their_data", "erase_them"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description="Email each their data (right of access)")
    def send_their_data(
        self, request: HttpRequest, queryset: QuerySet[Subscriber]
    ) -> None:
        for subscriber in queryset:
            send_export(subscriber)
        self.message_user(request, f"Sent {queryset.count()} export(s).")

    @admin.action(description="Erase (right to erasure; keeps only a hash)")
    def erase_them(self, request: HttpRequest, queryset: QuerySet[Subscriber]) -> None:
        count = 0
        for subscriber in queryset:
            erase(subscriber)
            count += 1
        self.message_user(request, f"Erased {count} subscriber(s).")

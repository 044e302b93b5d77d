"""The audit log: an append-only record of who did what, when, to which object.

Rows are written by `audit.log.record_event` and never changed: `save()` refuses to
update an existing row, and neither a row nor a queryset can be deleted through
the ORM. (Erasing a person's data later goes through a shredder that works below
the model, on purpose, and leaves a record that it did.)
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models


class AppendOnlyError(Exception):
    """Raised on an attempt to change or delete an audit event."""


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("Audit events cannot be changed.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("Audit events cannot be deleted.")


class AuditEvent(models.Model):
    class Action(models.TextChoices):
        CREATE = "create", "Created"
        UPDATE = "update", "Updated"
        DELETE = "delete", "Deleted"
        SUBMIT = "submit", "Submitted for review"
        APPROVE = "approve", "Approved"
        REJECT = "reject", "Rejected"
        UNPUBLISH = "unpublish", "Unpublished"
        SUSPEND = "suspend", "Suspended"
        CLAIM = "claim", "Claim requested"
        INVITE = "invite", "Invitation sent"
        JOIN = "join", "Joined"
        LOGIN = "login", "Logged in"
        LOGIN_FAILED = "login_failed", "Login failed"
        LOCKED_OUT = "locked_out", "Locked out"
        LOGOUT = "logout", "Logged out"
        MFA = "mfa", "Two-factor changed"

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    # Null when the actor is unknown (a failed login) or their account has been
    # erased; `actor_label` keeps what they were called at the time.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_label = models.CharField(max_length=254, blank=True)
    action = models.CharField(max_length=16, choices=Action.choices, db_index=True)
    # "app_label.model" and the primary key as text: any object, without a
    # generic foreign key that would break when the object is deleted.
    object_type = models.CharField(max_length=100, blank=True, db_index=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_label = models.CharField(max_length=200, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    note = models.TextField(blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("Audit events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("Audit events cannot be deleted.")

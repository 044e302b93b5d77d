"""Edits made in the staff admin (/staff/) go into the audit log too.

Django's admin keeps its own `LogEntry` (who, what, a change message) but not
the values before and after. `AuditedAdmin` writes an `AuditEvent` alongside,
through the admin's own logging hooks, so every add, change (form or list
editing) and deletion (one or bulk) is recorded: before is read from the
database before the save, after once the related objects are saved too.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, TypeVar

from django.contrib import admin
from django.db import models
from django.forms import ModelForm
from django.http import HttpRequest

from ourlondon.audit.log import record_event, snapshot
from ourlondon.audit.models import AuditEvent

Action = AuditEvent.Action
_M = TypeVar("_M", bound=models.Model)
_STASH = "_audit_before"


def admin_state(obj: models.Model) -> dict[str, Any]:
    """An object's own fields, and its many-to-many links as sorted ids."""
    meta = obj._meta
    plain = [f.name for f in meta.concrete_fields if f.editable]
    data = snapshot(obj, plain)
    if obj.pk is not None:
        for field in meta.many_to_many:
            data[field.name] = sorted(
                getattr(obj, field.name).values_list("pk", flat=True)
            )
    return data


def _note(message: Any) -> str:
    text = message if isinstance(message, str) else json.dumps(message)
    return f"Staff admin: {text}" if text and text != "[]" else "Staff admin"


class AuditedAdmin(admin.ModelAdmin[_M]):
    """A ModelAdmin whose adds, changes and deletions are in the audit log."""

    def save_model(
        self, request: HttpRequest, obj: _M, form: ModelForm[_M], change: bool
    ) -> None:
        if change and obj.pk is not None:
            stored = type(obj)._default_manager.filter(pk=obj.pk).first()
            if stored is not None:
                stash: dict[tuple[str, str], Any] = getattr(request, _STASH, {})
                stash[(obj._meta.label_lower, str(obj.pk))] = admin_state(stored)
                setattr(request, _STASH, stash)
        super().save_model(request, obj, form, change)

    def log_addition(self, request: HttpRequest, obj: _M, message: Any) -> Any:
        record_event(
            Action.CREATE,
            actor=request.user,
            obj=obj,
            after=admin_state(obj),
            note=_note(message),
            request=request,
        )
        return super().log_addition(request, obj, message)

    def log_change(self, request: HttpRequest, obj: _M, message: Any) -> Any:
        stash: dict[tuple[str, str], Any] = getattr(request, _STASH, {})
        record_event(
            Action.UPDATE,
            actor=request.user,
            obj=obj,
            before=stash.pop((obj._meta.label_lower, str(obj.pk)), None),
            after=admin_state(obj),
            note=_note(message),
            request=request,
        )
        return super().log_change(request, obj, message)

    def log_deletions(self, request: HttpRequest, queryset: Iterable[_M]) -> Any:
        # Called before the deletion, so each object can still be read.
        objects = list(queryset)
        for obj in objects:
            record_event(
                Action.DELETE,
                actor=request.user,
                obj=obj,
                before=admin_state(obj),
                note="Staff admin: deleted",
                request=request,
            )
        return super().log_deletions(request, objects)  # type: ignore[arg-type] # Django accepts any iterable of objects here

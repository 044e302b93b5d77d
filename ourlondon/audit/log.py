"""Writing the audit log: one function, called by every domain write."""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models.fields.files import FieldFile
from django.forms.models import model_to_dict
from django.http import HttpRequest

from ourlondon.audit.models import AuditEvent


def snapshot(instance: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """A JSON-safe copy of an object's fields, for `before` and `after`."""
    data = model_to_dict(instance, fields=fields)
    for name, value in list(data.items()):
        if isinstance(value, FieldFile):
            data[name] = value.name or ""
    loaded: dict[str, Any] = json.loads(json.dumps(data, cls=DjangoJSONEncoder))
    return loaded


def record_event(
    action: str,
    *,
    actor: User | AnonymousUser | None,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    note: str = "",
    actor_label: str = "",
    request: HttpRequest | None = None,
) -> AuditEvent:
    """Append one event. `obj` names the object; or give its type and id."""
    if obj is not None:
        object_type = obj._meta.label_lower
        object_id = str(obj.pk)
        object_label = str(obj)[:200]
    else:
        object_label = ""
    user = actor if isinstance(actor, User) else None
    if user is not None and not actor_label:
        actor_label = user.email or user.get_username()
    ip = request.META.get("REMOTE_ADDR") if request is not None else None
    return AuditEvent.objects.create(
        actor=user,
        actor_label=actor_label[:254],
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_label=object_label,
        before=before,
        after=after,
        note=note,
        ip_address=ip or None,
    )

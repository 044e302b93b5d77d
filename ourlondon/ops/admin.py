"""Keeps search in step with staff edits made in the admin.

The catalogue's `ActivityAdmin` re-materialises sessions after a save; here the
same admin also re-indexes the activity, so a staff edit is searchable at once.
Registered from `ops` because the catalogue must not import search.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.forms import BaseInlineFormSet, ModelForm
from django.http import HttpRequest

from ourlondon.catalogue.admin import ActivityAdmin
from ourlondon.catalogue.models import Activity
from ourlondon.search.indexing import refresh_activities


class IndexedActivityAdmin(ActivityAdmin):
    def save_related(
        self,
        request: HttpRequest,
        form: ModelForm[Activity],
        formsets: list[BaseInlineFormSet[Any, Any, Any]],
        change: bool,
    ) -> None:
        super().save_related(request, form, formsets, change)
        refresh_activities([form.instance.pk])

    def delete_model(self, request: HttpRequest, obj: Activity) -> None:
        pk = obj.pk
        super().delete_model(request, obj)
        refresh_activities([pk])


admin.site.unregister(Activity)
admin.site.register(Activity, IndexedActivityAdmin)

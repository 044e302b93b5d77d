"""Forms shared by the admin (and later the provider portal) for catalogue edits."""

from __future__ import annotations

from typing import Any

from django import forms

from ourlondon.catalogue.models import Activity, Schedule, Venue
from ourlondon.catalogue.vocabulary import AccessibilityFeature, Weekday


class AccessibilityField(forms.MultipleChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("choices", AccessibilityFeature.choices)
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.CheckboxSelectMultiple)
        super().__init__(**kwargs)


class VenueForm(forms.ModelForm[Venue]):
    accessibility = AccessibilityField()

    class Meta:
        model = Venue
        fields = [
            "name",
            "address",
            "postcode",
            "lat",
            "lng",
            "organisation",
            "accessibility",
            "is_demo",
        ]


class ActivityForm(forms.ModelForm[Activity]):
    accessibility = AccessibilityField()

    class Meta:
        model = Activity
        fields = [
            "title",
            "description",
            "types",
            "status",
            "is_demo",
            "organisation",
            "venue",
            "is_online",
            "age_min",
            "age_max",
            "gender",
            "is_free",
            "price",
            "concessions",
            "accessibility",
            "what_to_bring",
            "booking_url",
            "booking_phone",
            "booking_email",
            "booking_notes",
            "source",
            "source_id",
            "last_confirmed_at",
        ]


class ScheduleForm(forms.ModelForm[Schedule]):
    """Weekdays as tick boxes, exceptions as one date per line."""

    weekdays = forms.MultipleChoiceField(
        choices=Weekday.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    exceptions = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 14}),
        help_text="Dates it does not run, one per line (2026-12-25).",
    )

    class Meta:
        model = Schedule
        fields = [
            "kind",
            "weekdays",
            "start_time",
            "end_time",
            "start_date",
            "end_date",
            "season",
            "exceptions",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["weekdays"] = self.instance.weekday_list
            self.initial["exceptions"] = "\n".join(self.instance.exceptions or [])

    def clean_weekdays(self) -> str:
        chosen = set(self.cleaned_data.get("weekdays") or [])
        return ",".join(code for code, _ in Weekday.choices if code in chosen)

    def clean_exceptions(self) -> list[str]:
        text = self.cleaned_data.get("exceptions") or ""
        return [
            line.strip()
            for line in text.replace(",", "\n").splitlines()
            if line.strip()
        ]

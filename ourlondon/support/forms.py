"""Forms on the support pages: the searches (GET, never a 500 on bad input) and
the public safe-haven application (POST, moderated)."""

from __future__ import annotations

from datetime import time
from typing import Any

from django import forms

from ourlondon.core.postcodes import PostcodeError, is_outcode, lookup_postcode
from ourlondon.support.hours import WEEKDAY_NAMES
from ourlondon.support.models import (
    MAX_AGE,
    Audience,
    Resource,
    SafeHaven,
    Stage,
)

RADIUS_CHOICES = [("1", "1 km"), ("3", "3 km"), ("5", "5 km"), ("10", "10 km")]


def locate(where: str) -> tuple[float, float, str]:
    """A postcode or a postcode district to (lat, lng, label); `ValidationError`
    with the reason otherwise."""
    from ourlondon.core.models import PostcodeDistrict

    text = where.strip()
    if is_outcode(text):
        district = PostcodeDistrict.objects.filter(outcode=text.upper()).first()
        if district is None:
            raise forms.ValidationError(
                f"{text.upper()} is not a London postcode area."
            )
        return district.lat, district.lng, district.outcode
    try:
        found = lookup_postcode(text)
    except PostcodeError as exc:
        raise forms.ValidationError(str(exc)) from exc
    return found.lat, found.lng, found.postcode


class ServiceSearchForm(forms.Form):
    need = forms.CharField(
        label="What do you need help with?",
        required=False,
        max_length=100,
        help_text="For example: counselling, housing, drugs, bullying.",
    )
    where = forms.CharField(label="Postcode (optional)", required=False, max_length=10)
    radius_km = forms.TypedChoiceField(
        label="Distance",
        choices=RADIUS_CHOICES,
        coerce=int,
        required=False,
        empty_value=None,
        error_messages={"invalid_choice": "Choose a distance from the list."},
    )
    age = forms.IntegerField(
        label="Age (optional)",
        required=False,
        min_value=0,
        max_value=MAX_AGE,
        error_messages={
            "invalid": "Enter an age in years, like 15.",
            "min_value": "Enter an age of 0 or more.",
            "max_value": f"Enter an age of {MAX_AGE} or less.",
        },
    )

    def clean_where(self) -> tuple[float, float, str] | None:
        where = self.cleaned_data.get("where", "")
        return locate(where) if where.strip() else None


class HavenSearchForm(forms.Form):
    where = forms.CharField(label="Postcode (optional)", required=False, max_length=10)
    kind = forms.ChoiceField(
        label="Kind of place",
        required=False,
        choices=[("", "Any")] + list(SafeHaven.Kind.choices),
        error_messages={"invalid_choice": "Choose a kind of place from the list."},
    )
    open_now = forms.BooleanField(label="Open now", required=False)

    def clean_where(self) -> tuple[float, float, str] | None:
        where = self.cleaned_data.get("where", "")
        return locate(where) if where.strip() else None


class ResourceSearchForm(forms.Form):
    q = forms.CharField(label="Search", required=False, max_length=100)
    audience = forms.ChoiceField(
        label="For",
        required=False,
        choices=[("", "Everyone")] + list(Audience.choices),
        error_messages={"invalid_choice": "Choose who it is for from the list."},
    )
    stage = forms.ChoiceField(
        label="Stage",
        required=False,
        choices=[("", "Any stage")] + list(Stage.choices),
        error_messages={"invalid_choice": "Choose a stage from the list."},
    )
    format = forms.ChoiceField(
        label="Format",
        required=False,
        choices=[("", "Any format")] + list(Resource.Format.choices),
        error_messages={"invalid_choice": "Choose a format from the list."},
    )


def _day_field(label: str) -> forms.TimeField:
    return forms.TimeField(
        label=label,
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={"invalid": "Enter a time like 09:00 or 17:30."},
    )


class HavenApplicationForm(forms.Form):
    """A business or community place asking to become a safe haven."""

    name = forms.CharField(label="Name of the place", max_length=200)
    kind = forms.ChoiceField(
        label="Kind of place",
        choices=SafeHaven.Kind.choices,
        error_messages={"required": "Choose what kind of place it is."},
    )
    address = forms.CharField(label="Street address", max_length=300)
    postcode = forms.CharField(label="Postcode", max_length=10)
    description = forms.CharField(
        label="What will a young person find? (optional)",
        help_text="For example: ask any member of staff at the counter.",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    phone = forms.RegexField(
        label="Phone number of the place (optional)",
        regex=r"^[0-9 ]{3,20}$",
        required=False,
        error_messages={"invalid": "Enter a phone number using digits and spaces."},
    )
    open_24_hours = forms.BooleanField(label="Open 24 hours, every day", required=False)
    contact_name = forms.CharField(label="Your name", max_length=200)
    contact_email = forms.EmailField(
        label="Your email",
        help_text="So we can check with you. Never shown on the site.",
    )
    # A field people never see: bots fill it in; their applications are dropped.
    website = forms.CharField(required=False, label="Leave this empty")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for day, name in enumerate(WEEKDAY_NAMES):
            self.fields[f"opens_{day}"] = _day_field(f"{name} opens")
            self.fields[f"closes_{day}"] = _day_field(f"{name} closes")

    def day_fields(self) -> list[tuple[str, forms.BoundField, forms.BoundField]]:
        return [
            (name, self[f"opens_{day}"], self[f"closes_{day}"])
            for day, name in enumerate(WEEKDAY_NAMES)
        ]

    def clean_postcode(self) -> str:
        try:
            return lookup_postcode(self.cleaned_data["postcode"]).postcode
        except PostcodeError as exc:
            raise forms.ValidationError(str(exc)) from exc

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        openings: list[tuple[int, time, time]] = []
        for day, name in enumerate(WEEKDAY_NAMES):
            opens, closes = data.get(f"opens_{day}"), data.get(f"closes_{day}")
            if (opens is None) != (closes is None):
                self.add_error(
                    f"opens_{day}" if opens is None else f"closes_{day}",
                    f"Give both the opening and the closing time for {name}, "
                    "or neither.",
                )
            elif opens is not None and closes is not None:
                openings.append((day, opens, closes))
        if not openings and not data.get("open_24_hours"):
            self.add_error(
                "opens_0",
                "Give the opening hours for at least one day, or tick “open 24 hours”.",
            )
        data["openings"] = openings
        return data

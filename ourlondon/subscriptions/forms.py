"""The sign-up form: what each topic needs, checked before anything is stored."""

from __future__ import annotations

from typing import Any

from django import forms

from ourlondon.catalogue.vocabulary import Category
from ourlondon.core.postcodes import PostcodeError, lookup_postcode
from ourlondon.subscriptions.models import Topic


class SignUpForm(forms.Form):
    email = forms.EmailField(
        label="Your email address",
        max_length=254,
        error_messages={
            "required": "Enter your email address.",
            "invalid": "Enter an email address like name@example.com.",
            "max_length": "Enter an email address of at most 254 characters.",
        },
    )
    topics = forms.ModelMultipleChoiceField(
        label="What would you like to hear about?",
        queryset=Topic.objects.filter(active=True),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Choose at least one kind of update.",
            "invalid_choice": "Choose from the updates listed.",
            "invalid_pk_value": "Choose from the updates listed.",
        },
        to_field_name="slug",
    )
    postcode = forms.CharField(
        label="Your postcode (for activities near you)", required=False, max_length=10
    )
    interests = forms.MultipleChoiceField(
        label="Interests (for activities near you)",
        required=False,
        choices=Category.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    radius_km = forms.TypedChoiceField(
        label="How far (for activities near you)",
        choices=[(1, "1 km"), (2, "2 km"), (3, "3 km"), (5, "5 km"), (10, "10 km")],
        coerce=int,
        initial=3,
        required=False,
        empty_value=None,
    )
    age_band = forms.ChoiceField(
        label="Ages (for activities near you)",
        required=False,
        choices=[
            ("", "Any age"),
            ("10-13", "10 to 13"),
            ("14-17", "14 to 17"),
            ("18-25", "18 to 25"),
        ],
    )
    # Bots fill in what people cannot see.
    website = forms.CharField(required=False, max_length=200)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        topics = data.get("topics") or []
        if any(t.needs_place for t in topics):
            postcode = (data.get("postcode") or "").strip()
            if not postcode:
                self.add_error(
                    "postcode", "Enter your postcode for activities near you."
                )
            else:
                try:
                    data["postcode"] = lookup_postcode(postcode).postcode
                except PostcodeError as exc:
                    self.add_error("postcode", str(exc))
        else:
            data["postcode"] = ""
            data["interests"] = []
        return data


class ManageForm(SignUpForm):
    """The same choices; choosing none stops every update."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["topics"].required = False

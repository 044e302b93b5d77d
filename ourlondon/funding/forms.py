"""The public list's filters, and the "tell me when the next round opens" form.
A bad filter is named and left out; the others still apply."""

from __future__ import annotations

from typing import Any

from django import forms

from ourlondon.core.models import Borough
from ourlondon.funding.models import Fund

MAX_AMOUNT = 10**12


class GrantFilterForm(forms.Form):
    fund = forms.ChoiceField(label="Fund", required=False)
    borough = forms.ChoiceField(label="Borough", required=False)

    fields: dict[str, Any]  # choice fields, whose choices are set per request
    year = forms.IntegerField(
        label="Year awarded",
        required=False,
        min_value=1990,
        max_value=2100,
        error_messages={"invalid": "Enter a year like 2019."},
    )
    min_amount = forms.DecimalField(
        label="At least (£)",
        required=False,
        min_value=0,
        max_value=MAX_AMOUNT,
        decimal_places=2,
        error_messages={"invalid": "Enter an amount in pounds, like 5000."},
    )
    max_amount = forms.DecimalField(
        label="At most (£)",
        required=False,
        min_value=0,
        max_value=MAX_AMOUNT,
        decimal_places=2,
        error_messages={"invalid": "Enter an amount in pounds, like 50000."},
    )
    page = forms.IntegerField(required=False, min_value=1, max_value=100_000)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        funds = list(Fund.objects.values_list("slug", "name"))
        self.fields["fund"].choices = [("", "All funds"), *funds]
        boroughs = Borough.objects.order_by("name").values_list("gss_code", "name")
        self.fields["borough"].choices = [("", "All boroughs"), *boroughs]
        for name in ("fund", "borough"):
            self.fields[name].error_messages["invalid_choice"] = (
                f"Choose a {name} from the list."
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        low, high = data.get("min_amount"), data.get("max_amount")
        if low is not None and high is not None and low > high:
            self.add_error("max_amount", "“At most” must not be below “at least”.")
        return data

    def valid_filters(self) -> dict[str, Any]:
        """The fields that were given and are valid (the form is bound)."""
        self.is_valid()
        return {
            k: v
            for k, v in self.cleaned_data.items()
            if k not in self.errors and v not in (None, "")
        }


class BoroughFilterForm(forms.Form):
    fund = forms.ChoiceField(label="Fund", required=False)

    fields: dict[str, Any]  # choice fields, whose choices are set per request

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        funds = list(Fund.objects.values_list("slug", "name"))
        self.fields["fund"].choices = [("", "All funds"), *funds]
        self.fields["fund"].error_messages["invalid_choice"] = (
            "Choose a fund from the list."
        )


class NextRoundForm(forms.Form):
    email = forms.EmailField(
        label="Your email address",
        max_length=254,
        error_messages={
            "required": "Enter your email address.",
            "invalid": "Enter an email address like name@example.com.",
        },
    )
    # Bots fill in what people cannot see.
    website = forms.CharField(required=False, max_length=200)

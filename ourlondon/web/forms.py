"""Forms on public pages."""

from __future__ import annotations

from django import forms

from ourlondon.catalogue.models import ListingReport


class ReportForm(forms.Form):
    reason = forms.ChoiceField(
        label="What is the problem?",
        choices=ListingReport.Reason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what the problem is."},
    )
    details = forms.CharField(
        label="Tell us more (optional)",
        help_text="Please do not include your name or contact details.",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    # A field people never see: bots fill it in; their reports are dropped.
    website = forms.CharField(
        required=False,
        label="Leave this empty",
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

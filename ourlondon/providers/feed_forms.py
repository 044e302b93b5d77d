"""Forms for the bulk pages: a spreadsheet upload, and a feed's address.

A feed URL is checked when it is entered, by the same rules the fetcher applies
each time it reads it (`ingest.fetching.check_url`): http or https only, and a
host that resolves to public addresses only. A URL pointing into a private
network, at this machine or at a cloud metadata service is refused at once.
"""

from __future__ import annotations

from typing import Any

from django import forms

from ourlondon.catalogue.models import ActivityType, Organisation, Venue
from ourlondon.ingest.fetching import FetchError, UnsafeURL, check_url
from ourlondon.ingest.models import Feed
from ourlondon.providers.models import ProviderFeed


class UploadForm(forms.Form):
    file = forms.FileField(
        label="Spreadsheet (CSV or Excel .xlsx)",
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".csv,.xlsx,text/csv,application/vnd.openxmlformats-"
                "officedocument.spreadsheetml.sheet"
            }
        ),
    )


class FeedForm(forms.Form):
    kind = forms.ChoiceField(
        label="Kind of feed",
        choices=ProviderFeed.Kind.choices,
        widget=forms.RadioSelect,
    )
    # A CharField: webcal:// (what calendars offer for subscribing) is turned into
    # https:// here, and check_url says what is wrong with any other scheme.
    url = forms.CharField(
        label="Feed address (URL)",
        max_length=1000,
        help_text="The address your calendar or booking system gives for "
        "subscribing, starting http:// or https:// (webcal:// works too).",
    )
    rpde_kind = forms.ChoiceField(
        label="OpenActive: what the feed lists",
        choices=[("", "—")] + list(Feed.Kind.choices),
        required=False,
    )
    activity_type = forms.ModelChoiceField(
        label="Calendar: type of activity for its events",
        queryset=ActivityType.objects.all(),
        to_field_name="slug",
        required=False,
    )
    default_venue = forms.ModelChoiceField(
        label="Calendar: venue for events whose location has no London postcode",
        queryset=Venue.objects.none(),
        required=False,
    )

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        venues = Venue.objects.filter(organisation=organisation).order_by("name")
        self.fields["default_venue"].queryset = venues  # type: ignore[attr-defined]

    def clean_url(self) -> str:
        url: str = self.cleaned_data["url"].strip()
        if url.lower().startswith("webcal://"):
            url = "https://" + url[len("webcal://") :]
        try:
            check_url(url)
        except UnsafeURL as error:
            raise forms.ValidationError(
                "We cannot read feeds from this address. %(reason)s Give the "
                "feed's public web address.",
                params={"reason": str(error)},
            ) from error
        except FetchError as error:
            raise forms.ValidationError(
                "This address cannot be reached: %(reason)s Check it and try again.",
                params={"reason": str(error)},
            ) from error
        return url

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") == ProviderFeed.Kind.OPENACTIVE and not data.get(
            "rpde_kind"
        ):
            self.add_error("rpde_kind", "Say what the OpenActive feed lists.")
        return data

"""Portal forms: the organisation, its safeguarding details, claims and invites."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

from ourlondon.catalogue.models import MAX_AGE, ActivityType, Organisation
from ourlondon.catalogue.places import locate_venue
from ourlondon.catalogue.vocabulary import (
    WEEKDAY_CODES,
    AccessibilityFeature,
    Weekday,
)
from ourlondon.providers.models import SafeguardingProfile

# Kinds a provider may choose ("not stated" is only for feed organisers).
PROVIDER_KINDS = [
    (value, label)
    for value, label in Organisation.Kind.choices
    if value != Organisation.Kind.UNKNOWN
]
# Kinds without a charity or company number say what they are instead.
OTHER_KINDS = {
    Organisation.Kind.SCHOOL,
    Organisation.Kind.COUNCIL,
    Organisation.Kind.FAITH,
    Organisation.Kind.COMMUNITY,
}


class OrganisationForm(forms.ModelForm[Organisation]):
    kind = forms.ChoiceField(choices=PROVIDER_KINDS)

    class Meta:
        model = Organisation
        fields = [
            "name",
            "kind",
            "charity_number",
            "company_number",
            "website",
            "public_email",
            "public_phone",
        ]
        labels = {
            "public_email": "Public email (shown on your listings)",
            "public_phone": "Public phone (shown on your listings)",
        }


def check_policy_pdf(upload: UploadedFile) -> None:
    """A PDF (by its first bytes, not its name alone), within the size cap."""
    limit = settings.POLICY_MAX_BYTES
    if upload.size is None or upload.size > limit:
        raise forms.ValidationError(
            "The policy file is too large: the limit is %(mb)s MB.",
            params={"mb": limit // (1024 * 1024)},
        )
    name = (upload.name or "").lower()
    upload.seek(0)
    head = upload.read(5)
    upload.seek(0)
    if not name.endswith(".pdf") or head != b"%PDF-":
        raise forms.ValidationError("The policy must be a PDF file.")


class SafeguardingForm(forms.ModelForm[SafeguardingProfile]):
    referee1_name = forms.CharField(label="First referee: name", required=False)
    referee1_contact = forms.CharField(
        label="First referee: email or phone", required=False
    )
    referee2_name = forms.CharField(label="Second referee: name", required=False)
    referee2_contact = forms.CharField(
        label="Second referee: email or phone", required=False
    )

    class Meta:
        model = SafeguardingProfile
        fields = [
            "kind_detail",
            "lead_name",
            "lead_role",
            "lead_contact",
            "policy_file",
            "policy_url",
            "dbs_declared",
            "private_phone",
            "private_address",
        ]
        labels = {
            "kind_detail": "What kind of organisation (e.g. school URN, council "
            "department, place of worship)",
            "policy_file": "Safeguarding policy (PDF)",
            "policy_url": "…or a link to it (https)",
            "private_phone": "Your phone (moderators only, never shown publicly)",
            "private_address": "Your address (moderators only, never shown publicly)",
        }
        widgets = {"private_address": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, kind: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.fields["dbs_declared"].required = True
        self.fields["policy_file"].widget = forms.ClearableFileInput(
            attrs={"accept": "application/pdf,.pdf"}
        )
        if self.instance.pk:
            referees = list(self.instance.referees.all())
            for index, referee in enumerate(referees[:2], start=1):
                self.initial[f"referee{index}_name"] = referee.name
                self.initial[f"referee{index}_contact"] = referee.contact

    def clean_policy_file(self) -> Any:
        upload = self.cleaned_data.get("policy_file")
        if isinstance(upload, UploadedFile):
            check_policy_pdf(upload)
        return upload

    def clean_policy_url(self) -> str:
        url: str = self.cleaned_data.get("policy_url", "")
        if url and not url.lower().startswith("https://"):
            raise forms.ValidationError("Give an https:// link to the policy.")
        return url

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        no_policy = not data.get("policy_file") and not data.get("policy_url")
        if no_policy and not {"policy_file", "policy_url"} & set(self.errors):
            self.add_error(
                "policy_file",
                "Upload your safeguarding policy as a PDF, or give a link to it.",
            )
        if self.kind in OTHER_KINDS and not data.get("kind_detail"):
            self.add_error("kind_detail", "Tell us what kind of organisation it is.")
        if self.kind == Organisation.Kind.COMMUNITY:
            for n in (1, 2):
                for part in ("name", "contact"):
                    if not data.get(f"referee{n}_{part}"):
                        self.add_error(
                            f"referee{n}_{part}",
                            "An unincorporated group names two referees, each with "
                            "a name and an email or phone.",
                        )
        return data

    def referees(self) -> list[tuple[str, str]]:
        pairs = [
            (
                self.cleaned_data.get(f"referee{n}_name", "").strip(),
                self.cleaned_data.get(f"referee{n}_contact", "").strip(),
            )
            for n in (1, 2)
        ]
        return [(name, contact) for name, contact in pairs if name and contact]


class ClaimForm(forms.Form):
    organisation = forms.ModelChoiceField(
        # Only organisations nobody manages yet: otherwise ask for an invitation.
        queryset=Organisation.objects.filter(memberships__isnull=True).exclude(
            verification__in=[
                Organisation.Verification.SUSPENDED,
                Organisation.Verification.REJECTED,
            ]
        ),
        widget=forms.HiddenInput,
    )
    message = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        help_text="Your role there and how we can confirm it (e.g. a phone number "
        "on the organisation's own website).",
    )


class InviteForm(forms.Form):
    email = forms.EmailField(label="Colleague's email")


class ReasonForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        help_text="Sent to the organisation's members by email.",
    )


class ListingForm(forms.Form):
    """A listing as the provider writes it: one weekly schedule for now."""

    title = forms.CharField(max_length=200)
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}), max_length=5000
    )
    activity_type = forms.ModelChoiceField(
        queryset=ActivityType.objects.all(), to_field_name="slug"
    )
    is_online = forms.BooleanField(label="It runs online", required=False)
    venue_name = forms.CharField(max_length=200, required=False)
    venue_address = forms.CharField(
        max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    postcode = forms.CharField(max_length=10, required=False)
    age_min = forms.IntegerField(label="Youngest age", min_value=0, max_value=MAX_AGE)
    age_max = forms.IntegerField(label="Oldest age", min_value=0, max_value=MAX_AGE)
    is_free = forms.BooleanField(label="Free", required=False)
    price = forms.DecimalField(
        label="Price per session (£)",
        min_value=Decimal("0"),
        max_digits=7,
        decimal_places=2,
        required=False,
    )
    accessibility = forms.MultipleChoiceField(
        choices=AccessibilityFeature.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    weekdays = forms.MultipleChoiceField(
        label="Days", choices=Weekday.choices, widget=forms.CheckboxSelectMultiple
    )
    start_time = forms.TimeField(widget=forms.TimeInput(attrs={"type": "time"}))
    end_time = forms.TimeField(widget=forms.TimeInput(attrs={"type": "time"}))
    start_date = forms.DateField(
        label="First date", widget=forms.DateInput(attrs={"type": "date"})
    )
    end_date = forms.DateField(
        label="Last date (empty: ongoing)",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    booking_email = forms.EmailField(label="Contact email", required=False)
    booking_phone = forms.CharField(
        label="Contact phone", max_length=32, required=False
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("is_online"):
            if not data.get("venue_name"):
                self.add_error("venue_name", "Name the venue, or tick “online”.")
            postcode = data.get("postcode", "")
            if not postcode:
                self.add_error("postcode", "Give the venue's postcode.")
            else:
                try:
                    data["postcode"] = locate_venue(postcode=postcode).postcode
                except ValidationError as error:
                    self.add_error("postcode", " ".join(error.messages))
        age_min, age_max = data.get("age_min"), data.get("age_max")
        if age_min is not None and age_max is not None and age_min > age_max:
            self.add_error("age_max", "The oldest age must not be below the youngest.")
        if data.get("is_free") and data.get("price"):
            self.add_error("price", "A free activity has no price.")
        start, end = data.get("start_time"), data.get("end_time")
        if start and end and end <= start:
            self.add_error("end_time", "The session must end after it starts.")
        first, last = data.get("start_date"), data.get("end_date")
        if first and last and last < first:
            self.add_error("end_date", "The last date must not be before the first.")
        return data

    def listing(self) -> dict[str, Any]:
        """The cleaned listing, in `listings.listing_data`'s JSON shape."""
        d = self.cleaned_data
        online = bool(d["is_online"])
        return {
            "title": d["title"].strip(),
            "description": d["description"].strip(),
            "activity_type": d["activity_type"].slug,
            "is_online": online,
            "venue_name": "" if online else d["venue_name"].strip(),
            "venue_address": "" if online else d["venue_address"].strip(),
            "postcode": "" if online else d["postcode"],
            "age_min": d["age_min"],
            "age_max": d["age_max"],
            "is_free": bool(d["is_free"]),
            "price": str(d["price"]) if d["price"] is not None else None,
            "accessibility": sorted(d["accessibility"]),
            "weekdays": [c for c in WEEKDAY_CODES if c in d["weekdays"]],
            "start_time": d["start_time"].strftime("%H:%M"),
            "end_time": d["end_time"].strftime("%H:%M"),
            "start_date": d["start_date"].isoformat(),
            "end_date": d["end_date"].isoformat() if d["end_date"] else "",
            "booking_email": d["booking_email"],
            "booking_phone": d["booking_phone"].strip(),
        }

"""Portal forms: the organisation, its safeguarding details, claims and invites."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

from ourlondon.catalogue.models import MAX_AGE, ActivityType, Organisation, Schedule
from ourlondon.catalogue.places import locate_venue
from ourlondon.catalogue.vocabulary import (
    WEEKDAY_CODES,
    AccessibilityFeature,
    Weekday,
)
from ourlondon.providers.models import SafeguardingProfile
from ourlondon.providers.sanitise import plain_text
from ourlondon.providers.schedules import FLAT_KEYS, flat_schedule
from ourlondon.providers.solo import sole_trader_problems

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
        if self.kind == Organisation.Kind.SOLE_TRADER:
            for name in ("private_phone", "private_address"):
                if not data.get(name):
                    self.add_error(
                        name,
                        "A sole trader gives their own phone and address for the "
                        "moderators' check. They are never shown publicly.",
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


# How often a schedule runs: the catalogue's kind and season in one choice.
PATTERNS = [
    ("weekly", "Every week"),
    ("term", "Every week in school terms"),
    ("holidays", "Every week in school holidays"),
    ("one_off", "Once (one date, or one run of days)"),
]
PATTERN_FIELDS = {
    "weekly": (Schedule.Kind.WEEKLY, Schedule.Season.ALL_YEAR),
    "term": (Schedule.Kind.WEEKLY, Schedule.Season.TERM_TIME),
    "holidays": (Schedule.Kind.WEEKLY, Schedule.Season.HOLIDAYS),
    "one_off": (Schedule.Kind.ONE_OFF, Schedule.Season.ALL_YEAR),
}
MAX_SCHEDULES = 10
MAX_EXCEPTIONS = 60
_DATE_FORMATS = (r"(\d{4})-(\d{1,2})-(\d{1,2})", r"(\d{1,2})/(\d{1,2})/(\d{4})")


def parse_dates(text: str) -> list[date]:
    """Dates one per line (or comma-separated), as 2026-12-24 or 24/12/2026."""
    found: list[date] = []
    for part in re.split(r"[\s,;]+", text.strip()):
        if not part:
            continue
        iso, british = (re.fullmatch(f, part) for f in _DATE_FORMATS)
        try:
            if iso:
                y, m, d = (int(g) for g in iso.groups())
            elif british:
                d, m, y = (int(g) for g in british.groups())
            else:
                raise ValueError
            found.append(date(y, m, d))
        except ValueError:
            raise forms.ValidationError(
                "“%(part)s” is not a date: write dates like 2026-12-24 or 24/12/2026.",
                params={"part": part[:20]},
            ) from None
    return sorted(set(found))


class ScheduleForm(forms.Form):
    """One schedule: weekly (all year, term time or holidays) or a single date."""

    pattern = forms.ChoiceField(label="How often", choices=PATTERNS, initial="weekly")
    weekdays = forms.MultipleChoiceField(
        label="Days (weekly)",
        choices=Weekday.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    start_time = forms.TimeField(
        label="Starts", widget=forms.TimeInput(attrs={"type": "time"})
    )
    end_time = forms.TimeField(
        label="Ends", widget=forms.TimeInput(attrs={"type": "time"})
    )
    start_date = forms.DateField(
        label="First date (once: the date)",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    end_date = forms.DateField(
        label="Last date (weekly: empty if ongoing; once: only if it runs over "
        "several days)",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    exceptions = forms.CharField(
        label="Not on these dates (weekly)",
        help_text="Cancelled dates, one a line, like 2026-12-24 or 24/12/2026.",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean_exceptions(self) -> list[date]:
        dates = parse_dates(self.cleaned_data.get("exceptions", ""))
        if len(dates) > MAX_EXCEPTIONS:
            raise forms.ValidationError(
                "At most %(n)s cancelled dates; split the schedule instead.",
                params={"n": MAX_EXCEPTIONS},
            )
        return dates

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        one_off = data.get("pattern") == "one_off"
        first, last = data.get("start_date"), data.get("end_date")
        if first and last and last < first:
            self.add_error("end_date", "The last date must not be before the first.")
        multi_day = one_off and first and last and last > first
        start, end = data.get("start_time"), data.get("end_time")
        if start and end and end <= start and not multi_day:
            self.add_error("end_time", "The session must end after it starts.")
        exceptions: list[date] = data.get("exceptions") or []
        if one_off:
            if exceptions:
                self.add_error(
                    "exceptions",
                    "A single date has no cancelled dates: remove the schedule "
                    "instead.",
                )
            return data
        days = data.get("weekdays") or []
        if "weekdays" not in self.errors and not days:
            self.add_error("weekdays", "Choose the days it runs each week.")
        for day in exceptions:
            if (first and day < first) or (last and day > last):
                self.add_error(
                    "exceptions",
                    f"{day:%d/%m/%Y} is outside this schedule's first and last date.",
                )
            elif days and WEEKDAY_CODES[day.weekday()] not in days:
                self.add_error(
                    "exceptions",
                    f"{day:%d/%m/%Y} is a {day:%A}, when this schedule does not run.",
                )
        return data

    def schedule(self) -> dict[str, Any]:
        """The cleaned schedule in the draft's shape (`providers.schedules`)."""
        d = self.cleaned_data
        kind, season = PATTERN_FIELDS[d["pattern"]]
        one_off = kind == Schedule.Kind.ONE_OFF
        return {
            "kind": kind.value,
            "season": season.value,
            "weekdays": []
            if one_off
            else [c for c in WEEKDAY_CODES if c in d["weekdays"]],
            "start_time": d["start_time"].strftime("%H:%M"),
            "end_time": d["end_time"].strftime("%H:%M"),
            "start_date": d["start_date"].isoformat(),
            "end_date": d["end_date"].isoformat() if d["end_date"] else "",
            "exceptions": [] if one_off else [x.isoformat() for x in d["exceptions"]],
        }


def schedule_initial(data: dict[str, Any]) -> dict[str, Any]:
    """A schedule in the draft's shape as the form's initial values."""
    pattern = (
        "one_off"
        if data["kind"] == Schedule.Kind.ONE_OFF
        else {"term": "term", "holidays": "holidays"}.get(
            str(data.get("season")), "weekly"
        )
    )
    return {
        "pattern": pattern,
        "weekdays": data.get("weekdays") or [],
        "start_time": data["start_time"],
        "end_time": data["end_time"],
        "start_date": data["start_date"],
        "end_date": data["end_date"] or None,
        "exceptions": "\n".join(data.get("exceptions") or []),
    }


class BaseScheduleFormSet(forms.BaseFormSet[ScheduleForm]):
    """The listing's schedules; blank rows are ignored, so "add another" needs no
    JavaScript (the editor always shows spare rows)."""

    def add_fields(self, form: ScheduleForm, index: int | None) -> None:
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = "Remove this schedule"

    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        if not self.schedules():
            raise forms.ValidationError(
                "Give at least one schedule: the days and times it runs, or a date."
            )

    def schedules(self) -> list[dict[str, Any]]:
        return [
            form.schedule()
            for form in self.forms
            if form.has_changed()
            and form.cleaned_data
            and not form.cleaned_data.get("DELETE")
        ]


ScheduleFormSet = forms.formset_factory(
    ScheduleForm,
    formset=BaseScheduleFormSet,
    extra=2,
    max_num=MAX_SCHEDULES,
    validate_max=True,
    absolute_max=MAX_SCHEDULES + 2,
    can_delete=True,
)


class ListingForm(forms.Form):
    """A listing as the provider writes it.

    The editor gives its schedules through `ScheduleFormSet` and builds this
    form with `single_schedule=False`. Without that (the spreadsheet upload, old
    clients) the form keeps its single weekly schedule fields
    (`weekdays, start_time, end_time, start_date, end_date`), and `listing()`
    turns them into a one-item `schedules` list.
    """

    title = forms.CharField(max_length=200)
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=5000,
        help_text="Plain text: any HTML is removed.",
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
    venue_lat = forms.FloatField(
        label="Pin: latitude",
        required=False,
        min_value=-90,
        max_value=90,
        widget=forms.NumberInput(attrs={"step": "any"}),
        help_text="Optional: empty puts the pin at the postcode.",
    )
    venue_lng = forms.FloatField(
        label="Pin: longitude",
        required=False,
        min_value=-180,
        max_value=180,
        widget=forms.NumberInput(attrs={"step": "any"}),
    )
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

    def __init__(
        self,
        *args: Any,
        organisation: Organisation | None = None,
        single_schedule: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.single_schedule = single_schedule
        # Set by clean_description: the view tells the provider.
        self.markup_removed = False
        if not single_schedule:
            for name in FLAT_KEYS:
                del self.fields[name]

    def clean_description(self) -> str:
        raw: str = self.cleaned_data.get("description", "")
        cleaned = plain_text(raw).strip()
        self.markup_removed = cleaned != raw.replace("\r\n", "\n").strip()
        if not cleaned:
            raise forms.ValidationError(
                "Describe the activity in words: HTML is removed, and nothing was left."
            )
        return cleaned

    def _locate(self, data: dict[str, Any]) -> None:
        if not data.get("venue_name"):
            self.add_error("venue_name", "Name the venue, or tick “online”.")
        postcode = data.get("postcode", "")
        lat, lng = data.get("venue_lat"), data.get("venue_lng")
        if not postcode:
            self.add_error("postcode", "Give the venue's postcode.")
            return
        try:
            at_postcode = locate_venue(postcode=postcode)
            data["postcode"] = at_postcode.postcode
            if lat is None and lng is None:
                return
            located = locate_venue(postcode=postcode, lat=lat, lng=lng)
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                name = "postcode" if field == "postcode" else "venue_lat"
                if name == "venue_lat" and "venue_lat" in self.errors:
                    continue
                text = " ".join(messages)
                if name == "venue_lat" and " km from " in text:
                    text += " (Or empty both pin fields to use the postcode.)"
                self.add_error(name, text)
            return
        # A pin left where the postcode puts it is no pin: the venue follows its
        # postcode. Five decimals are about a metre.
        pin = (round(located.lat, 5), round(located.lng, 5))
        if pin == (round(at_postcode.lat, 5), round(at_postcode.lng, 5)):
            data["venue_lat"] = data["venue_lng"] = None
        else:
            data["venue_lat"], data["venue_lng"] = pin

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("is_online"):
            self._locate(data)
        age_min, age_max = data.get("age_min"), data.get("age_max")
        if age_min is not None and age_max is not None and age_min > age_max:
            self.add_error("age_max", "The oldest age must not be below the youngest.")
        if data.get("is_free") and data.get("price"):
            self.add_error("price", "A free activity has no price.")
        if self.single_schedule:
            start, end = data.get("start_time"), data.get("end_time")
            if start and end and end <= start:
                self.add_error("end_time", "The session must end after it starts.")
            first, last = data.get("start_date"), data.get("end_date")
            if first and last and last < first:
                self.add_error(
                    "end_date", "The last date must not be before the first."
                )
        if self.organisation is not None and not self.errors:
            problems = sole_trader_problems(self.organisation, self.listing([]))
            for field, message in problems.items():
                self.add_error(field, message)
        return data

    def listing(self, schedules: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        """The cleaned listing, in `listings.listing_data`'s JSON shape.

        `schedules`: from the editor's `ScheduleFormSet`; without them, the single
        weekly schedule from this form's own fields.
        """
        d = self.cleaned_data
        online = bool(d["is_online"])
        if schedules is None:
            schedules = [
                flat_schedule(
                    {
                        "weekdays": d["weekdays"],
                        "start_time": d["start_time"].strftime("%H:%M"),
                        "end_time": d["end_time"].strftime("%H:%M"),
                        "start_date": d["start_date"].isoformat(),
                        "end_date": d["end_date"].isoformat() if d["end_date"] else "",
                    }
                )
            ]
        return {
            "title": d["title"].strip(),
            "description": d["description"].strip(),
            "activity_type": d["activity_type"].slug,
            "is_online": online,
            "venue_name": "" if online else d["venue_name"].strip(),
            "venue_address": "" if online else d["venue_address"].strip(),
            "postcode": "" if online else d["postcode"],
            "venue_lat": None if online else d.get("venue_lat"),
            "venue_lng": None if online else d.get("venue_lng"),
            "age_min": d["age_min"],
            "age_max": d["age_max"],
            "is_free": bool(d["is_free"]),
            "price": str(d["price"]) if d["price"] is not None else None,
            "accessibility": sorted(d["accessibility"]),
            "booking_email": d["booking_email"],
            "booking_phone": d["booking_phone"].strip(),
            "schedules": schedules,
        }

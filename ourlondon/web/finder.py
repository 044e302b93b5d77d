"""The finder's search form: plain GET parameters in, a `SearchQuery` out.

The whole search lives in the URL, so a results page can be shared, bookmarked
and reached with the Back button, and it works with no JavaScript at all. A bad
value never stops the search: its field gets a message, the other filters are
kept, and the search runs without it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.utils import timezone

from ourlondon.catalogue.vocabulary import AccessibilityFeature, Category
from ourlondon.core import clock
from ourlondon.core.models import Borough, PostcodeDistrict
from ourlondon.core.postcodes import (
    InvalidPostcode,
    PostcodeError,
    is_outcode,
    lookup_postcode,
)
from ourlondon.search.query import (
    DEFAULT_RADIUS_KM,
    WEEKDAYS,
    QueryError,
    SearchQuery,
    Sort,
)

MIN_AGE, MAX_AGE = 5, 30
RADII = (1, 2, 3, 5, 10, 20)
WIDEST_RADIUS = 10
DAY_NAMES = (
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
)
# London wall-clock start times for each time of day, inclusive.
TIMES: dict[str, tuple[str, time, time]] = {
    "morning": ("Morning (before 12)", time(0), time(11, 59)),
    "afternoon": ("Afternoon (12 to 5pm)", time(12), time(16, 59)),
    "after-school": ("After school (3 to 7pm, weekdays)", time(15), time(18, 59)),
    "evening": ("Evening (from 5pm)", time(17), time(23, 59)),
}
WHEN = (
    ("", "Next 4 weeks"),
    ("today", "Today"),
    ("tomorrow", "Tomorrow"),
    ("weekend", "This weekend"),
    ("week", "Next 7 days"),
    ("dates", "Choose dates"),
)
SORTS = (
    ("", "Best order"),
    ("soonest", "Soonest first"),
    ("distance", "Nearest first"),
)
MY_LOCATION = "My location"
FORM_ID = "finder"
# QueryError's field names that differ from `SearchQuery.build`'s arguments.
ARGUMENT = {"q": "text", "day": "weekdays", "category": "categories"}


class FinderForm(forms.Form):
    """Every filter is optional; labels are what the page shows."""

    q = forms.CharField(
        label="What do you want to do?",
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": "e.g. football, dance, coding"}
        ),
    )
    where = forms.CharField(
        label="Where?",
        help_text="A postcode (E8 3AA), a postcode area (E8) or a borough (Hackney)",
        required=False,
        max_length=60,
        widget=forms.TextInput(attrs={"autocomplete": "postal-code"}),
    )
    # Filled by "use my location", rounded to about 100 m in the browser.
    lat = forms.FloatField(
        required=False, min_value=-90, max_value=90, widget=forms.HiddenInput
    )
    lng = forms.FloatField(
        required=False, min_value=-180, max_value=180, widget=forms.HiddenInput
    )
    radius_km = forms.TypedChoiceField(
        label="Distance",
        required=False,
        choices=[("", "Up to 3 km")] + [(str(r), f"Up to {r} km") for r in RADII],
        coerce=float,
        empty_value=None,
    )
    age = forms.IntegerField(
        label="Age",
        required=False,
        min_value=MIN_AGE,
        max_value=MAX_AGE,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "invalid": "Enter an age as a number, like 14.",
            "min_value": f"Enter an age from {MIN_AGE} to {MAX_AGE}.",
            "max_value": f"Enter an age from {MIN_AGE} to {MAX_AGE}.",
        },
    )
    category = forms.MultipleChoiceField(
        label="Category",
        required=False,
        choices=Category.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    when = forms.ChoiceField(label="When", required=False, choices=WHEN)
    date_from = forms.DateField(
        label="From",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Enter a date like 2026-12-31."},
    )
    date_to = forms.DateField(
        label="To",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Enter a date like 2026-12-31."},
    )
    day = forms.MultipleChoiceField(
        label="Days",
        required=False,
        choices=list(zip(WEEKDAYS, DAY_NAMES, strict=True)),
        widget=forms.CheckboxSelectMultiple,
    )
    time = forms.ChoiceField(
        label="Time of day",
        required=False,
        choices=[("", "Any time")] + [(k, v[0]) for k, v in TIMES.items()],
    )
    free = forms.BooleanField(label="Free only", required=False)
    accessibility = forms.MultipleChoiceField(
        label="Accessibility",
        required=False,
        choices=AccessibilityFeature.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    borough = forms.ChoiceField(label="Borough", required=False)
    sort = forms.ChoiceField(label="Sort", required=False, choices=SORTS)
    page = forms.IntegerField(
        required=False,
        min_value=1,
        widget=forms.HiddenInput,
        error_messages={
            "invalid": "That page number is not a number; showing page 1.",
            "min_value": "Pages start at 1; showing page 1.",
        },
    )
    view = forms.ChoiceField(
        required=False,
        choices=(("", "List"), ("map", "Map")),
        widget=forms.HiddenInput,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Filters sit after the results in the page (the first results arrive
        # sooner) but belong to the search form at the top.
        for bound in self.fields.values():
            bound.widget.attrs["form"] = FORM_ID
        self.fields["borough"].choices = [("", "All of London")] + list(  # type: ignore[attr-defined]
            Borough.objects.order_by("name").values_list("slug", "name")
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", "The end date must be on or after the start.")
        return data


@dataclass
class Finder:
    """A bound form turned into a query, with what the page says about it."""

    form: FinderForm
    query: SearchQuery
    # Shown above the results: the place searched around, in words.
    place: str = ""
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def view(self) -> str:
        return "map" if self.form.cleaned_data.get("view") == "map" else "list"


def weekend(today: date) -> tuple[date, date]:
    """This weekend: from today when it is Saturday or Sunday."""
    saturday = today + timedelta(days=(5 - today.weekday()) % 7)
    if today.weekday() == 6:
        return today, today
    return max(saturday, today), saturday + timedelta(days=1)


def date_range(data: dict[str, Any], today: date) -> tuple[date, date | None]:
    when = data.get("when") or ""
    if when == "today":
        return today, today
    if when == "tomorrow":
        return today + timedelta(days=1), today + timedelta(days=1)
    if when == "weekend":
        return weekend(today)
    if when == "week":
        return today, today + timedelta(days=6)
    start = data.get("date_from") or today
    return max(start, today), data.get("date_to")


@dataclass(frozen=True)
class Place:
    lat: float | None = None
    lng: float | None = None
    borough: str | None = None  # GSS code
    label: str = ""


def locate(where: str) -> Place:
    """A place for the "where" box, or `ValueError` with a message to show."""
    text = where.strip()
    try:
        found = lookup_postcode(text)
    except InvalidPostcode:
        pass
    except PostcodeError as exc:  # well formed, but unknown or not in London
        raise ValueError(str(exc)) from exc
    else:
        return Place(found.lat, found.lng, label=found.postcode)
    if is_outcode(text):
        outcode = text.replace(" ", "").upper()
        district = PostcodeDistrict.objects.filter(outcode=outcode).first()
        if district is None:
            raise ValueError(
                f"{outcode} is not a London postcode area. Try a full postcode like "
                "E8 3AA or a borough like Hackney."
            )
        return Place(district.lat, district.lng, label=outcode)
    wanted = text.casefold().removeprefix("london borough of ").strip()
    for code, name, slug in Borough.objects.values_list("gss_code", "name", "slug"):
        if wanted in {name.casefold(), slug, code.casefold()}:
            return Place(borough=code, label=name)
    raise ValueError(
        f"We could not find “{text[:40]}”. Try a full postcode like E8 3AA, a "
        "postcode area like E8, or a borough like Hackney."
    )


def first_messages(form: FinderForm) -> dict[str, str]:
    return {name: str(errors[0]) for name, errors in form.errors.items()}


def build_finder(params: Any, *, now: datetime | None = None) -> Finder:
    """The finder for a request's GET parameters (a QueryDict)."""
    now = now or clock.now().replace(second=0, microsecond=0)
    form = FinderForm(params)
    form.is_valid()  # cleaned_data then holds every field that was valid
    data = form.cleaned_data
    errors = first_messages(form)
    lat, lng = data.get("lat"), data.get("lng")
    borough = None
    label = ""
    where = (data.get("where") or "").strip()
    if lat is not None and lng is not None and where in ("", MY_LOCATION):
        label = MY_LOCATION
    else:
        lat = lng = None
        if where:
            try:
                place = locate(where)
            except ValueError as exc:
                errors["where"] = str(exc)
                form.add_error("where", str(exc))
            else:
                lat, lng, borough, label = (
                    place.lat,
                    place.lng,
                    place.borough,
                    place.label,
                )
    if data.get("borough"):
        borough = (
            Borough.objects.filter(slug=data["borough"])
            .values_list("gss_code", flat=True)
            .first()
            or borough
        )
    today = timezone.localdate(now)
    date_from, date_to = date_range(data, today)
    weekdays = [WEEKDAYS.index(d) for d in data.get("day") or []]
    time_from = time_to = None
    if data.get("time"):
        _, time_from, time_to = TIMES[data["time"]]
        if data["time"] == "after-school" and not weekdays:
            weekdays = [0, 1, 2, 3, 4]
    point = lat is not None and lng is not None
    sort = data.get("sort") or ""
    if sort == "distance" and not point:
        sort = ""
    if not sort:
        sort = Sort.DISTANCE if point else Sort.SOONEST
    args: dict[str, Any] = {
        "text": data.get("q") or "",
        "categories": data.get("category") or [],
        "lat": lat,
        "lng": lng,
        "radius_km": (data.get("radius_km") or DEFAULT_RADIUS_KM) if point else None,
        "borough": borough,
        "age": data.get("age"),
        "weekdays": weekdays,
        "time_from": time_from,
        "time_to": time_to,
        "date_from": date_from,
        "date_to": date_to,
        "not_before": now,
        "free": bool(data.get("free")),
        "accessibility": data.get("accessibility") or [],
        "sort": str(sort),
        "page": data.get("page") or 1,
        "page_size": 20,
    }
    try:
        query = SearchQuery.build(**args)
    except QueryError as exc:
        # Whatever the form let through but the query refused (a date range too
        # long, say): say so and search without it.
        for name, message in exc.errors.items():
            errors.setdefault(name, message)
        for name in exc.errors:
            if name in ("date_from", "date_to"):
                args["date_from"], args["date_to"] = today, None
            elif name in ("lat", "lng", "radius_km"):
                args.update(lat=None, lng=None, radius_km=None, sort=Sort.SOONEST)
            else:
                args.pop(ARGUMENT.get(name, name), None)
        query = SearchQuery.build(**args)
    return Finder(form=form, query=query, place=label, errors=errors)


def api_params(query: SearchQuery) -> list[tuple[str, str]]:
    """The query as `/api/v1/` parameters, so the map asks for what the list
    shows."""
    params: list[tuple[str, str]] = []
    if query.text:
        params.append(("q", query.text))
    params += [("category", c) for c in sorted(query.categories)]
    if query.point is not None:
        params += [
            ("lat", f"{query.point.lat:.6f}"),
            ("lng", f"{query.point.lng:.6f}"),
            ("radius_km", f"{query.radius_km:g}"),
        ]
    if query.borough:
        params.append(("borough", query.borough))
    if query.age is not None:
        params.append(("age", str(query.age)))
    params += [("day", WEEKDAYS[d]) for d in sorted(query.weekdays)]
    if query.time_from is not None:
        params.append(("time_from", query.time_from.strftime("%H:%M")))
    if query.time_to is not None:
        params.append(("time_to", query.time_to.strftime("%H:%M")))
    params.append(("date_from", query.date_from.isoformat()))
    params.append(("date_to", query.last_date.isoformat()))
    if query.free:
        params.append(("free", "true"))
    params += [("accessibility", a) for a in sorted(query.accessibility)]
    return params


def page_url(params: Any, **changes: Any) -> str:
    """This search's URL with some parameters changed (None removes one)."""
    items: list[tuple[str, str]] = [
        (k, v) for k in params for v in params.getlist(k) if k not in changes
    ]
    for name, value in changes.items():
        if value is None:
            continue
        values: Iterable[Any] = value if isinstance(value, list | tuple) else [value]
        items += [(name, str(v)) for v in values]
    items = [(k, v) for k, v in items if v != ""]
    return "?" + urlencode(items) if items else "?"

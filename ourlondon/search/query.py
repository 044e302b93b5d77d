"""The typed search query and its results: the one interface every caller uses.

A `SearchQuery` is immutable and already validated; build it with
`SearchQuery.build(...)`, which raises `QueryError` (field -> message) for bad
input, so the API and pages can answer 400 with a message per field.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from ourlondon.catalogue.vocabulary import AccessibilityFeature, Category
from ourlondon.core import clock

LONDON = ZoneInfo("Europe/London")
DEFAULT_RADIUS_KM = 3.0
MAX_RADIUS_KM = 50.0
DEFAULT_DAYS = 28
MAX_DAYS = 366
MAX_PAGE_SIZE = 100
NEXT_OCCURRENCES = 3
MIN_YEAR, MAX_YEAR = 2000, 2099
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class Sort(enum.StrEnum):
    SOONEST = "soonest"
    DISTANCE = "distance"
    RELEVANCE = "relevance"


class QueryError(ValueError):
    """Invalid search input: `errors` maps each field to a message."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class Point:
    lat: float
    lng: float


@dataclass(frozen=True)
class SearchQuery:
    """What someone is looking for. Every filter is optional.

    Dates are London dates, inclusive; times are London wall-clock start times,
    inclusive (`time_from` <= start <= `time_to`). `weekdays` uses 0 = Monday.
    An activity matches `age` when its range contains it; an activity whose age
    range is not stated matches too and is listed after those that state one.
    """

    text: str = ""
    categories: frozenset[str] = frozenset()
    activity_types: frozenset[str] = frozenset()  # ActivityType slugs
    point: Point | None = None
    radius_km: float | None = None  # only with point
    borough: str | None = None  # GSS code
    age: int | None = None
    weekdays: frozenset[int] = frozenset()
    time_from: time | None = None
    time_to: time | None = None
    date_from: date = field(default_factory=clock.today)
    date_to: date | None = None  # default: date_from + 27 days (4 weeks)
    not_before: datetime | None = None  # sessions already started are not "next"
    free: bool = False
    accessibility: frozenset[str] = frozenset()
    sort: Sort = Sort.SOONEST
    page: int = 1
    page_size: int = 20

    @property
    def last_date(self) -> date:
        return self.date_to or self.date_from + timedelta(days=DEFAULT_DAYS - 1)

    @property
    def start_utc(self) -> datetime:
        """Sessions starting at or after this instant are considered."""
        start = datetime.combine(self.date_from, time(0), tzinfo=LONDON)
        if self.not_before is not None and self.not_before > start:
            return self.not_before
        return start

    @property
    def end_utc(self) -> datetime:
        """Sessions starting before this instant are considered."""
        return datetime.combine(
            self.last_date + timedelta(days=1), time(0), tzinfo=LONDON
        )

    def with_page(self, page: int) -> SearchQuery:
        return replace(self, page=page)

    @classmethod
    def build(  # noqa: C901 (one flat validation per field reads best)
        cls,
        *,
        text: str = "",
        categories: list[str] | None = None,
        activity_types: list[str] | None = None,
        lat: float | None = None,
        lng: float | None = None,
        radius_km: float | None = None,
        borough: str | None = None,
        age: int | None = None,
        weekdays: list[int] | None = None,
        time_from: time | None = None,
        time_to: time | None = None,
        date_from: date | None = None,
        date_to: date | None = None,
        not_before: datetime | None = None,
        free: bool = False,
        accessibility: list[str] | None = None,
        sort: str | None = None,
        page: int = 1,
        page_size: int = 20,
    ) -> SearchQuery:
        errors: dict[str, str] = {}
        text = (text or "").strip()
        if len(text) > 200:
            errors["q"] = "Search text is limited to 200 characters."
        cats = frozenset(categories or [])
        unknown = sorted(cats - set(Category.values))
        if unknown:
            errors["category"] = (
                f"Unknown category: {', '.join(unknown)}. Choose from "
                f"{', '.join(Category.values)}."
            )
        point = None
        if (lat is None) != (lng is None):
            errors["lat"] = "Give both lat and lng, or neither."
        elif lat is not None and lng is not None:
            if not (-90 <= lat <= 90) or not (-180 <= lng <= 180):
                errors["lat"] = "lat must be -90 to 90 and lng -180 to 180."
            else:
                point = Point(float(lat), float(lng))
        if radius_km is not None and not (0 < radius_km <= MAX_RADIUS_KM):
            errors["radius_km"] = (
                f"radius_km must be above 0 and at most {MAX_RADIUS_KM:g}."
            )
        if point is not None and radius_km is None:
            radius_km = DEFAULT_RADIUS_KM
        if age is not None and not (0 <= age <= 120):
            errors["age"] = "age must be a whole number from 0 to 120."
        days = frozenset(weekdays or [])
        if any(d not in range(7) for d in days):
            errors["day"] = "day must be one of mon, tue, wed, thu, fri, sat, sun."
        if time_from and time_to and time_to < time_from:
            errors["time_to"] = "time_to must not be before time_from."
        start = date_from or clock.today()
        for name, value in (("date_from", date_from), ("date_to", date_to)):
            if value is not None and not (MIN_YEAR <= value.year <= MAX_YEAR):
                errors[name] = f"{name} must be a date from {MIN_YEAR} to {MAX_YEAR}."
        dates_ok = not errors.keys() & {"date_from", "date_to"}
        if dates_ok and date_to is not None:
            if date_to < start:
                errors["date_to"] = "date_to must not be before date_from."
            elif (date_to - start).days >= MAX_DAYS:
                errors["date_to"] = f"Search at most {MAX_DAYS} days at a time."
        access = frozenset(accessibility or [])
        unknown = sorted(access - set(AccessibilityFeature.values))
        if unknown:
            errors["accessibility"] = (
                f"Unknown accessibility feature: {', '.join(unknown)}."
            )
        try:
            chosen_sort = (
                Sort(sort)
                if sort
                else (Sort.DISTANCE if point is not None else Sort.SOONEST)
            )
        except ValueError:
            errors["sort"] = "sort must be soonest, distance or relevance."
            chosen_sort = Sort.SOONEST
        if chosen_sort == Sort.DISTANCE and point is None:
            errors["sort"] = "Sorting by distance needs a place (postcode or lat/lng)."
        if page < 1:
            errors["page"] = "page starts at 1."
        if not (1 <= page_size <= MAX_PAGE_SIZE):
            errors["page_size"] = f"page_size must be 1 to {MAX_PAGE_SIZE}."
        if errors:
            raise QueryError(errors)
        return cls(
            text=text,
            categories=cats,
            activity_types=frozenset(activity_types or []),
            point=point,
            radius_km=radius_km if point is not None else None,
            borough=borough,
            age=age,
            weekdays=days,
            time_from=time_from,
            time_to=time_to,
            date_from=start,
            date_to=date_to,
            not_before=not_before,
            free=free,
            accessibility=access,
            sort=chosen_sort,
            page=page,
            page_size=page_size,
        )


@dataclass(frozen=True)
class Hit:
    """One activity in the results, with its next matching sessions."""

    activity_id: int
    next_starts: tuple[datetime, ...]
    next_ends: tuple[datetime, ...]  # the same sessions' ends
    distance_km: float | None
    age_stated: bool
    score: float = 0.0


@dataclass(frozen=True)
class Facets:
    category: dict[str, int]
    borough: dict[str, int]
    day: dict[str, int]
    free: dict[str, int]


@dataclass(frozen=True)
class SearchResult:
    query: SearchQuery
    total: int
    hits: tuple[Hit, ...]
    facets: Facets
    corrected_text: str | None = None  # set when typo tolerance rewrote the text

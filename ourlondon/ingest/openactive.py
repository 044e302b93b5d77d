"""OpenActive items read into plain data: the JSON-LD of one RPDE item in, a
`Series` or `Session` out, or `Invalid` with the reason. No database here.

Publishers differ (Modelling Specification 2.0, older 1.x shapes with `type`
for `@type`, byDay as schema.org URLs or iCal codes, `modified` as epoch
milliseconds), so the reader is liberal in what it takes and precise about what
it refuses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")
SERIES_TYPES = {"SessionSeries", "CourseInstance", "Course", "EventSeries"}
SESSION_TYPES = {"ScheduledSession", "Event", "HeadlineEvent", "OnDemandEvent"}
FACILITY_TYPES = {"FacilityUse", "IndividualFacilityUse", "Slot"}
CANCELLED = {"https://schema.org/EventCancelled", "EventCancelled"}
DAY_CODES = {
    "monday": "MO",
    "tuesday": "TU",
    "wednesday": "WE",
    "thursday": "TH",
    "friday": "FR",
    "saturday": "SA",
    "sunday": "SU",
}
MAX_AGE = 120


class Invalid(ValueError):
    """The item cannot become a listing; the message says why."""


@dataclass(frozen=True)
class Place:
    name: str
    address: str
    postcode: str
    lat: float | None
    lng: float | None


@dataclass(frozen=True)
class Organiser:
    name: str
    url: str = ""
    email: str = ""
    phone: str = ""


@dataclass(frozen=True)
class WeeklySchedule:
    weekdays: tuple[str, ...]  # RFC 5545 codes
    start_time: time
    end_time: time
    start_date: date | None
    end_date: date | None
    exceptions: tuple[date, ...] = ()


@dataclass(frozen=True)
class Session:
    id: str
    series_id: str  # the superEvent's @id ("" when embedded and unnamed)
    start: datetime  # aware
    end: datetime
    cancelled: bool = False
    series: Series | None = None  # an embedded superEvent


@dataclass(frozen=True)
class Series:
    id: str
    title: str
    description: str
    organiser: Organiser | None
    place: Place | None
    is_online: bool
    activity_uris: tuple[str, ...]
    activity_labels: tuple[str, ...]
    accessibility_uris: tuple[str, ...]
    age_min: int | None
    age_max: int | None
    is_free: bool
    price: Decimal | None
    gender: str  # any / female / male
    url: str
    schedules: tuple[WeeklySchedule, ...] = ()
    sessions: tuple[Session, ...] = field(default_factory=tuple)


def item_type(data: dict[str, Any]) -> str:
    value = data.get("@type", data.get("type", ""))
    if isinstance(value, list):
        value = value[0] if value else ""
    return str(value)


def _text(value: Any, limit: int = 2000) -> str:
    if isinstance(value, str):
        return " ".join(value.split())[:limit]
    return ""


def _concepts(value: Any) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(@id list, prefLabel list) of a list of Concepts (or one)."""
    if isinstance(value, dict):
        value = [value]
    if not isinstance(value, list):
        return (), ()
    ids, labels = [], []
    for concept in value:
        if isinstance(concept, str):
            ids.append(concept)
        elif isinstance(concept, dict):
            concept_id = concept.get("@id", concept.get("id"))
            if isinstance(concept_id, str):
                ids.append(concept_id)
            label = concept.get("prefLabel")
            if isinstance(label, str):
                labels.append(label)
    return tuple(ids), tuple(labels)


def _age(value: Any) -> tuple[int | None, int | None]:
    if not isinstance(value, dict):
        return None, None
    found: list[int | None] = []
    for key in ("minValue", "maxValue"):
        raw = value.get(key)
        if raw is None:
            found.append(None)
            continue
        if isinstance(raw, bool) or not isinstance(raw, int | float | str):
            raise Invalid(f"ageRange.{key} must be a number.")
        try:
            number = int(float(raw))
        except ValueError as exc:
            raise Invalid(f"ageRange.{key} must be a number, not {raw!r}.") from exc
        if not 0 <= number <= MAX_AGE:
            raise Invalid(f"ageRange.{key} {number} is not an age.")
        found.append(number)
    low, high = found
    if low is not None and high is not None and low > high:
        raise Invalid(f"ageRange runs from {low} down to {high}.")
    return low, high


def _offers(value: Any) -> tuple[bool, Decimal | None]:
    """(free, lowest price) from `offers`; no offers means "ask the organiser"."""
    if isinstance(value, dict):
        value = [value]
    if not isinstance(value, list):
        return False, None
    prices = []
    for offer in value:
        if not isinstance(offer, dict) or offer.get("price") is None:
            continue
        try:
            price = Decimal(str(offer["price"]))
        except InvalidOperation as exc:
            raise Invalid(
                f"An offer's price {offer['price']!r} is not a number."
            ) from exc
        if price < 0 or not price.is_finite():
            raise Invalid(f"An offer's price {price} is not a price.")
        prices.append(price)
    if not prices:
        return False, None
    lowest = min(prices)
    return lowest == 0, None if lowest == 0 else lowest.quantize(Decimal("0.01"))


def _place(value: Any) -> Place | None:
    if not isinstance(value, dict):
        return None
    address = value.get("address")
    postcode, lines = "", []
    if isinstance(address, dict):
        postcode = _text(address.get("postalCode"), 16)
        for key in ("streetAddress", "addressLocality", "addressRegion"):
            part = _text(address.get(key), 200)
            if part:
                lines.append(part)
    elif isinstance(address, str):
        lines.append(_text(address, 400))
    geo = value.get("geo")
    lat = lng = None
    if isinstance(geo, dict):
        try:
            lat = float(geo["latitude"])
            lng = float(geo["longitude"])
        except (KeyError, TypeError, ValueError):
            lat = lng = None
        if (
            lat is not None
            and lng is not None
            and not (-90 <= lat <= 90 and -180 <= lng <= 180)
        ):
            lat = lng = None
    return Place(
        name=_text(value.get("name"), 200),
        address=", ".join(lines),
        postcode=postcode,
        lat=lat,
        lng=lng,
    )


def _organiser(value: Any) -> Organiser | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if not isinstance(value, dict):
        return None
    name = _text(value.get("name"), 200)
    if not name:
        return None
    return Organiser(
        name=name,
        url=_text(value.get("url"), 500),
        email=_text(value.get("email"), 200),
        phone=_text(value.get("telephone"), 32),
    )


def _gender(value: Any) -> str:
    text = value if isinstance(value, str) else ""
    if text.endswith("FemaleOnly"):
        return "female"
    if text.endswith("MaleOnly"):
        return "male"
    return "any"


def parse_datetime(value: Any, what: str) -> datetime:
    if not isinstance(value, str):
        raise Invalid(f"{what} is missing.")
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError as exc:
        raise Invalid(f"{what} {value!r} is not an ISO 8601 date and time.") from exc
    if moment.tzinfo is None:  # a local time: London's
        moment = moment.replace(tzinfo=LONDON)
    return moment


_DURATION = re.compile(r"^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$")


def parse_duration(value: Any) -> timedelta | None:
    if not isinstance(value, str):
        return None
    match = _DURATION.match(value.strip())
    if not match or not any(match.groups()):
        return None
    days, hours, minutes, seconds = (int(g or 0) for g in match.groups())
    return timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)


def _day_code(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    name = value.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1].lower()
    if name in DAY_CODES:
        return DAY_CODES[name]
    code = value.strip().upper()
    return code if code in DAY_CODES.values() else None


def _time(value: Any, what: str) -> time:
    if not isinstance(value, str):
        raise Invalid(f"{what} is missing.")
    try:
        return time.fromisoformat(value.strip()[:8])
    except ValueError as exc:
        raise Invalid(f"{what} {value!r} is not a time like 18:30.") from exc


def _date(value: Any) -> date | None:
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None


def _schedules(value: Any) -> tuple[WeeklySchedule, ...]:
    if isinstance(value, dict):
        value = [value]
    if not isinstance(value, list):
        return ()
    found = []
    for schedule in value:
        if not isinstance(schedule, dict):
            continue
        frequency = schedule.get("repeatFrequency", "P1W")
        if frequency not in ("P1W", "P7D"):
            continue  # only weekly patterns become schedules; sessions cover the rest
        days = schedule.get("byDay")
        if isinstance(days, str):
            days = [days]
        codes = tuple(dict.fromkeys(c for c in (_day_code(d) for d in days or []) if c))
        if not codes:
            continue
        start = _time(schedule.get("startTime"), "eventSchedule.startTime")
        end_value = schedule.get("endTime")
        if end_value is None and (length := parse_duration(schedule.get("duration"))):
            moment = datetime.combine(date(2000, 1, 1), start) + length
            end = moment.time()
        else:
            end = _time(end_value, "eventSchedule.endTime")
        if end <= start:
            raise Invalid(
                "eventSchedule ends before it starts (or runs past midnight)."
            )
        excepted = schedule.get("exceptDate") or []
        exceptions = tuple(
            d for d in (_date(e) for e in excepted if isinstance(e, str)) if d
        )
        found.append(
            WeeklySchedule(
                weekdays=codes,
                start_time=start,
                end_time=end,
                start_date=_date(schedule.get("startDate")),
                end_date=_date(schedule.get("endDate")),
                exceptions=exceptions,
            )
        )
    return tuple(found)


def object_id(data: dict[str, Any], fallback: str) -> str:
    value = data.get("@id", data.get("id"))
    if isinstance(value, str) and value.strip():
        return value.strip()[:300]
    return fallback[:300]


def parse_session(
    data: dict[str, Any], *, fallback_id: str, series: Series | None = None
) -> Session:
    start = parse_datetime(data.get("startDate"), "startDate")
    end_value = data.get("endDate")
    if end_value is not None:
        end = parse_datetime(end_value, "endDate")
    elif length := parse_duration(data.get("duration")):
        end = start + length
    else:
        raise Invalid("The session has neither an endDate nor a duration.")
    if end <= start:
        raise Invalid("The session ends before it starts.")
    super_event = data.get("superEvent")
    series_id = ""
    embedded = series
    if isinstance(super_event, str):
        series_id = super_event.strip()
    elif isinstance(super_event, dict) and embedded is None:
        embedded = parse_series(
            _inherited(super_event, data), fallback_id=fallback_id + "#superEvent"
        )
        series_id = embedded.id
    elif series is not None:
        series_id = series.id
    return Session(
        id=object_id(data, fallback_id),
        series_id=series_id,
        start=start,
        end=end,
        cancelled=data.get("eventStatus") in CANCELLED,
        series=embedded,
    )


# What a session may say for its embedded series when the series does not
# (OpenActive lets either level carry it: TeamUp puts the location and price
# on each session, not on the series).
INHERITED = (
    "location",
    "offers",
    "organizer",
    "activity",
    "ageRange",
    "genderRestriction",
    "accessibilitySupport",
    "eventAttendanceMode",
    "virtualLocation",
)


def _inherited(series: dict[str, Any], session: dict[str, Any]) -> dict[str, Any]:
    """The series with what it leaves out filled in from its session."""
    gaps = {k: session[k] for k in INHERITED if not series.get(k) and session.get(k)}
    return {**series, **gaps} if gaps else series


def _online(data: dict[str, Any], place: Place | None) -> bool:
    """Online only: no place, and a virtual location or an attendance mode
    saying it is (or may be) attended online."""
    if place is not None:
        return False
    mode = data.get("eventAttendanceMode")
    return bool(data.get("virtualLocation")) or (
        isinstance(mode, str)
        and mode.endswith(("OnlineEventAttendanceMode", "MixedEventAttendanceMode"))
    )


def parse_series(data: dict[str, Any], *, fallback_id: str) -> Series:
    title = _text(data.get("name"), 200)
    if not title:
        raise Invalid("The item has no name.")
    activity_uris, activity_labels = _concepts(data.get("activity"))
    accessibility_uris, _ = _concepts(data.get("accessibilitySupport"))
    age_min, age_max = _age(data.get("ageRange"))
    is_free, price = _offers(data.get("offers"))
    place = _place(data.get("location"))
    series = Series(
        id=object_id(data, fallback_id),
        title=title,
        description=_text(data.get("description"), 5000),
        organiser=_organiser(data.get("organizer")),
        place=place,
        is_online=_online(data, place),
        activity_uris=activity_uris,
        activity_labels=activity_labels,
        accessibility_uris=accessibility_uris,
        age_min=age_min,
        age_max=age_max,
        is_free=is_free,
        price=price,
        gender=_gender(data.get("genderRestriction")),
        url=_text(data.get("url"), 500),
        schedules=_schedules(data.get("eventSchedule")),
    )
    sessions = []
    sub_events = data.get("subEvent")
    if isinstance(sub_events, dict):
        sub_events = [sub_events]
    for index, sub in enumerate(sub_events if isinstance(sub_events, list) else []):
        if isinstance(sub, dict) and sub.get("startDate"):
            sessions.append(
                parse_session(
                    sub, fallback_id=f"{series.id}#subEvent{index}", series=series
                )
            )
    return Series(**{**series.__dict__, "sessions": tuple(sessions)})


def is_standalone_event(data: dict[str, Any], kind: str | None = None) -> bool:
    """An event of its own (no series): listed as the series of one session.
    A ScheduledSession always belongs to a series, so it is never one. `kind`:
    the item's type if not its own @type."""
    kind = kind or item_type(data)
    return (
        kind in SESSION_TYPES
        and kind != "ScheduledSession"
        and not data.get("superEvent")
    )


def parse_standalone_event(data: dict[str, Any], *, fallback_id: str) -> Series:
    """A standalone event: the series of one session, itself."""
    series = parse_series(data, fallback_id=fallback_id)
    session = parse_session(data, fallback_id=fallback_id, series=series)
    return Series(**{**series.__dict__, "sessions": (session,)})

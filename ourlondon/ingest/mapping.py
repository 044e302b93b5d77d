"""OpenActive items into the catalogue: series → `Activity`, sessions → one-off
`Schedule`s, weekly `eventSchedule`s → weekly `Schedule`s, places → `Venue`s,
organisers → `Organisation`s.

Each item is applied on its own (the caller wraps it in a savepoint): it either
changes the catalogue completely or not at all and raises `Rejected` with the
reason. Applying the same item twice changes nothing more (upserts keyed on the
publisher's @ids), so a page harvested again after a crash is harmless.

A session whose series has not arrived yet is kept as a `FeedItem` and applied
when the series comes, from this feed or another.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify

from ourlondon.catalogue.models import (
    MAX_AGE,
    Activity,
    ActivityType,
    Organisation,
    Schedule,
    Venue,
)
from ourlondon.catalogue.places import MAX_PIN_DISTANCE_KM, VenueLocation
from ourlondon.catalogue.vocabulary import (
    OPENACTIVE_ACCESSIBILITY,
    AccessibilityFeature,
)
from ourlondon.core import clock
from ourlondon.core.geography import borough_code_at, haversine_km
from ourlondon.core.postcodes import (
    NEAREST_WITHIN_KM,
    PostcodeError,
    PostcodeOutsideLondon,
    lookup_postcode,
    nearest_postcode,
)
from ourlondon.ingest import openactive
from ourlondon.ingest.models import Feed, FeedItem, FeedRejection
from ourlondon.ingest.openactive import LONDON, Invalid, Place, Series, Session

SOURCE = Activity.Source.OPENACTIVE


# Organisations and venues already found or made in this page's transaction,
# so a page of 500 sessions at one leisure centre looks it up once. Emptied at
# each page and whenever an item's savepoint is rolled back (what it made may
# be gone).
_page_cache: dict[tuple[object, ...], object] = {}


def reset_page_cache() -> None:
    _page_cache.clear()


class Rejected(Exception):
    def __init__(self, reason: str, *, outside_london: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.outside_london = outside_london


class Pending(Exception):
    """A session waiting for its series (not an error; kept and retried)."""


def organisation_slug(series: Series, feed: Feed) -> str:
    name = series.organiser.name if series.organiser else feed.publisher
    return _organisation_slug(name)


@lru_cache(maxsize=16384)
def _organisation_slug(name: str) -> str:
    # A feed names the same few organisers on thousands of items, and slugify
    # (unicode normalising, two regexes) costs more than the rest of the lookup.
    return ("oa-" + slugify(name))[:180] or "oa-organiser"


def _organisation(series: Series, feed: Feed) -> Organisation:
    name = series.organiser.name if series.organiser else feed.publisher
    slug = organisation_slug(series, feed)
    cached = _page_cache.get(("organisation", slug))
    if isinstance(cached, Organisation):
        return cached
    organisation, created = Organisation.objects.get_or_create(
        slug=slug, defaults={"name": name[:200], "kind": Organisation.Kind.UNKNOWN}
    )
    if created and series.organiser:
        organisation.website = series.organiser.url[:200]
        organisation.public_phone = series.organiser.phone
        organisation.save(update_fields=["website", "public_phone"])
    _page_cache[("organisation", slug)] = organisation
    return organisation


def place_location(place: Place) -> VenueLocation:
    """Where a feed's place is, or `Rejected` saying why it cannot be listed.

    The publisher's pin is used when it is in London and near the postcode;
    publishers' pins are often rough, so otherwise the postcode's point stands
    in (a person typing a venue is asked to fix the pin instead). A place
    with a pin but no postcode we know is placed by its pin."""
    if not place.postcode:
        return _pinned_location(place, "The location has no postcode")
    try:
        found = lookup_postcode(place.postcode)
    except PostcodeOutsideLondon as exc:
        raise Rejected(
            f"{place.postcode} is not in London.", outside_london=True
        ) from exc
    except PostcodeError as exc:
        if place.lat is not None and place.lng is not None:
            return _pinned_location(place, f"Location: {exc}")
        raise Rejected(f"Location: {exc}") from exc
    if place.lat is not None and place.lng is not None:
        borough = borough_code_at(place.lat, place.lng)
        near = haversine_km(place.lat, place.lng, found.lat, found.lng)
        if borough is not None and near <= MAX_PIN_DISTANCE_KM:
            return VenueLocation(found.postcode, place.lat, place.lng, borough)
    return VenueLocation(found.postcode, found.lat, found.lng, found.borough_code)


def _pinned_location(place: Place, problem: str) -> VenueLocation:
    """A place known by its pin alone (many publishers give only `geo`): in
    London, at its pin, filed under the nearest postcode; outside London,
    skipped and counted as such."""
    if place.lat is None or place.lng is None:
        raise Rejected(f"{problem} and no pin.")
    borough = borough_code_at(place.lat, place.lng)
    if borough is None:
        raise Rejected(
            f"The location ({place.lat:.5f}, {place.lng:.5f}) is not in London.",
            outside_london=True,
        )
    near = nearest_postcode(place.lat, place.lng)
    if near is None:
        raise Rejected(
            f"{problem}, and no London postcode is within "
            f"{NEAREST_WITHIN_KM:g} km of its pin."
        )
    return VenueLocation(near.postcode, place.lat, place.lng, borough)


def venue_name(place: Place, found: VenueLocation) -> str:
    return (place.name or place.address.split(",")[0] or found.postcode)[:200]


def new_venue(place: Place, found: VenueLocation, organisation: Organisation) -> Venue:
    return Venue(
        name=venue_name(place, found),
        address=place.address,
        postcode=found.postcode,
        lat=found.lat,
        lng=found.lng,
        borough_id=found.borough_code,
        organisation=organisation,
    )


def _venue(series: Series, organisation: Organisation) -> Venue | None:
    place = series.place
    if place is None:
        if series.is_online:
            return None
        raise Rejected("The item has no location (and is not online).")
    key = ("venue", place)
    cached = _page_cache.get(key)
    if isinstance(cached, Venue):
        return cached
    found = place_location(place)
    name = venue_name(place, found)
    venue = Venue.objects.filter(postcode=found.postcode, name__iexact=name).first()
    if venue is None:
        venue = new_venue(place, found, organisation)
        venue.save()
    _page_cache[key] = venue
    return venue


def types_of(series: Series) -> list[ActivityType]:
    types = [t for uri in series.activity_uris if (t := _type_by_uri(uri)) is not None]
    if not types and series.activity_labels:
        types = list(ActivityType.objects.filter(label__in=series.activity_labels))
    if not types:
        shown = ", ".join(series.activity_labels or series.activity_uris) or "none"
        raise Rejected(
            f"No activity from the OpenActive Activity List that we know ({shown})."
        )
    return types


@lru_cache(maxsize=4096)
def _type_by_uri(uri: str) -> ActivityType | None:
    """Activity types change only when the vocabulary is reloaded."""
    return ActivityType.objects.filter(uri=uri).first()


def activity_fields(
    series: Series, organisation: Organisation, venue: Venue | None
) -> dict[str, object]:
    """The activity's fields that the feed owns (status is ours)."""
    accessibility = sorted(
        {
            str(OPENACTIVE_ACCESSIBILITY[uri])
            for uri in series.accessibility_uris
            if uri in OPENACTIVE_ACCESSIBILITY
        }
    )
    return {
        "title": series.title,
        "description": series.description,
        "organisation": organisation,
        "venue": venue,
        "is_online": venue is None,
        "age_min": series.age_min,
        "age_max": series.age_max,
        "gender": series.gender,
        "is_free": series.is_free,
        "price": series.price,
        "accessibility": accessibility,
        "booking_url": series.url
        if series.url.startswith(("http://", "https://"))
        else "",
    }


def filled_activity(
    activity: Activity | None, series: Series, fields: dict[str, object]
) -> Activity:
    """The stored activity with the feed's fields, or a new published one."""
    if activity is None:
        return Activity(
            source=SOURCE,
            source_id=series.id,
            status=Activity.Status.PUBLISHED,
            **fields,
        )
    for name, value in fields.items():
        setattr(activity, name, value)
    return activity


_GENDERS = frozenset(Activity.Gender.values)
_STATUSES = frozenset(Activity.Status.values)
_ACCESSIBILITY = frozenset(AccessibilityFeature.values)
_LARGEST_PRICE = Decimal("99999.99")  # max_digits=7, decimal_places=2


def _plainly_valid(activity: Activity) -> bool:
    """True when `full_clean` would surely pass a new activity from a feed:
    the few fields a feed sets, checked directly (a harvest checks thousands a
    second, and `full_clean` costs more than writing them). Anything else, or
    anything in doubt, goes to `full_clean` for its exact messages."""
    if activity.pk is not None:
        return False  # a stored one may hold values only full_clean judges
    price = activity.price
    age_min, age_max = activity.age_min, activity.age_max
    return (
        0 < len(activity.title) <= 200
        and (age_min is None or (type(age_min) is int and 0 <= age_min <= MAX_AGE))
        and (age_max is None or (type(age_max) is int and 0 <= age_max <= MAX_AGE))
        and (age_min is None or age_max is None or age_min <= age_max)
        and activity.gender in _GENDERS
        and activity.status in _STATUSES
        and (
            price is None
            or (
                isinstance(price, Decimal)
                and price.is_finite()
                and 0 <= price <= _LARGEST_PRICE
                and price == price.quantize(Decimal("0.01"))
                and not activity.is_free
            )
        )
        and isinstance(activity.accessibility, list)
        and _ACCESSIBILITY.issuperset(activity.accessibility)
        and not activity.booking_url  # a URL needs URLValidator: full_clean
        and len(activity.source_id) <= 300
        and (activity.is_online or activity.venue_id is not None)
        and not (
            activity.concessions
            or activity.booking_phone
            or activity.booking_email
            or activity.booking_notes
            or activity.what_to_bring
        )
    )


def check_activity(activity: Activity) -> None:
    """Field validation, as a form would; `Rejected` with the messages."""
    if _plainly_valid(activity):
        return
    try:
        # The database enforces the constraints (a violation rolls this item's
        # savepoint back); asking it first would cost a query per constraint.
        # Organisation and venue are ours, just found or made: asking the
        # database whether they exist would cost two queries per item.
        activity.full_clean(
            exclude=["types", "organisation", "venue"], validate_constraints=False
        )
    except ValidationError as exc:
        raise Rejected("; ".join(exc.messages)) from exc


def upsert_series(series: Series, feed: Feed, *, revived: bool = False) -> Activity:
    """Create or update the series' activity.

    A new activity is published. An existing one keeps its status: a listing a
    moderator unpublished (a safeguarding concern, say) must not come back with
    the publisher's next edit. Only one the feed itself withdrew (a tombstone)
    and now publishes again (`revived`) is published again.
    """
    organisation = _organisation(series, feed)
    venue = _venue(series, organisation)
    types = types_of(series)
    fields = activity_fields(series, organisation, venue)
    found = Activity.all_objects.filter(source=SOURCE, source_id=series.id).first()
    activity = filled_activity(found, series, fields)
    if revived and activity.status == Activity.Status.WITHDRAWN:
        activity.status = Activity.Status.PUBLISHED
    check_activity(activity)
    activity.save()
    activity.types.set(types)
    _weekly_schedules(activity, series)
    for session in series.sessions:
        _session_schedule(activity, session)
    return activity


def weekly_schedule_rows(series: Series) -> dict[str, dict[str, object]]:
    """The series' weekly schedules as Schedule fields, by source_id."""
    rows: dict[str, dict[str, object]] = {}
    for index, weekly in enumerate(series.schedules):
        rows[f"{schedule_prefix(series)}{index}"[:300]] = {
            "kind": Schedule.Kind.WEEKLY,
            "weekdays": ",".join(weekly.weekdays),
            "start_time": weekly.start_time,
            "end_time": weekly.end_time,
            "start_date": weekly.start_date or clock.today(),
            "end_date": weekly.end_date,
            "exceptions": sorted(d.isoformat() for d in weekly.exceptions),
        }
    return rows


def schedule_prefix(series: Series) -> str:
    return f"{series.id}#schedule"


def session_schedule_row(session: Session) -> dict[str, object]:
    """A (not cancelled) session as the fields of a one-off Schedule."""
    start = session.start.astimezone(LONDON)
    end = session.end.astimezone(LONDON)
    end_date: date | None = end.date() if end.date() > start.date() else None
    return {
        "kind": Schedule.Kind.ONE_OFF,
        "weekdays": "",
        "start_time": start.time().replace(second=0, microsecond=0),
        "end_time": end.time().replace(second=0, microsecond=0),
        "start_date": start.date(),
        "end_date": end_date,
    }


def _weekly_schedules(activity: Activity, series: Series) -> None:
    rows = weekly_schedule_rows(series)
    for source_id, defaults in rows.items():
        Schedule.objects.update_or_create(
            activity=activity, source_id=source_id, defaults=defaults
        )
    Schedule.objects.filter(
        activity=activity, source_id__startswith=schedule_prefix(series)
    ).exclude(source_id__in=list(rows)).delete()


def _session_schedule(activity: Activity, session: Session) -> None:
    if session.cancelled:
        Schedule.objects.filter(activity=activity, source_id=session.id).delete()
        return
    Schedule.objects.update_or_create(
        activity=activity,
        source_id=session.id,
        defaults=session_schedule_row(session),
    )


def apply_session(session: Session, feed: Feed) -> set[int]:
    """The ids of the activities it changed: its series', and the one it left
    if it moved (that one's search index must lose it)."""
    if session.series is not None:
        activity = upsert_series(session.series, feed)
    else:
        found = Activity.all_objects.filter(
            source=SOURCE, source_id=session.series_id
        ).first()
        if found is None:
            raise Pending(session.series_id)
        activity = found
    # A session moved to another series leaves the old one.
    moved = Schedule.objects.filter(source_id=session.id).exclude(activity=activity)
    left = set(moved.values_list("activity_id", flat=True))
    if left:
        moved.delete()
    _session_schedule(activity, session)
    return {activity.pk} | left


def withdraw(feed: Feed, kind: str, item_id: str) -> set[int]:
    """A deleted item: its series is withdrawn, or its session removed."""
    touched: set[int] = set()
    previous = FeedItem.objects.filter(feed=feed, kind=kind, item_id=item_id).first()
    ids = {f"{feed.name}:{kind}:{item_id}"}
    if previous is not None and previous.data:
        ids.add(openactive.object_id(previous.data, ""))
    for activity in Activity.all_objects.filter(source=SOURCE, source_id__in=ids):
        activity.status = Activity.Status.WITHDRAWN
        activity.save(update_fields=["status", "updated_at"])
        touched.add(activity.pk)
    for schedule in Schedule.objects.filter(source_id__in=ids):
        touched.add(schedule.activity_id)
        schedule.delete()
    return touched


def apply_data(
    feed: Feed,
    kind: str,
    item_id: str,
    data: dict[str, object],
    *,
    revived: bool = False,
) -> set[int]:
    """Apply one updated item; the ids of the activities it changed. `revived`:
    the feed had deleted this item before."""
    fallback = f"{feed.name}:{kind}:{item_id}"
    item_type = openactive.item_type(data) or kind.split(".")[0]
    try:
        if (
            item_type in openactive.FACILITY_TYPES
            or kind.split(".")[0] in openactive.FACILITY_TYPES
        ):
            raise Rejected(
                "Facility bookings (FacilityUse, Slot) are not activities: not listed."
            )
        # The item's kind stands in for a missing @type here.
        standalone = openactive.is_standalone_event(data, item_type)
        if item_type in openactive.SERIES_TYPES or standalone:
            parse = (
                openactive.parse_standalone_event
                if standalone
                else openactive.parse_series
            )
            series = parse(data, fallback_id=fallback)
            activity = upsert_series(series, feed, revived=revived)
            return {activity.pk} | apply_waiting([series.id])
        if item_type in openactive.SESSION_TYPES:
            session = openactive.parse_session(data, fallback_id=fallback)
            return apply_session(session, feed)
    except Invalid as exc:
        raise Rejected(str(exc)) from exc
    raise Rejected(f"Items of type {item_type or kind!r} are not listed.")


def waiting_sessions(series_ids: list[str]) -> list[FeedItem]:
    """Sessions, from any feed, that arrived before these series and are
    waiting for them: found by their report's `waiting_for` (an index of the
    waiting ones only), then each by its own key."""
    keys: dict[tuple[int, str], list[str]] = {}
    for feed_id, kind, item_id in FeedRejection.objects.filter(
        waiting_for__one_of=series_ids
    ).values_list("feed_id", "kind", "item_id"):
        keys.setdefault((feed_id, kind), []).append(item_id)
    return [
        item
        for (feed_id, kind), item_ids in keys.items()
        for item in FeedItem.objects.filter(
            feed_id=feed_id, kind=kind, item_id__one_of=item_ids, deleted=False
        ).select_related("feed")
    ]


def apply_waiting(series_ids: list[str]) -> set[int]:
    """`waiting_sessions` applied, each in its own savepoint."""
    return apply_waiting_items(waiting_sessions(series_ids))


def apply_waiting_items(waiting: Iterable[FeedItem]) -> set[int]:
    touched: set[int] = set()
    for item in waiting:
        if not item.data:
            continue
        try:
            with transaction.atomic():
                session = openactive.parse_session(
                    item.data,
                    fallback_id=f"{item.feed.name}:{item.kind}:{item.item_id}",
                )
                touched |= apply_session(session, item.feed)
        except (Invalid, Rejected, Pending):
            reset_page_cache()
            continue
        FeedRejection.objects.filter(
            feed=item.feed, kind=item.kind, item_id=item.item_id
        ).delete()
    return touched

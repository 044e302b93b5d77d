"""A page's items into the catalogue at once, kind by kind.

The item-by-item mapper (`mapping.apply_data`, one savepoint per item) costs
about thirty queries per new series. This module applies what most feeds are
made of a page at a time: series (and events of their own, the series of one
session), sessions that name their series by @id (split feeds), and sessions
that carry their series whole (combined feeds). Every organisation, venue,
activity and schedule of the page is looked up in one query per table and
written with bulk inserts and updates. The result is the same catalogue the
item-by-item mapper makes (the tests harvest both ways and compare).

Only what is plain comes here: not tombstones, not an item the feed had
deleted before, not an id that appears twice in the page. The rest goes item
by item. An item this mapper refuses (`Rejected`) is reported exactly as the
item-by-item mapper would report it. If the database refuses a bulk write (a
constraint we did not foresee), the caller rolls this page's fast part back
and applies those items one by one instead, so one bad item still never
blocks the rest of the page.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from operator import attrgetter
from typing import TypeVar

from django.db.models import Q, QuerySet

from ourlondon.catalogue.models import (
    Activity,
    ActivityType,
    Occurrence,
    Organisation,
    Schedule,
    Venue,
)
from ourlondon.catalogue.places import VenueLocation
from ourlondon.catalogue.recurrence import ScheduleTimes
from ourlondon.core import clock
from ourlondon.core.bulkwrite import (
    allocate_ids,
    insert_instances,
    insert_rows,
    prepared_row_writer,
    update_instances,
)
from ourlondon.core.models import Borough
from ourlondon.ingest import openactive
from ourlondon.ingest.mapping import (
    SOURCE,
    Pending,
    Rejected,
    activity_fields,
    check_activity,
    filled_activity,
    new_venue,
    organisation_slug,
    place_location,
    schedule_prefix,
    session_schedule_row,
    types_of,
    venue_name,
    weekly_schedule_rows,
)
from ourlondon.ingest.models import Feed
from ourlondon.ingest.openactive import Invalid, Place, Series, Session
from ourlondon.ingest.rpde import Item

ACTIVITY_FIELDS = [
    "title",
    "description",
    "organisation",
    "venue",
    "is_online",
    "age_min",
    "age_max",
    "gender",
    "is_free",
    "price",
    "accessibility",
    "booking_url",
    "updated_at",
]
Parsed = TypeVar("Parsed", Series, Session)
# What a session sets of its one-off schedule; a weekly schedule, also this.
SESSION_FIELDS = [
    "kind",
    "weekdays",
    "start_time",
    "end_time",
    "start_date",
    "end_date",
]
SCHEDULE_FIELDS = [*SESSION_FIELDS, "exceptions"]


# A new schedule's row; what its fields default to where a feed says nothing.
_NEW_SCHEDULE_COLUMNS = [
    "activity_id",
    "source_id",
    "kind",
    "weekdays",
    "start_time",
    "end_time",
    "start_date",
    "end_date",
    "season",
    "exceptions",
]
_NEW_SCHEDULE: dict[str, object] = {
    "season": Schedule.Season.ALL_YEAR,
    "exceptions": [],
}


@dataclass
class PageResult:
    """What the fast mapper did with its items."""

    applied: list[tuple[Item, Series]] = field(default_factory=list)
    rejected: list[tuple[Item, Rejected]] = field(default_factory=list)
    touched: set[int] = field(default_factory=set)
    loaded: list[Activity] = field(default_factory=list)
    # Series as applied, with their activity's pk and updated_at after: what
    # `settle` remembers once the page is committed.
    stamps: list[tuple[Series, int, datetime]] = field(default_factory=list)


# Series this process applied lately: @id → (the series, its activity's pk and
# updated_at then). A combined feed repeats each series in every one of its
# sessions, scattered over many pages; a copy equal to the one remembered,
# whose activity row has not changed since (the same updated_at: every save
# moves it), is as stored and need not be read and compared again. Only
# committed pages are remembered (`settle`); anything in doubt is a miss, and a
# miss only costs the full comparison.
_settled: dict[str, tuple[Series, int, datetime]] = {}
SETTLED_MAX = 50_000


def settle(stamps: Iterable[tuple[Series, int, datetime]]) -> None:
    """Remember series applied by a page that is now committed."""
    if len(_settled) > SETTLED_MAX:
        _settled.clear()  # a run this big is re-reading: start again
    for series, pk, stamp in stamps:
        _settled[series.id] = (series, pk, stamp)


def forget_settled() -> None:
    _settled.clear()


def _unchanged_since_settled(carriers: list[tuple[Item, Series]]) -> set[str]:
    """The @ids of the carried series that are as this process last applied
    them, their activities untouched since (one query)."""
    remembered = {
        series.id
        for _, series in carriers
        if (known := _settled.get(series.id)) is not None and known[0] == series
    }
    if not remembered:
        return set()
    return {
        source_id
        for source_id, pk, stamp in Activity.all_objects.filter(
            source=SOURCE, source_id__one_of=remembered
        ).values_list("source_id", "pk", "updated_at")
        if _settled[source_id][1:] == (pk, stamp)
    }


def _item_type(item: Item) -> str:
    """The item's own @type, or its kind where it gives none."""
    assert item.data is not None
    return openactive.item_type(item.data) or item.kind.split(".")[0]


def is_plain_series(item: Item) -> bool:
    """An update of a series, or of an event of its own (the series of one
    session): not a session of a series, not a facility."""
    if item.deleted or not item.data:
        return False
    item_type = _item_type(item)
    return item.kind.split(".")[0] not in openactive.FACILITY_TYPES and (
        item_type in openactive.SERIES_TYPES
        or openactive.is_standalone_event(item.data, item_type)
    )


def _parse_listing(item: Item, *, fallback_id: str) -> Series:
    assert item.data is not None
    if openactive.is_standalone_event(item.data, _item_type(item)):
        return openactive.parse_standalone_event(item.data, fallback_id=fallback_id)
    return openactive.parse_series(item.data, fallback_id=fallback_id)


def _parse_session(item: Item, *, fallback_id: str) -> Session:
    assert item.data is not None
    return openactive.parse_session(item.data, fallback_id=fallback_id)


def _session_super_event(item: Item) -> object:
    """The `superEvent` of an update of a session (not of a facility's slot),
    or None."""
    if item.deleted or not item.data:
        return None
    kind = item.kind.split(".")[0]
    item_type = _item_type(item)
    if item_type not in openactive.SESSION_TYPES or kind in openactive.FACILITY_TYPES:
        return None
    return item.data.get("superEvent")


def is_plain_session(item: Item) -> bool:
    """An update of a session whose series is given by reference (`superEvent`
    is its @id), as the split feeds of most booking systems publish them."""
    super_event = _session_super_event(item)
    return isinstance(super_event, str) and bool(super_event.strip())


def is_embedded_session(item: Item) -> bool:
    """An update of a session that carries its series whole (`superEvent` is
    the series itself), as combined feeds publish them (kind
    `ScheduledSession.SessionSeries`)."""
    super_event = _session_super_event(item)
    return isinstance(super_event, dict) and bool(super_event)


@dataclass
class SessionPageResult:
    """What the session mapper did with its items. `waiting`: their series has
    not arrived (kept, and applied when it does); `leftover`: for the item
    mapper (two items of the page describe the same session)."""

    applied: list[Item] = field(default_factory=list)
    waiting: list[tuple[Item, Pending]] = field(default_factory=list)
    rejected: list[tuple[Item, Rejected]] = field(default_factory=list)
    leftover: list[Item] = field(default_factory=list)
    # Only these changed: the activities (series) whose sessions changed, the
    # schedule of each session added or changed (as written, so it need not be
    # read back to be materialised), and the ids of the dated sessions
    # (occurrences) of those removed.
    touched: set[int] = field(default_factory=set)
    schedules: list[ScheduleTimes] = field(default_factory=list)
    removed_sessions: list[int] = field(default_factory=list)

    def absorb(self, other: SessionPageResult) -> None:
        """Add what another run of the mapper did (for the one re-index)."""
        self.applied += other.applied
        self.waiting += other.waiting
        self.rejected += other.rejected
        self.leftover += other.leftover
        self.touched |= other.touched
        self.schedules += other.schedules
        self.removed_sessions += other.removed_sessions


def apply_session_page(feed: Feed, items: list[Item]) -> SessionPageResult:
    """Apply plain sessions (see `is_plain_session`) together: what
    `mapping.apply_session` does for each, in a handful of queries a page.

    Raises whatever the database raises; the caller's savepoint undoes it all.
    """
    result = SessionPageResult()
    parsed = _parsed(feed, items, _parse_session, result.rejected)
    _apply_parsed_sessions(parsed, result)
    return result


def _apply_parsed_sessions(
    parsed: list[tuple[Item, Session]], result: SessionPageResult
) -> None:
    """The session mapper's work on sessions already parsed, into `result`."""
    twice = {
        session_id
        for session_id, count in Counter(s.id for _, s in parsed).items()
        if count > 1
    }
    result.leftover += [item for item, session in parsed if session.id in twice]
    parsed = [(item, s) for item, s in parsed if s.id not in twice]
    series = dict(
        Activity.all_objects.filter(
            source=SOURCE, source_id__one_of={s.series_id for _, s in parsed}
        ).values_list("source_id", "pk")
    )
    stored: dict[str, list[Schedule]] = {}
    session_ids = {s.id for _, s in parsed}
    for schedule in Schedule.objects.filter(source_id__one_of=session_ids):
        stored.setdefault(schedule.source_id, []).append(schedule)
    create: list[tuple[int, str, dict[str, object]]] = []
    update: list[Schedule] = []
    delete: list[int] = []
    for item, session in parsed:
        activity_id = series.get(session.series_id)
        if activity_id is None:
            result.waiting.append((item, Pending(session.series_id)))
            continue
        result.applied.append(item)
        mine: Schedule | None = None
        for schedule in stored.get(session.id, []):
            # Moved to another series, or cancelled: it leaves.
            if schedule.activity_id != activity_id or session.cancelled:
                delete.append(schedule.pk)
                result.touched.update((schedule.activity_id, activity_id))
            else:
                mine = schedule
        if session.cancelled:
            continue
        values = session_schedule_row(session)
        if mine is None:
            create.append((activity_id, session.id, {**_NEW_SCHEDULE, **values}))
        elif any(getattr(mine, k) != v for k, v in values.items()):
            for name, value in values.items():
                setattr(mine, name, value)
            update.append(mine)
        else:
            continue  # as it was (a booking system re-publishes unchanged ones)
        result.touched.add(activity_id)
    if delete:
        result.removed_sessions = list(
            Occurrence.objects.filter(schedule_id__one_of=delete).values_list(
                "pk", flat=True
            )
        )
        Schedule.objects.filter(pk__one_of=delete).delete()
    update_instances(update, SESSION_FIELDS)
    result.schedules = [ScheduleTimes.of(s) for s in update]
    if not create:
        return
    # Ids given here, so the new schedules go to be materialised as written
    # instead of being read back. The harvest's transaction holds the write
    # lock by now (SQLite's is taken at BEGIN).
    write = prepared_row_writer(Schedule, ["id", *_NEW_SCHEDULE_COLUMNS])
    rows = []
    for pk, (activity_id, source_id, new) in zip(
        allocate_ids(Schedule, len(create)), create, strict=True
    ):
        rows.append(
            write(
                [pk, activity_id, source_id]
                + [new[name] for name in _NEW_SCHEDULE_COLUMNS[2:]]
            )
        )
        result.schedules.append(ScheduleTimes.new(pk, activity_id, new))
    insert_rows(Schedule, ["id", *_NEW_SCHEDULE_COLUMNS], rows)


def _parsed(
    feed: Feed,
    items: Iterable[Item],
    parse: Callable[..., Parsed],
    rejected: list[tuple[Item, Rejected]],
) -> list[tuple[Item, Parsed]]:
    """The items parsed by `parse`; those it finds invalid go to `rejected`."""
    parsed: list[tuple[Item, Parsed]] = []
    for item in items:
        try:
            one = parse(item, fallback_id=f"{feed.name}:{item.kind}:{item.id}")
        except Invalid as exc:
            rejected.append((item, Rejected(str(exc))))
            continue
        parsed.append((item, one))
    return parsed


def _organisations(series: list[Series], feed: Feed) -> dict[str, Organisation]:
    """By slug: the page's organisers, found or made (two queries in all)."""
    wanted: dict[str, Series] = {}
    for one in series:
        wanted.setdefault(organisation_slug(one, feed), one)
    found = {o.slug: o for o in Organisation.objects.filter(slug__one_of=list(wanted))}
    new = []
    for slug, one in wanted.items():
        if slug in found:
            continue
        organiser = one.organiser
        new.append(
            Organisation(
                slug=slug,
                name=(organiser.name if organiser else feed.publisher)[:200],
                kind=Organisation.Kind.UNKNOWN,
                website=organiser.url[:200] if organiser else "",
                public_phone=organiser.phone if organiser else "",
            )
        )
    for organisation in Organisation.objects.bulk_create(new):
        found[organisation.slug] = organisation
    return found


def _locations(
    places: Iterable[Place],
) -> dict[Place, VenueLocation | Rejected]:
    """Each place located once per postcode and pin (names differ, points
    repeat: a leisure centre's many halls)."""
    located: dict[Place, VenueLocation | Rejected] = {}
    by_point: dict[tuple[str, float | None, float | None], VenueLocation | Rejected]
    by_point = {}
    for place in places:
        point = (place.postcode, place.lat, place.lng)
        if point not in by_point:
            try:
                by_point[point] = place_location(place)
            except Rejected as exc:
                by_point[point] = exc
        located[place] = by_point[point]
    return located


def _venues(
    wanted: dict[Place, tuple[VenueLocation, Organisation]],
) -> dict[Place, Venue]:
    """The page's venues, matched on postcode and name or made."""
    postcodes = {found.postcode for found, _ in wanted.values()}
    existing: dict[tuple[str, str], Venue] = {}
    # The oldest venue of a name wins. Sorted here, not by the query: with an
    # ORDER BY, SQLite may read the whole table in key order instead of looking
    # up the page's postcodes (seen with a `one_of` list).
    stored = Venue.objects.filter(postcode__one_of=postcodes).order_by()
    for venue in sorted(stored, key=attrgetter("pk")):
        existing.setdefault((venue.postcode, venue.name.lower()), venue)
    venues: dict[Place, Venue] = {}
    made: dict[tuple[str, str], Venue] = {}
    for place, (found, organisation) in wanted.items():
        key = (found.postcode, venue_name(place, found).lower())
        match = existing.get(key) or made.get(key)
        if match is None:
            match = made[key] = new_venue(place, found, organisation)
        venues[place] = match
    Venue.objects.bulk_create(list(made.values()))
    return venues


def apply_series_page(feed: Feed, items: list[Item]) -> PageResult:
    """Apply plain series items and standalone events (see `is_plain_series`)
    together.

    Raises whatever the database raises; the caller's savepoint undoes it all.
    """
    rejected: list[tuple[Item, Rejected]] = []
    parsed = _parsed(feed, items, _parse_listing, rejected)
    result = apply_series(feed, parsed)
    result.rejected += rejected
    return result


def _owned(activity: Activity) -> tuple[object, ...]:
    """The activity's values of the fields a feed sets, to tell a change."""
    return tuple(activity.serializable_value(name) for name in ACTIVITY_FIELDS[:-1])


def apply_series(feed: Feed, parsed: list[tuple[Item, Series]]) -> PageResult:
    """Series into activities, each paired with the item that carried it.

    A series published again exactly as stored writes nothing and is not
    `touched` (its index stands): a combined feed repeats each series in every
    one of its sessions."""
    result = PageResult(applied=parsed)
    series_list = [series for _, series in result.applied]
    organisations = _organisations(series_list, feed)
    located = _locations(s.place for s in series_list if s.place is not None)

    # Refuse what cannot be listed before anything is written for it.
    ready: list[tuple[Item, Series, Organisation, VenueLocation | None]] = []
    for item, series in result.applied:
        try:
            organisation = organisations[organisation_slug(series, feed)]
            found: VenueLocation | None = None
            if series.place is None:
                if not series.is_online:
                    raise Rejected("The item has no location (and is not online).")
            else:
                where = located[series.place]
                if isinstance(where, Rejected):
                    raise where
                found = where
            types_of(series)
        except Rejected as exc:
            result.rejected.append((item, exc))
            continue
        ready.append((item, series, organisation, found))
    venues = _venues(
        {
            series.place: (found, organisation)
            for _, series, organisation, found in ready
            if series.place is not None and found is not None
        }
    )

    existing = {
        a.source_id: a
        for a in Activity.all_objects.filter(
            source=SOURCE, source_id__one_of=[series.id for _, series, _, _ in ready]
        )
    }
    before = {source_id: _owned(a) for source_id, a in existing.items()}
    now = clock.now()
    new: list[Activity] = []
    changed: list[Activity] = []
    kept: list[tuple[Item, Series, Activity]] = []
    for item, series, organisation, _ in ready:
        venue = venues.get(series.place) if series.place is not None else None
        fields = activity_fields(series, organisation, venue)
        activity = filled_activity(existing.get(series.id), series, fields)
        if activity.pk and _owned(activity) == before[series.id]:
            kept.append((item, series, activity))  # as stored: nothing to check
            continue
        if activity.pk:
            activity.updated_at = now
        try:
            check_activity(activity)
        except Rejected as exc:
            result.rejected.append((item, exc))
            continue
        (changed if activity.pk else new).append(activity)
        kept.append((item, series, activity))
    insert_instances(new)
    ids = dict(
        Activity.all_objects.filter(
            source=SOURCE, source_id__one_of=[a.source_id for a in new]
        ).values_list("source_id", "pk")
    )
    for activity in new:
        activity.pk = ids[activity.source_id]
    update_instances(changed, ACTIVITY_FIELDS)
    result.applied = [(item, series) for item, series, _ in kept]
    activities = [(series, activity) for _, series, activity in kept]
    stored = {a.pk for a in existing.values()}
    altered = _types(activities, stored=stored) | _schedules(activities)
    # Only its types or sessions changed: still a change to the listing.
    Activity.all_objects.filter(
        pk__one_of=altered - {a.pk for a in changed} - set(ids.values())
    ).update(updated_at=now)
    result.touched = {a.pk for a in [*new, *changed]} | altered
    result.loaded = _for_display(
        [(series, a) for series, a in activities if a.pk in result.touched]
    )
    return result


def apply_embedded_page(
    feed: Feed, items: list[Item]
) -> tuple[PageResult, SessionPageResult]:
    """Apply sessions that carry their series (see `is_embedded_session`)
    together: each series once (with `apply_series`), then the sessions (as
    the session mapper does). What `mapping.apply_session` does for each.

    The item-by-item mapper upserts the series again from every session, so
    the last copy in the page wins. Where a page's copies of a series differ,
    its sessions are left to it (`leftover`); where they agree, once is the
    same. Raises whatever the database raises; the caller's savepoint undoes
    it all.
    """
    sessions = SessionPageResult()
    parsed = _parsed(feed, items, _parse_session, sessions.rejected)
    groups: dict[str, list[tuple[Item, Session]]] = {}
    for item, session in parsed:
        groups.setdefault(session.series_id, []).append((item, session))
    carriers: list[tuple[Item, Series]] = []
    for members in groups.values():
        if len({session.series for _, session in members}) > 1:
            sessions.leftover += [item for item, _ in members]
            continue
        series = members[0][1].series
        assert series is not None
        carriers.append((members[0][0], series))
    settled = _unchanged_since_settled(carriers)
    result = apply_series(feed, [c for c in carriers if c[1].id not in settled])
    applied = {series.id: series for _, series in result.applied}
    result.stamps = [
        (applied[source_id], pk, stamp)
        for source_id, pk, stamp in Activity.all_objects.filter(
            source=SOURCE, source_id__one_of=list(applied)
        ).values_list("source_id", "pk", "updated_at")
    ]
    refused = {series.id: why for (_, series), (_, why) in _by_item(carriers, result)}
    ready: list[tuple[Item, Session]] = []
    for _, carrier in carriers:
        members = groups[carrier.id]
        why = refused.get(carrier.id)
        if why is None:
            ready += members
        else:
            sessions.rejected += [(item, why) for item, _ in members]
    _apply_parsed_sessions(ready, sessions)
    return result, sessions


def _by_item(
    carriers: list[tuple[Item, Series]], result: PageResult
) -> list[tuple[tuple[Item, Series], tuple[Item, Rejected]]]:
    """Each refusal of `apply_series` with the carrier it refused."""
    carrier_of = {id(item): (item, series) for item, series in carriers}
    return [(carrier_of[id(item)], (item, why)) for item, why in result.rejected]


def _for_display(activities: list[tuple[Series, Activity]]) -> list[Activity]:
    """The activities as `for_display` would load them (organisation, venue,
    borough, types), so the search index need not read them back."""
    codes = {a.venue.borough_id for _, a in activities if a.venue is not None}
    boroughs = Borough.objects.defer("outline").in_bulk(list(codes))
    # What prefetch_related("types") leaves behind (Django's own shape), one
    # per set of types: a QuerySet costs more to build than the rest of this.
    # Shared by activities with the same types; nothing writes to them.
    shapes: dict[tuple[int, ...], QuerySet[ActivityType]] = {}
    for series, activity in activities:
        if activity.venue is not None:
            activity.venue.borough = boroughs[activity.venue.borough_id]
        kinds = types_of(series)
        key = tuple(kind.pk for kind in kinds)
        types = shapes.get(key)
        if types is None:
            types = shapes[key] = ActivityType.objects.filter(pk__in=[])
            types._result_cache = kinds
            types._prefetch_done = True  # type: ignore[attr-defined] # private, as above
        activity._prefetched_objects_cache = {"types": types}  # type: ignore[attr-defined]
    return [activity for _, activity in activities]


def _types(activities: list[tuple[Series, Activity]], *, stored: set[int]) -> set[int]:
    """Each activity's types as its series names them; the ids of those whose
    types changed (of those `stored` before this page)."""
    through = Activity.types.through
    had: dict[int, set[int]] = {}
    for activity_id, type_id in through.objects.filter(
        activity_id__one_of=stored
    ).values_list("activity_id", "activitytype_id"):
        had.setdefault(activity_id, set()).add(type_id)
    wanted = {
        activity.pk: {kind.pk for kind in types_of(series)}
        for series, activity in activities
    }
    altered = {pk for pk in wanted if pk in stored and wanted[pk] != had.get(pk)}
    if altered:
        through.objects.filter(activity_id__one_of=altered).delete()
    insert_rows(
        through,
        ["activity_id", "activitytype_id"],
        {
            (pk, type_id)
            for pk, type_ids in wanted.items()
            if pk not in stored or pk in altered
            for type_id in type_ids
        },
    )
    return altered


def _schedules(activities: list[tuple[Series, Activity]]) -> set[int]:
    """Weekly schedules and embedded sessions, diffed against what is stored;
    the ids of the activities whose schedules changed. (Sessions from a session
    feed are one-off schedules of the same activities: not read, not touched.)"""
    by_activity: dict[int, dict[str, Schedule]] = {}
    embedded = [session.id for series, _ in activities for session in series.sessions]
    for schedule in Schedule.objects.filter(
        Q(kind=Schedule.Kind.WEEKLY) | Q(source_id__one_of=embedded),
        activity_id__one_of=[activity.pk for _, activity in activities],
    ):
        by_activity.setdefault(schedule.activity_id, {})[schedule.source_id] = schedule
    create: list[list[object]] = []
    write = prepared_row_writer(Schedule, _NEW_SCHEDULE_COLUMNS)
    update: list[Schedule] = []
    delete: list[int] = []
    altered: set[int] = set()
    for series, activity in activities:
        stored = by_activity.get(activity.pk, {})
        rows = weekly_schedule_rows(series)
        prefix = schedule_prefix(series)
        gone = [
            s.pk
            for source_id, s in stored.items()
            if source_id.startswith(prefix) and source_id not in rows
        ]
        for session in series.sessions:
            if session.cancelled:
                if session.id in stored:
                    gone.append(stored[session.id].pk)
                continue
            rows[session.id] = session_schedule_row(session)
        if gone:
            delete += gone
            altered.add(activity.pk)
        for source_id, values in rows.items():
            known = stored.get(source_id)
            if known is None:
                altered.add(activity.pk)
                new = {**_NEW_SCHEDULE, **values}
                create.append(
                    write(
                        [activity.pk, source_id]
                        + [new[name] for name in _NEW_SCHEDULE_COLUMNS[2:]]
                    )
                )
            elif any(getattr(known, k) != v for k, v in values.items()):
                for name, value in values.items():
                    setattr(known, name, value)
                update.append(known)
                altered.add(activity.pk)
    if delete:
        Schedule.objects.filter(pk__one_of=delete).delete()
    update_instances(update, SCHEDULE_FIELDS)
    insert_rows(Schedule, _NEW_SCHEDULE_COLUMNS, create)
    return altered

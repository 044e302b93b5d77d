"""Providers' feeds: registering one, a moderator's decision, and reading an
approved iCalendar feed into the catalogue.

Approval is the moderation step for a feed: a moderator looks at the address
and the organisation once, and from then on what the feed says is published
without a review per event (an organisation that lists its sessions in a
calendar would otherwise wait days for each change). Only a checked
organisation's feed can be approved, and only approved feeds are ever fetched.

An iCalendar feed is read (`refresh_feed`) when it is approved and then daily.
Each event (by UID) is one activity of the organisation (`source="ical"`,
`source_id="feed-<id>:<UID>"`), and each of its dates a one-off schedule, so a
refresh updates in place; an event gone from the calendar (or with no date left
in the window) is withdrawn, and comes back if the calendar lists it again.
Mapping: SUMMARY is the title, DESCRIPTION the description (plain text),
LOCATION the venue when it contains a London postcode, otherwise the feed's
default venue; an event with neither is skipped and named in the feed's report.
Ages are "not stated" and the price "ask the organiser": a calendar says
neither. A calendar that cannot be fetched or read changes nothing; the error is
kept on the feed.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Final

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.text import slugify

from ourlondon.audit.log import record_event, snapshot
from ourlondon.audit.models import AuditEvent
from ourlondon.catalogue.models import (
    Activity,
    ActivityType,
    Organisation,
    Schedule,
    Venue,
)
from ourlondon.catalogue.places import locate_venue
from ourlondon.catalogue.recurrence import LONDON, materialise_activities
from ourlondon.core import clock
from ourlondon.ingest.fetching import FetchError, fetch
from ourlondon.ingest.models import Feed
from ourlondon.providers.ical_events import CalendarEvent, CalendarProblem, Dated
from ourlondon.providers.ical_events import parse_calendar as parse_ical
from ourlondon.providers.models import Membership, ProviderFeed
from ourlondon.providers.organisations import PortalError
from ourlondon.providers.sanitise import plain_text
from ourlondon.search.indexing import refresh_activities

Action = AuditEvent.Action
SOURCE: Final = Activity.Source.ICAL
# A UK postcode anywhere in a line of text ("Marsh Hall, 1 Marsh Lane, E8 3AA").
_POSTCODE: Final = re.compile(
    r"\b([A-Z]{1,2}[0-9][A-Z0-9]?)\s*([0-9][A-Z]{2})\b", re.IGNORECASE
)
_FIELDS: Final = [
    "organisation",
    "kind",
    "url",
    "rpde_kind",
    "status",
    "reason",
    "activity_type",
    "default_venue",
    "ingest_feed",
]


def add_feed(
    *,
    by: User,
    organisation: Organisation,
    kind: str,
    url: str,
    rpde_kind: str = "",
    activity_type: ActivityType | None = None,
    default_venue: Venue | None = None,
) -> ProviderFeed:
    """Register a feed, waiting for a moderator. The URL has been checked by the
    form (`FeedForm.clean_url`); the fetcher checks it again at every read."""
    if organisation.verification in {
        Organisation.Verification.SUSPENDED,
        Organisation.Verification.REJECTED,
    }:
        raise PortalError(
            "This organisation cannot add feeds while it is "
            f"{organisation.get_verification_display().lower()}."
        )
    if default_venue is not None and default_venue.organisation_id != organisation.pk:
        raise PortalError("That venue belongs to another organisation.")
    feed = ProviderFeed(
        organisation=organisation,
        kind=kind,
        url=url,
        rpde_kind=rpde_kind if kind == ProviderFeed.Kind.OPENACTIVE else "",
        activity_type=activity_type,
        default_venue=default_venue,
        added_by=by,
    )
    try:
        with transaction.atomic():
            feed.save()
            record_event(
                Action.CREATE, actor=by, obj=feed, after=snapshot(feed, _FIELDS)
            )
    except IntegrityError as error:
        raise PortalError(
            "This feed is already registered for the organisation."
        ) from error
    return feed


def _ingest_feed_name(feed: ProviderFeed) -> str:
    return f"provider-{feed.pk}-{slugify(feed.organisation.name)}"[:100].rstrip("-")


@transaction.atomic
def approve_feed(*, feed: ProviderFeed, by: User) -> ProviderFeed:
    """Approve a waiting feed. An OpenActive one is registered, approved, in the
    harvester's registry; an iCalendar one is read by `refresh_feed` (the caller
    queues the first read, outside this transaction)."""
    if feed.status != ProviderFeed.Status.PENDING:
        raise PortalError("This feed has already been decided.")
    if feed.organisation.verification != Organisation.Verification.VERIFIED:
        raise PortalError(
            "Check the organisation first: feeds are approved only for a checked "
            "organisation."
        )
    before = snapshot(feed, _FIELDS)
    now = clock.now()
    if feed.kind == ProviderFeed.Kind.OPENACTIVE:
        feed.ingest_feed = Feed.objects.create(
            name=_ingest_feed_name(feed),
            publisher=feed.organisation.name[:200],
            kind=feed.rpde_kind or Feed.Kind.SESSION_SERIES,
            url=feed.url,
            approved=True,
            approved_at=now,
        )
    feed.status = ProviderFeed.Status.APPROVED
    feed.decided_by = by
    feed.decided_at = now
    feed.save()
    record_event(
        Action.APPROVE, actor=by, obj=feed, before=before, after=snapshot(feed, _FIELDS)
    )
    _tell(
        feed,
        "Your feed is approved",
        f"A moderator approved your feed {feed.url}. "
        + (
            "We read it now and then every day; its events appear on ourlondon."
            if feed.kind == ProviderFeed.Kind.ICAL
            else "It is now harvested with the other OpenActive feeds."
        ),
    )
    return feed


@transaction.atomic
def reject_feed(*, feed: ProviderFeed, by: User, reason: str) -> ProviderFeed:
    if feed.status != ProviderFeed.Status.PENDING:
        raise PortalError("This feed has already been decided.")
    if not reason.strip():
        raise PortalError("Give the reason: it is sent to the provider.")
    before = snapshot(feed, _FIELDS)
    feed.status = ProviderFeed.Status.REJECTED
    feed.reason = reason
    feed.decided_by = by
    feed.decided_at = clock.now()
    feed.save()
    record_event(
        Action.REJECT,
        actor=by,
        obj=feed,
        before=before,
        after=snapshot(feed, _FIELDS),
        note=reason,
    )
    _tell(
        feed,
        "Your feed was not approved",
        f"A moderator could not approve your feed {feed.url}, for this reason:"
        f"\n\n{reason}\n\nYou can add it again once this is fixed.",
    )
    return feed


@transaction.atomic
def remove_feed(*, feed: ProviderFeed, by: User) -> int:
    """The provider disconnects a feed; returns how many listings came down.

    A calendar's events leave the site at once (withdrawn, sessions removed,
    re-indexed): nobody would keep them up to date any more. An OpenActive feed
    stops being harvested; what it already brought stays listed under the
    harvester's rules (the publisher's deletions no longer arrive, so a
    moderator takes those down if need be). The row goes, so the same address
    can be added again later; the audit log keeps what it was.
    """
    feed = ProviderFeed.objects.select_for_update().get(pk=feed.pk)
    before = snapshot(feed, _FIELDS)
    taken_down: list[int] = []
    if feed.kind == ProviderFeed.Kind.ICAL:
        gone = _take_down(
            Activity.all_objects.filter(
                source=SOURCE, source_id__startswith=f"feed-{feed.pk}:"
            )
        )
        taken_down = [pk for pk, _ in gone]
        materialise_activities(set(taken_down))
        refresh_activities(taken_down)
    elif feed.ingest_feed is not None:
        Feed.objects.filter(pk=feed.ingest_feed.pk).update(enabled=False)
    record_event(
        Action.DELETE,
        actor=by,
        obj=feed,
        before=before,
        after={"listings_taken_down": len(taken_down)},
        note="Feed removed by its organisation.",
    )
    feed.delete()
    return len(taken_down)


def _tell(feed: ProviderFeed, subject: str, body: str) -> None:
    emails = set(
        Membership.objects.filter(organisation=feed.organisation).values_list(
            "user__email", flat=True
        )
    )
    if feed.added_by is not None:
        emails.add(feed.added_by.email)
    recipients = sorted(e for e in emails if e)
    if recipients:
        send_mail(
            subject=subject,
            message=body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=recipients,
        )


# Reading an iCalendar feed ------------------------------------------------------


@dataclass
class Refresh:
    """What one read of a feed did."""

    feed_id: int
    error: str = ""
    listed: int = 0
    withdrawn: int = 0
    skipped: list[str] = field(default_factory=list)

    def summary(self) -> str:
        if self.error:
            return f"feed {self.feed_id}: failed: {self.error}"
        return (
            f"feed {self.feed_id}: {self.listed} event(s) listed, "
            f"{self.withdrawn} withdrawn, {len(self.skipped)} skipped"
        )


def window(today: date | None = None) -> tuple[datetime, datetime]:
    """From London midnight today, `PROVIDER_FEED_WEEKS` ahead."""
    start = datetime.combine(today or clock.today(), time(0, 0), LONDON)
    return start, start + timedelta(weeks=settings.PROVIDER_FEED_WEEKS)


def refreshable() -> list[ProviderFeed]:
    """Approved iCalendar feeds (failing ones too: they may have recovered)."""
    return list(
        ProviderFeed.objects.filter(
            kind=ProviderFeed.Kind.ICAL,
            status__in=[ProviderFeed.Status.APPROVED, ProviderFeed.Status.FAILING],
        )
        .exclude(
            organisation__verification__in=[
                Organisation.Verification.SUSPENDED,
                Organisation.Verification.REJECTED,
            ]
        )
        .select_related("organisation")
        .order_by("pk")
    )


def refresh_feed(feed: ProviderFeed, *, today: date | None = None) -> Refresh:
    """Fetch the calendar and bring the organisation's events in line with it."""
    result = Refresh(feed_id=feed.pk)
    if feed.kind != ProviderFeed.Kind.ICAL or feed.status not in {
        ProviderFeed.Status.APPROVED,
        ProviderFeed.Status.FAILING,
    }:
        result.error = "Only approved calendar feeds are read."
        return result
    try:
        response = fetch(
            feed.url,
            headers={"Accept": "text/calendar, */*;q=0.5"},
            max_bytes=settings.PROVIDER_FEED_MAX_BYTES,
        )
        if not response.ok:
            raise CalendarProblem(f"{response.url} answered HTTP {response.status}.")
        calendar = parse_ical(
            response.body,
            window=window(today),
            max_dates=settings.PROVIDER_FEED_MAX_DATES,
        )
    except (FetchError, CalendarProblem) as error:
        result.error = str(error)[:2000]
        ProviderFeed.objects.filter(pk=feed.pk).update(
            status=ProviderFeed.Status.FAILING,
            last_error=result.error,
            last_fetched_at=clock.now(),
        )
        feed.refresh_from_db()
        return result
    touched = _apply(feed, calendar.events, result, today=today)
    refresh_activities(sorted(touched))
    return result


@transaction.atomic
def _apply(
    feed: ProviderFeed,
    events: list[CalendarEvent],
    result: Refresh,
    *,
    today: date | None,
) -> set[int]:
    feed = ProviderFeed.objects.select_for_update().get(pk=feed.pk)
    prefix = f"feed-{feed.pk}:"
    touched: set[int] = set()
    listed: set[str] = set()
    withdrawn_before = set(feed.withdrawn_events)
    for event in events:
        title = plain_text(event.title).strip()[:200]
        name = f"“{title or event.uid[:80]}”"
        if not event.dates:
            continue  # cancelled, or no date left in the window: withdrawn below
        if not title:
            result.skipped.append(
                f"{event.uid[:80]}: the event has no title (SUMMARY)."
            )
            continue
        try:
            venue = _venue(feed, event.location)
        except ValidationError as error:
            result.skipped.append(f"{name}: {' '.join(error.messages)}")
            continue
        source_id = _source_id(prefix, event.uid)
        activity = Activity.all_objects.filter(
            source=SOURCE, source_id=source_id
        ).first()
        if activity is None:
            activity = Activity(
                source=SOURCE, source_id=source_id, status=Activity.Status.PUBLISHED
            )
        elif (
            activity.status == Activity.Status.WITHDRAWN
            and source_id in withdrawn_before
        ):
            # The feed withdrew it and lists it again; an activity a moderator
            # took down stays down.
            activity.status = Activity.Status.PUBLISHED
        activity.organisation = feed.organisation
        activity.title = title
        activity.description = plain_text(event.description).strip()
        activity.venue = venue
        activity.is_online = False
        activity.last_confirmed_at = clock.now()
        try:
            activity.full_clean(exclude=["types", "organisation", "venue"])
        except ValidationError as error:
            result.skipped.append(f"{name}: {'; '.join(error.messages)}")
            continue
        activity.save()
        activity.types.set([feed.activity_type] if feed.activity_type else [])
        _schedules(activity, source_id, event.dates)
        listed.add(source_id)
        touched.add(activity.pk)
    gone = _take_down(
        Activity.all_objects.filter(
            source=SOURCE, source_id__startswith=prefix
        ).exclude(source_id__in=listed)
    )
    withdrawn_now = {source_id for _, source_id in gone}
    touched.update(pk for pk, _ in gone)
    materialise_activities(touched, today=today)
    result.listed = len(listed)
    result.withdrawn = len(withdrawn_now)
    feed.withdrawn_events = sorted((withdrawn_before - listed) | withdrawn_now)
    feed.status = ProviderFeed.Status.APPROVED
    feed.last_error = ""
    feed.last_fetched_at = clock.now()
    feed.events_imported = result.listed
    feed.last_report = "\n".join(result.skipped)[:10000]
    feed.save()
    record_event(
        Action.UPDATE,
        actor=None,
        actor_label="calendar feed",
        obj=feed,
        after={
            "listed": result.listed,
            "withdrawn": result.withdrawn,
            "skipped": len(result.skipped),
        },
        note="Calendar feed read.",
    )
    return touched


def _take_down(events: QuerySet[Activity]) -> list[tuple[int, str]]:
    """Withdraw these calendar activities and drop their schedules (their
    sessions go when they are next materialised); (id, source id) of each."""
    gone = list(
        events.exclude(status=Activity.Status.WITHDRAWN).values_list("pk", "source_id")
    )
    ids = [pk for pk, _ in gone]
    Activity.all_objects.filter(pk__in=ids).update(
        status=Activity.Status.WITHDRAWN, updated_at=clock.now()
    )
    Schedule.objects.filter(activity_id__in=ids).delete()
    return gone


def _source_id(prefix: str, uid: str) -> str:
    """`prefix` + UID, within the column (a long UID is hashed, still stable)."""
    if len(prefix) + len(uid) <= 300:
        return prefix + uid
    return prefix + "sha256:" + hashlib.sha256(uid.encode()).hexdigest()


def _venue(feed: ProviderFeed, location: str) -> Venue:
    """The venue a LOCATION names by its London postcode, else the default."""
    found = _POSTCODE.search(location)
    if found is not None:
        try:
            place = locate_venue(postcode=f"{found.group(1)} {found.group(2)}")
        except ValidationError:
            place = None
        if place is not None:
            name = location.split(",")[0].strip()[:200] or place.postcode
            venue = Venue.objects.filter(
                organisation=feed.organisation, name=name, postcode=place.postcode
            ).first() or Venue(organisation=feed.organisation, name=name)
            venue.address = location[:500]
            venue.postcode = place.postcode
            venue.lat, venue.lng = place.lat, place.lng
            venue.borough_id = place.borough_code
            venue.save()
            return venue
    if feed.default_venue is not None:
        return feed.default_venue
    raise ValidationError(
        "its location has no London postcode"
        + (f" (“{location[:80]}”)" if location else "")
        + ", and the feed has no default venue."
    )


def _schedule_fields(dated: Dated) -> dict[str, object]:
    """A dated event as a one-off schedule, on London's wall clock."""
    start = dated.start.astimezone(LONDON)
    end = dated.end.astimezone(LONDON)
    if dated.all_day:
        # Shown as the whole day; the last day is the one before DTEND.
        last = (end - timedelta(days=1)).date()
        return {
            "start_date": start.date(),
            "start_time": time(0, 0),
            "end_date": last if last > start.date() else None,
            "end_time": time(23, 59),
        }
    return {
        "start_date": start.date(),
        "start_time": start.time().replace(second=0, microsecond=0),
        "end_date": end.date() if end.date() > start.date() else None,
        "end_time": end.time().replace(second=0, microsecond=0),
    }


def _schedules(activity: Activity, source_id: str, dates: tuple[Dated, ...]) -> None:
    wanted: dict[str, dict[str, object]] = {}
    for dated in dates:
        key = f"{source_id}@{dated.start.astimezone(LONDON).isoformat()}"[:300]
        wanted[key] = {
            "kind": Schedule.Kind.ONE_OFF,
            "weekdays": "",
            **_schedule_fields(dated),
        }
    for key, fields in wanted.items():
        Schedule.objects.update_or_create(
            activity=activity, source_id=key, defaults=fields
        )
    Schedule.objects.filter(activity=activity).exclude(
        source_id__in=list(wanted)
    ).delete()

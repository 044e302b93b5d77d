"""Provider feeds: a URL into a private network is refused when entered; a
moderator approves or rejects a feed; an approved calendar, served by a real
HTTP server on 127.0.0.1, becomes one-off sessions that refreshes keep in line."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from ourlondon.audit.models import AuditEvent
from ourlondon.catalogue.models import Activity, Occurrence, Organisation, Schedule
from ourlondon.catalogue.recurrence import LONDON
from ourlondon.core import clock
from ourlondon.ingest.models import Feed
from ourlondon.providers.models import ProviderFeed
from ourlondon.providers.tests.factories import make_organisation
from ourlondon.search.models import SearchDocument

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures"


class Calendars:
    """What the test server answers, by path; changed by the tests."""

    def __init__(self) -> None:
        self.bodies: dict[str, bytes] = {}


@pytest.fixture
def served(settings) -> Iterator[tuple[Calendars, str]]:
    settings.SAFE_FETCH_ALLOW_PRIVATE = True
    calendars = Calendars()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            body = calendars.bodies.get(self.path)
            if body is None:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/calendar; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield calendars, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def checked_org(owner):
    org = make_organisation(owner)
    Organisation.objects.filter(pk=org.pk).update(
        verification="verified", verified_at=clock.now()
    )
    org.refresh_from_db()
    return org


def _monday_after(today: date, weeks: int) -> date:
    return today + timedelta(days=7 * weeks - today.weekday())


def _stamp(day: date, hhmm: str = "") -> str:
    return day.strftime("%Y%m%d") + (f"T{hhmm}00" if hhmm else "")


def calendar(*, weekly_title: str = "Youth club", with_fun_day: bool = True) -> bytes:
    """A weekly club (6 Mondays, the third skipped), an all-day fun day and a
    New York-timed online talk, dated from today so the test never goes stale."""
    today = clock.today()
    first = _monday_after(today, 1)
    skipped = first + timedelta(weeks=2)
    fun_day = first + timedelta(days=5)
    talk = first + timedelta(days=3)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//ourlondon tests//EN",
        "BEGIN:VEVENT",
        "UID:weekly-club@peckhamboxing.example",
        f"SUMMARY:{weekly_title}",
        "DESCRIPTION:Games and <b>boxing</b>.<script>alert(1)</script>",
        "LOCATION:Marsh Hall\\, 1 Marsh Lane\\, London E8 3AA",
        f"DTSTART;TZID=Europe/London:{_stamp(first, '1800')}",
        f"DTEND;TZID=Europe/London:{_stamp(first, '1930')}",
        "RRULE:FREQ=WEEKLY;COUNT=6",
        f"EXDATE;TZID=Europe/London:{_stamp(skipped, '1800')}",
        "END:VEVENT",
    ]
    if with_fun_day:
        lines += [
            "BEGIN:VEVENT",
            "UID:fun-day@peckhamboxing.example",
            "SUMMARY:Family fun day",
            "LOCATION:Marsh Hall E8 3AA",
            f"DTSTART;VALUE=DATE:{_stamp(fun_day)}",
            f"DTEND;VALUE=DATE:{_stamp(fun_day + timedelta(days=1))}",
            "END:VEVENT",
        ]
    lines += [
        "BEGIN:VEVENT",
        "UID:talk@peckhamboxing.example",
        "SUMMARY:Coach's talk",
        "LOCATION:Marsh Hall E8 3AA",
        f"DTSTART;TZID=America/New_York:{_stamp(talk, '1300')}",
        "DURATION:PT1H",
        "END:VEVENT",
        "BEGIN:VEVENT",
        "UID:nowhere@peckhamboxing.example",
        "SUMMARY:Somewhere unknown",
        "LOCATION:The park",
        f"DTSTART;TZID=Europe/London:{_stamp(talk, '1000')}",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return ("\r\n".join(lines) + "\r\n").encode()


def _add(client, org, **data: str):
    post = {"kind": "ical", "url": "", "rpde_kind": "", "activity_type": "boxing"}
    post.update(data)
    return client.post(reverse("providers:feeds", args=[org.pk]), post)


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://10.0.0.1/calendar.ics", "private address"),
        ("http://169.254.169.254/latest/meta-data/", "cloud metadata"),
        ("http://localhost:8000/calendar.ics", "loopback address"),
        ("http://127.0.0.1/calendar.ics", "loopback address"),
        ("ftp://calendar.example/c.ics", "Only http and https"),
    ],
)
def test_a_feed_url_to_a_private_address_is_refused_at_once(
    owner, owner_client, url, why
):
    org = make_organisation(owner)
    response = _add(owner_client, org, url=url)
    assert response.status_code == 400
    text = response.content.decode()
    assert "We cannot read feeds from this address" in text
    assert why in text
    assert not ProviderFeed.objects.exists()


def test_a_webcal_address_is_read_over_https(owner, owner_client, settings):
    settings.SAFE_FETCH_ALLOW_PRIVATE = True
    org = make_organisation(owner)
    response = _add(owner_client, org, url="webcal://127.0.0.1:9/club.ics")
    assert response.status_code == 302
    assert ProviderFeed.objects.get().url == "https://127.0.0.1:9/club.ics"


def _approve(moderator_client, feed):
    return moderator_client.post(reverse("moderation:feed-approve", args=[feed.pk]))


def test_an_approved_calendar_becomes_one_off_sessions(
    checked_org, owner_client, moderator_client, served, client
):
    calendars, base = served
    calendars.bodies["/club.ics"] = calendar()
    response = _add(owner_client, checked_org, url=f"{base}/club.ics")
    assert response.status_code == 302
    feed = ProviderFeed.objects.get()
    assert feed.status == "pending"
    assert not Activity.all_objects.exists()  # nothing is read before approval

    assert _approve(moderator_client, feed).status_code == 302
    feed.refresh_from_db()
    assert feed.status == "approved", feed.last_error
    assert feed.events_imported == 3
    assert "Somewhere unknown" in feed.last_report  # no postcode, no default venue

    club = Activity.all_objects.get(title="Youth club")
    assert club.status == "published" and club.source == "ical"
    assert club.organisation == checked_org
    assert club.description == "Games and boxing."
    assert club.venue is not None and club.venue.postcode == "E8 3AA"
    assert club.age_min is None and club.age_max is None
    assert [t.slug for t in club.types.all()] == ["boxing"]
    starts = [
        o.start.astimezone(LONDON)
        for o in Occurrence.objects.filter(activity=club).order_by("start")
    ]
    first = _monday_after(clock.today(), 1)
    expected = [first + timedelta(weeks=n) for n in (0, 1, 3, 4, 5)]  # EXDATE: 2
    assert [s.date() for s in starts] == expected
    assert {(s.hour, s.minute) for s in starts} == {(18, 0)}
    assert all(s.kind == "one_off" for s in Schedule.objects.filter(activity=club))

    fun_day = Schedule.objects.get(activity__title="Family fun day")
    assert fun_day.start_date == first + timedelta(days=5)
    assert fun_day.end_date is None
    talk = Occurrence.objects.get(activity__title="Coach's talk")
    # 13:00 in New York is 18:00 in London (the zones' clocks change on
    # different dates, so allow the odd week when they differ by four hours).
    assert talk.start.astimezone(LONDON).hour in {17, 18}
    assert talk.end - talk.start == timedelta(hours=1)

    assert SearchDocument.objects.filter(activity_id=club.pk).exists()
    page = client.get(reverse("web:activity-detail", args=[club.pk]))
    assert page.status_code == 200
    assert "<script>alert" not in page.content.decode()
    event = AuditEvent.objects.get(
        action="approve", object_type="providers.providerfeed"
    )
    assert event.actor is not None


def test_a_refresh_updates_in_place_and_withdraws_what_is_gone(
    checked_org, owner, moderator_client, served
):
    calendars, base = served
    calendars.bodies["/club.ics"] = calendar()
    feed = ProviderFeed.objects.create(
        organisation=checked_org, kind="ical", url=f"{base}/club.ics", added_by=owner
    )
    _approve(moderator_client, feed)
    ids = set(Activity.all_objects.values_list("pk", flat=True))
    fun_day = Activity.all_objects.get(title="Family fun day")

    calendars.bodies["/club.ics"] = calendar(
        weekly_title="Youth club (new time)", with_fun_day=False
    )
    call_command("refresh_provider_feeds", "--feed", str(feed.pk))
    assert set(Activity.all_objects.values_list("pk", flat=True)) == ids
    assert Activity.all_objects.filter(title="Youth club (new time)").count() == 1
    fun_day.refresh_from_db()
    assert fun_day.status == "withdrawn"
    assert not Occurrence.objects.filter(activity=fun_day).exists()
    assert not SearchDocument.objects.filter(activity_id=fun_day.pk).exists()

    # Listed again: published again, still the same activity.
    calendars.bodies["/club.ics"] = calendar()
    call_command("refresh_provider_feeds")
    fun_day.refresh_from_db()
    assert fun_day.status == "published"
    assert set(Activity.all_objects.values_list("pk", flat=True)) == ids


def test_an_event_a_moderator_took_down_stays_down(
    checked_org, owner, moderator_client, served
):
    calendars, base = served
    calendars.bodies["/club.ics"] = calendar()
    feed = ProviderFeed.objects.create(
        organisation=checked_org, kind="ical", url=f"{base}/club.ics", added_by=owner
    )
    _approve(moderator_client, feed)
    Activity.all_objects.filter(title="Youth club").update(status="withdrawn")
    call_command("refresh_provider_feeds")
    assert Activity.all_objects.get(title="Youth club").status == "withdrawn"


def test_a_malformed_calendar_is_recorded_and_changes_nothing(
    checked_org, owner, moderator_client, served
):
    calendars, base = served
    calendars.bodies["/club.ics"] = calendar()
    feed = ProviderFeed.objects.create(
        organisation=checked_org, kind="ical", url=f"{base}/club.ics", added_by=owner
    )
    _approve(moderator_client, feed)
    before = sorted(Activity.all_objects.values_list("pk", "title", "status"))
    sessions = Occurrence.objects.count()

    calendars.bodies["/club.ics"] = (FIXTURES / "malformed.ics").read_bytes()
    with pytest.raises(CommandError):
        call_command("refresh_provider_feeds", "--feed", str(feed.pk))
    feed.refresh_from_db()
    assert feed.status == "failing"
    assert "cannot be read" in feed.last_error
    assert sorted(Activity.all_objects.values_list("pk", "title", "status")) == before
    assert Occurrence.objects.count() == sessions

    calendars.bodies["/club.ics"] = b"<html><body>Not found</body></html>"
    with pytest.raises(CommandError):
        call_command("refresh_provider_feeds", "--feed", str(feed.pk))
    feed.refresh_from_db()
    assert "not an iCalendar file" in feed.last_error
    assert sorted(Activity.all_objects.values_list("pk", "title", "status")) == before

    calendars.bodies["/club.ics"] = calendar()
    call_command("refresh_provider_feeds", "--feed", str(feed.pk))
    feed.refresh_from_db()
    assert feed.status == "approved" and feed.last_error == ""


def test_the_daily_task_reads_approved_calendar_feeds(
    checked_org, owner, moderator_client, served
):
    from ourlondon.providers.tasks import refresh_provider_feeds

    calendars, base = served
    calendars.bodies["/club.ics"] = calendar()
    feed = ProviderFeed.objects.create(
        organisation=checked_org,
        kind="ical",
        url=f"{base}/club.ics",
        added_by=owner,
        status="approved",
    )
    pending = ProviderFeed.objects.create(
        organisation=checked_org, kind="ical", url=f"{base}/other.ics", added_by=owner
    )
    summaries = refresh_provider_feeds.call_local()
    assert summaries == [f"feed {feed.pk}: 3 event(s) listed, 0 withdrawn, 1 skipped"]
    pending.refresh_from_db()
    assert pending.last_fetched_at is None


def test_an_openactive_feed_is_registered_with_the_harvester_on_approval(
    checked_org, owner_client, moderator_client, settings
):
    settings.SAFE_FETCH_ALLOW_PRIVATE = True
    response = _add(
        owner_client,
        checked_org,
        kind="openactive",
        url="http://127.0.0.1:9/rpde/session-series",
        rpde_kind="SessionSeries",
        activity_type="",
    )
    assert response.status_code == 302
    feed = ProviderFeed.objects.get()
    assert not Feed.objects.exists()
    _approve(moderator_client, feed)
    feed.refresh_from_db()
    registered = feed.ingest_feed
    assert registered is not None
    assert registered.approved and registered.url == feed.url
    assert registered.publisher == checked_org.name
    assert registered.kind == "SessionSeries"
    assert registered.name.startswith(f"provider-{feed.pk}-peckham-boxing-club")


def test_an_openactive_feed_must_say_what_it_lists(checked_org, owner_client, settings):
    settings.SAFE_FETCH_ALLOW_PRIVATE = True
    response = _add(
        owner_client, checked_org, kind="openactive", url="http://127.0.0.1:9/rpde"
    )
    assert response.status_code == 400
    assert "Say what the OpenActive feed lists" in response.content.decode()


def test_rejecting_a_feed_needs_a_reason_which_is_emailed(
    checked_org, owner, moderator_client, inbox
):
    feed = ProviderFeed.objects.create(
        organisation=checked_org,
        kind="ical",
        url="https://x.example/c.ics",
        added_by=owner,
    )
    url = reverse("moderation:feed-reject", args=[feed.pk])
    assert moderator_client.post(url, {"reason": ""}).status_code == 400
    feed.refresh_from_db()
    assert feed.status == "pending"
    assert (
        moderator_client.post(url, {"reason": "Not your calendar."}).status_code == 302
    )
    feed.refresh_from_db()
    assert feed.status == "rejected" and feed.reason == "Not your calendar."
    [message] = inbox.messages
    assert message["To"] == owner.email
    assert "Not your calendar." in message.get_payload(decode=True).decode()
    event = AuditEvent.objects.get(
        action="reject", object_type="providers.providerfeed"
    )
    assert event.note == "Not your calendar."
    # Decided once only.
    assert moderator_client.post(url, {"reason": "again"}).status_code == 400


def test_a_feed_of_an_unchecked_organisation_cannot_be_approved(
    owner, moderator_client
):
    org = make_organisation(owner)
    feed = ProviderFeed.objects.create(
        organisation=org, kind="ical", url="https://x.example/c.ics", added_by=owner
    )
    response = _approve(moderator_client, feed)
    assert response.status_code == 400
    assert "Check the organisation first" in response.content.decode()
    feed.refresh_from_db()
    assert feed.status == "pending"


def test_the_moderation_page_lists_waiting_feeds(checked_org, owner, moderator_client):
    ProviderFeed.objects.create(
        organisation=checked_org,
        kind="ical",
        url="https://x.example/c.ics",
        added_by=owner,
    )
    page = moderator_client.get(reverse("moderation:feeds"))
    assert page.status_code == 200
    assert "https://x.example/c.ics" in page.content.decode()
    assert checked_org.name in page.content.decode()


@pytest.mark.parametrize("who", ["provider", "moderator without two-factor"])
def test_the_feed_queue_is_for_moderators_with_two_factor(who, owner, moderator):
    from django.test import Client

    client = Client()
    client.force_login(
        owner if who == "provider" else moderator,
        backend="allauth.account.auth_backends.AuthenticationBackend",
    )
    assert client.get(reverse("moderation:feeds")).status_code == 403


def test_removing_a_calendar_feed_takes_its_listings_off_the_site(
    checked_org, owner_client, moderator_client, served, client
):
    calendars, base = served
    calendars.bodies["/club.ics"] = calendar()
    _add(owner_client, checked_org, url=f"{base}/club.ics")
    feed = ProviderFeed.objects.get()
    _approve(moderator_client, feed)
    club = Activity.all_objects.get(title="Youth club")
    assert SearchDocument.objects.filter(activity_id=club.pk).exists()

    response = owner_client.post(
        reverse("providers:feed-remove", args=[checked_org.pk, feed.pk]), follow=True
    )
    assert response.status_code == 200
    assert "listing(s) are off the site" in response.content.decode()
    assert not ProviderFeed.objects.exists()
    assert set(Activity.all_objects.values_list("status", flat=True)) == {"withdrawn"}
    assert not Occurrence.objects.exists()
    assert not SearchDocument.objects.filter(activity_id=club.pk).exists()
    page = client.get(reverse("web:activity-detail", args=[club.pk]))
    assert page.status_code == 404
    event = AuditEvent.objects.get(
        action="delete", object_type="providers.providerfeed"
    )
    assert event.before is not None and event.before["url"] == f"{base}/club.ics"
    assert event.after == {"listings_taken_down": 3}
    # The same address can be connected again (and reviewed again).
    assert _add(owner_client, checked_org, url=f"{base}/club.ics").status_code == 302
    assert ProviderFeed.objects.get().status == "pending"


def test_removing_an_openactive_feed_stops_its_harvest(
    checked_org, owner_client, moderator_client, settings
):
    settings.SAFE_FETCH_ALLOW_PRIVATE = True
    owner_client.post(
        reverse("providers:feeds", args=[checked_org.pk]),
        {
            "kind": "openactive",
            "url": "http://127.0.0.1:9/feeds/session-series",
            "rpde_kind": "SessionSeries",
        },
    )
    feed = ProviderFeed.objects.get()
    _approve(moderator_client, feed)
    ingest_feed = Feed.objects.get()
    assert ingest_feed.enabled and ingest_feed.approved
    response = owner_client.post(
        reverse("providers:feed-remove", args=[checked_org.pk, feed.pk])
    )
    assert response.status_code == 302
    ingest_feed.refresh_from_db()
    assert not ingest_feed.enabled
    assert not ProviderFeed.objects.exists()


def test_a_feed_is_removed_only_by_post(checked_org, owner_client, served):
    calendars, base = served
    _add(owner_client, checked_org, url=f"{base}/club.ics")
    feed = ProviderFeed.objects.get()
    url = reverse("providers:feed-remove", args=[checked_org.pk, feed.pk])
    assert owner_client.get(url).status_code == 405
    assert ProviderFeed.objects.filter(pk=feed.pk).exists()

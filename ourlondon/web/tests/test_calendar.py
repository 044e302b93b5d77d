from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar import Calendar, Event, Timezone, vGeo, vText

from ourlondon.catalogue.models import Activity, Occurrence, Venue
from ourlondon.catalogue.recurrence import materialise_activity
from ourlondon.catalogue.tests.factories import ActivityFactory, ScheduleFactory
from ourlondon.web.calendar import (
    clean_text,
    google_calendar_url,
    ics_filename,
    london_vtimezone,
    occurrence_ics,
    outlook_calendar_url,
    series_ics,
)

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
PAGE = "https://ourlondon.example/activities/1/"


def sessions(activity: Activity, *, today: date) -> list[Occurrence]:
    materialise_activity(activity.pk, today=today)
    return list(activity.occurrences.order_by("start"))


@pytest.fixture
def tuesday_club():
    activity = ActivityFactory.create(
        title="Hackney Street Dance", description="Street dance for beginners."
    )
    ScheduleFactory.create(
        activity=activity, weekdays="TU", start_time=time(18), end_time=time(19, 30)
    )
    return activity


def parse(ics: bytes) -> Calendar:
    return Calendar.from_ical(ics)


def only_event(ics: bytes) -> Event:
    events = parse(ics).events
    assert len(events) == 1
    return events[0]


def start_of(event: Event) -> datetime:
    start = event.start
    assert isinstance(start, datetime)  # a timed session, not an all-day date
    return start


def test_summer_session_stays_18_00_london_and_is_17_00_utc(tuesday_club):
    first = sessions(tuesday_club, today=date(2026, 7, 1))[0]
    ics = occurrence_ics(first, url=PAGE)
    start = start_of(only_event(ics))
    assert str(start.tzinfo) == "Europe/London"
    assert start.replace(tzinfo=None) == datetime(2026, 7, 7, 18, 0)
    assert start.astimezone(UTC) == datetime(2026, 7, 7, 17, 0, tzinfo=UTC)
    assert b"DTSTART;TZID=Europe/London:20260707T180000" in ics
    assert b"DTEND;TZID=Europe/London:20260707T193000" in ics


def test_winter_session_stays_18_00_london_and_is_18_00_utc(tuesday_club):
    first = sessions(tuesday_club, today=date(2026, 1, 5))[0]
    ics = occurrence_ics(first, url=PAGE)
    start = start_of(only_event(ics))
    assert str(start.tzinfo) == "Europe/London"
    assert start.replace(tzinfo=None) == datetime(2026, 1, 6, 18, 0)
    assert start.astimezone(UTC) == datetime(2026, 1, 6, 18, 0, tzinfo=UTC)
    assert b"DTSTART;TZID=Europe/London:20260106T180000" in ics


def test_session_file_has_calendar_headers_and_event_details(tuesday_club):
    first = sessions(tuesday_club, today=date(2026, 7, 1))[0]
    calendar = parse(occurrence_ics(first, url=PAGE))
    assert str(calendar["PRODID"]) == "-//ourlondon//activities//EN"
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["CALSCALE"]) == "GREGORIAN"
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert [tz.tz_name for tz in calendar.timezones] == ["Europe/London"]
    assert calendar.get_missing_tzids() == set()
    event = calendar.events[0]
    venue = tuesday_club.venue
    assert str(event["UID"]).endswith("@ourlondon")
    assert event.DTSTAMP is not None
    assert event.DTSTAMP.utcoffset() == timedelta(0)
    assert str(event["SUMMARY"]) == "Hackney Street Dance"
    assert str(event["DESCRIPTION"]) == (f"Street dance for beginners.\n\nMore: {PAGE}")
    assert str(event["LOCATION"]) == f"{venue.name}, 1 Test Street, E8 3AA"
    geo = event["GEO"]
    assert isinstance(geo, vGeo)
    assert (geo.latitude, geo.longitude) == (venue.lat, venue.lng)
    assert str(event["URL"]) == PAGE


def test_online_activity_is_located_online_without_geo():
    activity = ActivityFactory.create(venue=None, is_online=True)
    ScheduleFactory.create(activity=activity)
    first = sessions(activity, today=date(2026, 7, 1))[0]
    event = only_event(occurrence_ics(first, url=PAGE))
    assert str(event["LOCATION"]) == "Online"
    assert "GEO" not in event


def test_vtimezone_agrees_with_the_tz_database_at_every_clock_change():
    # Built from its own rules, not looked up by name, to test what apps read.
    written = Timezone.from_ical(london_vtimezone().to_ical())
    assert isinstance(written, Timezone)
    from_rules = written.to_tz(lookup_tzid=False)
    for year in range(1997, 2038):
        for month in (3, 10):
            moment = datetime(year, month, 24, tzinfo=UTC)
            while moment.month == month:
                assert moment.astimezone(from_rules).utcoffset() == (
                    moment.astimezone(LONDON).utcoffset()
                ), moment
                moment += timedelta(hours=1)


def test_series_lists_each_session_across_the_clock_change(tuesday_club):
    upcoming = sessions(tuesday_club, today=date(2026, 3, 1))
    calendar = parse(series_ics(tuesday_club, upcoming, url=PAGE))
    events = calendar.events
    assert len(events) == len(upcoming) == 12
    assert str(calendar["X-WR-CALNAME"]) == "Hackney Street Dance"
    assert len({str(event["UID"]) for event in events}) == len(events)
    assert "RRULE" not in events[0]
    starts = [start_of(event) for event in events]
    assert {(start.hour, start.minute) for start in starts} == {(18, 0)}
    utc_hours = {s.date(): s.astimezone(UTC).hour for s in starts}
    assert utc_hours[date(2026, 3, 24)] == 18  # GMT
    assert utc_hours[date(2026, 3, 31)] == 17  # BST from 29 March


def test_series_uids_survive_rematerialising(tuesday_club):
    before = sessions(tuesday_club, today=date(2026, 7, 1))
    after = sessions(tuesday_club, today=date(2026, 7, 1))
    assert {o.pk for o in before}.isdisjoint({o.pk for o in after})
    uids_before = [
        str(e["UID"]) for e in parse(series_ics(tuesday_club, before, url=PAGE)).events
    ]
    uids_after = [
        str(e["UID"]) for e in parse(series_ics(tuesday_club, after, url=PAGE)).events
    ]
    assert uids_before == uids_after


def test_series_refuses_another_activitys_session(tuesday_club):
    other = ActivityFactory.create()
    ScheduleFactory.create(activity=other)
    stray = sessions(other, today=date(2026, 7, 1))[:1]
    with pytest.raises(ValueError, match="belongs to activity"):
        series_ics(tuesday_club, stray, url=PAGE)


def test_series_with_no_sessions_is_still_a_calendar(tuesday_club):
    calendar = parse(series_ics(tuesday_club, [], url=PAGE))
    assert calendar.events == []
    assert [tz.tz_name for tz in calendar.timezones] == ["Europe/London"]


AWKWARD = 'Dance, drama; music\\art\nand more 🎉 Zoë\'s "club" ' + "long " * 60


def test_awkward_title_and_description_round_trip(tuesday_club):
    tuesday_club.title = AWKWARD
    tuesday_club.description = "Line one\r\nLine two;\rthree,\x00 four\x07"
    first = sessions(tuesday_club, today=date(2026, 7, 1))[0]
    ics = occurrence_ics(first, url=PAGE)
    event = only_event(ics)
    assert str(event["SUMMARY"]) == AWKWARD.strip()
    calendar = parse(series_ics(tuesday_club, [first], url=PAGE))
    one_line = " ".join(AWKWARD.split())
    assert calendar["X-WR-CALNAME"].to_ical() == vText(one_line).to_ical()
    assert b"X-WR-CALNAME:Dance\\, drama\\; music\\\\art and more" in calendar.to_ical()
    assert str(event["DESCRIPTION"]).startswith(
        "Line one\nLine two;\nthree, four\n\nMore: "
    )
    assert all(len(line) <= 75 for line in ics.split(b"\r\n"))
    assert b"\x00" not in ics and b"\x07" not in ics


@settings(max_examples=60, deadline=None)
@given(title=st.text(), description=st.text(), address=st.text())
def test_any_text_gives_a_parseable_file_that_keeps_it(title, description, address):
    # Unsaved rows: the functions read only what they are given.
    venue = Venue(name="Hall", address=address, postcode="E8 3AA", lat=51.5, lng=0)
    activity = Activity(pk=1, title=title, description=description, venue=venue)
    start = datetime(2026, 7, 7, 17, tzinfo=UTC)
    session = Occurrence(
        activity=activity, schedule_id=1, start=start, end=start + timedelta(hours=1)
    )
    ics = series_ics(activity, [session], url=PAGE)
    assert all(len(line) <= 75 for line in ics.split(b"\r\n"))
    calendar = parse(ics)
    event = calendar.events[0]
    # icalendar reads X- properties back raw, so compare the escaped TEXT form.
    name = " ".join(clean_text(title).split())
    assert calendar["X-WR-CALNAME"].to_ical() == vText(name).to_ical()
    assert str(event["SUMMARY"]) == clean_text(title)
    assert str(event["DESCRIPTION"]).endswith(f"More: {PAGE}")


def test_google_link_carries_utc_times_and_details(tuesday_club):
    first = sessions(tuesday_club, today=date(2026, 7, 1))[0]
    link = google_calendar_url(first, url=PAGE)
    parts = urlsplit(link)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == (
        "https://calendar.google.com/calendar/render"
    )
    query = parse_qs(parts.query)
    assert query["action"] == ["TEMPLATE"]
    assert query["dates"] == ["20260707T170000Z/20260707T183000Z"]
    assert query["text"] == ["Hackney Street Dance"]
    assert query["details"] == [f"Street dance for beginners.\n\nMore: {PAGE}"]
    assert query["location"][0].endswith("E8 3AA")
    assert "+" not in parts.query


def test_outlook_link_carries_utc_times_and_details(tuesday_club):
    first = sessions(tuesday_club, today=date(2026, 1, 5))[0]
    link = outlook_calendar_url(first, url=PAGE)
    parts = urlsplit(link)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == (
        "https://outlook.live.com/calendar/0/action/compose"
    )
    query = parse_qs(parts.query)
    assert query["rru"] == ["addevent"]
    assert query["startdt"] == ["2026-01-06T18:00:00Z"]
    assert query["enddt"] == ["2026-01-06T19:30:00Z"]
    assert query["subject"] == ["Hackney Street Dance"]
    assert query["body"][0].endswith(f"More: {PAGE}")
    assert "+" not in parts.query


def test_links_keep_long_descriptions_short(tuesday_club):
    tuesday_club.description = "word " * 2000
    first = sessions(tuesday_club, today=date(2026, 7, 1))[0]
    assert len(google_calendar_url(first, url=PAGE)) < 2000
    assert len(outlook_calendar_url(first, url=PAGE)) < 2000


@pytest.mark.parametrize(
    ("title", "filename"),
    [
        ("Hackney Street Dance", "hackney-street-dance.ics"),
        ("Café Zoë: under-16s!", "cafe-zoe-under-16s.ics"),
        ("", "activity.ics"),
        ("   ", "activity.ics"),
        ("🎉🎉", "activity.ics"),
        ("足球", "activity.ics"),
        ("../../etc/passwd", "etcpasswd.ics"),
    ],
)
def test_filename_is_an_ascii_slug(title, filename):
    assert ics_filename(title) == filename


def test_filename_of_a_very_long_title_is_cut_cleanly():
    filename = ics_filename("Football " * 40)
    assert len(filename) <= 60
    assert filename.endswith(".ics")
    assert not filename.removesuffix(".ics").endswith("-")

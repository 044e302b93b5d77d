"""The calendar parser: repeating events on their own wall clock, EXDATE and
overrides, all-day and zoned events, and nothing but `CalendarProblem` for junk."""

from __future__ import annotations

from contextlib import suppress
from datetime import datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ourlondon.providers.ical_events import LONDON, CalendarProblem, parse_calendar

WINDOW = (
    datetime(2027, 3, 1, tzinfo=LONDON),
    datetime(2027, 3, 1, tzinfo=LONDON) + timedelta(weeks=26),
)


def _calendar(*events: str) -> bytes:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//t//EN"]
    for event in events:
        lines += ["BEGIN:VEVENT", *event.strip().splitlines(), "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return ("\r\n".join(lines) + "\r\n").encode()


def test_a_weekly_event_keeps_its_london_time_across_the_clock_change():
    cal = parse_calendar(
        _calendar(
            """UID:w
SUMMARY:Club
DTSTART;TZID=Europe/London:20270315T180000
DTEND;TZID=Europe/London:20270315T190000
RRULE:FREQ=WEEKLY;UNTIL=20270406T000000Z
EXDATE;TZID=Europe/London:20270322T180000"""
        ),
        window=WINDOW,
        max_dates=50,
    )
    [event] = cal.events
    starts = [d.start.astimezone(LONDON) for d in event.dates]
    assert [s.day for s in starts] == [15, 29, 5]  # 22 March excluded
    assert {s.hour for s in starts} == {18}  # 18:00 GMT and 18:00 BST
    assert {d.end - d.start for d in event.dates} == {timedelta(hours=1)}


def test_an_override_moves_one_date_and_a_cancelled_one_removes_it():
    cal = parse_calendar(
        _calendar(
            """UID:w
SUMMARY:Club
DTSTART:20270301T180000Z
RRULE:FREQ=DAILY;COUNT=3""",
            """UID:w
RECURRENCE-ID:20270302T180000Z
SUMMARY:Club (later)
DTSTART:20270302T200000Z""",
            """UID:w
RECURRENCE-ID:20270303T180000Z
STATUS:CANCELLED
DTSTART:20270303T180000Z""",
        ),
        window=WINDOW,
        max_dates=50,
    )
    [event] = cal.events
    assert [(d.start.day, d.start.hour) for d in event.dates] == [(1, 18), (2, 20)]


def test_all_day_and_past_events():
    cal = parse_calendar(
        _calendar(
            """UID:a
SUMMARY:Fun days
DTSTART;VALUE=DATE:20270410
DTEND;VALUE=DATE:20270412""",
            """UID:old
SUMMARY:Last year
DTSTART:20260101T100000Z""",
        ),
        window=WINDOW,
        max_dates=50,
    )
    fun, old = cal.events
    [dated] = fun.dates
    assert dated.all_day and dated.end - dated.start == timedelta(days=2)
    assert old.dates == ()


def test_an_endless_rule_is_capped():
    cal = parse_calendar(
        _calendar("UID:d\nSUMMARY:Daily\nDTSTART:20270301T100000\nRRULE:FREQ=DAILY"),
        window=WINDOW,
        max_dates=20,
    )
    assert len(cal.events[0].dates) == 20


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"<html>Not found</html>",
        _calendar("SUMMARY:no uid\nDTSTART:20270301T100000Z"),
        _calendar("UID:x\nDTSTART:not-a-date"),
        _calendar("UID:x\nDTSTART:20270301T100000Z\nRRULE:FREQ=SOMETIMES"),
    ],
)
def test_broken_calendars_raise_calendar_problem(body):
    with pytest.raises(CalendarProblem):
        parse_calendar(body, window=WINDOW, max_dates=10)


@given(st.binary(max_size=400))
def test_junk_never_crashes(junk):
    with suppress(CalendarProblem):
        parse_calendar(b"BEGIN:VCALENDAR\r\n" + junk, window=WINDOW, max_dates=5)


@given(st.lists(st.text(max_size=30), max_size=6))
def test_junk_lines_inside_an_event_never_crash(lines):
    body = _calendar("UID:x\nDTSTART:20270301T100000Z\n" + "\n".join(lines))
    with suppress(CalendarProblem):
        parse_calendar(body, window=WINDOW, max_dates=5)

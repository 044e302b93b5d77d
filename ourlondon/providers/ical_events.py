"""A provider's iCalendar feed as dated events. Pure: bytes in, dataclasses out.

Each VEVENT (grouped by UID) becomes one `CalendarEvent` with the dates it
happens on within a window (today and the next `PROVIDER_FEED_WEEKS`):

* a repeating event (RRULE, RDATE) is expanded by dateutil on the event's own
  wall clock, so a weekly 18:00 in Europe/London stays at 18:00 across the clock
  change; EXDATE removes dates; an override (a VEVENT with the same UID and a
  RECURRENCE-ID) replaces the date it names, and a cancelled one removes it;
* times keep their zone (TZID, UTC, or floating, which is read as London time);
* an all-day event (DTSTART;VALUE=DATE) is marked as such; DTEND is exclusive;
* an event without DTEND or DURATION lasts an hour (a day if all-day);
* a cancelled event (STATUS:CANCELLED) has no dates, so it is withdrawn.

A calendar that cannot be read, or any VEVENT with a broken property, raises
`CalendarProblem`: the whole calendar is refused, so a half-read feed never
withdraws the events it failed to read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, Final
from zoneinfo import ZoneInfo

import icalendar
from dateutil import rrule

LONDON: Final = ZoneInfo("Europe/London")
UTC: Final = ZoneInfo("UTC")
# A FREQ=MINUTELY rule from years ago would take this many steps to reach today;
# beyond it the rule is given up (what was found so far stays).
_MAX_STEPS: Final = 100_000


class CalendarProblem(Exception):
    """The calendar cannot be used; `str()` goes into the feed's last error."""


@dataclass(frozen=True)
class Dated:
    start: datetime  # aware
    end: datetime  # aware, after start
    all_day: bool = False


@dataclass(frozen=True)
class CalendarEvent:
    uid: str
    title: str
    description: str
    location: str
    dates: tuple[Dated, ...]


@dataclass
class Calendar:
    events: list[CalendarEvent] = field(default_factory=list)


def _aware(value: date | datetime) -> tuple[datetime, bool]:
    """A DTSTART-like value as an aware datetime, and whether it was a date."""
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=LONDON)), False
    return datetime.combine(value, time(0, 0), tzinfo=LONDON), True


def _key(value: date | datetime) -> datetime | date:
    """What an EXDATE or RECURRENCE-ID is compared by: the instant, or the day."""
    if isinstance(value, datetime):
        return _aware(value)[0].astimezone(UTC)
    return value


def _text(component: icalendar.Component, name: str) -> str:
    value = component.get(name)
    return str(value).strip() if value is not None else ""


def _duration(event: icalendar.Event, all_day: bool) -> timedelta:
    if "DTEND" in event or "DURATION" in event:
        length = event.duration
        if length > timedelta(0):
            return length
    return timedelta(days=1) if all_day else timedelta(hours=1)


def _like(anchor: datetime, value: date | datetime) -> datetime:
    """An RDATE in the same kind of datetime as the event's (naive or aware)."""
    if not isinstance(value, datetime):
        return datetime.combine(value, anchor.timetz())
    if anchor.tzinfo is None:
        return value.astimezone(LONDON).replace(tzinfo=None) if value.tzinfo else value
    return value if value.tzinfo else value.replace(tzinfo=LONDON)


def _starts(
    event: icalendar.Event, window: tuple[datetime, datetime], max_dates: int
) -> list[date | datetime]:
    """The event's starts (in DTSTART's own type) that fall inside the window."""
    dtstart: date | datetime = event.start
    first, last = window
    if isinstance(dtstart, datetime) and dtstart.tzinfo is not None:
        lo, hi, anchor = first, last, dtstart
    else:
        # Floating and all-day events recur on London's wall clock.
        lo = first.astimezone(LONDON).replace(tzinfo=None)
        hi = last.astimezone(LONDON).replace(tzinfo=None)
        anchor = (
            dtstart
            if isinstance(dtstart, datetime)
            else datetime.combine(dtstart, time(0, 0))
        )
    found: list[datetime] = []
    if not event.rrules:
        found.append(anchor)
    for recur in event.rrules:
        # A floating or all-day event may still give UNTIL in UTC; read it on
        # the same (London) wall clock as the event.
        rule = rrule.rrulestr(
            recur.to_ical().decode(), dtstart=anchor, ignoretz=anchor.tzinfo is None
        )
        for step, start in enumerate(rule):
            if start > hi or step > _MAX_STEPS or len(found) > 2 * max_dates:
                break
            found.append(start)
    found += [_like(anchor, rdate) for rdate, _period_end in event.rdates]
    length = _duration(event, not isinstance(dtstart, datetime))
    kept = sorted({s for s in found if s + length > lo and s <= hi})
    if isinstance(dtstart, datetime):
        return list(kept[:max_dates])
    return [s.date() for s in kept[:max_dates]]


def _dated(event: icalendar.Event, start: date | datetime) -> Dated:
    aware_start, all_day = _aware(start)
    length = _duration(event, all_day)
    if all_day:
        # Whole days: London midnight to London midnight, whatever the offset.
        days = max(length.days, 1)
        end_day = aware_start.date() + timedelta(days=days)
        return Dated(aware_start, datetime.combine(end_day, time(0, 0), LONDON), True)
    return Dated(aware_start, aware_start + length)


def _read(body: bytes) -> icalendar.Calendar:
    text = body.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not text[:15].upper().startswith(b"BEGIN:VCALENDAR"):
        head = text[:40].decode("utf-8", "replace")
        raise CalendarProblem(
            f"This is not an iCalendar file: it should start with BEGIN:VCALENDAR, "
            f"not “{head}”."
        )
    try:
        calendar = icalendar.Calendar.from_ical(text)
    except Exception as exc:  # icalendar raises ValueError and its own errors
        raise CalendarProblem(f"The calendar cannot be read: {exc}") from exc
    if not isinstance(calendar, icalendar.Calendar):
        raise CalendarProblem("The file holds more than one calendar.")
    return calendar


def parse_calendar(
    body: bytes, *, window: tuple[datetime, datetime], max_dates: int
) -> Calendar:
    """Every event of the calendar with its dates within `window` (aware)."""
    calendar = _read(body)
    masters: dict[str, icalendar.Event] = {}
    overrides: dict[str, list[icalendar.Event]] = {}
    for component in calendar.walk("VEVENT"):
        if not isinstance(component, icalendar.Event):
            continue  # walk("VEVENT") yields only events; this tells mypy
        uid = _text(component, "UID")
        if not uid:
            raise CalendarProblem(
                f"An event has no UID (“{_text(component, 'SUMMARY')[:80]}”): "
                "without one it cannot be kept up to date."
            )
        if "RECURRENCE-ID" in component:
            overrides.setdefault(uid, []).append(component)
        else:
            masters[uid] = component
    result = Calendar()
    for uid, master in masters.items():
        try:
            result.events.append(
                _event(uid, master, overrides.get(uid, []), window, max_dates)
            )
        except CalendarProblem:
            raise
        except Exception as exc:  # a broken date, rule or duration in this event
            raise CalendarProblem(
                f"The event {uid[:120]} cannot be read: {exc}"
            ) from exc
    return result


def _recurrence_id(component: icalendar.Component) -> date | datetime:
    value: Any = component.get("RECURRENCE-ID")
    when = getattr(value, "dt", None)
    if not isinstance(when, date):
        raise CalendarProblem(f"A RECURRENCE-ID is not a date or time: {value!r}.")
    return when


def _event(
    uid: str,
    master: icalendar.Event,
    overrides: list[icalendar.Event],
    window: tuple[datetime, datetime],
    max_dates: int,
) -> CalendarEvent:
    cancelled = _text(master, "STATUS").upper() == "CANCELLED"
    dates: list[Dated] = []
    if not cancelled:
        skipped: set[Any] = {_key(d) for d in master.exdates}
        skipped |= {_key(_recurrence_id(o)) for o in overrides}
        for start in _starts(master, window, max_dates):
            if _key(start) in skipped or (
                isinstance(start, datetime) and start.date() in skipped
            ):
                continue
            dates.append(_dated(master, start))
        for override in overrides:
            if _text(override, "STATUS").upper() == "CANCELLED":
                continue
            moved = _dated(override, override.start)
            if moved.end > window[0] and moved.start <= window[1]:
                dates.append(moved)
    dates.sort(key=lambda d: d.start)
    return CalendarEvent(
        uid=uid,
        title=_text(master, "SUMMARY"),
        description=_text(master, "DESCRIPTION"),
        location=_text(master, "LOCATION"),
        dates=tuple(dates[:max_dates]),
    )

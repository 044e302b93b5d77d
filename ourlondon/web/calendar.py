"""Calendar output for "add to calendar": .ics files and Google/Outlook links.

The .ics files are built with the `icalendar` library, which escapes text (commas,
semicolons, backslashes, newlines) and folds long lines at 75 octets without
splitting a UTF-8 character. We still clean text first: the library passes ASCII
control characters through, and RFC 5545 forbids them in TEXT values.

Times are written in Europe/London with a VTIMEZONE, so a calendar app shows an
18:00 session at 18:00 whatever the season (17:00 UTC in summer, 18:00 in winter).
The "add" links for Google and Outlook take UTC instead.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from urllib.parse import quote, urlencode

from django.utils.text import Truncator, slugify
from icalendar import (
    Calendar,
    Event,
    Timezone,
    TimezoneDaylight,
    TimezoneStandard,
    vText,
)

from ourlondon.catalogue.models import Activity, Occurrence
from ourlondon.catalogue.recurrence import LONDON
from ourlondon.core import clock

PRODID = "-//ourlondon//activities//EN"
LONDON_TZID = "Europe/London"
# The description is cut short, and shorter still in the "add" links: they carry
# it in a URL, which Google and Outlook refuse once it grows too long.
ICS_DESCRIPTION_CHARS = 500
LINK_DESCRIPTION_CHARS = 300
FILENAME_STEM_CHARS = 56  # plus ".ics": at most 60 characters
GOOGLE_URL = "https://calendar.google.com/calendar/render"
OUTLOOK_URL = "https://outlook.live.com/calendar/0/action/compose"

# C0 controls and DEL, except tab and newline (the library escapes newlines).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def clean_text(value: str) -> str:
    """`value` made safe for an RFC 5545 TEXT value or a URL parameter.

    Line breaks become "\\n", control characters and lone surrogates (which cannot
    be written as UTF-8) are dropped, and outer whitespace is trimmed.
    """
    value = value.encode("utf-8", errors="ignore").decode("utf-8")
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", value).strip()


def london_vtimezone() -> Timezone:
    """The VTIMEZONE for Europe/London, as yearly rules.

    Not `Timezone.from_tzid`: that writes one RDATE per clock change (and two
    STANDARD blocks), which desktop Outlook misreads, shifting summer events by an
    hour. This is the RRULE form Google Calendar and Outlook themselves write: BST
    from 01:00 GMT on the last Sunday in March to 01:00 GMT on the last Sunday in
    October, the rule since 1996. A test compares it with the tz database.
    """
    daylight = TimezoneDaylight()
    daylight.add("TZNAME", "BST")
    daylight.add("TZOFFSETFROM", timedelta(0))
    daylight.add("TZOFFSETTO", timedelta(hours=1))
    daylight.add("DTSTART", datetime(1996, 3, 31, 1, 0))
    daylight.add("RRULE", {"FREQ": "YEARLY", "BYMONTH": 3, "BYDAY": "-1SU"})
    standard = TimezoneStandard()
    standard.add("TZNAME", "GMT")
    standard.add("TZOFFSETFROM", timedelta(hours=1))
    standard.add("TZOFFSETTO", timedelta(0))
    standard.add("DTSTART", datetime(1996, 10, 27, 2, 0))
    standard.add("RRULE", {"FREQ": "YEARLY", "BYMONTH": 10, "BYDAY": "-1SU"})
    vtimezone = Timezone()
    vtimezone.add("TZID", LONDON_TZID)
    vtimezone.add("X-LIC-LOCATION", LONDON_TZID)
    vtimezone.add_component(daylight)
    vtimezone.add_component(standard)
    return vtimezone


def occurrence_uid(occurrence: Occurrence) -> str:
    """A UID that survives re-materialisation.

    Not the row's id: `materialise_schedule` deletes and re-creates future
    sessions, so ids change daily. A schedule has one session per start time (a
    database constraint), so (schedule, start) names the same session every day,
    and importing the file again updates the event instead of duplicating it.
    """
    start = occurrence.start.astimezone(UTC)
    return f"session-{occurrence.schedule_id}-{start:%Y%m%dT%H%M%SZ}@ourlondon"


def location_text(activity: Activity) -> str:
    """Venue name, address and postcode on one line, or "Online"."""
    venue = activity.venue
    if venue is None:
        return "Online"
    address = ", ".join(
        line.strip() for line in clean_text(venue.address).split("\n") if line.strip()
    )
    parts = [clean_text(venue.name), address, clean_text(venue.postcode)]
    return ", ".join(part for part in parts if part)


def description_text(activity: Activity, *, url: str, limit: int) -> str:
    """The activity's description, cut to `limit` characters, then its link."""
    short = Truncator(clean_text(activity.description)).chars(limit)
    more = f"More: {clean_text(url)}"
    return f"{short}\n\n{more}" if short else more


def _calendar(*, name: str | None = None) -> Calendar:
    calendar = Calendar()
    calendar.add("PRODID", PRODID)
    calendar.add("VERSION", "2.0")
    calendar.add("CALSCALE", "GREGORIAN")
    calendar.add("METHOD", "PUBLISH")
    if name is not None:
        # icalendar types X- properties as unknown and writes them unescaped, so
        # a comma or newline would corrupt the file: say it is TEXT, on one line.
        calendar.add("X-WR-CALNAME", vText(" ".join(clean_text(name).split())))
    # Always present, so even a calendar with no sessions has a component.
    calendar.add_component(london_vtimezone())
    return calendar


def _event(
    occurrence: Occurrence, activity: Activity, *, url: str, stamp: datetime
) -> Event:
    event = Event()
    event.add("UID", occurrence_uid(occurrence))
    event.add("DTSTAMP", stamp)
    event.add("DTSTART", occurrence.start.astimezone(LONDON))
    event.add("DTEND", occurrence.end.astimezone(LONDON))
    event.add("SUMMARY", clean_text(activity.title))
    event.add(
        "DESCRIPTION",
        description_text(activity, url=url, limit=ICS_DESCRIPTION_CHARS),
    )
    event.add("LOCATION", location_text(activity))
    venue = activity.venue
    if venue is not None and venue.lat is not None and venue.lng is not None:
        event.add("GEO", (venue.lat, venue.lng))
    event.add("URL", clean_text(url))
    return event


def occurrence_ics(occurrence: Occurrence, *, url: str) -> bytes:
    """An .ics file holding one session. `url` is the activity page's full URL."""
    activity = occurrence.activity
    calendar = _calendar()
    calendar.add_component(
        _event(occurrence, activity, url=url, stamp=clock.now().astimezone(UTC))
    )
    return calendar.to_ical()


def series_ics(
    activity: Activity, occurrences: Sequence[Occurrence], *, url: str
) -> bytes:
    """An .ics file holding the given sessions of `activity`, one VEVENT each.

    Dated sessions, not one event with an RRULE: a term-time or holidays-only
    schedule depends on the school holiday dates we hold (`HolidayPeriod`), and
    schedules carry exceptions and may combine several patterns, none of which an
    RRULE can say faithfully. Listing the sessions puts exactly what the site
    shows into the calendar. The caller picks them (e.g. the next 12 weeks).

    Raises ValueError if a session belongs to another activity. With no
    sessions the file is still valid, holding only the time zone.
    """
    stamp = clock.now().astimezone(UTC)
    calendar = _calendar(name=activity.title)
    for occurrence in occurrences:
        if occurrence.activity_id != activity.pk:
            raise ValueError(
                f"Session {occurrence.pk} belongs to activity "
                f"{occurrence.activity_id}, not {activity.pk}."
            )
        # The activity passed in, not occurrence.activity: one query, not one each.
        calendar.add_component(_event(occurrence, activity, url=url, stamp=stamp))
    return calendar.to_ical()


def _utc(moment: datetime, pattern: str) -> str:
    return moment.astimezone(UTC).strftime(pattern)


def google_calendar_url(occurrence: Occurrence, *, url: str) -> str:
    """A link that opens Google Calendar's "new event" form, filled in."""
    activity = occurrence.activity
    start = _utc(occurrence.start, "%Y%m%dT%H%M%SZ")
    end = _utc(occurrence.end, "%Y%m%dT%H%M%SZ")
    query = {
        "action": "TEMPLATE",
        "text": clean_text(activity.title),
        "dates": f"{start}/{end}",
        "details": description_text(activity, url=url, limit=LINK_DESCRIPTION_CHARS),
        "location": location_text(activity),
    }
    # Spaces as %20, not "+": "+" means a space only in form encoding, and not
    # every calendar's link handler decodes it so.
    return f"{GOOGLE_URL}?{urlencode(query, quote_via=quote)}"


def outlook_calendar_url(occurrence: Occurrence, *, url: str) -> str:
    """A link that opens Outlook on the web's "new event" form, filled in."""
    activity = occurrence.activity
    query = {
        "rru": "addevent",
        "subject": clean_text(activity.title),
        "startdt": _utc(occurrence.start, "%Y-%m-%dT%H:%M:%SZ"),
        "enddt": _utc(occurrence.end, "%Y-%m-%dT%H:%M:%SZ"),
        "body": description_text(activity, url=url, limit=LINK_DESCRIPTION_CHARS),
        "location": location_text(activity),
    }
    # Spaces as %20, as in the Google link.
    return f"{OUTLOOK_URL}?{urlencode(query, quote_via=quote)}"


def ics_filename(title: str) -> str:
    """A download filename: an ASCII slug of `title` plus ".ics", never empty.

    Accents are dropped to their base letter ("Café" → "cafe"); a title with no
    usable letters gives "activity.ics".
    """
    stem = slugify(title)[:FILENAME_STEM_CHARS].strip("-_") or "activity"
    return f"{stem}.ics"

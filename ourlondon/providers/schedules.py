"""A listing's schedules in the draft's JSON, and back.

A draft (`ListingDraft.data`) holds a `schedules` list, one dict per catalogue
`Schedule`:

    {"kind": "weekly" | "one_off", "season": "all" | "term" | "holidays",
     "weekdays": ["MO", "WE"], "start_time": "16:00", "end_time": "17:30",
     "start_date": "2026-01-05", "end_date": "2026-07-20" | "",
     "exceptions": ["2026-12-24"]}

Drafts written before several schedules existed (and the spreadsheet upload,
which fills the editor's single-schedule fields) have flat keys instead:
`weekdays, start_time, end_time, start_date, end_date`. `schedules_of` reads
both, so approval and the moderator's diff handle either.

Term time is the catalogue's own rule: a weekly schedule with season "term"
skips the school holidays in `HolidayPeriod` (loaded by `load_vocabularies`),
and "holidays" runs only in them; see `catalogue.recurrence.schedule_slots`.
"""

from __future__ import annotations

from datetime import date, time
from typing import Any

from ourlondon.catalogue.models import Schedule
from ourlondon.catalogue.vocabulary import WEEKDAY_CODES, Weekday

FLAT_KEYS = ("weekdays", "start_time", "end_time", "start_date", "end_date")
SEASON_TEXT = {
    Schedule.Season.ALL_YEAR: "",
    Schedule.Season.TERM_TIME: " in school terms only",
    Schedule.Season.HOLIDAYS: " in school holidays only",
}
DAY_SHORT = {code: label[:3] for code, label in Weekday.choices}


def flat_schedule(data: dict[str, Any]) -> dict[str, Any]:
    """The one weekly schedule of a draft in the old, flat shape."""
    return {
        "kind": Schedule.Kind.WEEKLY.value,
        "season": Schedule.Season.ALL_YEAR.value,
        "weekdays": [c for c in WEEKDAY_CODES if c in (data.get("weekdays") or [])],
        "start_time": data.get("start_time") or "",
        "end_time": data.get("end_time") or "",
        "start_date": data.get("start_date") or "",
        "end_date": data.get("end_date") or "",
        "exceptions": [],
    }


def schedules_of(data: dict[str, Any]) -> list[dict[str, Any]]:
    """A draft's schedules, whichever shape it was written in."""
    if "schedules" in data:
        return list(data["schedules"])
    if any(data.get(key) for key in FLAT_KEYS):
        return [flat_schedule(data)]
    return []


def schedule_data(schedule: Schedule) -> dict[str, Any]:
    """A catalogue schedule in the draft's shape."""
    return {
        "kind": schedule.kind,
        "season": schedule.season,
        "weekdays": schedule.weekday_list
        if schedule.kind == Schedule.Kind.WEEKLY
        else [],
        "start_time": schedule.start_time.strftime("%H:%M"),
        "end_time": schedule.end_time.strftime("%H:%M"),
        "start_date": schedule.start_date.isoformat(),
        "end_date": schedule.end_date.isoformat() if schedule.end_date else "",
        "exceptions": sorted(str(d) for d in schedule.exceptions or []),
    }


def build_schedule(data: dict[str, Any], **fields: Any) -> Schedule:
    """An unsaved catalogue schedule from the draft's shape (`fields`: e.g. the
    activity)."""
    one_off = data["kind"] == Schedule.Kind.ONE_OFF
    return Schedule(
        kind=data["kind"],
        season=Schedule.Season.ALL_YEAR
        if one_off
        else data.get("season") or Schedule.Season.ALL_YEAR,
        weekdays="" if one_off else ",".join(data.get("weekdays") or []),
        start_time=time.fromisoformat(data["start_time"]),
        end_time=time.fromisoformat(data["end_time"]),
        start_date=date.fromisoformat(data["start_date"]),
        end_date=date.fromisoformat(data["end_date"]) if data["end_date"] else None,
        exceptions=[] if one_off else sorted(data.get("exceptions") or []),
        **fields,
    )


def describe(data: dict[str, Any]) -> str:
    """One schedule in words, for the moderator: "Weekly Mon, Wed 16:00–17:30
    from 2026-01-05 until 2026-07-20, not on 2026-12-24"."""
    times = f"{data['start_time']}–{data['end_time']}"
    if data["kind"] == Schedule.Kind.ONE_OFF:
        if data["end_date"] and data["end_date"] != data["start_date"]:
            return (
                f"Once, from {data['start_date']} {data['start_time']} "
                f"to {data['end_date']} {data['end_time']}"
            )
        return f"Once, on {data['start_date']} {times}"
    days = ", ".join(DAY_SHORT[d] for d in data.get("weekdays") or []) or "no days"
    text = f"Weekly {days} {times}{SEASON_TEXT.get(data.get('season', 'all'), '')}"
    text += f" from {data['start_date']}"
    text += f" until {data['end_date']}" if data["end_date"] else ", ongoing"
    if data.get("exceptions"):
        text += ", not on " + ", ".join(data["exceptions"])
    return text

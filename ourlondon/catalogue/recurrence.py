"""Turning schedules into dated occurrences.

Recurrence is computed on London wall-clock dates (what dateutil's RFC 5545
`rrule` would give for a weekly BYDAY rule, by date arithmetic: a harvest
materialises tens of thousands of weekly sessions a second, and rrule cost more
than everything else about them), then each start is given the Europe/London
zone and stored in UTC. So a weekly
18:00 session stays at 18:00 in London across the clock changes (17:00 UTC in
summer, 18:00 UTC in winter). Weekly schedules are materialised for a rolling
window (`OCCURRENCE_WINDOW_WEEKS`, default 12) and re-materialised when they change;
one-off dates are always materialised, however far ahead, because they are single
rows and people plan for them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from dataclasses import fields as dataclass_fields
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction

from ourlondon.catalogue.models import HolidayPeriod, Occurrence, Schedule
from ourlondon.core import clock
from ourlondon.core.bulkwrite import allocate_ids, datetime_writer, insert_rows

LONDON = ZoneInfo("Europe/London")
WEEKDAY_NUMBER = {"MO": 0, "TU": 1, "WE": 2, "TH": 3, "FR": 4, "SA": 5, "SU": 6}


@dataclass(frozen=True)
class Slot:
    start: datetime  # aware, UTC
    end: datetime  # aware, UTC


def london_datetime(day: date, at: time) -> datetime:
    """An aware datetime for a London wall-clock time, converted to UTC.

    A time that does not exist (01:30 on the day clocks go forward) resolves
    forwards, per zoneinfo's fold=0 rule; no youth activity starts then.
    """
    return datetime.combine(day, at, tzinfo=LONDON).astimezone(UTC)


def weekly_days(first: date, last: date, weekdays: Iterable[str]) -> list[date]:
    """The dates in [first, last] on these weekdays (RFC 5545 codes), in order:
    what rrule(WEEKLY, byweekday=..., dtstart=first, until=last) yields (the
    tests compare the two)."""
    days: list[date] = []
    week = timedelta(weeks=1)
    for code in set(weekdays):
        day = first + timedelta(days=(WEEKDAY_NUMBER[code] - first.weekday()) % 7)
        while day <= last:
            days.append(day)
            day += week
    days.sort()
    return days


def in_holidays(day: date, holidays: Iterable[tuple[date, date]]) -> bool:
    return any(start <= day <= end for start, end in holidays)


def schedule_slots(
    schedule: Schedule | ScheduleTimes,
    *,
    window_start: date,
    window_end: date,
    holidays: list[tuple[date, date]] | None = None,
) -> Iterator[Slot]:
    """The sessions of `schedule` whose London date is in [window_start, window_end].

    One-off schedules ignore the window end (see the module docstring).
    """
    if schedule.kind == Schedule.Kind.ONE_OFF:
        last_day = schedule.end_date or schedule.start_date
        if last_day >= window_start:
            yield Slot(
                london_datetime(schedule.start_date, schedule.start_time),
                london_datetime(last_day, schedule.end_time),
            )
        return
    first = max(schedule.start_date, window_start)
    last = min(schedule.end_date or window_end, window_end)
    if last < first or not schedule.weekday_list:
        return
    holidays = holidays or []
    skipped = set(schedule.exceptions or [])
    for day in weekly_days(first, last, schedule.weekday_list):
        if day.isoformat() in skipped:
            continue
        if schedule.season == Schedule.Season.TERM_TIME and in_holidays(day, holidays):
            continue
        if schedule.season == Schedule.Season.HOLIDAYS and not in_holidays(
            day, holidays
        ):
            continue
        yield Slot(
            london_datetime(day, schedule.start_time),
            london_datetime(day, schedule.end_time),
        )


def holiday_ranges() -> list[tuple[date, date]]:
    return list(HolidayPeriod.objects.values_list("start_date", "end_date"))


def default_window(today: date | None = None) -> tuple[date, date]:
    """First and last London dates of the window: `today` and the N weeks after."""
    start = today or clock.today()
    weeks = timedelta(weeks=settings.OCCURRENCE_WINDOW_WEEKS)
    return start, start + weeks - timedelta(days=1)


@transaction.atomic
def materialise_schedule(
    schedule: Schedule,
    *,
    today: date | None = None,
    holidays: list[tuple[date, date]] | None = None,
) -> int:
    """Replace the schedule's sessions from `today` on. Past sessions are kept.

    Returns how many sessions the schedule now has from `today` on.
    """
    window_start, window_end = default_window(today)
    if holidays is None:
        holidays = holiday_ranges()
    cutoff = london_datetime(window_start, time(0, 0))
    Occurrence.objects.filter(schedule=schedule, start__gte=cutoff).delete()
    slots = schedule_slots(
        schedule, window_start=window_start, window_end=window_end, holidays=holidays
    )
    rows = [
        Occurrence(
            activity_id=schedule.activity_id,
            schedule=schedule,
            start=slot.start,
            end=slot.end,
        )
        for slot in slots
        if slot.start >= cutoff
    ]
    Occurrence.objects.bulk_create(rows)
    return len(rows)


def materialise_activity(activity_id: int, *, today: date | None = None) -> int:
    """Re-materialise every schedule of one activity; drop orphaned future sessions."""
    holidays = holiday_ranges()
    total = 0
    with transaction.atomic():
        schedules = list(Schedule.objects.filter(activity_id=activity_id))
        cutoff = london_datetime(default_window(today)[0], time(0, 0))
        Occurrence.objects.filter(activity_id=activity_id, start__gte=cutoff).exclude(
            schedule__in=schedules
        ).delete()
        for schedule in schedules:
            total += materialise_schedule(schedule, today=today, holidays=holidays)
    return total


def materialise_activities(
    activity_ids: Iterable[int], *, today: date | None = None
) -> int:
    """`materialise_activity` for many at once: a few queries in all, for
    importers that change hundreds of activities in one transaction."""
    return len(materialised_sessions(activity_ids, today=today).rows)


@dataclass(frozen=True)
class Materialised:
    """What `materialised_sessions` wrote: every session of those activities
    from `since` on, as (id, activity id, start, end)."""

    since: datetime
    rows: list[tuple[int, int, datetime, datetime]]


def materialised_sessions(
    activity_ids: Iterable[int], *, today: date | None = None
) -> Materialised:
    """`materialise_activities`, returning the sessions it wrote, so the search
    index can be built from them instead of reading them back."""
    ids = sorted(set(activity_ids))
    cutoff = london_datetime(default_window(today)[0], time(0, 0))
    if not ids:
        return Materialised(cutoff, [])
    holidays = holiday_ranges()
    with transaction.atomic():
        Occurrence.objects.filter(activity_id__one_of=ids, start__gte=cutoff).delete()
        # The delete above holds the write lock: the ids cannot be taken.
        return _write_sessions(_schedules_of(ids), today=today, holidays=holidays)


def slots_from(
    schedules: Iterable[Schedule | ScheduleTimes],
    *,
    since: datetime,
    today: date | None,
    holidays: list[tuple[date, date]],
) -> Iterator[tuple[Schedule | ScheduleTimes, Slot]]:
    """Each schedule's sessions in the default window that start at `since`
    or later, with the schedule they come from."""
    window_start, window_end = default_window(today)
    for schedule in schedules:
        for slot in schedule_slots(
            schedule,
            window_start=window_start,
            window_end=window_end,
            holidays=holidays,
        ):
            if slot.start >= since:
                yield schedule, slot


def _write_sessions(
    schedules: Iterable[ScheduleTimes],
    *,
    today: date | None,
    holidays: list[tuple[date, date]],
) -> Materialised:
    """The schedules' sessions from today on, written with ids allocated
    first (the caller's transaction must hold the write lock)."""
    cutoff = london_datetime(default_window(today)[0], time(0, 0))
    slots = [
        (schedule.activity_id, schedule.pk, slot.start, slot.end)
        for schedule, slot in slots_from(
            schedules, since=cutoff, today=today, holidays=holidays
        )
    ]
    numbers = allocate_ids(Occurrence, len(slots))
    rows = [(pk, *slot) for pk, slot in zip(numbers, slots, strict=True)]
    insert_occurrences(rows)
    return Materialised(cutoff, [(i, a, b, e) for i, a, _, b, e in rows])


@dataclass(frozen=True)
class ScheduleTimes:
    """What `schedule_slots` reads of a `Schedule`, from a plain row: building
    a model instance per schedule cost as much as computing its slots."""

    pk: int
    activity_id: int
    kind: str
    weekdays: str
    start_time: time
    end_time: time
    start_date: date
    end_date: date | None
    season: str
    exceptions: list[str]

    @property
    def weekday_list(self) -> list[str]:
        return [d for d in self.weekdays.split(",") if d]

    @classmethod
    def of(cls, schedule: Schedule) -> ScheduleTimes:
        """A schedule already in memory (as saved)."""
        return cls(*(getattr(schedule, name) for name in _TIMES_FIELDS))

    @classmethod
    def new(cls, pk: int, activity_id: int, values: Mapping[str, Any]) -> ScheduleTimes:
        """A schedule about to be inserted with this id and these field values."""
        return cls(pk, activity_id, *(values[name] for name in _TIMES_FIELDS[2:]))


_TIMES_FIELDS = [f.name for f in dataclass_fields(ScheduleTimes)]


def _schedules_of(activity_ids: list[int]) -> Iterator[ScheduleTimes]:
    schedules = Schedule.objects.filter(activity_id__one_of=activity_ids)
    for values in schedules.values_list(*_TIMES_FIELDS):
        yield ScheduleTimes(*values)


def rematerialised_schedules(
    schedules: Iterable[ScheduleTimes], *, today: date | None = None
) -> tuple[list[int], Materialised]:
    """Just these schedules' sessions from today on, replaced; their
    activities' other schedules are left alone. For a booking system's session
    feed, which changes one session of a series at a time: re-materialising
    the whole series for each costs as many times more as it has sessions.

    `schedules`: as just saved (the caller wrote them, so they are not read
    back). Returns the ids of the sessions removed and what was written."""
    wanted = {schedule.pk: schedule for schedule in schedules}
    cutoff = london_datetime(default_window(today)[0], time(0, 0))
    if not wanted:
        return [], Materialised(cutoff, [])
    holidays = holiday_ranges()
    with transaction.atomic():
        old = Occurrence.objects.filter(
            schedule_id__one_of=list(wanted), start__gte=cutoff
        )
        removed = list(old.values_list("pk", flat=True))
        if removed:
            Occurrence.objects.filter(pk__one_of=removed).delete()
        # The caller's transaction has written (the schedules): ids are ours.
        written = _write_sessions(
            [wanted[pk] for pk in sorted(wanted)], today=today, holidays=holidays
        )
    return removed, written


def insert_occurrences(rows: list[tuple[int, int, int, datetime, datetime]]) -> None:
    """(id, activity id, schedule id, start, end) rows in one statement per
    batch. A harvest materialises thousands of sessions a second; building a
    model instance for each costs more than writing it."""
    adapt = datetime_writer()
    insert_rows(
        Occurrence,
        ["id", "activity_id", "schedule_id", "start", "end"],
        ((i, a, s, adapt(start), adapt(end)) for i, a, s, start, end in rows),
    )


def materialise_all(*, today: date | None = None, batch: int = 500) -> int:
    """Roll every schedule's window forward (run daily by `run_periodic`)."""
    holidays = holiday_ranges()
    total = 0
    ids = list(Schedule.objects.order_by("pk").values_list("pk", flat=True))
    for offset in range(0, len(ids), batch):
        for schedule in Schedule.objects.filter(pk__in=ids[offset : offset + batch]):
            total += materialise_schedule(schedule, today=today, holidays=holidays)
    return total

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import override_settings
from hypothesis import example, given
from hypothesis import strategies as st

from ourlondon.catalogue.models import HolidayPeriod, Occurrence, Schedule
from ourlondon.catalogue.recurrence import (
    materialise_activity,
    materialise_all,
    materialise_schedule,
    schedule_slots,
)
from ourlondon.catalogue.tests.factories import ActivityFactory, ScheduleFactory

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


def london_times(schedule, **kwargs):
    return [
        slot.start.astimezone(LONDON)
        for slot in schedule_slots(schedule, holidays=[], **kwargs)
    ]


@pytest.mark.parametrize(
    ("start", "end", "change"),
    [
        # Last Sunday of March 2027 (28th): clocks go forward.
        (date(2027, 3, 14), date(2027, 4, 11), date(2027, 3, 28)),
        # Last Sunday of October 2026 (25th): clocks go back.
        (date(2026, 10, 11), date(2026, 11, 8), date(2026, 10, 25)),
    ],
)
def test_weekly_1800_session_stays_1800_london_across_clock_changes(start, end, change):
    schedule = ScheduleFactory.build(
        weekdays="SU", start_time=time(18), end_time=time(19), start_date=start
    )
    slots = list(
        schedule_slots(schedule, window_start=start, window_end=end, holidays=[])
    )
    assert len(slots) == 5
    assert all(s.start.astimezone(LONDON).time() == time(18) for s in slots)
    assert all(s.end.astimezone(LONDON).time() == time(19) for s in slots)
    # ...which is a different UTC hour either side of the change.
    utc_hours = {s.start.date() < change: s.start.astimezone(UTC).hour for s in slots}
    assert utc_hours[True] != utc_hours[False]
    assert sorted(utc_hours.values()) == [17, 18]


def test_weekly_schedule_respects_dates_days_and_exceptions():
    schedule = ScheduleFactory.build(
        weekdays="MO,TH",
        start_date=date(2026, 11, 30),
        end_date=date(2026, 12, 14),
        exceptions=["2026-12-03"],
    )
    days = [
        d.date()
        for d in london_times(
            schedule, window_start=date(2026, 11, 1), window_end=date(2027, 1, 31)
        )
    ]
    assert days == [
        date(2026, 11, 30),
        date(2026, 12, 7),
        date(2026, 12, 10),
        date(2026, 12, 14),
    ]


def test_term_time_schedule_skips_holidays_and_holiday_schedule_keeps_only_them():
    holidays = [(date(2026, 12, 21), date(2027, 1, 1))]
    window = {"window_start": date(2026, 12, 1), "window_end": date(2027, 1, 15)}
    term = ScheduleFactory.build(weekdays="MO", season=Schedule.Season.TERM_TIME)
    term_days = [
        s.start.date() for s in schedule_slots(term, holidays=holidays, **window)
    ]
    assert date(2026, 12, 21) not in term_days and date(2026, 12, 28) not in term_days
    assert date(2026, 12, 14) in term_days and date(2027, 1, 4) in term_days
    hols = ScheduleFactory.build(weekdays="MO", season=Schedule.Season.HOLIDAYS)
    hol_days = [
        s.start.date() for s in schedule_slots(hols, holidays=holidays, **window)
    ]
    assert hol_days == [date(2026, 12, 21), date(2026, 12, 28)]


def test_one_off_is_materialised_even_beyond_the_window():
    schedule = ScheduleFactory.build(
        kind=Schedule.Kind.ONE_OFF,
        weekdays="",
        start_date=date(2027, 8, 1),
        start_time=time(10),
        end_time=time(16),
    )
    slots = list(
        schedule_slots(
            schedule,
            window_start=date(2026, 11, 25),
            window_end=date(2027, 2, 17),
            holidays=[],
        )
    )
    assert [s.start for s in slots] == [datetime(2027, 8, 1, 9, 0, tzinfo=UTC)]


@override_settings(OCCURRENCE_WINDOW_WEEKS=4)
def test_materialise_replaces_future_sessions_and_keeps_the_past():
    schedule = ScheduleFactory.create(weekdays="TU", start_date=date(2026, 11, 1))
    past = Occurrence.objects.create(
        activity=schedule.activity,
        schedule=schedule,
        start=datetime(2026, 11, 3, 18, tzinfo=UTC),
        end=datetime(2026, 11, 3, 19, tzinfo=UTC),
    )
    today = date(2026, 11, 25)
    assert materialise_schedule(schedule, today=today, holidays=[]) == 4
    assert materialise_schedule(schedule, today=today, holidays=[]) == 4  # idempotent
    starts = list(
        Occurrence.objects.filter(schedule=schedule).values_list("start", flat=True)
    )
    assert starts[0] == past.start
    assert len(starts) == 5
    schedule.weekdays = "TU,WE"
    schedule.save()
    assert materialise_schedule(schedule, today=today, holidays=[]) == 8


def test_materialise_uses_the_school_holidays_table():
    HolidayPeriod.objects.all().delete()
    HolidayPeriod.objects.create(
        name="Xmas", start_date=date(2026, 12, 21), end_date=date(2027, 1, 1)
    )
    schedule = ScheduleFactory.create(
        weekdays="MO", start_date=date(2026, 12, 1), season=Schedule.Season.TERM_TIME
    )
    materialise_schedule(schedule, today=date(2026, 12, 1))
    days = {o.start.astimezone(LONDON).date() for o in schedule.occurrences.all()}
    assert date(2026, 12, 21) not in days
    assert date(2026, 12, 14) in days


def test_removing_a_schedule_removes_its_future_sessions():
    activity = ActivityFactory.create()
    keep = ScheduleFactory.create(activity=activity, weekdays="MO")
    drop = ScheduleFactory.create(activity=activity, weekdays="FR")
    today = date(2026, 11, 25)
    materialise_activity(activity.pk, today=today)
    assert Occurrence.objects.filter(schedule=drop).exists()
    drop.delete()  # cascades; the remaining schedule still materialises
    assert materialise_activity(activity.pk, today=today) == keep.occurrences.count()


def test_materialise_all_rolls_every_schedule():
    ScheduleFactory.create(weekdays="MO")
    ScheduleFactory.create(weekdays="SA")
    assert materialise_all(today=date(2026, 11, 25)) > 0
    assert Occurrence.objects.values("schedule").distinct().count() == 2


def rrule_slots(schedule, *, window_start, window_end, holidays):
    """The weekly path as it was, with dateutil's rrule: the reference."""
    from dateutil import rrule

    byday = {
        "MO": rrule.MO,
        "TU": rrule.TU,
        "WE": rrule.WE,
        "TH": rrule.TH,
        "FR": rrule.FR,
        "SA": rrule.SA,
        "SU": rrule.SU,
    }
    first = max(schedule.start_date, window_start)
    last = min(schedule.end_date or window_end, window_end)
    if last < first or not schedule.weekday_list:
        return []
    rule = rrule.rrule(
        rrule.WEEKLY,
        byweekday=[byday[d] for d in schedule.weekday_list],
        dtstart=datetime.combine(first, schedule.start_time),
        until=datetime.combine(last, schedule.start_time),
    )
    slots = []
    for naive in rule:
        day = naive.date()
        if day.isoformat() in set(schedule.exceptions or []):
            continue
        holiday = any(a <= day <= b for a, b in holidays)
        if schedule.season == Schedule.Season.TERM_TIME and holiday:
            continue
        if schedule.season == Schedule.Season.HOLIDAYS and not holiday:
            continue
        # In UTC, as stored: an aware time in a clock-change gap never
        # compares equal to one in another zone (PEP 495).
        slots.append(
            (
                datetime.combine(day, schedule.start_time, tzinfo=LONDON).astimezone(
                    UTC
                ),
                datetime.combine(day, schedule.end_time, tzinfo=LONDON).astimezone(UTC),
            )
        )
    return slots


# Spans several clock changes (last Sundays of March and October).
some_days = st.dates(min_value=date(2026, 1, 1), max_value=date(2028, 12, 31))
day_codes = st.sampled_from(["MO", "TU", "WE", "TH", "FR", "SA", "SU"])


@given(
    weekdays=st.lists(day_codes, min_size=1, max_size=7, unique=True),
    start_date=some_days,
    length=st.one_of(st.none(), st.integers(0, 200)),
    window_start=some_days,
    weeks=st.integers(0, 30),
    start_minute=st.integers(0, 22 * 60),
    minutes=st.integers(1, 120),
    exceptions=st.lists(some_days, max_size=6),
    season=st.sampled_from(Schedule.Season.values),
    holidays=st.lists(st.tuples(some_days, st.integers(0, 30)), max_size=4),
)
# 01:00 on the Sunday the clocks go forward does not exist in London.
@example(
    weekdays=["SU"],
    start_date=date(2026, 3, 1),
    length=None,
    window_start=date(2026, 3, 20),
    weeks=2,
    start_minute=60,
    minutes=60,
    exceptions=[],
    season=Schedule.Season.ALL_YEAR,
    holidays=[],
)
def test_weekly_slots_by_date_arithmetic_equal_rrules(
    weekdays,
    start_date,
    length,
    window_start,
    weeks,
    start_minute,
    minutes,
    exceptions,
    season,
    holidays,
):
    # Starts at any minute (01:30 on the day the clocks go forward included).
    start_time = time(start_minute // 60, start_minute % 60)
    end_minute = min(start_minute + minutes, 23 * 60 + 59)
    schedule = ScheduleFactory.build(
        weekdays=",".join(weekdays),
        start_time=start_time,
        end_time=time(end_minute // 60, end_minute % 60),
        start_date=start_date,
        end_date=None if length is None else start_date + timedelta(days=length),
        exceptions=[d.isoformat() for d in exceptions],
        season=season,
    )
    ranges = [(a, a + timedelta(days=n)) for a, n in holidays]
    window_end = window_start + timedelta(weeks=weeks)
    fast = [
        (s.start, s.end)
        for s in schedule_slots(
            schedule,
            window_start=window_start,
            window_end=window_end,
            holidays=ranges,
        )
    ]
    assert fast == rrule_slots(
        schedule, window_start=window_start, window_end=window_end, holidays=ranges
    )

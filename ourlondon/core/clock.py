"""The one place the product reads the time.

Every "now", "today", weekday, time of day, season or school-holiday question in
product code starts here, so one seam sets it for tests and previews. A test in
`core/tests/test_clock.py` fails when a product module reads the clock any other way
(`timezone.now()`, `date.today()`, SQL `Now()` …).

`OURLONDON_NOW` (an ISO 8601 London date or date-time) makes a whole process run as
if it were that moment, its clock ticking on from there. It exists for the test
suite (`make test-dates` runs the suite at chosen dates, and the served site and
the commands that tests start in their own processes inherit it) and for previewing
the site on a given day; `manage.py check` warns whenever it is set. It moves every
clock in the process, Django's and third-party code's too (by time-machine), so
`auto_now` fields, sessions and signed links agree with the product's idea of now.
"""

from __future__ import annotations

import os
import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as wall_time
from typing import Any, Final
from zoneinfo import ZoneInfo

from django.utils import timezone

LONDON: Final = ZoneInfo("Europe/London")
ENV_VAR: Final = "OURLONDON_NOW"
# Set by the first process that moved its clock, read by the ones it starts.
SET_AT_VAR: Final = "OURLONDON_NOW_SET_AT"

_travel: Any = None  # the process-wide time-machine travel, once started


def now() -> datetime:
    """This moment, timezone-aware (UTC)."""
    return timezone.now()


def local_now() -> datetime:
    """This moment on London's wall clock."""
    return now().astimezone(LONDON)


def today() -> date:
    """Today's date in London (not UTC: 00:30 BST is already tomorrow here)."""
    return local_now().date()


def timestamp() -> float:
    """Seconds since the epoch, for wall-clock deadlines stored outside the database
    (compare with `time.monotonic()` for durations inside one process)."""
    return now().timestamp()


def parse_moment(value: str | date | datetime) -> datetime:
    """A moment from an ISO 8601 date or date-time, naive values read as London
    wall-clock time (a date alone is its 00:00). In the hour the clocks go back, a
    naive time is the first of its two instants (`fold=0`).

    Raises ValueError with a readable message for anything else.
    """
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, wall_time(0, 0))
    else:
        text = value.strip()
        try:
            moment = datetime.fromisoformat(text.replace(" ", "T", 1))
        except ValueError:
            raise ValueError(
                f"{text!r} is not an ISO 8601 date or date-time "
                "(e.g. 2026-12-21 or 2026-12-31T23:30)"
            ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=LONDON)
    return moment.astimezone(UTC)


def travel_from_environment() -> datetime | None:
    """Start this process's clock at `OURLONDON_NOW`, if set (once; ticking on).

    Called as the settings load, before anything reads the time, so the web
    server's workers, `manage.py` commands and pytest all share it.
    """
    global _travel
    value = os.environ.get(ENV_VAR, "").strip()
    if not value or _travel is not None:
        return None
    start = parse_moment(value)
    # The first process notes when (really) its clock was set; the processes it
    # starts (the served site, commands) inherit that and start where its clock
    # has got to, so every process reads the same time: a second factor made by
    # a test is valid on the site it signs in to.
    real = time.time()
    set_at = os.environ.get(SET_AT_VAR, "")
    if set_at:
        start += timedelta(seconds=max(real - float(set_at), 0.0))
    else:
        os.environ[SET_AT_VAR] = repr(real)
    # Imported only when asked for: an ordinary run never patches the clock.
    import time_machine

    _travel = time_machine.travel(start, tick=True)
    _travel.start()
    return start


def travelling() -> bool:
    """Whether `OURLONDON_NOW` moved this process's clock."""
    return _travel is not None

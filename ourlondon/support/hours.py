"""Opening hours: is a place open at a given moment?

Pure (no ORM): the views hand in the rows. Hours are London wall-clock times, as
a sign on the door says them. Rules:

* `closes` after `opens`: open that day from `opens` until `closes`;
* `closes` at or before `opens` (22:00–02:00): open past midnight, until
  `closes` on the next day; `opens == closes` (00:00–00:00) is the whole day;
* a place open around the clock says so (`always_open`) instead of a row a day.

Each opening is turned into two real instants (aware, in UTC) before comparing:
comparing two datetimes that share a `ZoneInfo` compares their wall-clock
readings, which is wrong in the repeated hour of October. A wall-clock time
that does not exist (01:30 on the last Sunday of March) reads as the instant an
unchanged clock would show it (02:30 BST): `ZoneInfo` with fold 0. One that
happens twice (01:30 on the last Sunday of October) is the first (BST) one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")
WEEKDAY_NAMES = (
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
)


@dataclass(frozen=True)
class Opening:
    """Open on `weekday` (0 = Monday) from `opens` until `closes`."""

    weekday: int
    opens: time
    closes: time

    @property
    def crosses_midnight(self) -> bool:
        return self.closes <= self.opens

    def instants(self, day: date) -> tuple[datetime, datetime]:
        """The opening that starts on `day`, as UTC instants (start, end)."""
        start = datetime.combine(day, self.opens, tzinfo=LONDON)
        end_day = day + timedelta(days=1) if self.crosses_midnight else day
        end = datetime.combine(end_day, self.closes, tzinfo=LONDON)
        return start.astimezone(UTC), end.astimezone(UTC)

    def label(self) -> str:
        if self.opens == self.closes:
            return f"{WEEKDAY_NAMES[self.weekday]}: open all day"
        text = (
            f"{WEEKDAY_NAMES[self.weekday]}: {self.opens:%H:%M} to {self.closes:%H:%M}"
        )
        return text + (" (next day)" if self.crosses_midnight else "")


def is_open(
    openings: Iterable[Opening], at: datetime, *, always_open: bool = False
) -> bool:
    """True when a place with these openings is open at the instant `at`."""
    if at.tzinfo is None:
        raise ValueError("`at` must be an aware datetime")
    if always_open:
        return True
    instant = at.astimezone(UTC)
    today = at.astimezone(LONDON).date()
    for opening in openings:
        # An opening that started yesterday may still be running (past midnight).
        for day in (today - timedelta(days=1), today):
            if day.weekday() != opening.weekday:
                continue
            start, end = opening.instants(day)
            if start <= instant < end:
                return True
    return False

"""Opening hours: "open now" across midnight, around the clock and across the
clock changes (Europe/London: 30 March 2025 01:00 GMT → 02:00 BST; 26 October
2025 02:00 BST → 01:00 GMT)."""

from datetime import UTC, datetime, time

import pytest

from ourlondon.support.hours import LONDON, Opening, is_open

SAT, SUN, MON = 5, 6, 0
# 22:00 to 02:00, every night.
LATE = [Opening(d, time(22), time(2)) for d in range(7)]


def london(
    year: int, month: int, day: int, hour: int, minute: int, fold: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=LONDON, fold=fold)


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (london(2025, 6, 14, 21, 59), False),
        (london(2025, 6, 14, 22, 0), True),
        (london(2025, 6, 14, 23, 59), True),
        (london(2025, 6, 15, 0, 0), True),  # past midnight: still Saturday's opening
        (london(2025, 6, 15, 1, 59), True),
        (london(2025, 6, 15, 2, 0), False),
        (london(2025, 6, 15, 12, 0), False),
    ],
)
def test_an_opening_past_midnight_runs_into_the_next_day(moment, expected):
    assert is_open(LATE, moment) is expected


def test_only_the_day_before_carries_over_midnight():
    saturday_night = [Opening(SAT, time(22), time(2))]
    assert is_open(saturday_night, london(2025, 6, 15, 1, 0))  # Sunday 01:00
    assert not is_open(saturday_night, london(2025, 6, 16, 1, 0))  # Monday 01:00
    assert not is_open(saturday_night, london(2025, 6, 14, 1, 0))  # Saturday 01:00


def test_a_place_open_around_the_clock_is_always_open():
    for moment in (
        london(2025, 3, 30, 1, 30),  # the hour that does not exist
        london(2025, 10, 26, 1, 30, fold=1),  # the hour that happens twice
        london(2025, 12, 25, 3, 0),
    ):
        assert is_open([], moment, always_open=True)


def test_midnight_to_midnight_is_the_whole_day():
    monday = [Opening(MON, time(0), time(0))]
    assert is_open(monday, london(2025, 6, 16, 0, 0))
    assert is_open(monday, london(2025, 6, 16, 23, 59))
    assert not is_open(monday, london(2025, 6, 17, 0, 0))
    assert not is_open(monday, london(2025, 6, 15, 23, 59))


def test_spring_forward_night_closes_at_two_by_the_new_clock():
    # Saturday 29 March 22:00 GMT to Sunday 30 March 02:00 BST: 3 real hours.
    opening = [Opening(SAT, time(22), time(2))]
    assert is_open(opening, datetime(2025, 3, 29, 22, 0, tzinfo=UTC))
    assert is_open(opening, datetime(2025, 3, 30, 0, 59, tzinfo=UTC))  # 01:59 GMT
    # 01:00 UTC is 02:00 BST: closed, though only 3 hours have passed.
    assert not is_open(opening, datetime(2025, 3, 30, 1, 0, tzinfo=UTC))


def test_spring_forward_opening_in_the_missing_hour_opens_when_the_clock_would():
    # 01:30 does not exist on 30 March; it reads as 02:30 BST (01:30 UTC).
    opening = [Opening(SUN, time(1, 30), time(6))]
    assert not is_open(opening, datetime(2025, 3, 30, 1, 29, tzinfo=UTC))
    assert is_open(opening, datetime(2025, 3, 30, 1, 30, tzinfo=UTC))
    assert is_open(opening, london(2025, 3, 30, 5, 59))
    assert not is_open(opening, london(2025, 3, 30, 6, 0))


def test_a_day_opening_on_the_spring_change_day_follows_the_new_clock():
    sunday = [Opening(SUN, time(9), time(17))]
    assert not is_open(sunday, datetime(2025, 3, 30, 7, 59, tzinfo=UTC))  # 08:59 BST
    assert is_open(sunday, datetime(2025, 3, 30, 8, 0, tzinfo=UTC))  # 09:00 BST
    assert not is_open(sunday, datetime(2025, 3, 30, 16, 0, tzinfo=UTC))  # 17:00 BST


def test_fall_back_night_stays_open_through_both_one_thirties():
    # Saturday 25 October 22:00 BST to Sunday 26 October 02:00 GMT: 5 real hours.
    opening = [Opening(SAT, time(22), time(2))]
    assert is_open(opening, london(2025, 10, 26, 1, 30, fold=0))  # 00:30 UTC
    assert is_open(opening, london(2025, 10, 26, 1, 30, fold=1))  # 01:30 UTC
    assert is_open(opening, datetime(2025, 10, 26, 1, 59, tzinfo=UTC))
    assert not is_open(opening, datetime(2025, 10, 26, 2, 0, tzinfo=UTC))  # 02:00 GMT


def test_fall_back_closing_in_the_repeated_hour_is_the_first_one():
    # Closes at 01:30 on 26 October: the first 01:30 (BST, 00:30 UTC).
    opening = [Opening(SAT, time(20), time(1, 30))]
    assert is_open(opening, datetime(2025, 10, 26, 0, 29, tzinfo=UTC))
    assert not is_open(opening, datetime(2025, 10, 26, 0, 30, tzinfo=UTC))
    assert not is_open(opening, london(2025, 10, 26, 1, 15, fold=1))


def test_a_day_opening_on_the_autumn_change_day_follows_the_new_clock():
    sunday = [Opening(SUN, time(9), time(17))]
    assert not is_open(sunday, datetime(2025, 10, 26, 8, 59, tzinfo=UTC))  # 08:59 GMT
    assert is_open(sunday, datetime(2025, 10, 26, 9, 0, tzinfo=UTC))
    assert not is_open(sunday, datetime(2025, 10, 26, 17, 0, tzinfo=UTC))


def test_a_naive_datetime_is_refused():
    with pytest.raises(ValueError):
        is_open(LATE, datetime(2025, 6, 14, 23, 0))


def test_labels_say_when_closing_is_the_next_day():
    assert Opening(SAT, time(22), time(2)).label() == (
        "Saturday: 22:00 to 02:00 (next day)"
    )
    assert Opening(MON, time(0), time(0)).label() == "Monday: open all day"

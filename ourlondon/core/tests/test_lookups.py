"""`one_of` finds exactly what `in` finds, on SQLite and on PostgreSQL (the
suite runs on both)."""

from __future__ import annotations

import pytest
from django.db.models import Q

from ourlondon.catalogue.models import Activity, Schedule
from ourlondon.catalogue.tests.factories import ActivityFactory, ScheduleFactory

pytestmark = pytest.mark.django_db


def _ids(queryset: object) -> list[int]:
    return sorted(queryset.values_list("pk", flat=True))  # type: ignore[attr-defined]


def test_one_of_matches_what_in_matches_for_text_integer_and_key_columns():
    schedules = ScheduleFactory.create_batch(4)
    for n, schedule in enumerate(schedules):
        schedule.source_id = f"https://example.org/sessions/{n}?a=1&b='x\""
        schedule.save()
    names = [schedules[0].source_id, schedules[2].source_id, "not stored"]
    pks = [schedules[1].pk, schedules[3].pk, 10**9]
    activities = {schedules[0].activity_id, schedules[3].activity_id}
    for lookup, values in (
        ("source_id", names),
        ("pk", pks),
        ("activity_id", activities),
        ("activity", activities),
    ):
        expected = _ids(Schedule.objects.filter(**{f"{lookup}__in": values}))
        assert expected  # each case finds something
        assert _ids(Schedule.objects.filter(**{f"{lookup}__one_of": values})) == (
            expected
        )


def test_one_of_takes_repeated_values_and_a_generator():
    activity = ActivityFactory.create()
    found = Activity.all_objects.filter(pk__one_of=(pk for pk in [activity.pk] * 3))
    assert _ids(found) == [activity.pk]


def test_one_of_nothing_matches_nothing_and_drops_out_of_an_or():
    ActivityFactory.create()
    assert not Activity.all_objects.filter(pk__one_of=[]).exists()
    either = Activity.all_objects.filter(Q(pk__one_of=set()) | Q(pk__gt=0))
    assert either.count() == 1


def test_one_of_deletes_and_updates_only_the_rows_named():
    kept, gone = ActivityFactory.create_batch(2)
    Activity.all_objects.filter(pk__one_of={kept.pk}).update(title="Kept")
    Activity.all_objects.filter(pk__one_of={gone.pk}).delete()
    assert list(Activity.all_objects.values_list("title", flat=True)) == ["Kept"]


@pytest.mark.parametrize(
    "values",
    [[True], [None], [1.5], "abc", [b"x"]],
    ids=["bool", "none", "float", "text", "bytes"],
)
def test_one_of_refuses_values_that_are_not_plain_text_or_integers(values):
    with pytest.raises(TypeError, match="one_of"):
        Activity.all_objects.filter(pk__one_of=values)


def test_one_of_refuses_a_query_and_model_instances():
    activity = ActivityFactory.create()
    with pytest.raises(TypeError, match="one_of"):
        Activity.all_objects.filter(pk__one_of=Activity.all_objects.all())
    with pytest.raises(TypeError, match="one_of"):
        Schedule.objects.filter(activity__one_of=[activity])

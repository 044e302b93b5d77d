"""The demo data: deterministic, realistic, London-wide, and removable."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from datetime import date, time, timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from ourlondon.catalogue.demo import (
    ARCHETYPES,
    SPECS,
    DemoError,
    DemoReport,
    delete_demo,
    generate_demo,
    read_town_centres,
    scale_occurrences,
)
from ourlondon.catalogue.models import (
    Activity,
    Occurrence,
    Organisation,
    Schedule,
    Venue,
)
from ourlondon.catalogue.recurrence import holiday_ranges, materialise_schedule
from ourlondon.catalogue.vocabulary import Category
from ourlondon.core.models import Borough, Postcode

SEED = 2026
TODAY = date(2026, 3, 9)  # a Monday in term; Easter holidays start on 30 March

Dump = dict[str, list[tuple[Any, ...]]]


def dump_demo() -> Dump:
    """The meaningful fields of all demo rows, without database ids, sorted."""
    types: dict[int, list[str]] = {}
    for activity_id, slug in Activity.types.through.objects.filter(
        activity__is_demo=True
    ).values_list("activity_id", "activitytype__slug"):
        types.setdefault(activity_id, []).append(slug)
    activities = [
        (*row[1:], tuple(sorted(types.get(row[0], []))))
        for row in Activity.all_objects.filter(is_demo=True).values_list(
            "pk",
            "title",
            "description",
            "organisation__slug",
            "venue__name",
            "venue__postcode",
            "age_min",
            "age_max",
            "gender",
            "is_free",
            "price",
            "concessions",
            "accessibility",
            "booking_url",
            "booking_phone",
            "booking_email",
            "booking_notes",
            "what_to_bring",
            "status",
            "source",
            "last_confirmed_at",
        )
    ]
    result: Dump = {
        "organisations": list(
            Organisation.objects.filter(is_demo=True).values_list(
                "name",
                "slug",
                "kind",
                "charity_number",
                "company_number",
                "website",
                "public_email",
                "public_phone",
                "verification",
                "verified_at",
            )
        ),
        "venues": list(
            Venue.objects.filter(is_demo=True).values_list(
                "name",
                "address",
                "postcode",
                "lat",
                "lng",
                "borough_id",
                "organisation__slug",
                "accessibility",
            )
        ),
        "activities": activities,
        "schedules": list(
            Schedule.objects.filter(activity__is_demo=True).values_list(
                "activity__title",
                "activity__venue__postcode",
                "kind",
                "weekdays",
                "start_time",
                "end_time",
                "start_date",
                "end_date",
                "season",
                "exceptions",
            )
        ),
        "occurrences": list(
            Occurrence.objects.filter(activity__is_demo=True).values_list(
                "activity__title", "activity__venue__postcode", "start", "end"
            )
        ),
    }
    # repr keys: rows hold None next to numbers, which do not compare.
    return {name: sorted(rows, key=repr) for name, rows in result.items()}


@pytest.fixture(scope="module")
def demo(
    django_db_setup: Any, django_db_blocker: Any
) -> Iterator[tuple[DemoReport, Dump]]:
    """The demo, generated once for this module (committed, removed afterwards)."""
    with django_db_blocker.unblock():
        report = generate_demo(seed=SEED, today=TODAY)
        snapshot = dump_demo()
    yield report, snapshot
    with django_db_blocker.unblock():
        delete_demo()


def test_every_activity_type_has_an_organisation_to_run_it() -> None:
    run = {slug for archetype in ARCHETYPES for slug in archetype.runs}
    assert {spec.slug for spec in SPECS} <= run


def test_town_centres_cover_london_with_two_to_five_each() -> None:
    per_borough = Counter(c.gss_code for c in read_town_centres())
    assert sorted(per_borough) == [f"E090000{n:02d}" for n in range(1, 34)]
    assert all(2 <= n <= 5 for n in per_borough.values())


@pytest.mark.django_db
def test_town_centre_outcodes_have_postcodes_in_their_borough() -> None:
    for centre in read_town_centres():
        assert Postcode.objects.filter(
            postcode__startswith=f"{centre.outcode} ", borough_id=centre.gss_code
        ).exists(), centre


@pytest.mark.django_db
def test_same_seed_and_day_give_identical_data(demo: tuple[DemoReport, Dump]) -> None:
    report, snapshot = demo
    assert delete_demo() == report.activities
    assert not Activity.all_objects.filter(is_demo=True).exists()

    again = generate_demo(seed=SEED, today=TODAY)

    assert again == report
    assert dump_demo() == snapshot


@pytest.mark.django_db
def test_another_seed_gives_different_data(demo: tuple[DemoReport, Dump]) -> None:
    _, snapshot = demo
    delete_demo()

    generate_demo(seed=SEED + 1, today=TODAY)
    other = dump_demo()

    assert other["activities"] != snapshot["activities"]
    assert other["venues"] != snapshot["venues"]
    assert other["occurrences"] != snapshot["occurrences"]


@pytest.mark.django_db
def test_demo_covers_every_borough_category_and_price(
    demo: tuple[DemoReport, Dump],
) -> None:
    report, _ = demo
    activities = Activity.all_objects.filter(is_demo=True)

    assert report.activities == activities.count() >= 2000
    assert report.boroughs == 33
    per_borough = Counter(activities.values_list("venue__borough_id", flat=True))
    assert set(per_borough) == set(Borough.objects.values_list("pk", flat=True))
    assert all(55 <= n <= 70 for n in per_borough.values())
    categories = set(activities.values_list("types__category", flat=True))
    assert categories == set(Category.values)
    types = set(activities.values_list("types__slug", flat=True))
    assert 50 <= len(types) <= 70
    assert report.activity_types == len(types)
    free = activities.filter(is_free=True).count()
    assert 0.45 < free / report.activities < 0.65
    assert activities.filter(is_free=False, price__gte=1, price__lte=8).exists()
    assert not activities.filter(price__gt=8).exists()
    assert activities.exclude(concessions="").exists()
    assert activities.filter(gender=Activity.Gender.FEMALE).exists()
    assert (
        activities.filter(gender=Activity.Gender.ANY).count() > 0.9 * report.activities
    )


@pytest.mark.django_db
def test_demo_rows_are_marked_and_published(demo: tuple[DemoReport, Dump]) -> None:
    report, _ = demo
    activities = Activity.all_objects.filter(is_demo=True)
    assert (
        activities.filter(
            source=Activity.Source.DEMO, status=Activity.Status.PUBLISHED
        ).count()
        == report.activities
    )
    assert not activities.filter(last_confirmed_at__isnull=True).exists()
    assert Activity.public.filter(is_demo=True).count() == report.activities
    assert Venue.objects.filter(is_demo=True).count() == report.venues
    assert Organisation.objects.filter(is_demo=True).count() == report.organisations
    assert not activities.filter(organisation__is_demo=False).exists()
    assert not activities.filter(venue__is_demo=False).exists()


@pytest.mark.django_db
def test_ages_are_plausible_and_sometimes_not_stated(
    demo: tuple[DemoReport, Dump],
) -> None:
    report, _ = demo
    activities = Activity.all_objects.filter(is_demo=True)
    unstated = activities.filter(age_min__isnull=True, age_max__isnull=True).count()
    assert 0.02 < unstated / report.activities < 0.09
    stated = activities.exclude(age_min__isnull=True, age_max__isnull=True)
    for age_min, age_max in stated.values_list("age_min", "age_max"):
        assert age_min is not None and age_max is not None
        assert 8 <= age_min < age_max <= 25


@pytest.mark.django_db
def test_venues_are_at_real_postcodes_in_their_own_borough(
    demo: tuple[DemoReport, Dump],
) -> None:
    centres = {(c.gss_code, c.outcode) for c in read_town_centres()}
    venues = list(Venue.objects.filter(is_demo=True))
    postcodes = Postcode.objects.in_bulk([v.postcode for v in venues])
    for venue in venues:
        postcode = postcodes[venue.postcode]
        assert venue.borough_id == postcode.borough_id
        assert (venue.lat, venue.lng) == (postcode.lat, postcode.lng)
        assert (venue.borough_id, venue.postcode.split(" ")[0]) in centres
    assert len({v.postcode for v in venues}) == len(venues)


@pytest.mark.django_db
def test_demo_records_pass_model_validation(demo: tuple[DemoReport, Dump]) -> None:
    for organisation in Organisation.objects.filter(is_demo=True):
        organisation.full_clean()
        assert organisation.website.startswith("https://example.org/")
        assert organisation.public_email.endswith("@example.org")
    for venue in Venue.objects.filter(is_demo=True).order_by("pk")[::10]:
        venue.full_clean()
    for activity in Activity.all_objects.filter(is_demo=True).order_by("pk")[::10]:
        activity.full_clean()
        assert re.fullmatch(r"(https://example\.org/\S+)?", activity.booking_url)
        assert activity.booking_email == "" or activity.booking_email.endswith(
            "@example.org"
        )
    for schedule in Schedule.objects.filter(activity__is_demo=True).order_by("pk")[
        ::10
    ]:
        schedule.full_clean()


@pytest.mark.django_db
def test_organisations_are_a_plausible_mix(demo: tuple[DemoReport, Dump]) -> None:
    organisations = Organisation.objects.filter(is_demo=True)
    kinds = set(organisations.values_list("kind", flat=True))
    assert {"charity", "cic", "community", "school", "council", "faith"} <= kinds
    verification = Counter(organisations.values_list("verification", flat=True))
    assert verification["verified"] and verification["unverified"]
    assert not organisations.filter(
        verification="verified", verified_at__isnull=True
    ).exists()
    assert len(set(organisations.values_list("name", flat=True))) == len(organisations)


@pytest.mark.django_db
def test_schedules_mix_weekly_clubs_holidays_and_events(
    demo: tuple[DemoReport, Dump],
) -> None:
    report, _ = demo
    first: dict[int, tuple[str, str, str, date | None]] = {}
    for activity_id, kind, weekdays, season, end_date in (
        Schedule.objects.filter(activity__is_demo=True)
        .order_by("pk")
        .values_list("activity_id", "kind", "weekdays", "season", "end_date")
    ):
        first.setdefault(activity_id, (kind, weekdays, season, end_date))
    patterns = Counter(
        "one-off"
        if kind == Schedule.Kind.ONE_OFF
        else "holiday"
        if weekdays == "MO,TU,WE,TH,FR"
        and (season == "holidays" or end_date is not None)
        else "weekly"
        for kind, weekdays, season, end_date in first.values()
    )
    assert 0.6 < patterns["weekly"] / report.activities < 0.8
    assert 0.08 < patterns["holiday"] / report.activities < 0.22
    assert 0.08 < patterns["one-off"] / report.activities < 0.22
    assert Schedule.objects.filter(activity__is_demo=True, season="term").exists()

    weekly = Schedule.objects.filter(activity__is_demo=True, kind="weekly")
    for weekdays, start, end in weekly.values_list(
        "weekdays", "start_time", "end_time"
    ):
        if weekdays in {"SA", "SU"}:
            assert time(10) <= start < end <= time(17)
        elif weekdays != "MO,TU,WE,TH,FR":
            assert time(16) <= start < end <= time(21)
    horizon = TODAY + timedelta(weeks=12)
    one_offs = Schedule.objects.filter(activity__is_demo=True, kind="one_off")
    for start_date in one_offs.values_list("start_date", flat=True):
        assert TODAY < start_date <= horizon


@pytest.mark.django_db
def test_sessions_are_what_materialise_schedule_writes(
    demo: tuple[DemoReport, Dump],
) -> None:
    report, _ = demo
    assert Occurrence.objects.filter(activity__is_demo=True).count() == (
        report.occurrences
    )
    holidays = holiday_ranges()
    for schedule in Schedule.objects.filter(activity__is_demo=True).order_by("pk")[::7]:
        before = list(
            schedule.occurrences.order_by("start").values_list("start", "end")
        )
        materialise_schedule(schedule, today=TODAY, holidays=holidays)
        after = list(schedule.occurrences.order_by("start").values_list("start", "end"))
        assert before == after, schedule


@pytest.mark.django_db
def test_delete_demo_keeps_real_listings(demo: tuple[DemoReport, Dump]) -> None:
    venue = Venue.objects.filter(is_demo=True).order_by("pk").first()
    assert venue is not None
    organisation = Organisation.objects.create(
        name="A Real Club", slug="a-real-club", kind="community"
    )
    real = Activity.all_objects.create(
        title="Real Football", organisation=organisation, venue=venue
    )

    delete_demo()

    assert list(Activity.all_objects.all()) == [real]
    assert list(Venue.objects.all()) == [venue]
    assert list(Organisation.objects.all()) == [organisation]


@pytest.mark.django_db
def test_load_demo_scale_reaches_the_target(demo: tuple[DemoReport, Dump]) -> None:
    out = StringIO()

    call_command(
        "load_demo",
        "--replace",
        "--scale=60000",
        f"--today={TODAY.isoformat()}",
        verbosity=0,
        stdout=out,
    )

    total = Occurrence.objects.count()
    assert 60_000 <= total < 60_100
    assert "60,0" in out.getvalue()
    assert Activity.all_objects.filter(is_demo=True).count() > demo[0].activities
    assert not Occurrence.objects.filter(activity__is_demo=False).exists()


@pytest.mark.django_db
def test_load_demo_scale_tops_up_a_loaded_demo(demo: tuple[DemoReport, Dump]) -> None:
    report, snapshot = demo

    call_command(
        "load_demo", "--scale=40000", f"--today={TODAY.isoformat()}", verbosity=0
    )

    assert 40_000 <= Occurrence.objects.count() < 40_100
    after = dump_demo()
    assert after["organisations"] == snapshot["organisations"]
    assert after["venues"] == snapshot["venues"]
    kept = Counter(map(repr, snapshot["activities"]))
    assert not kept - Counter(map(repr, after["activities"]))  # all still there
    assert len(after["activities"]) > report.activities


@pytest.mark.django_db
def test_scaling_below_the_current_count_adds_nothing(
    demo: tuple[DemoReport, Dump],
) -> None:
    assert scale_occurrences(target=1000, seed=SEED, today=TODAY) == 0


@pytest.mark.parametrize("scale", ["0", "-1", "1000001"])
def test_load_demo_refuses_a_scale_out_of_range(scale: str) -> None:
    with pytest.raises(CommandError, match="between 1 and 1,000,000"):
        call_command("load_demo", f"--scale={scale}", verbosity=0)


def test_scale_occurrences_refuses_more_than_a_million() -> None:
    with pytest.raises(DemoError):
        scale_occurrences(target=1_000_001, seed=SEED, today=TODAY)


@pytest.mark.django_db
def test_load_demo_if_empty_does_nothing_when_activities_exist(
    demo: tuple[DemoReport, Dump],
) -> None:
    out = StringIO()
    before = Occurrence.objects.count()

    call_command("load_demo", "--if-empty", "--seed=7", stdout=out)

    assert out.getvalue() == ""
    assert Occurrence.objects.count() == before
    assert dump_demo() == demo[1]


@pytest.mark.django_db
def test_load_demo_refuses_to_load_twice(demo: tuple[DemoReport, Dump]) -> None:
    with pytest.raises(CommandError, match="--replace"):
        call_command("load_demo", verbosity=0)


@pytest.mark.django_db
def test_load_demo_into_an_empty_catalogue() -> None:
    delete_demo()  # the module's demo, if it is loaded (rolled back after the test)
    out = StringIO()

    call_command(
        "load_demo",
        "--if-empty",
        f"--today={TODAY.isoformat()}",
        verbosity=0,
        stdout=out,
    )

    assert "33 of 33 London areas" in out.getvalue()
    assert Activity.all_objects.filter(is_demo=True).count() >= 2000

from dataclasses import replace
from datetime import date, datetime, time, timedelta
from unittest.mock import patch
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ourlondon.catalogue.models import Activity, ActivityType, Organisation, Venue
from ourlondon.catalogue.recurrence import materialise_activity
from ourlondon.catalogue.tests.factories import (
    ActivityFactory,
    ScheduleFactory,
    VenueFactory,
)
from ourlondon.catalogue.vocabulary import AccessibilityFeature, Category
from ourlondon.core import clock
from ourlondon.core.postcodes import lookup_postcode
from ourlondon.search import engine
from ourlondon.search.backends import get_backend
from ourlondon.search.engine import clusters, search, similarity
from ourlondon.search.indexing import rebuild_index
from ourlondon.search.query import QueryError, SearchQuery
from ourlondon.search.reference import reference_search
from ourlondon.search.tests.catalogue import POSTCODES, TYPES, build_catalogue
from ourlondon.search.text import parse_text_query

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def catalogue(django_db_setup, django_db_blocker):
    """A random catalogue, committed for the module and removed afterwards."""
    today = clock.today()
    with django_db_blocker.unblock():
        before = {model: model.objects.count() for model in (Venue, Organisation)}
        assert not any(before.values()), "the module expects an empty catalogue"
        activities = build_catalogue(20261125, today=today, size=60)
        rebuild_index()
    yield today
    with django_db_blocker.unblock():
        # Everything it made, so later modules start from an empty catalogue.
        Activity.all_objects.filter(pk__in=[a.pk for a in activities]).delete()
        Venue.objects.all().delete()
        Organisation.objects.all().delete()
        rebuild_index()


def same(a, b):
    assert a.total == b.total
    assert [h.activity_id for h in a.hits] == [h.activity_id for h in b.hits]
    assert [h.next_starts for h in a.hits] == [h.next_starts for h in b.hits]
    assert [h.distance_km for h in a.hits] == [h.distance_km for h in b.hits]
    assert [h.age_stated for h in a.hits] == [h.age_stated for h in b.hits]
    assert [h.next_ends for h in a.hits] == [h.next_ends for h in b.hits]
    assert a.facets == b.facets


DAY = st.integers(0, 6)
query_args = st.fixed_dictionaries(
    {},
    optional={
        "text": st.sampled_from(
            [
                "football",
                "dance",
                "dancing",
                "footy",
                "code",
                "drama",
                "club",
                "art",
                "swim",
                "café",
                "boxing club",
                "bask",
                "yoga",
                "martial",
                "zzz",
            ]
        ),
        "categories": st.lists(st.sampled_from(Category.values), max_size=2),
        "activity_types": st.lists(st.sampled_from(TYPES), max_size=2),
        "postcode": st.sampled_from(POSTCODES),
        "radius_km": st.sampled_from([0.5, 1.0, 3.0, 10.0, 50.0]),
        "borough": st.sampled_from(["E09000012", "E09000022", "E09000028"]),
        "age": st.integers(5, 25),
        "weekdays": st.lists(DAY, max_size=3),
        "time_from": st.sampled_from([time(9), time(15, 30), time(18)]),
        "time_to": st.sampled_from([time(19), time(23)]),
        "days": st.integers(0, 60),
        "started_hours": st.integers(0, 40),
        "free": st.booleans(),
        "accessibility": st.lists(
            st.sampled_from(AccessibilityFeature.values), max_size=1
        ),
        "sort": st.sampled_from(["soonest", "distance", "relevance"]),
        "page": st.integers(1, 3),
        "page_size": st.sampled_from([5, 20]),
    },
)


def build_query(args, today):
    args = dict(args)
    postcode = args.pop("postcode", None)
    days = args.pop("days", None)
    started = args.pop("started_hours", None)
    if started is not None:
        # "Now" part-way through a day: sessions already started are not next.
        midnight = datetime.combine(today, time(0), tzinfo=ZoneInfo("Europe/London"))
        args["not_before"] = midnight + timedelta(hours=started, minutes=17)
    if postcode:
        found = lookup_postcode(postcode)
        args["lat"], args["lng"] = found.lat, found.lng
    else:
        args.pop("radius_km", None)
        if args.get("sort") == "distance":
            args["sort"] = "soonest"
    if (
        args.get("time_from")
        and args.get("time_to")
        and args["time_to"] < args["time_from"]
    ):
        args.pop("time_to")
    if days is not None:
        args["date_to"] = today + timedelta(days=days)
    return SearchQuery.build(date_from=today, **args)


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(args=query_args)
def test_backend_returns_exactly_what_brute_force_returns(catalogue, args):
    query = build_query(args, catalogue)
    same(search(query), reference_search(query))


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(args=query_args)
def test_plans_for_a_million_sessions_return_what_brute_force_returns(catalogue, args):
    # At a million sessions every word is "common" (other indexes lead, text
    # searches are counted in the database) and pages come from walking a day's
    # sessions a few rows at a time; a 60-activity catalogue takes those paths
    # only when the thresholds are lowered.
    with (
        patch.object(engine, "BROAD_QUERY", 1),
        patch.object(engine, "SMALL_GROUP", 0),
    ):
        query = build_query(args, catalogue)
        same(search(query), reference_search(query))


def test_a_common_word_does_not_lead_when_a_borough_narrows_more():
    backend = get_backend()
    text = replace(parse_text_query("dance"), common=True)
    in_borough = SearchQuery.build(borough="E09000012")
    anywhere = SearchQuery.build()
    led, _ = backend.document_filters(anywhere, text)
    narrowed, _ = backend.document_filters(in_borough, text)
    rare, _ = backend.document_filters(in_borough, replace(text, common=False))
    if backend.vendor == "sqlite":
        assert not led[0].startswith("+")
        assert narrowed[0].startswith("+d.activity_id IN")
        assert not rare[0].startswith("+")
    else:
        assert led == narrowed == rare


def test_reference_and_backend_agree_on_a_broad_query(catalogue):
    query = SearchQuery.build(date_from=catalogue)
    result = search(query)
    assert result.total > 20
    same(result, reference_search(query))


@pytest.fixture
def hackney(django_db_blocker):
    today = clock.today()
    football = ActivityType.objects.get(slug="football")
    dance = ActivityType.objects.get(slug="street-dance")
    basketball = ActivityType.objects.get(slug="basketball")
    made = {}
    for name, postcode, ages, types, day in [
        ("Near football", "E8 3AA", (12, 16), [football], "SA"),
        ("Far football", "E1 6AN", (10, 18), [football], "SA"),
        ("Too old football", "E8 3AA", (16, 19), [football], "SA"),
        ("Sunday football", "E8 3AA", (12, 16), [football], "SU"),
        ("Unstated football", "E8 1EJ", (None, None), [football], "SA"),
        ("Dance crew", "E8 3AA", (11, 18), [dance], "SA"),
        ("Hoops night", "E8 3AA", (11, 18), [basketball], "SA"),
        ("Karate for beginners (martial)", "E8 3AA", (11, 18), [], "SA"),
    ]:
        activity = ActivityFactory.create(
            title=name,
            description="",
            venue=VenueFactory.create(postcode=postcode),
            age_min=ages[0],
            age_max=ages[1],
            types=types or [ActivityType.objects.get(slug="karate")],
        )
        ScheduleFactory.create(
            activity=activity, weekdays=day, start_date=today - timedelta(days=1)
        )
        materialise_activity(activity.pk, today=today)
        made[name] = activity
    rebuild_index()
    return made


def titles(result):
    return [Activity.all_objects.get(pk=h.activity_id).title for h in result.hits]


def test_football_near_e8_for_a_14_year_old_on_saturday(hackney):
    point = lookup_postcode("E8 3AA")
    query = SearchQuery.build(
        text="football",
        lat=point.lat,
        lng=point.lng,
        radius_km=5,
        age=14,
        weekdays=[5],
        sort="distance",
    )
    result = search(query)
    assert titles(result) == ["Near football", "Far football", "Unstated football"]
    distances = [h.distance_km or 0.0 for h in result.hits[:2]]
    assert distances == sorted(distances)
    assert not result.hits[-1].age_stated  # "not stated" comes last


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("dancing", "Dance crew"),
        ("dance", "Dance crew"),
        ("footy", "Near football"),
        ("basketbal", "Hoops night"),
        ("baskteball", "Hoops night"),
        ("fotball", "Near football"),
    ],
)
def test_text_that_forgives(hackney, text, expected):
    result = search(SearchQuery.build(text=text))
    assert expected in titles(result)


def test_typo_correction_is_reported(hackney):
    result = search(SearchQuery.build(text="baskteball"))
    assert result.corrected_text == "basketbal"
    assert "Hoops night" in titles(result)


def test_art_does_not_match_martial(hackney):
    assert "Karate for beginners (martial)" not in titles(
        search(SearchQuery.build(text="art"))
    )


def test_unknown_gibberish_finds_nothing(hackney):
    assert search(SearchQuery.build(text="qqqxxzz")).total == 0


def test_unpublished_activity_is_not_found(hackney):
    activity = hackney["Dance crew"]
    Activity.all_objects.filter(pk=activity.pk).update(status="withdrawn")
    rebuild_index()
    assert "Dance crew" not in titles(search(SearchQuery.build(text="dance")))


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"lat": 51.5}, "lat"),
        ({"lat": 91, "lng": 0}, "lat"),
        ({"radius_km": 0}, "radius_km"),
        ({"radius_km": 51}, "radius_km"),
        ({"age": -1}, "age"),
        ({"weekdays": [7]}, "day"),
        ({"categories": ["knitting"]}, "category"),
        ({"accessibility": ["wings"]}, "accessibility"),
        ({"sort": "distance"}, "sort"),
        ({"sort": "random"}, "sort"),
        ({"page": 0}, "page"),
        ({"page_size": 101}, "page_size"),
        ({"date_from": date(2026, 5, 2), "date_to": date(2026, 5, 1)}, "date_to"),
        ({"time_from": time(18), "time_to": time(9)}, "time_to"),
    ],
)
def test_bad_queries_name_the_field(kwargs, field):
    with pytest.raises(QueryError) as info:
        SearchQuery.build(**kwargs)
    assert field in info.value.errors


PAIRS = [
    ("basketbal", "baskteball"),
    ("footbal", "fotball"),
    ("danc", "dance"),
    ("code", "coder"),
    ("a1", "b2"),
    ("yoga", "yoga"),
]


def test_trigram_similarity_properties():
    for a, b in PAIRS:
        assert similarity(a, b) == similarity(b, a)
        assert 0.0 <= similarity(a, b) <= 1.0
    assert similarity("yoga", "yoga") == 1.0
    assert similarity("abc", "xyz") == 0.0


def test_trigram_similarity_equals_pg_trgm_on_postgresql():
    from django.db import connection

    if connection.vendor != "postgresql":
        # SQLite has no pg_trgm; the Python function is the only implementation
        # there, and the properties test above covers it.
        return
    with connection.cursor() as cursor:
        for a, b in PAIRS:
            cursor.execute("SELECT similarity(%s, %s)", [a, b])
            (expected,) = cursor.fetchone()
            assert similarity(a, b) == pytest.approx(expected, abs=1e-6)


LONDON_BOX = (-0.51, 51.28, 0.34, 51.70)


@pytest.mark.parametrize("zoom", [10, 13, 16])
def test_clusters_count_every_placed_activity_once(catalogue, zoom):
    query = SearchQuery.build(date_from=catalogue, page_size=100)
    cells = clusters(query, bbox=LONDON_BOX, zoom=zoom)
    found = {h.activity_id for p in (1, 2) for h in search(query.with_page(p)).hits}
    placed = Activity.public.filter(pk__in=found, venue__isnull=False).count()
    assert placed > 20
    assert sum(c.count for c in cells) == placed
    assert all(c.activity_id is not None for c in cells if c.count == 1)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(args=query_args, zoom=st.integers(9, 17))
def test_clusters_agree_whichever_table_answers(catalogue, args, zoom):
    args = {k: v for k, v in args.items() if k not in {"time_from", "time_to"}}
    query = build_query(args, catalogue)
    by_documents = clusters(query, bbox=LONDON_BOX, zoom=zoom)
    # A time window covering the whole day forces the session-table path.
    whole_day = replace(query, time_from=time(0, 0), time_to=time(23, 59))
    by_sessions = clusters(whole_day, bbox=LONDON_BOX, zoom=zoom)
    assert by_documents == by_sessions


def test_clusters_with_a_radius_count_only_activities_inside_the_circle(catalogue):
    found = lookup_postcode("E8 3AA")
    query = SearchQuery.build(
        date_from=catalogue, lat=found.lat, lng=found.lng, radius_km=3, page_size=100
    )
    cells = clusters(query, bbox=LONDON_BOX, zoom=12)
    placed = {h.activity_id for h in search(query).hits}
    assert sum(c.count for c in cells) == len(placed) > 0


@pytest.mark.parametrize("year", [1, 1999, 2100, 9999])
def test_dates_outside_the_supported_years_are_refused(year):
    with pytest.raises(QueryError) as info:
        SearchQuery.build(date_from=date(year, 1, 1))
    assert "date_from" in info.value.errors

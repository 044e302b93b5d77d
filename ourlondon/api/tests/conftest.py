"""Fixtures for the API tests: a small catalogue with known values, a fixed clock,
and an empty response cache for every test."""

from __future__ import annotations

from datetime import time, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.cache import cache

from ourlondon.api import params
from ourlondon.catalogue.models import (
    Activity,
    ActivityType,
    Organisation,
    Schedule,
    Venue,
)
from ourlondon.catalogue.recurrence import materialise_activity
from ourlondon.catalogue.tests.factories import (
    ActivityFactory,
    OrganisationFactory,
    ScheduleFactory,
    VenueFactory,
)
from ourlondon.core import clock
from ourlondon.search.indexing import rebuild_index
from ourlondon.search.tests.catalogue import build_catalogue

TYPE_SLUGS = ["football", "street-dance", "coding"]


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with no cached API responses (they outlive a transaction)."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def now(monkeypatch):
    """The API's clock, fixed to the start of this minute."""
    moment = clock.now().replace(second=0, microsecond=0)
    monkeypatch.setattr(params, "current_time", lambda: moment)
    return moment


@pytest.fixture
def listings(db, now):
    """Three public activities and a draft, with one-off sessions on known dates.

    - football: Hackney (E8 3AA), 11 to 16, free, in 7 days 10:00-12:00
    - dance: Lambeth (SW2 1AA), age not stated, £3.50, in 3 and 10 days 18:00-19:30
    - coding: online, 13 to 18, free, in 5 days 17:00-18:00
    - draft: Hackney, never listed
    """
    today = clock.today()
    organisation = OrganisationFactory.create(name="Hackney Youth Trust")
    hackney = VenueFactory.create(
        name="Marsh Hall", address="1 Marsh Lane", postcode="E8 3AA"
    )
    lambeth = VenueFactory.create(
        name="Brixton Studio", address="2 Acre Lane", postcode="SW2 1AA"
    )
    types = {t.slug: t for t in ActivityType.objects.filter(slug__in=TYPE_SLUGS)}

    def make(title, venue, ages, free, slug, sessions, **extra):
        activity = ActivityFactory.create(
            title=title,
            description=f"{title}. All welcome.",
            organisation=organisation,
            venue=venue,
            is_online=venue is None,
            age_min=ages[0],
            age_max=ages[1],
            is_free=free,
            price=None if free else Decimal("3.50"),
            types=[types[slug]],
            **extra,
        )
        for offset, start, end in sessions:
            ScheduleFactory.create(
                activity=activity,
                kind=Schedule.Kind.ONE_OFF,
                weekdays="",
                start_date=today + timedelta(days=offset),
                start_time=start,
                end_time=end,
            )
        materialise_activity(activity.pk, today=today)
        return activity

    made = SimpleNamespace(
        today=today,
        football=make(
            "Saturday football",
            hackney,
            (11, 16),
            True,
            "football",
            [(7, time(10), time(12))],
            accessibility=["step-free"],
        ),
        dance=make(
            "Street dance crew",
            lambeth,
            (None, None),
            False,
            "street-dance",
            [(3, time(18), time(19, 30)), (10, time(18), time(19, 30))],
        ),
        coding=make(
            "Online coding club",
            None,
            (13, 18),
            True,
            "coding",
            [(5, time(17), time(18))],
        ),
        draft=make(
            "Draft football",
            hackney,
            (11, 16),
            True,
            "football",
            [(4, time(10), time(12))],
            status=Activity.Status.DRAFT,
        ),
    )
    rebuild_index()
    return made


@pytest.fixture(scope="module")
def catalogue(django_db_setup, django_db_blocker):
    """The search tests' random catalogue, committed for a module, then removed
    (organisations and venues too, so later modules start clean)."""
    with django_db_blocker.unblock():
        before = (
            set(Organisation.objects.values_list("pk", flat=True)),
            set(Venue.objects.values_list("pk", flat=True)),
        )
        activities = build_catalogue(20261125, today=clock.today(), size=60)
        rebuild_index()
    yield activities
    with django_db_blocker.unblock():
        Activity.all_objects.filter(pk__in=[a.pk for a in activities]).delete()
        Venue.objects.exclude(pk__in=before[1]).delete()
        Organisation.objects.exclude(pk__in=before[0]).delete()
        rebuild_index()

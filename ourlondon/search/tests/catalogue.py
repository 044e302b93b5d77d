"""A small random catalogue for search tests, built from a seed."""

from __future__ import annotations

import random
from datetime import date, time, timedelta
from decimal import Decimal

from ourlondon.catalogue.models import Activity, ActivityType, Schedule
from ourlondon.catalogue.recurrence import materialise_activity
from ourlondon.catalogue.tests.factories import (
    ActivityFactory,
    OrganisationFactory,
    ScheduleFactory,
    VenueFactory,
)
from ourlondon.catalogue.vocabulary import AccessibilityFeature

POSTCODES = [
    "E8 3AA",  # Hackney
    "E8 1EJ",
    "N16 7UJ",
    "SW2 1AA",  # Lambeth
    "SE15 5DQ",  # Southwark
    "SW1A 2AA",  # Westminster
    "RM1 3BB",  # Havering
    "CR0 1LD",  # Croydon
    "E1 6AN",  # Tower Hamlets
]
TYPES = [
    "football",
    "basketball",
    "street-dance",
    "ballet",
    "coding",
    "theatre",
    "boxing",
    "swimming",
    "youth-club",
    "yoga",
    "karate",
]
WORDS = ["club", "session", "academy", "juniors", "crew", "night", "taster", "café"]
TITLES = {
    "football": ["Football", "Footy", "Soccer school"],
    "basketball": ["Basketball", "Hoops"],
    "street-dance": ["Street dance", "Dancing", "Hip hop dance"],
    "ballet": ["Ballet", "Dance"],
    "coding": ["Code club", "Programming", "Coding"],
    "theatre": ["Youth theatre", "Drama"],
    "boxing": ["Boxing", "Boxercise"],
    "swimming": ["Swimming", "Swim squad"],
    "youth-club": ["Youth club", "Drop-in"],
    "yoga": ["Yoga", "Mindful movement"],
    "karate": ["Karate", "Martial arts"],
}


def build_catalogue(seed: int, *, today: date, size: int = 40) -> list[Activity]:
    rng = random.Random(seed)
    organisation = OrganisationFactory.create()
    venues = [VenueFactory.create(postcode=p) for p in POSTCODES]
    types = {t.slug: t for t in ActivityType.objects.filter(slug__in=TYPES)}
    activities = []
    for _ in range(size):
        slug = rng.choice(TYPES)
        extra = [rng.choice(TYPES)] if rng.random() < 0.2 else []
        age_min = rng.choice([None, 8, 10, 11, 13, 14, 16])
        age_max = (
            None
            if rng.random() < 0.2
            else (age_min or 5) + rng.choice([0, 3, 5, 8, 12])
        )
        if age_min is None and rng.random() < 0.5:
            age_max = None
        free = rng.random() < 0.5
        venue = rng.choice(venues + [None]) if rng.random() < 0.95 else None
        activity = ActivityFactory.create(
            title=f"{rng.choice(TITLES[slug])} {rng.choice(WORDS)}",
            description=rng.choice(["", "All welcome.", "Bring trainers.", "Free kit"]),
            organisation=organisation,
            venue=venue,
            is_online=venue is None,
            age_min=age_min,
            age_max=age_max,
            is_free=free,
            price=None if free else Decimal(rng.choice(["1.00", "3.50", "5.00"])),
            accessibility=rng.sample(AccessibilityFeature.values, rng.randint(0, 2)),
            status=rng.choice(
                [Activity.Status.PUBLISHED] * 9 + [Activity.Status.DRAFT]
            ),
            types=[types[s] for s in [slug, *extra]],
        )
        for _ in range(rng.randint(1, 2)):
            if rng.random() < 0.8:
                days = sorted(
                    rng.sample(
                        ["MO", "TU", "WE", "TH", "FR", "SA", "SU"], rng.randint(1, 2)
                    ),
                    key=["MO", "TU", "WE", "TH", "FR", "SA", "SU"].index,
                )
                hour = rng.choice([9, 10, 15, 16, 17, 18, 19])
                ScheduleFactory.create(
                    activity=activity,
                    weekdays=",".join(days),
                    start_time=time(hour, rng.choice([0, 30])),
                    end_time=time(hour + 1, 30),
                    start_date=today - timedelta(days=rng.randint(0, 30)),
                    end_date=today + timedelta(days=rng.randint(5, 80)),
                )
            else:
                ScheduleFactory.create(
                    activity=activity,
                    kind=Schedule.Kind.ONE_OFF,
                    weekdays="",
                    start_date=today + timedelta(days=rng.randint(0, 40)),
                    start_time=time(rng.choice([10, 14, 18])),
                    end_time=time(20),
                )
        materialise_activity(activity.pk, today=today)
        activities.append(activity)
    return activities

"""factory_boy factories for the catalogue. Venues sit at real London postcodes."""

from __future__ import annotations

from datetime import date, time
from typing import Any

import factory

from ourlondon.catalogue.models import (
    Activity,
    ActivityType,
    Organisation,
    Schedule,
    Venue,
)
from ourlondon.core import clock
from ourlondon.core.models import Postcode


class OrganisationFactory(factory.django.DjangoModelFactory[Organisation]):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Test Youth Project {n}")
    slug = factory.Sequence(lambda n: f"test-youth-project-{n}")
    kind = Organisation.Kind.CHARITY
    charity_number = factory.Sequence(lambda n: f"{1100000 + n}")
    verification = Organisation.Verification.VERIFIED
    verified_at = factory.LazyFunction(clock.now)


class VenueFactory(factory.django.DjangoModelFactory[Venue]):
    """A venue at a real postcode (E8 3AA, Hackney, by default)."""

    class Meta:
        model = Venue

    name = factory.Sequence(lambda n: f"Community Hall {n}")
    address = "1 Test Street"
    postcode = "E8 3AA"

    @classmethod
    def _create(cls, model_class: type[Venue], *args: Any, **kwargs: Any) -> Venue:
        row = Postcode.objects.get(postcode=kwargs["postcode"])
        kwargs.setdefault("lat", row.lat)
        kwargs.setdefault("lng", row.lng)
        kwargs.setdefault("borough_id", row.borough_id)
        return super()._create(model_class, *args, **kwargs)


class ActivityFactory(factory.django.DjangoModelFactory[Activity]):
    class Meta:
        model = Activity
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Football club {n}")
    description = "Friendly football for all abilities."
    organisation = factory.SubFactory(OrganisationFactory)
    venue = factory.SubFactory(VenueFactory)
    age_min = 11
    age_max = 16
    is_free = True
    status = Activity.Status.PUBLISHED

    @factory.post_generation
    def types(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if not create:
            return
        self.types.set(extracted or [ActivityType.objects.get(slug="football")])


class ScheduleFactory(factory.django.DjangoModelFactory[Schedule]):
    class Meta:
        model = Schedule

    activity = factory.SubFactory(ActivityFactory)
    kind = Schedule.Kind.WEEKLY
    weekdays = "TU"
    start_time = time(18, 0)
    end_time = time(19, 30)
    start_date = date(2026, 1, 1)

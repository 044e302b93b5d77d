import pytest

from ourlondon.catalogue.tests.factories import (
    ActivityFactory,
    OrganisationFactory,
    ScheduleFactory,
    VenueFactory,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "factory", [OrganisationFactory, VenueFactory, ActivityFactory, ScheduleFactory]
)
def test_factory_builds_a_valid_saved_object(factory):
    obj = factory()
    obj.full_clean()
    assert obj.pk is not None


def test_venue_factory_places_venue_in_its_postcodes_borough():
    venue = VenueFactory.create(postcode="SW2 1AA")
    assert venue.borough.name == "Lambeth"

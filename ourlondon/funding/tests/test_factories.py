import pytest

from ourlondon.funding.exporting import export_json
from ourlondon.funding.tests.factories import GrantFactory, RoundFactory

pytestmark = pytest.mark.django_db


def test_factory_grants_export_as_valid_360giving():
    grant = GrantFactory.create()
    RoundFactory.create(fund=grant.fund)
    document = export_json(fund=grant.fund)
    assert [g["id"] for g in document["grants"]] == [grant.identifier]
    assert document["grants"][0]["beneficiaryLocation"][0]["geoCode"] == "E09000012"

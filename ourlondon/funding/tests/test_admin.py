import pytest
from django.urls import reverse

from ourlondon.funding.tests.factories import GrantFactory, RoundFactory

pytestmark = pytest.mark.django_db


def test_staff_can_list_and_edit_funds_rounds_and_grants(admin_client):
    grant = GrantFactory.create(title="Boxing nights")
    round_ = RoundFactory.create(fund=grant.fund)
    for name, obj in (("fund", grant.fund), ("round", round_), ("grant", grant)):
        listing = admin_client.get(reverse(f"admin:funding_{name}_changelist"))
        assert listing.status_code == 200
        change = admin_client.get(
            reverse(f"admin:funding_{name}_change", args=[obj.pk])
        )
        assert change.status_code == 200
    rounds = admin_client.get(reverse("admin:funding_round_changelist")).content
    assert b"Open for applications" in rounds
    assert (
        b"Boxing nights"
        in admin_client.get(reverse("admin:funding_grant_changelist")).content
    )

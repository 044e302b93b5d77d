"""The provider factories make a valid organisation waiting for its check."""

from __future__ import annotations

import pytest

from ourlondon.accounts.tests.factories import make_user
from ourlondon.providers.forms import OrganisationForm, SafeguardingForm
from ourlondon.providers.models import Membership
from ourlondon.providers.tests.factories import make_organisation, organisation_post

pytestmark = pytest.mark.django_db


def test_make_organisation_is_pending_with_its_owner_and_safeguarding():
    owner = make_user()
    org = make_organisation(owner)
    assert org.verification == "pending"
    assert org.safeguarding.dbs_declared
    assert Membership.objects.get(organisation=org).user == owner


def test_organisation_post_is_valid_form_data():
    data = organisation_post()
    assert OrganisationForm(data).is_valid()
    assert SafeguardingForm(data, kind=data["kind"]).is_valid()

"""Providers with verified addresses, an organisation with its owner, a
moderator signed in with two-factor, and the real SMTP inbox."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client

from ourlondon.accounts.testing import login_with_mfa
from ourlondon.accounts.tests.factories import make_moderator, make_user
from ourlondon.catalogue.models import Organisation
from ourlondon.core import clock
from ourlondon.providers.tests.factories import make_organisation
from ourlondon.subscriptions.tests.conftest import inbox  # noqa: F401 (a fixture)


@pytest.fixture(autouse=True)
def no_counts_left_over():
    cache.clear()
    yield
    cache.clear()


def signed_in(user) -> Client:
    client = Client()
    client.force_login(
        user, backend="allauth.account.auth_backends.AuthenticationBackend"
    )
    return client


@pytest.fixture
def owner(db):
    return make_user("owner@peckhamboxing.example")


@pytest.fixture
def owner_client(owner):
    return signed_in(owner)


@pytest.fixture
def stranger(db):
    return make_user("someone@otherclub.example")


@pytest.fixture
def stranger_client(stranger):
    return signed_in(stranger)


@pytest.fixture
def moderator(db):
    return make_moderator()


@pytest.fixture
def moderator_client(moderator):
    return login_with_mfa(Client(), moderator)


@pytest.fixture
def checked_org(owner):
    """The owner's charity, checked by a moderator."""
    org = make_organisation(owner)
    Organisation.objects.filter(pk=org.pk).update(
        verification="verified", verified_at=clock.now()
    )
    org.refresh_from_db()
    return org

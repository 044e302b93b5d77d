"""Shared test setup: the test database starts with London's reference data.

Boroughs, the full London postcode table and the vocabularies are loaded once per
test session (about 5 s on SQLite), outside the per-test transactions, so every test
sees real geography without paying for it again.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

# The served site and the browser for the `browser` tests of every app.
pytest_plugins = ["ourlondon.web.tests.browser_site"]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    from ourlondon.catalogue.taxonomy import load_activity_types, load_school_holidays
    from ourlondon.core.geography import load_boroughs, load_postcodes

    with django_db_blocker.unblock():
        load_boroughs()
        load_postcodes()
        load_activity_types()
        load_school_holidays()
    yield


@pytest.fixture
def admin_client(client: Any, admin_user: Any) -> Any:
    """pytest-django's admin client, signed in with a second factor: the staff
    admin refuses staff sessions without one (accounts/middleware.py)."""
    from ourlondon.accounts.testing import login_with_mfa

    return login_with_mfa(client, admin_user)

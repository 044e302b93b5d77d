"""Shared test setup: the test database starts with London's reference data.

Boroughs, the full London postcode table and the vocabularies are loaded once per
test session (about 5 s on SQLite), outside the per-test transactions, so every test
sees real geography without paying for it again.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

# The served site, Chromium and the page for browser tests, shared by every app.
pytest_plugins = ["ourlondon.web.tests.browsing"]


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

"""Shared test setup: the test database starts with London's reference data.

Boroughs, the full London postcode table and the vocabularies are loaded once per
test session (about 5 s on SQLite), outside the per-test transactions, so every test
sees real geography without paying for it again.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any

import pytest
import time_machine

from ourlondon.core import clock as product_clock

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


class Clock:
    """The test's "now": `clock.set("2026-12-21 08:00")` (London wall-clock time,
    or an aware datetime, or a date for its 00:00), `clock.advance(hours=2)`.

    It stands still once set, and it moves every clock in the process (Django's,
    `time.time()`, third-party code's), so `auto_now` fields and signed links agree
    with the product's `ourlondon.core.clock`."""

    def __init__(self) -> None:
        self._travel: time_machine.travel | None = None
        self._coordinates: time_machine.Traveller | None = None

    def set(self, when: str | date | datetime) -> datetime:
        moment = product_clock.parse_moment(when)
        if self._coordinates is None:
            self._travel = time_machine.travel(moment, tick=False)
            self._coordinates = self._travel.start()
        else:
            self._coordinates.move_to(moment)
        return moment

    def advance(self, delta: timedelta | None = None, **parts: float) -> datetime:
        if self._coordinates is None:
            self.set(product_clock.now())
        assert self._coordinates is not None
        self._coordinates.shift(delta or timedelta(**parts))
        return product_clock.now()

    # The product clock's readings, so a test that takes this fixture (named
    # `clock`, like the module it stands beside) reads the time the same way.
    now = staticmethod(product_clock.now)
    local_now = staticmethod(product_clock.local_now)
    today = staticmethod(product_clock.today)
    timestamp = staticmethod(product_clock.timestamp)

    def stop(self) -> None:
        if self._travel is not None:
            self._travel.stop()
        self._travel = self._coordinates = None


@pytest.fixture
def clock() -> Iterator[Clock]:
    """Set "now" for one test (see `Clock`); the suite's own clock, real or
    `OURLONDON_NOW`, comes back after it."""
    control = Clock()
    yield control
    control.stop()

"""The real SMTP server of the subscriptions tests (aiosmtpd on 127.0.0.1), and
the fixture files."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.cache import cache

from ourlondon.subscriptions.tests.conftest import inbox  # noqa: F401 (a fixture)

FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(autouse=True)
def no_rate_limit_left_over():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES

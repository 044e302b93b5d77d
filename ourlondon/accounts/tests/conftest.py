"""The real SMTP inbox from the subscriptions tests, and clean counters."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from ourlondon.subscriptions.tests.conftest import inbox  # noqa: F401 (a fixture)


@pytest.fixture(autouse=True)
def no_counts_left_over():
    """allauth's rate limits and used TOTP codes live in the cache."""
    cache.clear()
    yield
    cache.clear()

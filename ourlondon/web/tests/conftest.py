"""The API tests' small catalogue (three public activities with known values and
a draft) serves the page tests too."""

from ourlondon.api.tests.conftest import empty_cache, listings, now  # noqa: F401 (fixtures)

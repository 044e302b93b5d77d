"""The search app's data migrations, run against a built index."""

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection

from ourlondon.core import clock
from ourlondon.search.indexing import rebuild_index
from ourlondon.search.models import SearchDocument
from ourlondon.search.tests.catalogue import build_catalogue

pytestmark = pytest.mark.django_db

backfill = importlib.import_module(
    "ourlondon.search.migrations.0008_backfill_day0_last_ts"
)


def test_backfill_gives_each_document_its_last_start_today_as_a_rebuild_does():
    build_catalogue(7, today=clock.today(), size=30)
    rebuild_index()
    built = dict(SearchDocument.objects.values_list("activity_id", "day0_last_ts"))
    assert any(v is not None for v in built.values())
    assert any(v is None for v in built.values())
    SearchDocument.objects.update(day0_last_ts=None)

    backfill.fill(apps, SimpleNamespace(connection=connection))

    filled = dict(SearchDocument.objects.values_list("activity_id", "day0_last_ts"))
    assert filled == built

import json
from typing import Any

import pytest

from ourlondon.catalogue.models import ActivityType
from ourlondon.catalogue.taxonomy import (
    OPENACTIVE_LIST,
    load_activity_types,
    openactive_categories,
)
from ourlondon.catalogue.vocabulary import Category

pytestmark = pytest.mark.django_db


def test_every_openactive_concept_is_an_activity_type_by_uri():
    concepts = json.loads(OPENACTIVE_LIST.read_text())["concept"]
    uris = set(
        ActivityType.objects.filter(source="openactive").values_list("uri", flat=True)
    )
    assert uris == {c["id"] for c in concepts}
    assert len(uris) == 768


def test_every_youth_category_has_types():
    used = set(ActivityType.objects.values_list("category", flat=True))
    assert used == set(Category.values)


@pytest.mark.parametrize(
    ("slug", "category"),
    [
        ("football", "sport"),
        ("street-dance", "dance"),
        ("ballet", "dance"),
        ("yoga", "wellbeing"),
        ("kayaking", "outdoor-adventure"),
        ("singing", "music"),
        ("acting", "drama-theatre"),
        ("theatre", "drama-theatre"),
        ("coding", "tech-coding"),
        ("youth-club", "youth-club"),
        ("mentoring", "mentoring"),
        ("music-production", "music"),
        ("employability", "employment-training"),
    ],
)
def test_types_sit_in_the_expected_category(slug, category):
    assert ActivityType.objects.get(slug=slug).category == category


def test_narrower_concepts_keep_their_broader_link():
    broader = ActivityType.objects.get(slug="futsal").broader
    assert broader is not None
    assert broader.slug == "football"


def test_our_own_concepts_use_our_urn_namespace():
    coding = ActivityType.objects.get(slug="coding")
    assert coding.uri == "urn:ourlondon:activity-type:coding"
    assert coding.source == "ourlondon"


def test_reloading_is_idempotent():
    before = list(ActivityType.objects.order_by("uri").values_list("uri", "slug", "pk"))
    load_activity_types()
    after = list(ActivityType.objects.order_by("uri").values_list("uri", "slug", "pk"))
    assert before == after


def test_category_of_a_deep_concept_follows_its_top_concept():
    concepts: list[dict[str, Any]] = [
        {"id": "a", "prefLabel": "Dance"},
        {"id": "b", "prefLabel": "Street", "broader": ["a"]},
        {"id": "c", "prefLabel": "Krump", "broader": ["b"]},
        {"id": "d", "prefLabel": "Loop", "broader": ["d"]},
    ]
    mapping = {"default": "sport", "concepts": {}, "top_concepts": {"Dance": "dance"}}
    assert openactive_categories(concepts, mapping) == {
        "a": "dance",
        "b": "dance",
        "c": "dance",
        "d": "sport",
    }

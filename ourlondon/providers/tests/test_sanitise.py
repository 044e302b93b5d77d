"""Provider text is stored without markup: tags and scripts go, words stay."""

from __future__ import annotations

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from ourlondon.providers.models import ListingDraft
from ourlondon.providers.sanitise import plain_text
from ourlondon.providers.tests.factories import make_organisation
from ourlondon.providers.tests.test_listings import listing_post


@pytest.mark.parametrize(
    ("given_text", "expected"),
    [
        ("Fish & chips <b>night</b>", "Fish & chips night"),
        ("<script>alert(1)</script>Hello", "Hello"),
        ("&lt;script&gt;alert(1)&lt;/script&gt;Hi", "Hi"),
        ("<<script>script>alert(1)<</script>/script>ok", "ok"),
        ('<img src=x onerror="alert(1)">Photo', "Photo"),
        ("<style>body{}</style>Styled", "Styled"),
        ("Ages 8 < 12 and > 5", "Ages 8 < 12 and > 5"),
        ("Line one\nLine two", "Line one\nLine two"),
    ],
)
def test_tags_are_removed_and_text_kept(given_text, expected):
    assert plain_text(given_text) == expected


@given(st.text())
def test_no_tag_ever_survives(text):
    cleaned = plain_text(text)
    assert "<script" not in cleaned.lower()
    assert plain_text(cleaned) == cleaned  # cleaning twice is cleaning once


# Words, numbers, punctuation, spaces and line ends (an HTML parser turns a
# carriage return into a line end, and control characters are not text).
PLAIN = st.characters(
    whitelist_categories=("L", "N", "P", "S", "Zs"), blacklist_characters="<>&"
) | st.just("\n")


@given(st.text(alphabet=PLAIN, max_size=200))
def test_text_without_markup_is_unchanged(text):
    assert plain_text(text) == text


@pytest.mark.django_db
def test_the_editor_stores_descriptions_without_markup(owner, owner_client):
    org = make_organisation(owner)
    response = owner_client.post(
        reverse("providers:listing-new", args=[org.pk]),
        listing_post(
            title="<i>Junior</i> boxing",
            description="Gloves <b>provided</b>.<script>steal()</script>",
        ),
    )
    assert response.status_code == 302
    data = ListingDraft.objects.get().data
    assert data["title"] == "Junior boxing"
    assert data["description"] == "Gloves provided."

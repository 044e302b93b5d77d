"""Provider text is plain text: HTML removed by nh3, the words kept."""

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
        ("<p>Bring <b>gloves</b></p>", "Bring gloves"),
        ("<script>alert(1)</script>Bring gloves", "Bring gloves"),
        ("<style>p{}</style>Bring gloves", "Bring gloves"),
        ('<img src=x onerror="alert(1)">Bring gloves', "Bring gloves"),
        ('<a href="javascript:alert(1)">Bring gloves</a>', "Bring gloves"),
        ("&lt;script&gt;alert(1)&lt;/script&gt;Bring gloves", "Bring gloves"),
        ("Fish &amp; chips", "Fish & chips"),
        ("Ages 11 < 16, & up", "Ages 11 < 16, & up"),
        ("Line one\nLine two", "Line one\nLine two"),
        ("<!-- hidden -->Shown", "Shown"),
        ("<<script>script>alert(1)<</script>/script>ok", "ok"),
    ],
)
def test_tags_go_and_the_text_stays(given_text, expected):
    assert plain_text(given_text) == expected


@given(st.text(max_size=300))
def test_cleaning_twice_is_cleaning_once_and_leaves_no_tag(text):
    once = plain_text(text)
    assert plain_text(once) == once
    lowered = once.lower()
    assert "<script" not in lowered
    assert "<img" not in lowered


@given(
    st.text(
        alphabet=st.characters(blacklist_characters="<>&", blacklist_categories=["Cs"]),
        max_size=200,
    )
)
def test_text_without_markup_characters_is_kept(text):
    # nh3 normalises line endings and drops NUL, as HTML parsing does.
    expected = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    assert plain_text(text) == expected


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

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ourlondon.core.postcodes import (
    InvalidPostcode,
    PostcodeOutsideLondon,
    UnknownPostcode,
    is_outcode,
    lookup_postcode,
    nearest_postcode,
    normalise_postcode,
)

OUTCODE = st.from_regex(r"\A[A-Z]{1,2}[0-9][0-9A-Z]?\Z")
INCODE = st.from_regex(r"\A[0-9][ABD-HJLNP-UW-Z]{2}\Z")


def spaced(text: str, draw_spaces: list[int]) -> str:
    out = []
    for i, ch in enumerate(text):
        out.append(" " * (draw_spaces[i % len(draw_spaces)] if draw_spaces else 0))
        out.append(ch)
    return "".join(out)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("e83aa", "E8 3AA"),
        ("E8 3AA", "E8 3AA"),
        ("  sw1a2aa ", "SW1A 2AA"),
        ("ec1a 1bb", "EC1A 1BB"),
        ("W1D\t4HS", "W1D 4HS"),
        ("gir0aa", "GIR 0AA"),
    ],
)
def test_normalise_known_shapes(raw, expected):
    assert normalise_postcode(raw) == expected


@given(OUTCODE, INCODE, st.lists(st.integers(0, 2), max_size=5), st.booleans())
def test_normalising_any_spacing_or_case_gives_outcode_space_incode(
    outcode, incode, spaces, lower
):
    raw = spaced(outcode + incode, spaces)
    raw = raw.lower() if lower else raw
    assert normalise_postcode(raw) == f"{outcode} {incode}"


@given(st.text(max_size=12))
def test_normalising_is_idempotent_and_never_crashes(text):
    try:
        once = normalise_postcode(text)
    except InvalidPostcode as exc:
        assert "not a valid UK postcode" in str(exc)
    else:
        assert normalise_postcode(once) == once
        assert once == once.upper().strip()
        assert once.count(" ") == 1


@pytest.mark.parametrize(
    "raw", ["", "hello", "E8", "E8 3A", "123 456", "E8 3CI", "Q1 1AA1"]
)
def test_invalid_postcodes_are_rejected_with_a_message(raw):
    with pytest.raises(InvalidPostcode, match="not a valid UK postcode"):
        normalise_postcode(raw)


def test_is_outcode():
    assert is_outcode("se15")
    assert not is_outcode("SE15 5")


@pytest.mark.django_db
class TestLookup:
    def test_known_postcode_has_point_and_borough(self):
        found = lookup_postcode("e83aa")
        assert found.postcode == "E8 3AA"
        assert found.borough_code == "E09000012"
        assert found.borough_name == "Hackney"
        assert 51.5 < found.lat < 51.6

    def test_non_london_postcode_says_not_in_london(self):
        with pytest.raises(PostcodeOutsideLondon, match="M1 1AA is not a London"):
            lookup_postcode("M1 1AA")

    def test_unknown_london_postcode_says_not_found(self):
        with pytest.raises(UnknownPostcode, match="could not find the postcode E8 9ZZ"):
            lookup_postcode("E8 9ZZ")

    def test_invalid_postcode_says_invalid(self):
        with pytest.raises(InvalidPostcode, match="“E8” is not a valid UK postcode"):
            lookup_postcode("E8")

    def test_a_postcodes_own_point_is_nearest_itself(self):
        here = lookup_postcode("E8 3AA")
        found = nearest_postcode(here.lat, here.lng)
        assert found is not None
        assert (found.postcode, found.borough_code) == ("E8 3AA", "E09000012")

    def test_the_nearest_postcode_is_the_closest_of_those_around(self):
        from ourlondon.core.geography import haversine_km
        from ourlondon.core.models import Postcode

        lat, lng = 51.5423, -0.0559  # London Fields, Hackney
        found = nearest_postcode(lat, lng)
        assert found is not None
        closest = min(
            Postcode.objects.filter(
                lat__range=(lat - 0.02, lat + 0.02), lng__range=(lng - 0.03, lng + 0.03)
            ),
            key=lambda row: haversine_km(lat, lng, row.lat, row.lng),
        )
        assert found.postcode == closest.postcode
        assert haversine_km(lat, lng, found.lat, found.lng) < 0.3

    def test_no_postcode_is_near_a_point_far_from_any(self):
        assert nearest_postcode(51.4, 0.9) is None  # the Thames estuary

"""The pure 360Giving reader and writer: junk never crashes it (only
FileProblem), and a grant survives the flat spreadsheet."""

from __future__ import annotations

import contextlib
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ourlondon.funding import threesixty
from ourlondon.funding.threesixty import FileProblem

text = st.text(
    alphabet=st.characters(codec="utf-8", exclude_characters="\x00"),
    min_size=1,
    max_size=40,
).filter(lambda s: s.strip() == s and s.strip())
dates = st.dates().map(lambda d: d.isoformat())
organisation = st.fixed_dictionaries(
    {"id": text, "name": text},
    optional={"postalCode": text, "charityNumber": text, "companyNumber": text},
)
grants = st.fixed_dictionaries(
    {
        "id": text.map(lambda s: "360G-" + s),
        "title": text,
        "description": text,
        "currency": st.sampled_from(["GBP", "EUR", "USD"]),
        "amountAwarded": st.one_of(
            st.integers(min_value=0, max_value=10**9),
            st.decimals(min_value=0, max_value=10**6, places=2, allow_nan=False).map(
                float
            ),
        ),
        "awardDate": dates,
        "recipientOrganization": st.lists(organisation, min_size=1, max_size=2),
        "fundingOrganization": st.lists(organisation, min_size=1, max_size=1),
    },
    optional={
        "plannedDates": st.lists(
            st.fixed_dictionaries({"startDate": dates, "endDate": dates}),
            min_size=1,
            max_size=1,
        ),
        "beneficiaryLocation": st.lists(
            st.fixed_dictionaries(
                {"name": text}, optional={"geoCode": text, "geoCodeType": text}
            ),
            min_size=1,
            max_size=3,
        ),
        "grantProgramme": st.lists(
            st.fixed_dictionaries({"title": text}), min_size=1, max_size=1
        ),
    },
)


@settings(max_examples=150, deadline=None)
@given(grants)
def test_a_grant_survives_the_flat_spreadsheet(grant):
    [(_, row)] = threesixty.parse_csv(threesixty.render_csv([grant]).encode()).rows
    back = threesixty.unflatten(row)
    if (
        isinstance(grant["amountAwarded"], float)
        and grant["amountAwarded"].is_integer()
    ):
        grant = {**grant, "amountAwarded": int(grant["amountAwarded"])}
    assert back == grant


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_junk_is_refused_whole_or_read_never_crashes(content):
    for reader in (threesixty.parse_json, threesixty.parse_csv, threesixty.parse_xlsx):
        with contextlib.suppress(FileProblem):
            reader(content)


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(text, text, max_size=6))
def test_any_row_unflattens_to_a_dict(row):
    assert isinstance(threesixty.unflatten(row), dict)


def test_the_schema_date_time_check_is_real():
    good = {"grants": [{"id": "360G-a", "awardDate": "2020-03-17T10:00:00Z"}]}
    bad = {"grants": [{"id": "360G-a", "awardDate": "2020-03-17 whenever"}]}

    def about_the_date(package):
        return [
            e
            for e in threesixty.schema_errors(package)
            if e.startswith("grants/0/awardDate")
        ]

    assert about_the_date(good) == []
    assert about_the_date(bad) != []


def test_a_bare_list_of_grants_is_read_too():
    assert threesixty.parse_json(json.dumps([{"id": "360G-a"}]).encode()) == [
        {"id": "360G-a"}
    ]
    with pytest.raises(FileProblem):
        threesixty.parse_json(b"42")

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from ourlondon.core.models import Borough, Postcode

pytestmark = pytest.mark.django_db


def test_load_geography_if_empty_does_nothing_when_loaded():
    out = StringIO()
    call_command("load_geography", if_empty=True, stdout=out)
    assert out.getvalue() == ""
    assert Postcode.objects.count() > 180_000


def test_load_geography_can_load_some_districts_only():
    out = StringIO()
    call_command("load_geography", outcodes=["E8", "sw2"], verbosity=0, stdout=out)
    assert "Loaded 33 London areas" in out.getvalue()
    outcodes = {
        p.split(" ")[0] for p in Postcode.objects.values_list("postcode", flat=True)
    }
    assert outcodes == {"E8", "SW2"}
    assert Borough.objects.count() == 33


def test_load_geography_names_a_missing_file(tmp_path: Path):
    with pytest.raises(CommandError, match="File not found"):
        call_command("load_geography", postcodes=tmp_path / "nope.csv.gz")


def test_bad_postcode_file_is_refused_and_the_table_is_kept(tmp_path: Path):
    before = Postcode.objects.count()
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "postcode,lat,lng,la_code,ward_code,quality\nE8 3AA,x,y,E09000012,,10\n"
    )
    with pytest.raises(CommandError, match="line 2"):
        call_command("load_geography", postcodes=bad, verbosity=0, stdout=StringIO())
    assert Postcode.objects.count() == before


def test_load_vocabularies_is_safe_to_rerun():
    out = StringIO()
    call_command("load_vocabularies", stdout=out)
    assert (
        "811 activity types; school holidays: 0 added, 0 updated, 19 unchanged; "
        "they run to 01 September 2028."
    ) in out.getvalue()

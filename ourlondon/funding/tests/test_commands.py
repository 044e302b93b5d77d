"""import_grants and export_grants."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from ourlondon.funding import threesixty
from ourlondon.funding.models import Grant
from ourlondon.funding.tests.factories import FundFactory

pytestmark = pytest.mark.django_db


def test_import_reports_each_bad_row_and_keeps_the_good(fixtures):
    fund = FundFactory.create()
    out = io.StringIO()
    call_command("import_grants", fixtures / "bad_rows.csv", fund=fund.slug, stdout=out)
    assert "8 rows; 2 accepted" in out.getvalue()
    assert "row 4 360G-bad-0003: the amount awarded is negative" in out.getvalue()
    assert Grant.objects.count() == 2
    with pytest.raises(CommandError, match="6 rows were rejected"):
        call_command(
            "import_grants",
            fixtures / "bad_rows.csv",
            fund=fund.slug,
            strict=True,
            stdout=io.StringIO(),
        )


def test_import_of_a_malformed_file_is_a_clear_error(tmp_path):
    fund = FundFactory.create()
    broken = tmp_path / "broken.json"
    broken.write_text('{"grants": [')
    with pytest.raises(CommandError, match="not a JSON file.*Nothing was imported"):
        call_command("import_grants", broken, fund=fund.slug)
    with pytest.raises(CommandError, match="No fund 'nope'"):
        call_command("import_grants", broken, fund="nope")
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_grants", tmp_path / "missing.json", fund=fund.slug)


def test_export_writes_valid_json_and_csv(fixtures, tmp_path):
    fund = FundFactory.create()
    call_command(
        "import_grants",
        fixtures / "borough_grants.csv",
        fund=fund.slug,
        stdout=io.StringIO(),
    )
    call_command(
        "export_grants", tmp_path / "out.json", fund=fund.slug, stdout=io.StringIO()
    )
    document = json.loads((tmp_path / "out.json").read_text())
    assert len(document["grants"]) == 8
    assert threesixty.schema_errors(document) == []
    call_command("export_grants", tmp_path / "out.csv", stdout=io.StringIO())
    assert (tmp_path / "out.csv").read_text().count("360G-test-") == 8

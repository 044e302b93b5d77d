"""School holidays: the shipped calendar, newer files, and warnings before they
run out (taxonomy.py's holiday half, its check, the admin and the daily job)."""

from __future__ import annotations

import logging
from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.core.checks import run_checks
from django.core.management import CommandError, call_command
from django.urls import reverse

from ourlondon.accounts.testing import login_with_mfa
from ourlondon.catalogue.models import HolidayPeriod
from ourlondon.catalogue.taxonomy import (
    SCHOOL_HOLIDAYS,
    VocabularyError,
    holidays_known_until,
    holidays_running_out,
    load_school_holidays,
    read_school_holidays,
)

pytestmark = pytest.mark.django_db

NEXT_YEAR = """name,start_date,end_date
Summer holiday 2028,2028-07-21,2028-09-01
Autumn half term 2028,2028-10-23,2028-10-27
Christmas holiday 2028,2028-12-20,2029-01-02
"""


def csv_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "holidays.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_shipped_holidays_run_through_the_summer_of_2028():
    holidays = read_school_holidays(SCHOOL_HOLIDAYS)
    summer = [h for h in holidays if h.name == "Summer holiday 2028"]
    assert summer and summer[0].end_date == date(2028, 9, 1)
    # Every school year in the file has its six breaks.
    for year in ("2025", "2026", "2027"):
        autumn_year = [h for h in holidays if h.start_date.isoformat()[:4] == year]
        assert any("Autumn half term" in h.name for h in autumn_year)
    assert holidays_known_until() == date(2028, 9, 1)


def test_no_warning_while_the_holidays_reach_six_months_ahead(clock):
    clock.set("2028-03-01 09:00")
    assert holidays_running_out() is None
    assert [m for m in run_checks() if m.id == "catalogue.W001"] == []


def test_the_check_warns_when_the_holidays_end_within_six_months(clock):
    clock.set("2028-03-02 09:00")
    warning = holidays_running_out()
    assert warning is not None
    assert "end on 01 September 2028" in warning
    assert "load_vocabularies --holidays FILE" in warning
    [message] = [m for m in run_checks() if m.id == "catalogue.W001"]
    assert message.msg == warning


def test_the_warning_says_ended_after_the_last_holiday(clock):
    clock.set("2028-10-02 09:00")
    assert "ended on 01 September 2028" in (holidays_running_out() or "")


def test_no_holidays_at_all_is_a_warning_too():
    HolidayPeriod.objects.all().delete()
    assert "No school holidays are loaded" in (holidays_running_out() or "")


def test_a_newer_file_adds_the_next_year_and_corrects_dates_and_the_warning_goes(
    tmp_path, clock
):
    clock.set("2028-05-01 09:00")
    assert holidays_running_out() is not None
    text = NEXT_YEAR.replace("2028-07-21", "2028-07-20")  # a corrected start
    out, err = StringIO(), StringIO()
    call_command(
        "load_vocabularies",
        holidays=csv_file(tmp_path, text),
        stdout=out,
        stderr=err,
    )
    assert "school holidays: 2 added, 1 updated, 0 unchanged" in out.getvalue()
    assert "they run to 02 January 2029" in out.getvalue()
    assert HolidayPeriod.objects.get(name="Summer holiday 2028").start_date == date(
        2028, 7, 20
    )
    assert holidays_running_out() is None
    assert err.getvalue() == ""


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("name,start\nX,2028-01-01\n", "missing: start_date, end_date"),
        ("name,start_date,end_date\nX,2028-13-01,2028-13-02\n", "line 2: dates must"),
        ("name,start_date,end_date\n,2028-01-01,2028-01-02\n", "line 2: the holiday"),
        ("name,start_date,end_date\nX,2028-01-05,2028-01-01\n", "ends before it"),
        (
            "name,start_date,end_date\nX,2028-01-01,2028-01-05\nX,2028-02-01,2028-02-05\n",
            "'X' is already on line 2",
        ),
        (
            "name,start_date,end_date\nA,2028-01-01,2028-01-09\nB,2028-01-05,2028-01-12\n",
            "'B' overlaps 'A'",
        ),
        ("name,start_date,end_date\n", "no holidays in the file"),
    ],
)
def test_a_bad_holidays_file_is_refused_whole_with_each_problem_named(
    tmp_path, text, message
):
    before = list(HolidayPeriod.objects.values_list("name", "start_date", "end_date"))
    # A good row beside the bad one is not loaded either.
    good = "\nGood half term,2029-02-12,2029-02-16\n" if "2028" in text else ""
    path = csv_file(tmp_path, text.rstrip("\n") + good)
    with pytest.raises(CommandError, match=message):
        call_command("load_vocabularies", holidays=path, stdout=StringIO())
    after = list(HolidayPeriod.objects.values_list("name", "start_date", "end_date"))
    assert after == before


def test_a_missing_holidays_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="cannot be read"):
        call_command(
            "load_vocabularies", holidays=tmp_path / "nope.csv", stdout=StringIO()
        )


def test_the_shipped_file_never_undoes_a_date_staff_corrected():
    HolidayPeriod.objects.filter(name="Easter holiday 2028").update(
        start_date=date(2028, 4, 7)
    )
    loaded = load_school_holidays()
    assert (loaded.added, loaded.updated) == (0, 0)
    assert HolidayPeriod.objects.get(name="Easter holiday 2028").start_date == date(
        2028, 4, 7
    )


def test_a_file_that_cannot_be_read_raises_a_vocabulary_error(tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes(b"name,start_date,end_date\nF\xeate,2028-01-01,2028-01-02\n")
    with pytest.raises(VocabularyError, match="cannot be read"):
        read_school_holidays(path)


def test_staff_see_the_warning_on_the_admin_front_page_and_holidays_list(
    client, admin_user, clock
):
    clock.set("2028-06-01 09:00")
    admin_client = login_with_mfa(client, admin_user)
    for url in (
        reverse("admin:index"),
        reverse("admin:catalogue_holidayperiod_changelist"),
    ):
        page = admin_client.get(url).content.decode()
        assert "The school holidays we hold end on 01 September 2028" in page, url
    clock.set("2027-01-04 09:00")
    response = login_with_mfa(client, admin_user).get(reverse("admin:index"))
    assert response.status_code == 200
    assert "The school holidays we hold" not in response.content.decode()


def test_the_daily_job_logs_the_warning(clock, caplog):
    clock.set("2028-06-01 03:15")
    err = StringIO()
    with caplog.at_level(logging.WARNING):
        call_command("run_periodic", stdout=StringIO(), stderr=err)
    assert "end on 01 September 2028" in err.getvalue()
    assert any("end on 01 September 2028" in r.getMessage() for r in caplog.records)

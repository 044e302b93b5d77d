"""Axes' login records older than LOGIN_RECORDS_DAYS are removed; newer ones
and the audit log stay."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.core.management import CommandError, call_command

from ourlondon.accounts.retention import purge_login_records
from ourlondon.accounts.tasks import purge_login_records_daily
from ourlondon.audit.log import record_event
from ourlondon.core import clock

pytestmark = pytest.mark.django_db


def _records(days_ago: int, who: str) -> None:
    when = clock.now() - timedelta(days=days_ago)
    fields = {"username": who, "ip_address": "192.0.2.1", "user_agent": "test"}
    log = AccessLog.objects.create(**fields)
    failure = AccessFailureLog.objects.create(**fields)
    attempt = AccessAttempt.objects.create(failures_since_start=1, **fields)
    # attempt_time is set on creation; move it back.
    for model, pk in ((AccessLog, log.pk), (AccessFailureLog, failure.pk)):
        model.objects.filter(pk=pk).update(attempt_time=when)
    AccessAttempt.objects.filter(pk=attempt.pk).update(attempt_time=when)


def test_records_older_than_the_setting_are_removed(settings):
    settings.LOGIN_RECORDS_DAYS = 90
    _records(91, "old@example.com")
    _records(89, "recent@example.com")
    record_event("login_failed", actor=None, actor_label="old@example.com")
    purged = purge_login_records()
    assert (purged.access_logs, purged.failure_logs, purged.attempts) == (1, 1, 1)
    for model in (AccessLog, AccessFailureLog, AccessAttempt):
        assert list(model.objects.values_list("username", flat=True)) == [
            "recent@example.com"
        ]
    from ourlondon.audit.models import AuditEvent

    assert AuditEvent.objects.filter(actor_label="old@example.com").exists()


def test_the_command_takes_days_and_refuses_nonsense():
    _records(10, "a@example.com")
    out = StringIO()
    call_command("purge_login_records", "--days", "30", stdout=out)
    assert "Removed 0 access logs" in out.getvalue()
    call_command("purge_login_records", "--days", "5", stdout=out)
    assert "Removed 1 access logs, 1 failure logs and 1 attempts." in out.getvalue()
    with pytest.raises(CommandError):
        call_command("purge_login_records", "--days", "0")


def test_the_daily_job_uses_the_setting(settings):
    settings.LOGIN_RECORDS_DAYS = 5
    _records(10, "a@example.com")
    assert purge_login_records_daily.call_local() == (1, 1, 1)

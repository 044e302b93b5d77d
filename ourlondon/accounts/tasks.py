"""Retention of login records, daily on the job queue."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from ourlondon.accounts.retention import purge_login_records


@db_periodic_task(crontab(hour="2", minute="45"))
@lock_task("accounts-purge-login-records")
def purge_login_records_daily() -> tuple[int, int, int]:
    purged = purge_login_records()
    return purged.access_logs, purged.failure_logs, purged.attempts

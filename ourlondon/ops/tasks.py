"""The daily jobs on the job queue (the same work as `manage.py run_periodic`)."""

from __future__ import annotations

from django.core.management import call_command
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task


@db_periodic_task(crontab(hour="3", minute="15"))
@lock_task("ops-run-periodic")
def run_periodic_jobs() -> None:
    call_command("run_periodic")

"""Freshness, daily on the job queue (the same work as `check_freshness`)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from ourlondon.providers.freshness import check_freshness


@db_periodic_task(crontab(hour="9", minute="0"))
@lock_task("providers-check-freshness")
def check_freshness_daily() -> tuple[int, int]:
    # Mid-morning, so a reminder arrives when someone can act on it.
    run = check_freshness()
    return run.reminded, run.hidden

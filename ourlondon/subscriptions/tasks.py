"""Sending and retention on the job queue. A failed send is tried again, and a
run only ever sends what is still waiting."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task

from ourlondon.subscriptions.models import Announcement
from ourlondon.subscriptions.rights import purge
from ourlondon.subscriptions.sending import queue_announcement, send_pending


@db_task(retries=5, retry_delay=60)
def send_announcement(announcement_id: int) -> int:
    announcement = Announcement.objects.get(pk=announcement_id)
    queue_announcement(announcement)
    return send_pending(announcement)


@db_periodic_task(crontab(hour="2", minute="30"))
@lock_task("subscriptions-purge")
def purge_expired() -> tuple[int, int]:
    return purge()

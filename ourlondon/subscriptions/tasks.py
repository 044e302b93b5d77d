"""Sending and retention on the job queue. A failed send is tried again, and a
run only ever sends what is still waiting."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task

from ourlondon.subscriptions.digest import send_digests
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


@db_periodic_task(crontab(day_of_week="1", hour="7", minute="0"))
@lock_task("subscriptions-digest")
def weekly_digest() -> tuple[int, int]:
    return send_digests()

"""Sending on the job queue, with retries: a failed run is tried again, and a
run only ever sends what is still waiting."""

from __future__ import annotations

from huey.contrib.djhuey import db_task

from ourlondon.subscriptions.models import Announcement
from ourlondon.subscriptions.sending import queue_announcement, send_pending


@db_task(retries=5, retry_delay=60)
def send_announcement(announcement_id: int) -> int:
    announcement = Announcement.objects.get(pk=announcement_id)
    queue_announcement(announcement)
    return send_pending(announcement)

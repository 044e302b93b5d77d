"""Announcement sending: N confirmed subscribers, one announcement, sent to a
local SMTP server (aiosmtpd on 127.0.0.1) by the same code the job queue runs.

    .venv/bin/python bench/announce.py                  # N = 100,000
    .venv/bin/python bench/announce.py --recipients 20000

Prints the time to queue the deliveries, messages per second for the send, the
messages the server received (must equal N: once each), and the peak RSS of the
sending process. A fresh SQLite database in a temporary folder; everything stops
by itself.
"""

from __future__ import annotations

import argparse
import os
import resource
import socket
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--recipients", type=int, default=100_000)
    options = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="ourlondon-bench-announce-"))
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "ourlondon.settings",
            "OURLONDON_VAR_DIR": str(folder),
            "SECRET_KEY": "bench-only",
            "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
            "REDIS_URL": "",
            "LOG_LEVEL": "ERROR",
        }
    )
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()
    from aiosmtpd.controller import Controller
    from django.conf import settings
    from django.core.management import call_command

    from ourlondon.subscriptions.models import Announcement, Subscriber, Topic
    from ourlondon.subscriptions.sending import queue_announcement, send_pending

    class Count:
        received = 0

        async def handle_DATA(self, server, session, envelope):  # noqa: N802
            Count.received += 1
            return "250 OK"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Count(), hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port

    call_command("migrate", verbosity=0)
    topic = Topic.objects.get(slug="vru-news")
    print(f"creating {options.recipients:,} confirmed subscribers ...", flush=True)
    Subscriber.objects.bulk_create(
        (
            Subscriber(email=f"person{i}@example.org", status="confirmed")
            for i in range(options.recipients)
        ),
        batch_size=5000,
    )
    Through = Subscriber.topics.through
    Through.objects.bulk_create(
        (
            Through(subscriber_id=pk, topic_id=topic.pk)
            for pk in Subscriber.objects.values_list("pk", flat=True).iterator()
        ),
        batch_size=5000,
    )
    news = Announcement.objects.create(topic=topic, subject="Bench", body="Hello.")

    started = time.perf_counter()
    queued = queue_announcement(news)
    queue_seconds = time.perf_counter() - started
    started = time.perf_counter()
    sent = send_pending(news)
    send_seconds = time.perf_counter() - started
    controller.stop()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"queued {queued:,} deliveries in {queue_seconds:.1f} s")
    print(
        f"sent {sent:,} messages in {send_seconds:.1f} s: "
        f"{sent / send_seconds:,.0f} messages/s; server received {Count.received:,}"
    )
    print(f"peak RSS {peak:.0f} MB")
    return 0 if Count.received == options.recipients else 1


if __name__ == "__main__":
    sys.exit(main())

"""`kill -9` of the process sending a round's announcement, midway, then the
next run: every confirmed subscriber has the message exactly once, over real
SMTP (aiosmtpd on 127.0.0.1).

The sender runs as a real process on its own SQLite file (marker `served`,
run once, in the SQLite pass). The SMTP server accepts three messages, then
holds the fourth without answering; the process is killed while it waits.
"""

from __future__ import annotations

import asyncio
import email
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

pytestmark = pytest.mark.served
BASE_DIR = Path(__file__).resolve().parents[3]
SUBSCRIBERS = 8

SETUP = f"""
from datetime import timedelta
from ourlondon.core import clock
from ourlondon.funding.models import Fund, Round
from ourlondon.subscriptions.models import Subscriber, Topic
topic = Topic.objects.get(slug="community-seed-fund")
fund = Fund.objects.create(slug="seed", name="Seed Fund", administering_body="x",
                           topic=topic)
today = clock.today()
Round.objects.create(fund=fund, name="Spring round", opens=today,
                     closes=today + timedelta(days=30))
for i in range({SUBSCRIBERS}):
    s = Subscriber.objects.create(email=f"person{{i}}@example.org",
                                  status="confirmed", confirmed_at=clock.now())
    s.topics.add(topic)
"""
# What the job queue's periodic check does, run in the foreground.
RUN = """
from ourlondon.funding.rounds import rounds_to_announce
from ourlondon.funding.tasks import send_round_opening
for r in rounds_to_announce():
    send_round_opening.call_local(r.pk)
"""


class HoldingInbox:
    """Accepts messages until `hold_after`, then keeps the next one waiting."""

    def __init__(self, hold_after: int) -> None:
        self.accepted: list[str] = []
        self.hold_after = hold_after
        self.holding = threading.Event()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd)
        if len(self.accepted) >= self.hold_after:
            self.holding.set()
            await asyncio.sleep(3600)
        self.accepted.append(email.message_from_bytes(envelope.content)["To"])
        return "250 OK"


def shell(env: dict[str, str], code: str, **kwargs) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=BASE_DIR,
        env=env,
        text=True,
        **kwargs,
    )


def test_a_killed_send_is_finished_by_the_next_run_exactly_once(tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = HoldingInbox(hold_after=3)
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "ourlondon.settings",
        "OURLONDON_VAR_DIR": str(tmp_path),
        "SECRET_KEY": "killed-send-test-only",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "REDIS_URL": "",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(port),
        "SITE_URL": "http://testserver",
        "LOG_LEVEL": "WARNING",
    }
    try:
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--no-input"],
            cwd=BASE_DIR,
            env=env,
            check=True,
            capture_output=True,
            timeout=300,
        )
        assert shell(env, SETUP).wait(timeout=120) == 0
        first = shell(env, RUN)
        assert inbox.holding.wait(timeout=120), "the sender never reached message 4"
        os.kill(first.pid, signal.SIGKILL)
        first.wait()
        assert len(inbox.accepted) == 3
        inbox.hold_after = SUBSCRIBERS * 2  # the server is well again
        for _ in range(2):  # the next check, and one more for good measure
            assert shell(env, RUN).wait(timeout=120) == 0
        deadline = time.monotonic() + 10
        while len(inbox.accepted) < SUBSCRIBERS and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        controller.stop()
    assert sorted(inbox.accepted) == sorted(
        f"person{i}@example.org" for i in range(SUBSCRIBERS)
    )

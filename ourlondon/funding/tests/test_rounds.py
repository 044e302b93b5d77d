"""A round's opening reaches each confirmed subscriber of its fund exactly
once, over real SMTP (aiosmtpd on 127.0.0.1): when the job runs twice, and
when a run is killed midway."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.mail import EmailMessage

from ourlondon.core import clock
from ourlondon.funding.models import Round
from ourlondon.funding.rounds import announce_round, rounds_to_announce
from ourlondon.funding.tasks import open_rounds, send_round_opening
from ourlondon.funding.tests.factories import FundFactory, RoundFactory
from ourlondon.subscriptions.models import Announcement, Delivery, Subscriber, Topic

pytestmark = pytest.mark.django_db


def subscribe(n: int, topic: str, *, status: str = "confirmed", prefix: str) -> None:
    for i in range(n):
        subscriber = Subscriber.objects.create(
            email=f"{prefix}{i}@example.org",
            status=status,
            confirmed_at=clock.now(),
        )
        subscriber.topics.add(Topic.objects.get(slug=topic))


@pytest.fixture
def seed_round():
    fund = FundFactory.create(
        slug="seed",
        name="Community Seed Fund",
        topic=Topic.objects.get(slug="community-seed-fund"),
    )
    subscribe(4, "community-seed-fund", prefix="seed")
    subscribe(2, "community-seed-fund", status="pending", prefix="pending")
    subscribe(3, "young-londoners-fund", prefix="ylf")
    return RoundFactory.create(
        fund=fund,
        name="Spring round",
        opens=clock.today(),
        how_to_apply="Fill in the short form.",
        url="https://example.org/apply",
    )


def recipients(inbox) -> list[str]:
    return sorted(m["To"] for m in inbox.messages)


def test_the_opening_is_sent_once_even_when_the_job_runs_twice(inbox, seed_round):
    assert open_rounds.call_local() == 1  # its per-round job runs at once in tests
    assert open_rounds.call_local() == 0
    send_round_opening(seed_round.pk)  # and the round's own job again
    assert recipients(inbox) == [f"seed{i}@example.org" for i in range(4)]
    message = inbox.messages[0]
    assert (
        message["Subject"]
        == "Community Seed Fund: Spring round is open for applications"
    )
    body = message.get_payload()
    assert "Fill in the short form." in body and "https://example.org/apply" in body
    assert "http://testserver/funding/seed/" in body
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert Announcement.objects.count() == 1
    seed_round.refresh_from_db()
    assert seed_round.announcement.status == Announcement.Status.SENT


def test_a_run_killed_midway_is_finished_by_the_next_without_repeats(
    inbox, seed_round, monkeypatch
):
    real_send = EmailMessage.send
    calls = {"n": 0}

    def killed_on_third(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt  # as if the worker died mid-batch
        return real_send(self, *args, **kwargs)

    monkeypatch.setattr(EmailMessage, "send", killed_on_third)
    with pytest.raises(KeyboardInterrupt):
        announce_round(seed_round)
    assert len(inbox.messages) == 2
    # Still to do: the periodic check picks it up again.
    assert list(rounds_to_announce()) == [seed_round]
    monkeypatch.setattr(EmailMessage, "send", real_send)
    open_rounds()
    open_rounds()
    assert recipients(inbox) == [f"seed{i}@example.org" for i in range(4)]
    assert Announcement.objects.count() == 1
    assert Delivery.objects.filter(status="sent").count() == 4
    assert list(rounds_to_announce()) == []


def test_an_smtp_failure_is_retried_and_sends_only_the_rest(
    inbox, seed_round, monkeypatch
):
    real_send = EmailMessage.send
    calls = {"n": 0}

    def fail_on_second(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError("connection reset")
        return real_send(self, *args, **kwargs)

    monkeypatch.setattr(EmailMessage, "send", fail_on_second)
    with pytest.raises(OSError):
        announce_round(seed_round)
    monkeypatch.setattr(EmailMessage, "send", real_send)
    announce_round(seed_round)
    assert recipients(inbox) == [f"seed{i}@example.org" for i in range(4)]


def test_rounds_not_open_today_are_not_announced(inbox, seed_round):
    today = clock.today()
    Round.objects.filter(pk=seed_round.pk).update(
        opens=today + timedelta(days=3), closes=today + timedelta(days=30)
    )
    RoundFactory.create(
        fund=seed_round.fund,
        opens=today - timedelta(days=60),
        closes=today - timedelta(days=30),
    )
    assert open_rounds.call_local() == 0
    assert inbox.messages == []
    # The day it opens, it is.
    assert list(rounds_to_announce(today=today + timedelta(days=3))) == [seed_round]


def test_a_fund_without_an_updates_topic_sends_nothing(inbox, seed_round):
    fund = seed_round.fund
    fund.topic = None
    fund.save()
    assert open_rounds.call_local() == 0
    assert announce_round(seed_round) == 0
    assert inbox.messages == []


def test_status_follows_the_dates():
    round_ = Round(opens=clock.today(), closes=clock.today())
    day = round_.opens
    assert round_.status_on(day - timedelta(days=1)) == Round.Status.UPCOMING
    assert round_.status_on(day) == Round.Status.OPEN
    assert round_.status_on(day + timedelta(days=1)) == Round.Status.CLOSED

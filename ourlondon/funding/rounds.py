"""Telling subscribers that a round has opened: once, whatever restarts happen.

A round that is open today and whose fund has an updates topic gets one
`Announcement` (subscriptions' own), created in the transaction that stores it
on the round, with the round's row locked: two runs at once, or a run after a
crash, find it there and never make a second. Sending is subscriptions'
machinery (`queue_announcement`, `send_pending`): one `Delivery` per confirmed
subscriber of the topic, unique per pair, marked sent as soon as the SMTP server
accepts it. A run killed midway leaves the announcement "sending"; the next run
picks it up and sends only what is still waiting.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse

from ourlondon.core import clock
from ourlondon.funding.models import Round
from ourlondon.subscriptions.consent import site_url
from ourlondon.subscriptions.models import Announcement
from ourlondon.subscriptions.sending import queue_announcement, send_pending


def rounds_to_announce(*, today: date | None = None) -> QuerySet[Round]:
    """Rounds open today whose announcement is not yet made or not fully sent."""
    day = today or clock.today()
    return (
        Round.objects.filter(opens__lte=day, closes__gte=day, fund__topic__isnull=False)
        .filter(
            Q(announcement__isnull=True)
            | ~Q(announcement__status=Announcement.Status.SENT)
        )
        .order_by("opens", "pk")
    )


def announcement_for(round_: Round) -> Announcement | None:
    """The round's announcement, made now if it has none (exactly one, ever);
    its deliveries recorded for every confirmed subscriber of the fund's topic."""
    with transaction.atomic():
        locked = (
            Round.objects.select_for_update(of=("self",))
            .select_related("fund", "announcement")
            .get(pk=round_.pk)
        )
        fund = locked.fund
        if fund.topic_id is None:
            return None
        announcement = locked.announcement
        if announcement is None:
            body = render_to_string(
                "funding/email_round_open.txt",
                {
                    "round": locked,
                    "fund": fund,
                    "fund_url": site_url(reverse("funding:fund", args=[fund.slug])),
                },
            )
            announcement = Announcement.objects.create(
                topic_id=fund.topic_id,
                subject=f"{fund.name}: {locked.name} is open for applications"[:150],
                body=body,
            )
            locked.announcement = announcement
            locked.save(update_fields=["announcement"])
    queue_announcement(announcement)
    return announcement


def announce_round(round_: Round) -> int:
    """Make (once) and send the round's announcement; how many were sent now."""
    announcement = announcement_for(round_)
    if announcement is None:
        return 0
    return send_pending(announcement)

"""The weekly "new activities near me" email, built with the search module.

Each confirmed subscriber of the topic gets at most one a week (one
`DigestDelivery` per subscriber and week), listing activities near their
postcode, in their interests and age band, that are new or changed since their
last digest; with nothing new, nothing is sent.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse

from ourlondon.catalogue.models import Activity
from ourlondon.core import clock
from ourlondon.core.postcodes import PostcodeError, lookup_postcode
from ourlondon.search import engine
from ourlondon.search.cards import public_cards
from ourlondon.search.query import SearchQuery
from ourlondon.subscriptions.consent import (
    manage_url,
    site_url,
    unsubscribe_headers,
    unsubscribe_url,
)
from ourlondon.subscriptions.models import DigestDelivery, Subscriber

TOPIC = "near-me"
MOST = 10
AHEAD = timedelta(days=13)


def week_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _overlaps(band: str, card: dict[str, Any]) -> bool:
    if not band:
        return True
    low, high = (int(n) for n in band.split("-"))
    age_min, age_max = card["age_min"], card["age_max"]
    if age_min is None and age_max is None:
        return True  # "age not stated" is listed, and labelled as such
    return (age_min or 0) <= high and (age_max if age_max is not None else 120) >= low


def activities_for(subscriber: Subscriber, *, since: datetime) -> list[dict[str, Any]]:
    try:
        place = lookup_postcode(subscriber.postcode)
    except PostcodeError:
        return []
    today = clock.today()
    query = SearchQuery.build(
        lat=place.lat,
        lng=place.lng,
        radius_km=float(subscriber.radius_km),
        categories=list(subscriber.interests),
        date_from=today,
        date_to=today + AHEAD,
        sort="distance",
        page_size=100,
    )
    ids = [hit.activity_id for hit in engine.search(query).hits]
    fresh = set(
        Activity.public.filter(pk__in=ids, updated_at__gt=since).values_list(
            "pk", flat=True
        )
    )
    cards = public_cards([i for i in ids if i in fresh])
    chosen = [
        cards[i] for i in ids if i in cards and _overlaps(subscriber.age_band, cards[i])
    ]
    return chosen[:MOST]


def send_digests(*, today: date | None = None) -> tuple[int, int]:
    """This week's digests; (sent, nothing new). Safe to run again."""
    week = week_of(today or clock.today())
    sent = empty = 0
    due = Subscriber.objects.filter(
        status=Subscriber.Status.CONFIRMED, topics__slug=TOPIC
    ).exclude(digests__week=week)
    for subscriber in due:
        last = (
            subscriber.digests.filter(status=DigestDelivery.Status.SENT)
            .order_by("-week")
            .first()
        )
        since = last.at if last else (subscriber.confirmed_at or subscriber.created_at)
        found = activities_for(subscriber, since=since)
        if not found:
            DigestDelivery.objects.create(
                subscriber=subscriber, week=week, status=DigestDelivery.Status.EMPTY
            )
            empty += 1
            continue
        body = render_to_string(
            "subscriptions/email_digest.txt",
            {
                "activities": [
                    {
                        **card,
                        "url": site_url(
                            reverse("web:activity-detail", args=[card["id"]])
                        ),
                    }
                    for card in found
                ],
                "postcode": subscriber.postcode,
                "radius_km": subscriber.radius_km,
                "manage": manage_url(subscriber),
                "unsubscribe": unsubscribe_url(subscriber),
            },
        )
        EmailMessage(
            subject=f"New activities near {subscriber.postcode}",
            body=body,
            to=[subscriber.email],
            headers=unsubscribe_headers(subscriber),
        ).send()
        DigestDelivery.objects.create(
            subscriber=subscriber,
            week=week,
            status=DigestDelivery.Status.SENT,
            activities=len(found),
        )
        sent += 1
    return sent, empty

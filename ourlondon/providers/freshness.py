"""Freshness: providers confirm each listing they manage every 90 days.

At `FRESHNESS_REMIND_DAYS` since its last confirmation (approval counts) the
organisation's members are emailed a one-click "still running" link, once per
period. At `FRESHNESS_HIDE_DAYS`, still unconfirmed, the listing is hidden
(status withdrawn, re-indexed so it leaves search and the API) and the provider
told. Confirming a listing the check hid brings it back. A listing is never
hidden without a reminder sent at least `NOTICE` before, so one already old when
this started gets its reminder first.

Only provider-managed listings take part: entered through the portal or a
spreadsheet upload (`Activity.source`), by an organisation with members. Feed
listings stay fresh by their feed, which withdraws what vanishes from it.

`check_freshness` is idempotent: run twice a day, it sends and hides nothing
twice. Every hide and confirmation is in the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core import signing
from django.db import transaction
from django.db.models import Count, F, Q
from django.db.models.functions import Coalesce
from django.urls import reverse

from ourlondon.audit.log import record_event
from ourlondon.audit.models import AuditEvent
from ourlondon.catalogue.models import Activity
from ourlondon.catalogue.queries import HIDDEN_ORGANISATION_STATES, ActivityQuerySet
from ourlondon.core import clock
from ourlondon.core.models import Borough
from ourlondon.funding.population import young_people
from ourlondon.providers.models import ListingFreshness, Membership
from ourlondon.providers.organisations import PortalError
from ourlondon.providers.verification import tell_members
from ourlondon.search.indexing import refresh_activities

Action = AuditEvent.Action
Status = Activity.Status
PROVIDER_SOURCES = (Activity.Source.MANUAL, Activity.Source.SPREADSHEET)
CONFIRM_SALT = "ourlondon.providers.freshness.confirm"
CHECK_LABEL = "freshness check"
# The least time between a reminder and hiding, whatever the listing's age.
NOTICE = timedelta(days=7)


def remind_after() -> timedelta:
    return timedelta(days=settings.FRESHNESS_REMIND_DAYS)


def hide_after() -> timedelta:
    return timedelta(days=settings.FRESHNESS_HIDE_DAYS)


def provider_managed() -> ActivityQuerySet:
    """Listings a provider keeps up to date, each annotated with `confirmed`: its
    last confirmation, or its creation if never confirmed."""
    return (
        Activity.all_objects.filter(source__in=PROVIDER_SOURCES, is_demo=False)
        .filter(organisation__in=Membership.objects.values("organisation_id"))
        .annotate(confirmed=Coalesce("last_confirmed_at", "created_at"))
    )


def confirm_token(activity: Activity) -> str:
    """The emailed link's token: it names the listing and nothing else."""
    return signing.dumps(activity.pk, salt=CONFIRM_SALT)


def read_confirm_token(token: str) -> Activity:
    try:
        pk = signing.loads(
            token,
            salt=CONFIRM_SALT,
            max_age=timedelta(days=settings.FRESHNESS_LINK_DAYS),
        )
    except signing.SignatureExpired as error:
        raise PortalError(
            "This link has expired. Sign in to the provider portal to confirm "
            "the listing from your list of listings."
        ) from error
    except signing.BadSignature as error:
        raise PortalError(
            "This link is not valid: check it was copied whole."
        ) from error
    activity = (
        Activity.all_objects.filter(pk=pk).first() if isinstance(pk, int) else None
    )
    if activity is None:
        raise PortalError("This listing no longer exists.")
    return activity


def confirm_url(activity: Activity) -> str:
    path = reverse("providers:still-running", args=[confirm_token(activity)])
    return f"{settings.SITE_URL}{path}"


@dataclass(frozen=True)
class FreshnessRun:
    reminded: int
    hidden: int


def check_freshness(*, now: datetime | None = None) -> FreshnessRun:
    """Send the reminders that are due and hide what has gone unconfirmed."""
    now = now or clock.now()
    due = (
        provider_managed()
        # Q and F: the type checker cannot see the annotation.
        .filter(Q(confirmed__lte=now - remind_after()), status=Status.PUBLISHED)
        .exclude(organisation__verification__in=HIDDEN_ORGANISATION_STATES)
        .order_by(F("confirmed").asc(), "pk")
        .values_list("pk", flat=True)
    )
    reminded = hidden = 0
    for pk in list(due):
        outcome = _check_one(pk, now=now)
        reminded += outcome == "reminded"
        hidden += outcome == "hidden"
    return FreshnessRun(reminded=reminded, hidden=hidden)


@transaction.atomic
def _check_one(pk: int, *, now: datetime) -> str:
    # Locked and read again: the provider may have confirmed since the list was
    # made, and a second run must find the first one's work.
    activity = (
        provider_managed()
        .select_for_update(of=("self",))
        .select_related("organisation")
        .get(pk=pk)
    )
    confirmed: datetime = activity.confirmed  # type: ignore[attr-defined] # annotated
    if activity.status != Status.PUBLISHED or confirmed > now - remind_after():
        return ""
    fresh, _ = ListingFreshness.objects.get_or_create(activity=activity)
    if fresh.reminded_at is None or fresh.reminded_at < confirmed:
        _remind(activity, fresh, now=now)
        return "reminded"
    if confirmed <= now - hide_after() and fresh.reminded_at <= now - NOTICE:
        _hide(activity, fresh, now=now)
        return "hidden"
    return ""


def _remind(activity: Activity, fresh: ListingFreshness, *, now: datetime) -> None:
    fresh.reminded_at = now
    fresh.save(update_fields=["reminded_at", "updated_at"])
    hide_on = now + max(
        hide_after() - (now - activity.confirmed),  # type: ignore[attr-defined] # annotated
        NOTICE,
    )
    tell_members(
        activity.organisation,
        f'Is "{activity.title}" still running?',
        f'Please confirm that "{activity.title}" is still running, so young '
        f"people can trust what they find on ourlondon. One click:\n\n"
        f"{confirm_url(activity)}\n\n"
        f"If it has changed, edit it in the provider portal: "
        f"{settings.SITE_URL}/provider/\n\n"
        f"Unless it is confirmed, it will be hidden from {hide_on:%-d %B %Y}.",
    )


def _hide(activity: Activity, fresh: ListingFreshness, *, now: datetime) -> None:
    before = _state(activity)
    activity.status = Status.WITHDRAWN
    activity.save(update_fields=["status", "updated_at"])
    fresh.hidden_at = now
    fresh.save(update_fields=["hidden_at", "updated_at"])
    record_event(
        Action.UNPUBLISH,
        actor=None,
        actor_label=CHECK_LABEL,
        obj=activity,
        before=before,
        after=_state(activity),
        note=f"Not confirmed for {settings.FRESHNESS_HIDE_DAYS} days.",
    )
    refresh_activities([activity.pk], now=now)
    tell_members(
        activity.organisation,
        f'"{activity.title}" is hidden until you confirm it',
        f'"{activity.title}" has not been confirmed for '
        f"{settings.FRESHNESS_HIDE_DAYS} days, so it is no longer shown on "
        f"ourlondon. If it is still running, one click brings it back:\n\n"
        f"{confirm_url(activity)}",
    )


def _state(activity: Activity) -> dict[str, Any]:
    confirmed = activity.last_confirmed_at
    return {
        "status": activity.status,
        "last_confirmed_at": confirmed.isoformat() if confirmed else None,
    }


@transaction.atomic
def confirm_listing(
    *, activity: Activity, by: User | None, now: datetime | None = None
) -> bool:
    """The provider says the listing still runs. `by` is None for the emailed
    link (no sign-in: the signed token is the authority). Returns True when a
    listing the check had hidden is back on the site."""
    now = now or clock.now()
    activity = Activity.all_objects.select_for_update().get(pk=activity.pk)
    if activity.source not in PROVIDER_SOURCES:
        raise PortalError("This listing is kept up to date by its feed.")
    fresh = ListingFreshness.objects.filter(activity=activity).first()
    hidden_by_check = (
        fresh is not None
        and fresh.hidden_at is not None
        and activity.status == Status.WITHDRAWN
    )
    if activity.status != Status.PUBLISHED and not hidden_by_check:
        raise PortalError(
            "This listing is not live, so there is nothing to confirm. If a "
            "moderator took it down, reply to their email."
        )
    before = _state(activity)
    activity.last_confirmed_at = now
    if hidden_by_check:
        activity.status = Status.PUBLISHED
    activity.save(update_fields=["status", "last_confirmed_at", "updated_at"])
    if fresh is not None and fresh.hidden_at is not None:
        fresh.hidden_at = None
        fresh.save(update_fields=["hidden_at", "updated_at"])
    record_event(
        Action.UPDATE,
        actor=by,
        actor_label="" if by is not None else "provider, by the emailed link",
        obj=activity,
        before=before,
        after=_state(activity),
        note="Confirmed still running.",
    )
    if hidden_by_check:
        refresh_activities([activity.pk])
    return hidden_by_check


# The staff dashboard -----------------------------------------------------------


@dataclass(frozen=True)
class AgeBand:
    label: str
    count: int


@dataclass(frozen=True)
class BoroughCoverage:
    gss_code: str
    name: str
    activities: int
    young_people: int | None
    per_10k: float | None


def age_bands(*, now: datetime | None = None) -> list[AgeBand]:
    """Provider-managed listings by days since their last confirmation."""
    now = now or clock.now()
    live = provider_managed().filter(status=Status.PUBLISHED)

    def older(days: int) -> Q:
        return Q(confirmed__lte=now - timedelta(days=days))

    counts = live.aggregate(
        fresh=Count("pk", filter=~older(60)),
        ageing=Count("pk", filter=older(60) & ~older(settings.FRESHNESS_REMIND_DAYS)),
        reminded=Count(
            "pk",
            filter=older(settings.FRESHNESS_REMIND_DAYS)
            & ~older(settings.FRESHNESS_HIDE_DAYS),
        ),
        overdue=Count("pk", filter=older(settings.FRESHNESS_HIDE_DAYS)),
    )
    remind, hide = settings.FRESHNESS_REMIND_DAYS, settings.FRESHNESS_HIDE_DAYS
    return [
        AgeBand("0–60 days", counts["fresh"]),
        AgeBand(f"60–{remind} days", counts["ageing"]),
        AgeBand(f"{remind}–{hide} days (reminded)", counts["reminded"]),
        AgeBand(f"over {hide} days (hidden after a week's notice)", counts["overdue"]),
        AgeBand("hidden, waiting for the provider", hidden_listings().count()),
    ]


def hidden_listings() -> ActivityQuerySet:
    return provider_managed().filter(
        status=Status.WITHDRAWN, freshness__hidden_at__isnull=False
    )


def stale_listings(*, now: datetime | None = None, limit: int = 200) -> list[Activity]:
    """Live listings past the reminder, and those hidden, oldest first."""
    now = now or clock.now()
    stale = (
        provider_managed()
        .filter(
            Q(status=Status.PUBLISHED, confirmed__lte=now - remind_after())
            | Q(status=Status.WITHDRAWN, freshness__hidden_at__isnull=False)
        )
        .select_related("organisation", "freshness")
        .order_by(F("confirmed").asc(), "pk")
    )
    return list(stale[:limit])


def borough_coverage() -> list[BoroughCoverage]:
    """Public activities per borough (by venue), with a rate per 10,000
    residents aged 10 to 24 (ONS mid-2023, from `funding.population`)."""
    counts = dict(
        Activity.public.filter(venue__isnull=False)
        .values_list("venue__borough_id")
        .annotate(n=Count("pk"))
        .values_list("venue__borough_id", "n")
    )
    population = young_people()
    rows = []
    for code, name in Borough.objects.order_by("name").values_list("gss_code", "name"):
        n = counts.get(code, 0)
        people = population.get(code)
        rows.append(
            BoroughCoverage(
                gss_code=code,
                name=name,
                activities=n,
                young_people=people,
                per_10k=round(n * 10_000 / people, 1) if people else None,
            )
        )
    return rows

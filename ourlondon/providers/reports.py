"""What moderators do about one listing: close a public "report a problem"
report (resolved or dismissed, with a note), take a listing down at once on a
concern, and deliberately put it back. Each write is atomic and audited.

Taking down uses the catalogue's own `withdrawn` status, which `Activity.public`
already hides; re-indexing drops the listing from search and the API at once.
(A whole organisation is suspended with `verification.suspend_organisation`.)
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.db import transaction

from ourlondon.audit.log import record_event
from ourlondon.audit.models import AuditEvent
from ourlondon.catalogue.models import Activity, ListingReport
from ourlondon.core import clock
from ourlondon.providers.models import ListingFreshness
from ourlondon.providers.organisations import PortalError
from ourlondon.providers.verification import tell_members
from ourlondon.search.indexing import refresh_activities

Action = AuditEvent.Action
Status = Activity.Status
CLOSED = (ListingReport.Status.RESOLVED, ListingReport.Status.DISMISSED)


def _report_state(report: ListingReport) -> dict[str, Any]:
    return {
        "status": report.status,
        "handled_by": report.handled_by.email if report.handled_by else None,
        "handling_note": report.handling_note,
    }


@transaction.atomic
def close_report(
    *, report: ListingReport, by: User, outcome: str, note: str
) -> ListingReport:
    """Resolve (something was done) or dismiss (nothing needed doing) a report."""
    if outcome not in CLOSED:
        raise PortalError("Choose resolved or dismissed.")
    if not note.strip():
        raise PortalError("Say what was done, or why nothing was: it is kept.")
    report = ListingReport.objects.select_for_update().get(pk=report.pk)
    if report.status != ListingReport.Status.OPEN:
        raise PortalError("This report has already been closed.")
    before = _report_state(report)
    report.status = outcome
    report.handled_by = by
    report.handled_at = clock.now()
    report.handling_note = note.strip()
    report.save(update_fields=["status", "handled_by", "handled_at", "handling_note"])
    record_event(
        Action.UPDATE,
        actor=by,
        obj=report,
        before=before,
        after=_report_state(report),
        note=report.handling_note,
    )
    return report


def _listing_state(activity: Activity) -> dict[str, Any]:
    return {"status": activity.status}


@transaction.atomic
def unpublish_listing(*, activity: Activity, by: User, reason: str) -> Activity:
    """Take one listing off the site, search and the API at once."""
    if not reason.strip():
        raise PortalError("Give the reason: it is sent to the provider and kept.")
    activity = (
        Activity.all_objects.select_for_update(of=("self",))
        .select_related("organisation")
        .get(pk=activity.pk)
    )
    # One the freshness check hid can be taken down too, so that the provider's
    # "still running" no longer brings it back.
    hidden_by_check = ListingFreshness.objects.filter(
        activity=activity, hidden_at__isnull=False
    ).exists()
    if activity.status != Status.PUBLISHED and not (
        hidden_by_check and activity.status == Status.WITHDRAWN
    ):
        raise PortalError(
            f"Only a live listing can be taken down; this one is "
            f"{activity.get_status_display().lower()}."
        )
    before = _listing_state(activity)
    activity.status = Status.WITHDRAWN
    activity.save(update_fields=["status", "updated_at"])
    # A moderator's decision: the provider's "still running" must not undo it.
    ListingFreshness.objects.filter(activity=activity).update(hidden_at=None)
    record_event(
        Action.UNPUBLISH,
        actor=by,
        obj=activity,
        before=before,
        after=_listing_state(activity),
        note=reason.strip(),
    )
    refresh_activities([activity.pk])
    tell_members(
        activity.organisation,
        f'"{activity.title}" has been taken down',
        f'A moderator has taken "{activity.title}" off ourlondon, for this '
        f"reason:\n\n{reason.strip()}\n\nReply to this email if you think it "
        "is a mistake.",
    )
    return activity


@transaction.atomic
def republish_listing(*, activity: Activity, by: User, note: str) -> Activity:
    """Put a taken-down listing back: a deliberate moderator decision, which
    also counts as a confirmation that it runs (so freshness starts again)."""
    if not note.strip():
        raise PortalError("Say why it can go back up: it is kept.")
    activity = (
        Activity.all_objects.select_for_update(of=("self",))
        .select_related("organisation")
        .get(pk=activity.pk)
    )
    if activity.status != Status.WITHDRAWN:
        raise PortalError("Only a listing that was taken down can be put back.")
    before = _listing_state(activity)
    activity.status = Status.PUBLISHED
    activity.last_confirmed_at = clock.now()
    activity.save(update_fields=["status", "last_confirmed_at", "updated_at"])
    ListingFreshness.objects.filter(activity=activity).update(hidden_at=None)
    record_event(
        Action.APPROVE,
        actor=by,
        obj=activity,
        before=before,
        after=_listing_state(activity),
        note=f"Put back: {note.strip()}",
    )
    refresh_activities([activity.pk])
    tell_members(
        activity.organisation,
        f'"{activity.title}" is back on ourlondon',
        f'A moderator has put "{activity.title}" back on ourlondon.',
    )
    return activity

"""What moderators do: check an organisation (verify or reject, with the reason
emailed to its members), suspend one at once on a safeguarding concern, and
decide claims. Each write is atomic and audited."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import User
from django.core.mail import send_mail
from django.db import transaction

from ourlondon.audit.log import record_event
from ourlondon.audit.models import AuditEvent
from ourlondon.catalogue.models import Activity, Organisation
from ourlondon.core import clock
from ourlondon.providers.models import ClaimRequest, Membership, SafeguardingProfile
from ourlondon.providers.organisations import PortalError, state
from ourlondon.search.indexing import refresh_activities

Action = AuditEvent.Action
Verification = Organisation.Verification


def member_emails(organisation: Organisation) -> list[str]:
    return sorted(
        {
            m.user.email
            for m in Membership.objects.filter(organisation=organisation)
            .select_related("user")
            .filter(user__is_active=True)
            if m.user.email
        }
    )


def tell_members(organisation: Organisation, subject: str, body: str) -> None:
    recipients = member_emails(organisation)
    if recipients:
        send_mail(
            subject=subject,
            message=body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=recipients,
        )


def _reindex(organisation: Organisation) -> None:
    """The search index follows the organisation's state: a suspended or rejected
    organisation's activities leave it, a verified one's return."""
    ids = Activity.all_objects.filter(organisation=organisation).values_list(
        "pk", flat=True
    )
    refresh_activities(list(ids))


@transaction.atomic
def verify_organisation(*, organisation: Organisation, by: User) -> Organisation:
    if organisation.verification not in {Verification.PENDING, Verification.UNVERIFIED}:
        raise PortalError(
            f"Only an organisation waiting for a check can be verified; this one "
            f"is {organisation.get_verification_display().lower()}."
        )
    if not SafeguardingProfile.objects.filter(organisation=organisation).exists():
        raise PortalError("This organisation has given no safeguarding details.")
    before = state(organisation)
    organisation.verification = Verification.VERIFIED
    organisation.verified_at = clock.now()
    organisation.save(update_fields=["verification", "verified_at", "updated_at"])
    record_event(
        Action.APPROVE,
        actor=by,
        obj=organisation,
        before=before,
        after=state(organisation),
    )
    _reindex(organisation)
    tell_members(
        organisation,
        f"{organisation.name} has been checked",
        f"We have checked {organisation.name}. Its listings now show "
        f'"organisation checked on {organisation.verified_at:%-d %B %Y}".',
    )
    return organisation


@transaction.atomic
def reject_organisation(
    *, organisation: Organisation, by: User, reason: str
) -> Organisation:
    if organisation.verification != Verification.PENDING:
        raise PortalError("Only an organisation waiting for a check can be rejected.")
    if not reason.strip():
        raise PortalError("Give the reason: it is sent to the organisation.")
    before = state(organisation)
    organisation.verification = Verification.REJECTED
    organisation.save(update_fields=["verification", "updated_at"])
    SafeguardingProfile.objects.filter(organisation=organisation).update(
        rejection_reason=reason
    )
    record_event(
        Action.REJECT,
        actor=by,
        obj=organisation,
        before=before,
        after=state(organisation),
        note=reason,
    )
    _reindex(organisation)
    tell_members(
        organisation,
        f"We could not check {organisation.name}",
        f"We could not complete the check of {organisation.name}, for this "
        f"reason:\n\n{reason}\n\nYou can correct the details in the provider "
        f"portal and send them again: {settings.SITE_URL}/provider/",
    )
    return organisation


@transaction.atomic
def suspend_organisation(*, organisation: Organisation, by: User, reason: str) -> int:
    """One click on a safeguarding concern: the organisation and every listing it
    has leave the public site and the search index at once. Returns how many
    activities were hidden."""
    if not reason.strip():
        raise PortalError("Give the reason: it is kept in the audit log.")
    if organisation.verification == Verification.SUSPENDED:
        raise PortalError("This organisation is already suspended.")
    before = state(organisation)
    organisation.verification = Verification.SUSPENDED
    organisation.save(update_fields=["verification", "updated_at"])
    hidden = Activity.public.filter(organisation=organisation).count()
    record_event(
        Action.SUSPEND,
        actor=by,
        obj=organisation,
        before=before,
        after=state(organisation),
        note=reason,
    )
    _reindex(organisation)
    tell_members(
        organisation,
        f"{organisation.name}'s listings have been taken down",
        f"Following a concern, {organisation.name} and its listings have been "
        f"taken off ourlondon while we look into it. We will be in touch.",
    )
    return hidden


@transaction.atomic
def decide_claim(
    *, claim: ClaimRequest, by: User, approve: bool, reason: str = ""
) -> ClaimRequest:
    if claim.status != ClaimRequest.Status.PENDING:
        raise PortalError("This claim has already been decided.")
    if not approve and not reason.strip():
        raise PortalError("Give the reason: it is sent to the person asking.")
    claim.status = (
        ClaimRequest.Status.APPROVED if approve else ClaimRequest.Status.REJECTED
    )
    claim.reason = reason
    claim.decided_by = by
    claim.decided_at = clock.now()
    claim.save()
    if approve:
        Membership.objects.get_or_create(
            user=claim.user,
            organisation=claim.organisation,
            defaults={"role": Membership.Role.OWNER},
        )
    record_event(
        Action.APPROVE if approve else Action.REJECT,
        actor=by,
        obj=claim,
        after={"user": claim.user.email, "organisation": claim.organisation_id},
        note=reason,
    )
    send_mail(
        subject=f"Your request to manage {claim.organisation.name}",
        message=(
            f"You can now manage {claim.organisation.name} at "
            f"{settings.SITE_URL}/provider/."
            if approve
            else f"We could not confirm that you act for {claim.organisation.name}:"
            f"\n\n{reason}"
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[claim.user.email],
    )
    return claim

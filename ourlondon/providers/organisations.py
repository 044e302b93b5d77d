"""What providers do in the portal: create or claim an organisation, keep its
safeguarding details, and invite colleagues. Each write is atomic and audited."""

from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.models import User
from django.core import signing
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils.text import slugify

from ourlondon.audit.log import record_event, snapshot
from ourlondon.audit.models import AuditEvent
from ourlondon.catalogue.models import Organisation
from ourlondon.core import clock
from ourlondon.providers.models import (
    ClaimRequest,
    Membership,
    Referee,
    SafeguardingProfile,
)

Action = AuditEvent.Action
Verification = Organisation.Verification

ORGANISATION_FIELDS = [
    "name",
    "kind",
    "charity_number",
    "company_number",
    "website",
    "public_email",
    "public_phone",
    "verification",
]
PROFILE_FIELDS = [
    "kind_detail",
    "lead_name",
    "lead_role",
    "lead_contact",
    "policy_file",
    "policy_url",
    "dbs_declared",
    "private_phone",
    "private_address",
]
INVITATION_SALT = "ourlondon.providers.invitation"


class PortalError(Exception):
    """A provider's request that cannot be done; the message says why."""


def state(organisation: Organisation) -> dict[str, Any]:
    """Organisation and safeguarding details together, for the audit log."""
    data: dict[str, Any] = {"organisation": snapshot(organisation, ORGANISATION_FIELDS)}
    profile = SafeguardingProfile.objects.filter(organisation=organisation).first()
    if profile is not None:
        data["safeguarding"] = snapshot(profile, PROFILE_FIELDS)
        data["referees"] = [
            {"name": r.name, "contact": r.contact} for r in profile.referees.all()
        ]
    return data


def _unique_slug(name: str) -> str:
    base = slugify(name)[:180] or "organisation"
    slug, n = base, 1
    while Organisation.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def _save_referees(
    profile: SafeguardingProfile, referees: list[tuple[str, str]]
) -> None:
    profile.referees.all().delete()
    Referee.objects.bulk_create(
        Referee(profile=profile, name=name, contact=contact)
        for name, contact in referees
    )


@transaction.atomic
def create_organisation(
    *,
    by: User,
    organisation: Organisation,
    profile: SafeguardingProfile,
    referees: list[tuple[str, str]],
) -> Organisation:
    """Save a new organisation (waiting for a moderator's check) with `by` as
    its owner."""
    organisation.slug = _unique_slug(organisation.name)
    organisation.verification = Verification.PENDING
    organisation.verified_at = None
    organisation.save()
    profile.organisation = organisation
    profile.declared_by = by
    profile.declared_at = clock.now()
    profile.save()
    _save_referees(profile, referees)
    Membership.objects.create(
        user=by, organisation=organisation, role=Membership.Role.OWNER
    )
    record_event(Action.CREATE, actor=by, obj=organisation, after=state(organisation))
    return organisation


@transaction.atomic
def update_organisation(
    *,
    by: User,
    organisation: Organisation,
    profile: SafeguardingProfile,
    referees: list[tuple[str, str]],
    before: dict[str, Any],
) -> Organisation:
    """Save a provider's changes. Any change sends the organisation back for a
    check (its listings stay up meanwhile: "pending" is not hidden), except a
    suspended one, which providers cannot change."""
    if organisation.verification == Verification.SUSPENDED:
        raise PortalError(
            "This organisation is suspended. Contact the moderators to discuss it."
        )
    organisation.verification = Verification.PENDING
    organisation.save()
    profile.organisation = organisation
    profile.declared_by = by
    profile.declared_at = clock.now()
    profile.rejection_reason = ""
    profile.save()
    _save_referees(profile, referees)
    record_event(
        Action.UPDATE,
        actor=by,
        obj=organisation,
        before=before,
        after=state(organisation),
    )
    return organisation


@transaction.atomic
def request_claim(
    *, by: User, organisation: Organisation, message: str
) -> ClaimRequest:
    if Membership.objects.filter(user=by, organisation=organisation).exists():
        raise PortalError("You already act for this organisation.")
    if ClaimRequest.objects.filter(
        user=by, organisation=organisation, status=ClaimRequest.Status.PENDING
    ).exists():
        raise PortalError("You have already asked to manage this organisation.")
    claim = ClaimRequest.objects.create(
        user=by, organisation=organisation, message=message
    )
    record_event(Action.CLAIM, actor=by, obj=organisation, after={"message": message})
    return claim


def invitation_token(*, organisation: Organisation, email: str, by: User) -> str:
    return signing.dumps(
        {"org": organisation.pk, "email": email.lower(), "by": by.pk},
        salt=INVITATION_SALT,
        compress=True,
    )


def send_invitation(*, by: User, organisation: Organisation, email: str) -> None:
    """Email a colleague a signed link to join (valid INVITATION_DAYS days)."""
    if not Membership.objects.filter(user=by, organisation=organisation).exists():
        raise PortalError("Only members of an organisation can invite colleagues.")
    token = invitation_token(organisation=organisation, email=email, by=by)
    link = settings.SITE_URL + reverse("providers:join", args=[token])
    send_mail(
        subject=f"Join {organisation.name} on ourlondon",
        message=(
            f"{by.email} has invited you to help manage {organisation.name}'s "
            f"listings on ourlondon.\n\nCreate an account (or sign in) with this "
            f"email address, then open this link within "
            f"{settings.INVITATION_DAYS} days:\n{link}\n\nIf you did not expect "
            f"this, ignore it."
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[email],
    )
    record_event(
        Action.INVITE, actor=by, obj=organisation, after={"email": email.lower()}
    )


def read_invitation(token: str) -> tuple[Organisation, str]:
    try:
        data = signing.loads(
            token,
            salt=INVITATION_SALT,
            max_age=settings.INVITATION_DAYS * 24 * 3600,
        )
    except signing.SignatureExpired as exc:
        raise PortalError(
            "This invitation has expired. Ask your colleague for a new one."
        ) from exc
    except signing.BadSignature as exc:
        raise PortalError("This invitation link is not valid.") from exc
    organisation = Organisation.objects.filter(pk=data.get("org")).first()
    if organisation is None:
        raise PortalError("The organisation in this invitation no longer exists.")
    return organisation, str(data.get("email", ""))


@transaction.atomic
def accept_invitation(*, token: str, user: User) -> Membership:
    organisation, email = read_invitation(token)
    if not EmailAddress.objects.filter(
        user=user, email__iexact=email, verified=True
    ).exists():
        raise PortalError(
            "This invitation was sent to another email address. Sign in with "
            "that address (verified) to accept it."
        )
    membership, created = Membership.objects.get_or_create(
        user=user,
        organisation=organisation,
        defaults={"role": Membership.Role.MEMBER},
    )
    if created:
        record_event(Action.JOIN, actor=user, obj=organisation, after={"email": email})
    return membership

"""Sole traders: one person running activities in their own name.

Their own address and phone are kept in `SafeguardingProfile` for moderators and
never shown. So a sole trader's listing must carry a booking contact of its own
(shown publicly, in place of a personal one), that contact must not be the
private phone they gave us, and it must run at a public venue (a hall, a park, a
studio) or online: a venue at their home postcode is refused, rather than shown
vaguely, because a young person needs the real place to find the activity, and a
home is not somewhere we list.
"""

from __future__ import annotations

import re
from typing import Any

from ourlondon.catalogue.models import Organisation
from ourlondon.core.postcodes import PostcodeError, normalise_postcode
from ourlondon.providers.models import SafeguardingProfile

# A full UK postcode anywhere in free text (the private address).
_POSTCODE_IN_TEXT = re.compile(
    r"\b([A-Z]{1,2}[0-9][0-9A-Z]?)\s*([0-9][A-Z]{2})\b", re.IGNORECASE
)


def home_postcode(address: str) -> str:
    """The last postcode written in an address, normalised, or ""."""
    for match in reversed(list(_POSTCODE_IN_TEXT.finditer(address))):
        try:
            return normalise_postcode(match.group(1) + match.group(2))
        except PostcodeError:
            continue
    return ""


def _digits(phone: str) -> str:
    digits = re.sub(r"\D", "", phone)
    # +44 7700 … and 07700 … are the same number.
    return "0" + digits[2:] if digits.startswith("44") else digits


def sole_trader_problems(
    organisation: Organisation, listing: dict[str, Any]
) -> dict[str, str]:
    """Field → what is wrong, for a sole trader's listing (empty: nothing)."""
    if organisation.kind != Organisation.Kind.SOLE_TRADER:
        return {}
    problems: dict[str, str] = {}
    email, phone = listing.get("booking_email", ""), listing.get("booking_phone", "")
    if not email and not phone:
        problems["booking_email"] = (
            "As a sole trader, give a booking email or phone for this listing: it "
            "is the contact shown publicly (your own address and phone never are)."
        )
    profile = SafeguardingProfile.objects.filter(organisation=organisation).first()
    if profile is None:
        return problems
    if (
        phone
        and profile.private_phone
        and _digits(phone) == _digits(profile.private_phone)
    ):
        problems["booking_phone"] = (
            "That is the private phone you gave us, which is never shown. Give a "
            "booking phone you are happy to publish, or an email."
        )
    home = home_postcode(profile.private_address)
    if home and not listing.get("is_online") and listing.get("postcode") == home:
        problems["postcode"] = (
            "This is your home postcode. ourlondon never shows a sole trader's "
            "home: give the public venue where it runs (a hall, a park, a studio), "
            "or list it as online."
        )
    return problems

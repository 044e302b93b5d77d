"""An organisation as a provider sends it, and the form data that makes one."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User

from ourlondon.catalogue.models import Organisation
from ourlondon.providers.models import SafeguardingProfile
from ourlondon.providers.organisations import create_organisation

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def organisation_post(**changes: Any) -> dict[str, Any]:
    data = {
        "name": "Peckham Boxing Club",
        "kind": "charity",
        "charity_number": "1123456",
        "company_number": "",
        "website": "https://peckhamboxing.example/",
        "public_email": "hello@peckhamboxing.example",
        "public_phone": "",
        "kind_detail": "",
        "lead_name": "Ada Okafor",
        "lead_role": "Welfare officer",
        "lead_contact": "ada@peckhamboxing.example",
        "policy_url": "https://peckhamboxing.example/safeguarding",
        "dbs_declared": "on",
        "private_phone": "07700 900123",
        "private_address": "1 Home Street, London SE15 1AA",
        "referee1_name": "",
        "referee1_contact": "",
        "referee2_name": "",
        "referee2_contact": "",
    }
    data.update(changes)
    return data


def make_organisation(owner: User, name: str = "Peckham Boxing Club") -> Organisation:
    """A charity waiting for its check, `owner` its owner."""
    return create_organisation(
        by=owner,
        organisation=Organisation(
            name=name,
            kind=Organisation.Kind.CHARITY,
            charity_number="1123456",
            public_email="hello@peckhamboxing.example",
        ),
        profile=SafeguardingProfile(
            lead_name="Ada Okafor",
            lead_role="Welfare officer",
            lead_contact="ada@peckhamboxing.example",
            policy_url="https://peckhamboxing.example/safeguarding",
            dbs_declared=True,
            private_phone="07700 900123",
            private_address="1 Home Street, London SE15 1AA",
        ),
        referees=[],
    )

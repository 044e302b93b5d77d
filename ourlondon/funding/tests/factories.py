"""Funds, rounds and grants for tests."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import factory

from ourlondon.core import clock
from ourlondon.funding.models import Fund, Grant, Round
from ourlondon.subscriptions.models import Topic


class FundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Fund
        django_get_or_create = ["slug"]

    slug = factory.Sequence(lambda n: f"test-fund-{n}")
    name = factory.Sequence(lambda n: f"Test Fund {n}")
    administering_body = "Test body"
    total_budget = Decimal("1000000")
    funder_id = "XI-TEST-FUNDER"
    funder_name = "Test Funder"
    topic = factory.LazyFunction(lambda: Topic.objects.get(slug="community-seed-fund"))


class RoundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Round

    fund = factory.SubFactory(FundFactory)
    name = factory.Sequence(lambda n: f"Round {n}")
    opens = factory.LazyFunction(lambda: clock.today())
    closes = factory.LazyAttribute(lambda r: r.opens + timedelta(days=30))
    budget = Decimal("250000")


class GrantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Grant

    fund = factory.SubFactory(FundFactory)
    identifier = factory.Sequence(lambda n: f"360G-test-{n:05d}")
    title = factory.Sequence(lambda n: f"Test grant {n}")
    description = "A grant made for a test."
    amount_awarded = Decimal("10000")
    award_date = date(2020, 1, 1)
    recipient_org_id = factory.Sequence(lambda n: f"GB-CHC-19{n:05d}")
    recipient_name = factory.Sequence(lambda n: f"Test Recipient {n}")
    borough_id = "E09000012"
    funder_id = "XI-TEST-FUNDER"
    funder_name = "Test Funder"

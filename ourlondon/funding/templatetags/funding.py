"""Money as the funding pages print it."""

from __future__ import annotations

from decimal import Decimal

from django import template

from ourlondon.funding.figures import money

register = template.Library()


@register.filter(name="pounds")
def pounds(amount: Decimal | None) -> str:
    """£1,400,000, or £18,500.50: exact, as in the data."""
    return "–" if amount is None else money(Decimal(amount))


@register.filter(name="pounds_and_pence")
def pounds_and_pence(amount: Decimal | None) -> str:
    """£0.84: always with pence (amounts per person)."""
    return "–" if amount is None else f"£{Decimal(amount):,.2f}"

"""Template tags for the staff admin's pages."""

from __future__ import annotations

from django import template

from ourlondon.catalogue.taxonomy import holidays_running_out

register = template.Library()


@register.simple_tag
def holidays_warning() -> str:
    """The school-holidays warning, or "" while enough dates are held."""
    return holidays_running_out() or ""

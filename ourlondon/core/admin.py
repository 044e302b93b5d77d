"""Staff admin for London geography (read-mostly reference data)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from ourlondon.core.models import Borough, Postcode


@admin.register(Borough)
class BoroughAdmin(admin.ModelAdmin[Borough]):
    list_display = ["name", "gss_code", "inner_london", "sub_region", "hectares"]
    list_filter = ["inner_london", "sub_region"]
    search_fields = ["name", "gss_code"]
    exclude = ["outline"]
    readonly_fields = ["gss_code", "slug", "label_lat", "label_lng"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # the 33 areas come from the ONS outlines file


@admin.register(Postcode)
class PostcodeAdmin(admin.ModelAdmin[Postcode]):
    list_display = ["postcode", "borough", "lat", "lng", "ward_code", "quality"]
    list_filter = ["borough"]
    search_fields = ["postcode"]
    list_select_related = ["borough"]
    show_full_result_count = False  # COUNT(*) over 180,000 rows on every page

    def get_search_results(self, request, queryset, search_term):  # type: ignore[no-untyped-def] # signature is Django's
        # "e8 3aa", "E83AA" and "E8 3AA" all find the same postcode.
        from ourlondon.core.postcodes import PostcodeError, normalise_postcode

        try:
            search_term = normalise_postcode(search_term)
        except PostcodeError:
            search_term = search_term.strip().upper()
        return queryset.filter(postcode__startswith=search_term), False

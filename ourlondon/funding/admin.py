"""Staff edit funds, rounds and grants. A round's announcement is made by the
job queue when it opens, never by hand here (so it is made once)."""

from __future__ import annotations

from django.contrib import admin

from ourlondon.funding.models import Fund, Grant, Round


class RoundInline(admin.TabularInline[Round, Fund]):
    model = Round
    extra = 0
    fields = ["name", "opens", "closes", "budget", "url"]


@admin.register(Fund)
class FundAdmin(admin.ModelAdmin[Fund]):
    list_display = ["name", "administering_body", "total_budget", "topic", "is_demo"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [RoundInline]


@admin.register(Round)
class RoundAdmin(admin.ModelAdmin[Round]):
    list_display = ["name", "fund", "opens", "closes", "status", "announcement"]
    list_filter = ["fund"]
    readonly_fields = ["announcement"]

    @admin.display(description="Status today")
    def status(self, obj: Round) -> str:
        return obj.status.label


@admin.register(Grant)
class GrantAdmin(admin.ModelAdmin[Grant]):
    list_display = [
        "identifier",
        "title",
        "fund",
        "amount_awarded",
        "award_date",
        "borough",
        "recipient_name",
        "organisation",
    ]
    list_filter = ["fund", "is_demo", "borough"]
    search_fields = ["identifier", "title", "recipient_name", "recipient_org_id"]
    date_hierarchy = "award_date"
    raw_id_fields = ["organisation"]
    list_select_related = ["fund", "borough", "organisation"]

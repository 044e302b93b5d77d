"""Portal pages for many listings at once: the spreadsheet upload with its
report, the template, and the organisation's calendar and OpenActive feeds.

Each view finds the organisation through the signed-in user's memberships
(another organisation's id is a 404 and nothing changes), like `views.py`.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_POST

from ourlondon.accounts.security import signed_in_user
from ourlondon.catalogue.models import Organisation
from ourlondon.providers import spreadsheets
from ourlondon.providers.bulk_upload import import_listings
from ourlondon.providers.feed_forms import FeedForm, UploadForm
from ourlondon.providers.models import ProviderFeed
from ourlondon.providers.organisations import PortalError
from ourlondon.providers.provider_feeds import add_feed, remove_feed
from ourlondon.providers.views import _membership, provider_required

# Multipart framing and the form's other fields, on top of the file itself.
_FRAMING_ALLOWANCE = 64 * 1024
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _too_large() -> str:
    limit = settings.BULK_UPLOAD_MAX_BYTES
    return (
        f"The file is too large: the limit is {limit / (1024 * 1024):g} MB "
        f"({settings.BULK_UPLOAD_MAX_ROWS:,} listings). Split it into smaller files."
    )


def _upload_page(
    request: HttpRequest,
    organisation: Organisation,
    form: UploadForm,
    *,
    status: int = 200,
    **extra: Any,
) -> HttpResponse:
    context = {
        "organisation": organisation,
        "form": form,
        "columns": spreadsheets.COLUMNS,
        "max_mb": f"{settings.BULK_UPLOAD_MAX_BYTES / (1024 * 1024):g}",
        "max_rows": settings.BULK_UPLOAD_MAX_ROWS,
        **extra,
    }
    return render(request, "providers/bulk_upload.html", context, status=status)


# CSRF is checked by `_upload`, after the size: the CSRF check reads the whole
# body (to find the token), and an oversized body must be refused unread.
@csrf_exempt
@provider_required
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest, pk: int) -> HttpResponseBase:
    membership = _membership(request, pk)
    declared = request.META.get("CONTENT_LENGTH") or "0"
    limit = settings.BULK_UPLOAD_MAX_BYTES + _FRAMING_ALLOWANCE
    if request.method == "POST" and declared.isdigit() and int(declared) > limit:
        return _upload_page(
            request,
            membership.organisation,
            UploadForm(),
            status=413,
            refused=_too_large(),
        )
    return _upload(request, membership.organisation)


@csrf_protect
def _upload(request: HttpRequest, organisation: Organisation) -> HttpResponse:
    if request.method != "POST":
        return _upload_page(request, organisation, UploadForm())
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _upload_page(request, organisation, form, status=400)
    upload_file = form.cleaned_data["file"]
    if upload_file.size is None or upload_file.size > settings.BULK_UPLOAD_MAX_BYTES:
        return _upload_page(
            request, organisation, UploadForm(), status=413, refused=_too_large()
        )
    content = upload_file.read()
    try:
        report = import_listings(
            by=signed_in_user(request),
            organisation=organisation,
            content=content,
            filename=upload_file.name or "upload",
        )
    except spreadsheets.SpreadsheetProblem as problem:
        return _upload_page(
            request, organisation, UploadForm(), status=400, refused=str(problem)
        )
    except PortalError as error:
        raise PermissionDenied(str(error)) from error
    return render(
        request,
        "providers/bulk_report.html",
        {"organisation": organisation, "report": report},
    )


@provider_required
def template_csv(request: HttpRequest, pk: int) -> HttpResponse:
    _membership(request, pk)
    response = HttpResponse(
        spreadsheets.template_csv(), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="listings-template.csv"'
    return response


@provider_required
def template_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    _membership(request, pk)
    response = HttpResponse(spreadsheets.template_xlsx(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = 'attachment; filename="listings-template.xlsx"'
    return response


@provider_required
@require_POST
def feed_remove(request: HttpRequest, pk: int, feed_id: int) -> HttpResponse:
    organisation = _membership(request, pk).organisation
    feed = get_object_or_404(ProviderFeed, pk=feed_id, organisation=organisation)
    taken_down = remove_feed(feed=feed, by=signed_in_user(request))
    messages.success(
        request,
        f"The feed {feed.url} is removed"
        + (f"; its {taken_down} listing(s) are off the site." if taken_down else "."),
    )
    return redirect("providers:feeds", pk=organisation.pk)


@provider_required
@require_http_methods(["GET", "POST"])
def feeds(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = _membership(request, pk).organisation
    data = request.POST if request.method == "POST" else None
    form = FeedForm(data, organisation=organisation)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                add_feed(
                    by=signed_in_user(request),
                    organisation=organisation,
                    kind=form.cleaned_data["kind"],
                    url=form.cleaned_data["url"],
                    rpde_kind=form.cleaned_data.get("rpde_kind") or "",
                    activity_type=form.cleaned_data.get("activity_type"),
                    default_venue=form.cleaned_data.get("default_venue"),
                )
            except PortalError as error:
                form.add_error(None, str(error))
            else:
                return redirect("providers:feeds", pk=organisation.pk)
        status = 400
    return render(
        request,
        "providers/feeds.html",
        {
            "organisation": organisation,
            "form": form,
            "feeds": ProviderFeed.objects.filter(organisation=organisation),
        },
        status=status,
    )

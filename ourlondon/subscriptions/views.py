"""Sign up, confirm and unsubscribe pages. No account and no login anywhere."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods
from django_ratelimit.core import is_ratelimited

from ourlondon.subscriptions import consent
from ourlondon.subscriptions.forms import ManageForm, SignUpForm
from ourlondon.subscriptions.models import ConsentWording

SIGN_UP_RATE = "10/h"  # per client address
SIGN_UP_RATE_PER_EMAIL = "3/h"  # per email address: no one can be mail-bombed


def _email_key(group: str, request: HttpRequest) -> str:
    return consent.normalise_email(request.POST.get("email", ""))[:254]


def link_problem(request: HttpRequest, problem: Exception) -> HttpResponse:
    """A link that is expired, altered or used up: say which, change nothing."""
    return render(
        request, "subscriptions/link_problem.html", {"message": problem}, status=400
    )


def shown_wording(request: HttpRequest) -> ConsentWording | None:
    """The wording version the form was rendered with, if it is one of ours."""
    version = request.POST.get("wording_version", "")
    if not version.isdigit():
        return None
    return ConsentWording.objects.filter(version=int(version)).first()


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def sign_up(request: HttpRequest) -> HttpResponse:
    form = SignUpForm(request.POST if request.method == "POST" else None)
    wording = consent.current_wording()
    if request.method == "POST":
        if is_ratelimited(
            request, group="sign-up", key="ip", rate=SIGN_UP_RATE, increment=True
        ) or is_ratelimited(
            request,
            group="sign-up-email",
            key=_email_key,
            rate=SIGN_UP_RATE_PER_EMAIL,
            increment=True,
        ):
            return render(
                request,
                "subscriptions/sign_up.html",
                {"form": form, "wording": wording, "limited": True},
                status=429,
            )
        if form.is_valid():
            if not form.cleaned_data.get("website"):
                consent.sign_up(
                    consent.SignUp(
                        email=form.cleaned_data["email"],
                        topics=list(form.cleaned_data["topics"]),
                        postcode=form.cleaned_data["postcode"],
                        interests=form.cleaned_data.get("interests") or [],
                        radius_km=form.cleaned_data.get("radius_km") or 3,
                        age_band=form.cleaned_data.get("age_band") or "",
                        page=reverse("subscriptions:sign-up"),
                        wording=shown_wording(request) or wording,
                    )
                )
            return redirect("subscriptions:check-email")
    return render(
        request,
        "subscriptions/sign_up.html",
        {"form": form, "wording": wording},
        status=400 if form.errors else 200,
    )


def check_email(request: HttpRequest) -> HttpResponse:
    return render(request, "subscriptions/check_email.html")


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button (mail scanners follow links; only a person presses
    it); POST confirms."""
    if request.method == "POST":
        try:
            consent.confirm(token)
        except consent.TokenError as exc:
            return link_problem(request, exc)
        return render(request, "subscriptions/confirmed.html")
    try:
        consent.subscriber_for(
            token, salt=consent.CONFIRM_SALT, max_age=consent.CONFIRM_FOR
        )
    except consent.TokenError as exc:
        return link_problem(request, exc)
    return render(request, "subscriptions/confirm.html", {"token": token})


@csrf_exempt  # RFC 8058: mail clients POST with no cookie; the token is the proof
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    if request.method == "POST":
        one_click = request.POST.get("List-Unsubscribe") == "One-Click"
        try:
            consent.unsubscribe(
                token,
                method="one-click (RFC 8058)" if one_click else "unsubscribe page",
            )
        except consent.TokenError as exc:
            return link_problem(request, exc)
        return render(request, "subscriptions/unsubscribed.html")
    try:
        consent.subscriber_for(token, salt=consent.UNSUBSCRIBE_SALT, max_age=None)
    except consent.TokenError as exc:
        return link_problem(request, exc)
    return render(request, "subscriptions/unsubscribe.html", {"token": token})


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def manage(request: HttpRequest, token: str) -> HttpResponse:
    """ "Manage my updates", reached by the link in every email."""
    try:
        subscriber = consent.subscriber_for(
            token, salt=consent.MANAGE_SALT, max_age=None
        )
    except consent.TokenError as exc:
        return link_problem(request, exc)
    wording = consent.current_wording()
    initial = {
        "email": subscriber.email,
        "topics": list(subscriber.topics.values_list("slug", flat=True)),
        "postcode": subscriber.postcode,
        "interests": subscriber.interests,
        "radius_km": subscriber.radius_km,
        "age_band": subscriber.age_band,
    }
    if request.method == "POST":
        data = request.POST.copy()
        data["email"] = subscriber.email  # the address is not changed here
        form = ManageForm(data)
        if form.is_valid():
            consent.change_topics(
                subscriber,
                topics=list(form.cleaned_data["topics"]),
                wording=shown_wording(request) or wording,
                postcode=form.cleaned_data["postcode"],
                interests=form.cleaned_data.get("interests") or [],
                radius_km=form.cleaned_data.get("radius_km") or 3,
                age_band=form.cleaned_data.get("age_band") or "",
            )
            return render(request, "subscriptions/managed.html")
    else:
        form = ManageForm(initial=initial)
    return render(
        request,
        "subscriptions/manage.html",
        {"form": form, "wording": wording, "token": token},
        status=400 if form.errors else 200,
    )

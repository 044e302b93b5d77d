"""Sign-up, double opt-in and one-click unsubscribe, with a real SMTP server on
127.0.0.1 (aiosmtpd) receiving what Django's SMTP backend sends."""

from __future__ import annotations

import re
from email.message import Message

import pytest
from django.core import signing
from django.core.cache import cache
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ourlondon.subscriptions import consent
from ourlondon.subscriptions.models import (
    ConsentRecord,
    ConsentWording,
    Subscriber,
)

pytestmark = pytest.mark.django_db
SIGN_UP = "/updates/"


def link_in(message: Message) -> str:
    payload = message.get_payload(decode=True)
    assert isinstance(payload, bytes)
    body = payload.decode()
    found = re.search(r"http://testserver(/updates/\S+)", body)
    assert found, body
    return found.group(1)


def sign_up(client, captured, **fields):
    data = {"email": "Sam@Example.org", "topics": ["vru-news"], **fields}
    with captured(execute=True):
        return client.post(SIGN_UP, data)


def test_sign_up_confirm_and_one_click_unsubscribe(
    client, inbox, django_capture_on_commit_callbacks
):
    page = client.get(SIGN_UP).content.decode()
    wording = ConsentWording.objects.get(version=1)
    assert wording.text in page
    response = sign_up(client, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert response["Location"] == "/updates/check-your-email/"
    subscriber = Subscriber.objects.get()
    assert subscriber.email == "sam@example.org"
    assert subscriber.status == "pending"
    assert [m["To"] for m in inbox.messages] == ["sam@example.org"]

    confirm_url = link_in(inbox.messages[0])
    assert "Yes, send me these updates" in client.get(confirm_url).content.decode()
    assert client.post(confirm_url).status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == "confirmed"
    assert list(subscriber.topics.values_list("slug", flat=True)) == ["vru-news"]

    headers = consent.unsubscribe_headers(subscriber)
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe_url = (
        headers["List-Unsubscribe"].strip("<>").removeprefix("http://testserver")
    )
    # RFC 8058: the mail client POSTs this body, with no cookie and no token.
    response = client.post(unsubscribe_url, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == "unsubscribed"
    assert not subscriber.topics.exists()
    history = list(subscriber.consents.values_list("action", "method", "topics"))
    assert history == [
        ("given", "sign-up form", ["vru-news"]),
        ("confirmed", "link in the confirmation email", ["vru-news"]),
        ("withdrawn", "one-click (RFC 8058)", []),
    ]
    # Again: still fine, recorded once.
    assert (
        client.post(unsubscribe_url, {"List-Unsubscribe": "One-Click"}).status_code
        == 200
    )
    assert subscriber.consents.filter(action="withdrawn").count() == 1


def test_the_answer_is_the_same_for_a_known_address(
    client, inbox, django_capture_on_commit_callbacks
):
    first = sign_up(client, django_capture_on_commit_callbacks)
    again = sign_up(client, django_capture_on_commit_callbacks)
    assert (first.status_code, first["Location"]) == (
        again.status_code,
        again["Location"],
    )
    assert Subscriber.objects.count() == 1


def test_the_record_keeps_the_words_that_were_shown_after_they_change(
    client, inbox, django_capture_on_commit_callbacks
):
    sign_up(client, django_capture_on_commit_callbacks, wording_version="1")
    ConsentWording.objects.create(version=2, text="New wording.")
    record = ConsentRecord.objects.get()
    assert record.wording.version == 1
    assert "only to send the updates you chose" in record.wording.text
    assert "New wording." in client.get(SIGN_UP).content.decode()


def test_an_expired_confirmation_link_is_refused_clearly(
    client, inbox, django_capture_on_commit_callbacks, monkeypatch
):
    sign_up(client, django_capture_on_commit_callbacks)
    url = link_in(inbox.messages[0])
    monkeypatch.setattr(
        consent, "CONFIRM_FOR", consent.CONFIRM_FOR * 0 - consent.CONFIRM_FOR
    )
    response = client.post(url)
    assert response.status_code == 400
    assert "This link has expired" in response.content.decode()
    assert Subscriber.objects.get().status == "pending"


@pytest.mark.parametrize("view", ["confirm", "unsubscribe"])
def test_tampered_tokens_are_refused(client, view):
    subscriber = Subscriber.objects.create(email="a@example.org")
    token = (
        consent.confirm_token(subscriber)
        if view == "confirm"
        else consent.unsubscribe_token(subscriber)
    )
    forged = token.replace(str(subscriber.pk), str(subscriber.pk + 1), 1)
    for bad in (forged, token[:-2] + "xx", "nonsense"):
        response = client.post(f"/updates/{view}/{bad}/")
        assert response.status_code == 400
        assert "This link is not valid" in response.content.decode()
    assert Subscriber.objects.get().status == "pending"
    # A confirm token cannot unsubscribe, nor the other way round.
    with pytest.raises(signing.BadSignature):
        signing.Signer(salt=consent.UNSUBSCRIBE_SALT).unsign(
            consent.confirm_token(subscriber)
        )


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"email": "not-an-address"}, "Enter an email address like name@example.com."),
        ({"email": "a" * 10_000 + "@example.org"}, "Enter an email address"),
        ({"topics": ["no-such-topic"]}, "Choose from the updates listed."),
        ({"topics": []}, "Choose at least one kind of update."),
        ({"topics": ["near-me"], "postcode": "TS4 3AE"}, "is not a London postcode"),
        ({"topics": ["near-me"]}, "Enter your postcode for activities near you."),
        (
            {"topics": ["near-me"], "postcode": "E" * 10_000},
            "Ensure this value has at most 10 characters",
        ),
        ({"interests": ["x" * 10_000]}, "Select a valid choice."),
        ({"topics": ["vru-news" * 2000]}, "Choose from the updates listed."),
    ],
)
def test_bad_input_gets_a_message_and_stores_nothing(client, inbox, fields, message):
    data = {"email": "sam@example.org", "topics": ["vru-news"], **fields}
    response = client.post(SIGN_UP, data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Subscriber.objects.exists()
    assert inbox.messages == []


def test_near_me_keeps_the_postcode_and_interests_nothing_else(
    client, inbox, django_capture_on_commit_callbacks
):
    sign_up(
        client,
        django_capture_on_commit_callbacks,
        topics=["near-me"],
        postcode="e83aa",
        interests=["sport", "music"],
    )
    subscriber = Subscriber.objects.get()
    assert (subscriber.postcode, subscriber.interests) == ("E8 3AA", ["sport", "music"])


def test_manage_page_changes_topics_and_records_it(
    client, inbox, django_capture_on_commit_callbacks
):
    sign_up(client, django_capture_on_commit_callbacks)
    client.post(link_in(inbox.messages[0]))
    subscriber = Subscriber.objects.get()
    url = "/updates/manage/" + consent.manage_token(subscriber) + "/"
    page = client.get(url).content.decode()
    assert "sam@example.org" in page and "Save my choices" in page
    response = client.post(
        url,
        {
            "topics": ["community-seed-fund", "near-me"],
            "postcode": "SW2 1AA",
            "wording_version": "1",
        },
    )
    assert response.status_code == 200
    subscriber.refresh_from_db()
    assert sorted(subscriber.topics.values_list("slug", flat=True)) == [
        "community-seed-fund",
        "near-me",
    ]
    assert subscriber.postcode == "SW2 1AA"
    assert subscriber.consents.values_list("action", flat=True).last() == "changed"
    # Choosing nothing stops everything, recorded as withdrawn.
    client.post(url, {"wording_version": "1"})
    subscriber.refresh_from_db()
    assert subscriber.status == "unsubscribed"
    assert subscriber.consents.values_list("action", flat=True).last() == "withdrawn"
    assert client.get("/updates/manage/forged/").status_code == 400


def test_one_address_cannot_be_signed_up_again_and_again(client, inbox):
    codes = [
        client.post(
            SIGN_UP, {"email": "target@example.org", "topics": ["vru-news"]}
        ).status_code
        for _ in range(4)
    ]
    assert codes == [302, 302, 302, 429]


def test_a_replayed_confirmation_link_says_so_and_records_nothing(
    client, inbox, django_capture_on_commit_callbacks
):
    sign_up(client, django_capture_on_commit_callbacks)
    url = link_in(inbox.messages[0])
    assert client.post(url).status_code == 200
    again = client.post(url)
    assert again.status_code == 400
    assert "This link has already been used" in again.content.decode()
    assert ConsentRecord.objects.filter(action="confirmed").count() == 1


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    fields=st.lists(
        st.tuples(
            st.sampled_from(
                [
                    "email",
                    "topics",
                    "postcode",
                    "interests",
                    "radius_km",
                    "age_band",
                    "website",
                    "wording_version",
                ]
            ),
            st.one_of(
                st.text(max_size=60),
                st.sampled_from(
                    ["near-me", "vru-news", "E8 3AA", "a@b.org", "1", "99"]
                ),
            ),
        ),
        max_size=8,
    )
)
def test_any_sign_up_form_gets_an_answer_never_a_500(client, fields):
    cache.clear()
    data: dict[str, list[str]] = {}
    for name, value in fields:
        data.setdefault(name, []).append(value)
    response = client.post(SIGN_UP, data)
    assert response.status_code in (302, 400)

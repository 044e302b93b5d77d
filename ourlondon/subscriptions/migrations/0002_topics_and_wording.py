"""The four kinds of update and the first consent wording."""

from django.db import migrations

TOPICS = [
    (
        "vru-news",
        "Violence Reduction Unit news",
        "News from London's Violence Reduction Unit.",
        False,
        1,
    ),
    (
        "young-londoners-fund",
        "Young Londoners Fund",
        "Updates, including when the next funding round opens.",
        False,
        2,
    ),
    (
        "community-seed-fund",
        "Community Seed Fund",
        "Updates, including when the next funding round opens.",
        False,
        3,
    ),
    (
        "near-me",
        "New activities near me",
        "A weekly email of new activities near your postcode.",
        True,
        4,
    ),
]
WORDING = (
    "We will use your email address (and, for activities near you, your postcode "
    "and interests) only to send the updates you chose. We will not add it to any "
    "other list or pass it to anyone else. Every email has a link to stop them. "
    "Our privacy notice explains how we look after your details."
)


def add(apps, schema_editor):
    Topic = apps.get_model("subscriptions", "Topic")
    ConsentWording = apps.get_model("subscriptions", "ConsentWording")
    for slug, name, description, needs_place, order in TOPICS:
        Topic.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "description": description,
                "needs_place": needs_place,
                "order": order,
            },
        )
    ConsentWording.objects.get_or_create(version=1, defaults={"text": WORDING})


def remove(apps, schema_editor):
    apps.get_model("subscriptions", "Topic").objects.filter(
        slug__in=[t[0] for t in TOPICS], subscribers__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("subscriptions", "0001_subscribers_and_consent")]
    operations = [migrations.RunPython(add, remove)]

"""The "Get help now" entries a new site starts with. Staff keep them current in
the admin; `last_checked` stays empty until someone has called or visited to
check each one (the page shows the date only once it is set)."""

from django.db import migrations

HELP_LINES = [
    {
        "name": "Emergency: police, ambulance, fire",
        "group": "emergency",
        "summary": "In danger right now, or someone is hurt? Call 999. If you "
        "cannot speak, call 999 from a mobile, then press 55 when asked.",
        "phone": "999",
        "hours": "24/7",
        "order": 10,
    },
    {
        "name": "Childline",
        "group": "talk",
        "summary": "Free, confidential help for anyone under 19, about anything. "
        "Calls do not show on phone bills.",
        "phone": "0800 1111",
        "url": "https://www.childline.org.uk/",
        "link_text": "Talk to Childline online",
        "hours": "24/7",
        "order": 20,
    },
    {
        "name": "Samaritans",
        "group": "talk",
        "summary": "Someone to talk to, whatever you are going through. Free "
        "from any phone.",
        "phone": "116 123",
        "url": "https://www.samaritans.org/",
        "link_text": "Samaritans website",
        "hours": "24/7",
        "order": 30,
    },
    {
        "name": "Shout",
        "group": "talk",
        "summary": "If you would rather text than talk: free, confidential "
        "support by text message.",
        "text_number": "85258",
        "text_message": "SHOUT",
        "url": "https://giveusashout.org/",
        "link_text": "Shout website",
        "hours": "24/7",
        "order": 40,
    },
    {
        "name": "Fearless",
        "group": "report",
        "summary": "Tell someone about a crime without saying who you are. "
        "Fearless never asks for your name.",
        "url": "https://www.fearless.org/en/give-info",
        "link_text": "Give information anonymously",
        "order": 50,
    },
    {
        "name": "Victim Support",
        "group": "report",
        "summary": "Free support after any crime, whether or not you told the police.",
        "phone": "0808 168 9111",
        "url": "https://www.victimsupport.org.uk/",
        "link_text": "Victim Support website",
        "hours": "24/7",
        "order": 60,
    },
    {
        "name": "Rescue and Response",
        "group": "exploitation",
        "summary": "Support for young Londoners up to 25 caught up in county "
        "lines. Ask a youth worker, teacher or social worker to refer you.",
        "url": "https://www.stgilestrust.org.uk/",
        "link_text": "St Giles Trust, a Rescue and Response partner",
        "order": 70,
    },
    {
        "name": "London Gang Exit (Safer London)",
        "group": "exploitation",
        "summary": "One-to-one help to leave a gang or get away from one, for "
        "young Londoners. Anyone who works with you can refer you.",
        "url": "https://saferlondon.org.uk/",
        "link_text": "Safer London website",
        "order": 80,
    },
    {
        "name": "Youth workers in hospitals (Redthread)",
        "group": "hospital",
        "summary": "In A&E after violence or exploitation? Youth workers in "
        "London's major hospitals can talk with you there. Ask the staff.",
        "url": "https://www.redthread.org.uk/",
        "link_text": "Redthread website",
        "order": 90,
    },
]


def seed(apps, schema_editor):
    HelpLine = apps.get_model("support", "HelpLine")
    for entry in HELP_LINES:
        HelpLine.objects.get_or_create(name=entry["name"], defaults=entry)


def unseed(apps, schema_editor):
    HelpLine = apps.get_model("support", "HelpLine")
    HelpLine.objects.filter(name__in=[e["name"] for e in HELP_LINES]).delete()


class Migration(migrations.Migration):
    dependencies = [("support", "0001_directory_havens_toolkits")]

    operations = [migrations.RunPython(seed, unseed)]

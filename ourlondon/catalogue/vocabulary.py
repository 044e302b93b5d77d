"""Controlled vocabularies of the catalogue: categories and accessibility features."""

from __future__ import annotations

from django.db import models


class Category(models.TextChoices):
    """The youth categories every activity type belongs to (one each)."""

    SPORT = "sport", "Sport"
    DANCE = "dance", "Dance"
    MUSIC = "music", "Music"
    DRAMA = "drama-theatre", "Drama and theatre"
    ARTS = "arts-crafts", "Arts and crafts"
    OUTDOOR = "outdoor-adventure", "Outdoor and adventure"
    TECH = "tech-coding", "Tech and coding"
    YOUTH_CLUB = "youth-club", "Youth club"
    MENTORING = "mentoring", "Mentoring"
    EMPLOYMENT = "employment-training", "Employment and training"
    WELLBEING = "wellbeing", "Wellbeing"


class AccessibilityFeature(models.TextChoices):
    """Accessibility of an activity or venue.

    The first six are the OpenActive Accessibility Support concepts (CC BY 4.0), so
    feeds map one to one; the rest are what young people and carers ask about.
    """

    VISUAL = "visual-impairment", "Support for visual impairment"
    HEARING = "hearing-impairment", "Support for hearing impairment"
    PHYSICAL = "physical-impairment", "Support for physical impairment"
    LEARNING = "learning-impairment", "Support for learning disability"
    MENTAL_HEALTH = "mental-health", "Support for mental health"
    SOCIAL = "social-behavioural", "Support for social or behavioural needs"
    STEP_FREE = "step-free", "Step-free access"
    ACCESSIBLE_TOILET = "accessible-toilet", "Accessible toilet"
    HEARING_LOOP = "hearing-loop", "Hearing loop"
    BSL = "bsl", "British Sign Language"
    QUIET = "quiet-space", "Quiet space or sensory-friendly session"
    CHANGING_PLACES = "changing-places", "Changing Places toilet"


# OpenActive Accessibility Support concept URI -> our feature.
OPENACTIVE_ACCESSIBILITY = {
    "https://openactive.io/accessibility-support#1393f2dc-3fcc-4be9-a99f-f1e51f5ad277": AccessibilityFeature.VISUAL,  # noqa: E501 (URIs are not split)
    "https://openactive.io/accessibility-support#2bfb7228-5969-4927-8435-38b5005a8771": AccessibilityFeature.HEARING,  # noqa: E501
    "https://openactive.io/accessibility-support#dd026873-6713-4ea1-af5a-08901f651d98": AccessibilityFeature.PHYSICAL,  # noqa: E501
    "https://openactive.io/accessibility-support#67902468-fd49-4238-8650-20a22d7f0e40": AccessibilityFeature.LEARNING,  # noqa: E501
    "https://openactive.io/accessibility-support#40b9b11f-bdd3-4aeb-8984-2ecf74a14c7a": AccessibilityFeature.MENTAL_HEALTH,  # noqa: E501
    "https://openactive.io/accessibility-support#69b689d4-be04-4e6d-be56-4ac72ec82444": AccessibilityFeature.SOCIAL,  # noqa: E501
}


class Weekday(models.TextChoices):
    """RFC 5545 BYDAY codes, so a schedule reads like an iCalendar RRULE."""

    MO = "MO", "Monday"
    TU = "TU", "Tuesday"
    WE = "WE", "Wednesday"
    TH = "TH", "Thursday"
    FR = "FR", "Friday"
    SA = "SA", "Saturday"
    SU = "SU", "Sunday"


WEEKDAY_CODES = [code for code, _ in Weekday.choices]

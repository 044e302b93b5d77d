"""Moderation, under /moderation/: moderators only, after two-factor."""

from django.urls import path

from ourlondon.providers import moderation_views as views

app_name = "moderation"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("organisations/<int:pk>/", views.organisation, name="organisation"),
    path("organisations/<int:pk>/policy.pdf", views.policy, name="policy"),
    path("organisations/<int:pk>/verify/", views.verify, name="verify"),
    path("organisations/<int:pk>/reject/", views.reject, name="reject"),
    path("organisations/<int:pk>/suspend/", views.suspend, name="suspend"),
    path("claims/<int:pk>/", views.claim_decision, name="claim"),
]

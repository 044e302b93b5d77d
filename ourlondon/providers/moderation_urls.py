"""Moderation, under /moderation/: moderators only, after two-factor."""

from django.urls import path

from ourlondon.providers import feed_moderation_views
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
    path("listings/", views.listing_queue, name="listings"),
    path("listings/<int:pk>/", views.listing, name="listing"),
    path("listings/<int:pk>/approve/", views.listing_approve, name="listing-approve"),
    path("listings/<int:pk>/reject/", views.listing_reject, name="listing-reject"),
    path("feeds/", feed_moderation_views.feed_queue, name="feeds"),
    path(
        "feeds/<int:pk>/approve/",
        feed_moderation_views.feed_approve,
        name="feed-approve",
    ),
    path(
        "feeds/<int:pk>/reject/", feed_moderation_views.feed_reject, name="feed-reject"
    ),
    path("reports/", views.reports, name="reports"),
    path("reports/<int:pk>/", views.report, name="report"),
    path("reports/<int:pk>/close/", views.report_close, name="report-close"),
    path("activities/<int:pk>/", views.activity, name="activity"),
    path(
        "activities/<int:pk>/unpublish/",
        views.activity_unpublish,
        name="activity-unpublish",
    ),
    path(
        "activities/<int:pk>/republish/",
        views.activity_republish,
        name="activity-republish",
    ),
    path("freshness/", views.freshness_dashboard, name="freshness"),
    path("audit/", views.audit_log, name="audit"),
]

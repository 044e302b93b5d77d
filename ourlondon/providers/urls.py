"""The provider portal, under /provider/."""

from django.urls import path

from ourlondon.providers import bulk_views, freshness_views, views

app_name = "providers"
urlpatterns = [
    path("", views.home, name="home"),
    path("organisations/new/", views.organisation_new, name="organisation-new"),
    path("organisations/<int:pk>/", views.organisation_detail, name="organisation"),
    path(
        "organisations/<int:pk>/edit/",
        views.organisation_edit,
        name="organisation-edit",
    ),
    path("organisations/<int:pk>/policy.pdf", views.policy, name="policy"),
    path("organisations/<int:pk>/invite/", views.invite, name="invite"),
    path("organisations/<int:pk>/listings/", views.listings, name="listings"),
    path("organisations/<int:pk>/listings/new/", views.listing_new, name="listing-new"),
    path(
        "organisations/<int:pk>/listings/<int:activity_id>/edit/",
        views.listing_edit,
        name="listing-edit",
    ),
    path(
        "organisations/<int:pk>/listings/upload/",
        bulk_views.upload,
        name="bulk-upload",
    ),
    path(
        "organisations/<int:pk>/listings/template.csv",
        bulk_views.template_csv,
        name="bulk-template-csv",
    ),
    path(
        "organisations/<int:pk>/listings/template.xlsx",
        bulk_views.template_xlsx,
        name="bulk-template-xlsx",
    ),
    path("organisations/<int:pk>/feeds/", bulk_views.feeds, name="feeds"),
    path(
        "organisations/<int:pk>/feeds/<int:feed_id>/remove/",
        bulk_views.feed_remove,
        name="feed-remove",
    ),
    path(
        "organisations/<int:pk>/listings/<int:activity_id>/withdraw/",
        views.listing_withdraw,
        name="listing-withdraw",
    ),
    path(
        "organisations/<int:pk>/listings/drafts/<int:draft_id>/withdraw/",
        views.draft_withdraw,
        name="draft-withdraw",
    ),
    path(
        "organisations/<int:pk>/listings/<int:activity_id>/confirm/",
        freshness_views.listing_confirm,
        name="listing-confirm",
    ),
    path(
        "still-running/<str:token>/",
        freshness_views.still_running,
        name="still-running",
    ),
    path("claim/", views.claim, name="claim"),
    path("join/<str:token>/", views.join, name="join"),
]

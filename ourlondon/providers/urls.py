"""The provider portal, under /provider/."""

from django.urls import path

from ourlondon.providers import freshness_views, views

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

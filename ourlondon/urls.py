"""URL configuration: public site, JSON API and staff admin."""

from django.contrib import admin
from django.urls import include, path

from ourlondon.ingest.views import health as feed_health

admin.site.site_header = "ourlondon staff"
admin.site.site_title = "ourlondon staff"
admin.site.index_title = "Catalogue and reference data"

urlpatterns = [
    path("staff/feeds/health/", feed_health, name="feed-health"),
    path("staff/", admin.site.urls),
    path("api/v1/", include("ourlondon.api.urls", namespace="api")),
    path("updates/", include("ourlondon.subscriptions.urls")),
    path("funding/", include("ourlondon.funding.urls")),
    path("", include("ourlondon.support.urls")),
    path("", include("ourlondon.web.urls")),
]

"""URL configuration: public site, JSON API and staff admin."""

from django.contrib import admin
from django.urls import include, path

from ourlondon.accounts.views import staff_login
from ourlondon.ingest.views import health as feed_health

admin.site.site_header = "ourlondon staff"
admin.site.site_title = "ourlondon staff"
admin.site.index_title = "Catalogue and reference data"
# The front page staff see first also says when the school holidays run out.
admin.site.index_template = "catalogue/admin_index.html"

urlpatterns = [
    path("staff/feeds/health/", feed_health, name="feed-health"),
    # Staff sign in like everyone else: throttled, and with the second factor.
    path("staff/login/", staff_login, name="staff-login"),
    path("staff/", admin.site.urls),
    # Accounts and the provider portal (#8): the only pages with a session.
    path("account/", include("allauth.urls")),
    path("provider/", include("ourlondon.providers.urls")),
    path("moderation/", include("ourlondon.providers.moderation_urls")),
    path("api/v1/", include("ourlondon.api.urls", namespace="api")),
    path("updates/", include("ourlondon.subscriptions.urls")),
    path("funding/", include("ourlondon.funding.urls")),
    path("", include("ourlondon.support.urls")),
    path("", include("ourlondon.web.urls")),
]

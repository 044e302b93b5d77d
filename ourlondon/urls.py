"""URL configuration: public site and staff admin."""

from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "ourlondon staff"
admin.site.site_title = "ourlondon staff"
admin.site.index_title = "Catalogue and reference data"

urlpatterns = [
    path("staff/", admin.site.urls),
    path("", include("ourlondon.web.urls")),
]

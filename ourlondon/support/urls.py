from django.urls import path

from ourlondon.support import views

app_name = "support"

urlpatterns = [
    path("help/", views.help_page, name="help"),
    path("sw.js", views.service_worker, name="service-worker"),
    path("support-services/", views.services, name="services"),
    path("support-services/<int:pk>/", views.service_detail, name="service-detail"),
    path("safe-havens/", views.havens, name="havens"),
    path("safe-havens/havens.geojson", views.havens_geojson, name="havens-geojson"),
    path("safe-havens/<int:pk>/", views.haven_detail, name="haven-detail"),
    path("safe-havens/apply/", views.haven_apply, name="haven-apply"),
    path("safe-havens/apply/sent/", views.haven_applied, name="haven-applied"),
    path("toolkits/", views.toolkits, name="toolkits"),
    path("toolkits/<slug:slug>/", views.toolkit, name="toolkit"),
    path("toolkits/<slug:slug>/<slug:page>/", views.toolkit_page, name="toolkit-page"),
    path("london-needs-you-alive/", views.campaign, name="campaign"),
    path(
        "london-needs-you-alive/<slug:slug>/",
        views.campaign_message,
        name="campaign-message",
    ),
]

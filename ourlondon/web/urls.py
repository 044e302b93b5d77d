from django.urls import path

from ourlondon.web import views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.results, name="results"),
    path("activities/<int:pk>/", views.activity_detail, name="activity-detail"),
    path("activities/<int:pk>/calendar.ics", views.activity_ics, name="activity-ics"),
    path(
        "activities/<int:pk>/sessions/<int:occurrence>.ics",
        views.occurrence_ics,
        name="occurrence-ics",
    ),
    path("activities/<int:pk>/report/", views.report, name="report"),
    path("activities/<int:pk>/report/sent/", views.report_sent, name="report-sent"),
    path("map/boroughs.geojson", views.boroughs_geojson, name="boroughs-geojson"),
    path("healthz", views.healthz, name="healthz"),
]

from django.urls import path

from ourlondon.web import views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("activities/<int:pk>/", views.activity_detail, name="activity-detail"),
    path("healthz", views.healthz, name="healthz"),
]

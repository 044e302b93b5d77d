from django.urls import path

from ourlondon.funding import views

app_name = "funding"

urlpatterns = [
    path("", views.index, name="index"),
    path("boroughs/", views.boroughs, name="boroughs"),
    path("grants/", views.grant_list, name="grants"),
    path("grants/<int:pk>/", views.grant_detail, name="grant"),
    path("grants.json", views.grants_json, name="all-json"),
    path("grants.csv", views.grants_csv, name="all-csv"),
    path("<slug:slug>/", views.fund_detail, name="fund"),
    path("<slug:slug>/grants.json", views.grants_json, name="fund-json"),
    path("<slug:slug>/grants.csv", views.grants_csv, name="fund-csv"),
    path("<slug:slug>/next-round/", views.next_round, name="next-round"),
]

from django.urls import path

from ourlondon.subscriptions import views

app_name = "subscriptions"

urlpatterns = [
    path("", views.sign_up, name="sign-up"),
    path("check-your-email/", views.check_email, name="check-email"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("manage/<str:token>/", views.manage, name="manage"),
]

from django.urls import path

from esm.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("language/", views.language_view, name="language"),
    path("absence/", views.absence_view, name="absence"),
    path("absence/<int:pk>/cancel/", views.cancel_absence_view, name="cancel_absence"),
]

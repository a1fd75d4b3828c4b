"""Desk pages of received mail, mounted at /desk/mail/ (esm.mail.views)."""

from django.urls import path

from esm.mail import views

app_name = "mail"
urlpatterns = [
    path("<int:pk>/raw", views.raw_message, name="raw"),
]

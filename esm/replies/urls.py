from django.urls import path  # noqa: F401

app_name = "replies"
urlpatterns: list = []  # type: ignore[type-arg]

"""Attachments, served only through a permission check (esm.cases.views.files)."""

from django.urls import path

from esm.cases.views import files

app_name = "files"
urlpatterns = [
    path("<uuid:key>/", files.attachment, name="attachment"),
    path("<uuid:key>/thumbnail/", files.thumbnail, name="thumbnail"),
]

"""The desk's building pages (registry) and the building import pages."""

from django.urls import include, path

app_name = "buildings"
urlpatterns: list = [  # type: ignore[type-arg]
    path("import/", include("esm.buildings.urls_imports")),
]

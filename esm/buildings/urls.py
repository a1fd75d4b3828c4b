"""The desk's building pages (registry) and the building import pages."""

from django.urls import include, path

from esm.buildings.views import registry

app_name = "buildings"
urlpatterns: list = [  # type: ignore[type-arg]
    path("import/", include("esm.buildings.urls_imports")),
    path("", registry.building_list, name="list"),
    path("<str:property_number>/", registry.building_detail, name="detail"),
    path("<str:property_number>/access/", registry.show_access_info, name="access"),
    path("<str:property_number>/edit/", registry.edit_building, name="edit"),
    path("<str:property_number>/units/", registry.add_unit, name="add_unit"),
    path("<str:property_number>/installations/", registry.add_installation, name="add_installation"),
    path("<str:property_number>/documents/", registry.add_document, name="add_document"),
    path("<str:property_number>/documents/<uuid:key>/", registry.document, name="document"),
]

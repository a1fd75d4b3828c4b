"""Building import pages and the register refresh, included under /desk/buildings/import/ (namespace "buildings")."""

from django.urls import path

from esm.buildings.views import imports

urlpatterns = [
    path("", imports.import_page, name="import"),
    path("runs/<uuid:key>/", imports.run_detail, name="import_run"),
    path("runs/<uuid:key>/run/", imports.run_for_real, name="import_run_for_real"),
    path("refresh/<str:property_number>/", imports.refresh, name="register_refresh"),
]

"""The registry in Django's admin: buildings with their units and installations, plans, documents and the
log of access-information reads (read-only). Everyday changes go through the desk and the services."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from esm.buildings import admin_imports  # noqa: F401  (import mappings and runs)
from esm.buildings.models import AccessInfoRead, Building, BuildingDocument, Installation, MaintenancePlan, Unit
from esm.buildings.services import building_search_text


class UnitInline(admin.TabularInline[Unit, Building]):
    model = Unit
    fk_name = "building"
    extra = 0
    fields = ["code", "name", "kind", "parent"]


class InstallationInline(admin.TabularInline[Installation, Building]):
    model = Installation
    extra = 0
    fields = [
        "kind",
        "name",
        "unit",
        "make",
        "model",
        "year_installed",
        "service_contract",
        "contract_expires",
        "supplier",
    ]


@admin.register(Building)
class BuildingAdmin(admin.ModelAdmin[Building]):
    list_display = ["property_number", "name", "street", "house_number", "postcode", "city", "responsible_team"]
    list_filter = ["responsible_team", "bbr_use_code"]
    search_fields = ["property_number", "name", "street", "postcode", "city"]
    filter_horizontal = ["organisations"]
    readonly_fields = ["fact_sources", "updated_at"]
    inlines = [UnitInline, InstallationInline]

    def save_model(self, request: HttpRequest, obj: Building, form: Any, change: bool) -> None:
        obj.search_text = building_search_text(obj)
        super().save_model(request, obj, form, change)


@admin.register(MaintenancePlan)
class MaintenancePlanAdmin(admin.ModelAdmin[MaintenancePlan]):
    list_display = ["task", "building", "installation", "first_due", "interval_months", "is_active"]
    list_filter = ["is_active", "category_code"]
    search_fields = ["task", "building__property_number", "building__name"]
    raw_id_fields = ["building", "installation"]


@admin.register(BuildingDocument)
class BuildingDocumentAdmin(admin.ModelAdmin[BuildingDocument]):
    list_display = ["title", "building", "kind", "content_type", "size", "uploaded_by", "uploaded_at"]
    search_fields = ["title", "building__property_number"]
    readonly_fields = ["key", "file", "filename", "content_type", "size", "uploaded_by", "uploaded_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # uploads go through the building page, which checks the content


@admin.register(AccessInfoRead)
class AccessInfoReadAdmin(admin.ModelAdmin[AccessInfoRead]):
    """Who read which building's keys and alarm codes, and when: a log, never edited."""

    list_display = ["read_at", "user", "building", "context"]
    list_filter = ["read_at"]
    search_fields = ["building__property_number", "user__username", "context"]
    date_hierarchy = "read_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

"""Django admin for building import mappings and the record of import runs (imported by buildings/admin.py)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from esm.buildings.imports import check_mapping
from esm.buildings.models import ImportMapping, ImportRun


class ImportMappingForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = ImportMapping
        fields = ["name", "description", "key", "columns"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "columns" in data and "key" in data:
            for problem in check_mapping(data["columns"], data["key"]):
                self.add_error("columns", problem)
        return data


@admin.register(ImportMapping)
class ImportMappingAdmin(admin.ModelAdmin[ImportMapping]):
    form = ImportMappingForm
    list_display = ["name", "description", "key"]
    search_fields = ["name", "description"]


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin[ImportRun]):
    list_display = [
        "created_at",
        "filename",
        "mapping_name",
        "dry_run",
        "state",
        "created_count",
        "updated_count",
        "unchanged_count",
        "error_count",
        "started_by",
    ]
    list_filter = ["state", "dry_run", "mapping_name"]
    search_fields = ["filename", "mapping_name"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: ImportRun | None = None) -> bool:
        return False

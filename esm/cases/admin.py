"""Django admin for administrators: categories, SLA targets and business hours.

Changes to targets and hours go through the services so open cases are recomputed.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from esm.cases import services
from esm.cases.models import BusinessHours, Case, Category, SlaTarget


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin[Category]):
    list_display = ["code", "name_da", "name_en", "parent", "team", "is_active", "position"]
    list_filter = ["is_active", "team"]
    list_editable = ["is_active", "position"]
    search_fields = ["code", "name_da", "name_en"]


@admin.register(SlaTarget)
class SlaTargetAdmin(admin.ModelAdmin[SlaTarget]):
    list_display = ["priority", "first_response_minutes", "resolution_minutes"]

    def save_model(self, request: HttpRequest, obj: SlaTarget, form: Any, change: bool) -> None:
        services.set_sla_target(
            request.user,  # type: ignore[arg-type]
            priority=obj.priority,
            first_response_minutes=obj.first_response_minutes,
            resolution_minutes=obj.resolution_minutes,
        )


@admin.register(BusinessHours)
class BusinessHoursAdmin(admin.ModelAdmin[BusinessHours]):
    list_display = ["weekday", "opens", "closes"]

    def save_model(self, request: HttpRequest, obj: BusinessHours, form: Any, change: bool) -> None:
        services.set_business_hours(request.user, hours={obj.weekday: (obj.opens, obj.closes)})  # type: ignore[arg-type]

    def delete_model(self, request: HttpRequest, obj: BusinessHours) -> None:
        services.set_business_hours(request.user, hours={obj.weekday: None})  # type: ignore[arg-type]


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin[Case]):
    """Read-only: cases are worked in the desk, where every change is on the timeline."""

    list_display = ["number", "title", "status", "priority", "building", "assignee", "created_at"]
    list_filter = ["status", "priority", "channel"]
    search_fields = ["number", "title"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

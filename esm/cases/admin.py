"""Django admin for administrators: categories, SLA targets, business hours and assignment rules.

Changes to targets and hours go through the services so open cases are recomputed.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from esm.cases import services
from esm.cases.models import AssignmentRule, BusinessHours, Case, Category, SlaTarget


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin[Category]):
    list_display = ["code", "name_da", "name_en", "parent", "team", "is_active", "position"]
    list_filter = ["is_active", "team"]
    list_editable = ["is_active", "position"]
    search_fields = ["code", "name_da", "name_en"]


@admin.register(SlaTarget)
class SlaTargetAdmin(admin.ModelAdmin[SlaTarget]):
    list_display = ["priority", "first_response_minutes", "resolution_minutes", "unattended_after_hours"]

    def save_model(self, request: HttpRequest, obj: SlaTarget, form: Any, change: bool) -> None:
        services.set_sla_target(
            request.user,  # type: ignore[arg-type]
            priority=obj.priority,
            first_response_minutes=obj.first_response_minutes,
            resolution_minutes=obj.resolution_minutes,
        )
        # Only the team leads' "unattended" view reads it: nothing to recompute.
        SlaTarget.objects.filter(priority=obj.priority).update(unattended_after_hours=obj.unattended_after_hours)


@admin.register(BusinessHours)
class BusinessHoursAdmin(admin.ModelAdmin[BusinessHours]):
    list_display = ["weekday", "opens", "closes"]

    def save_model(self, request: HttpRequest, obj: BusinessHours, form: Any, change: bool) -> None:
        services.set_business_hours(request.user, hours={obj.weekday: (obj.opens, obj.closes)})  # type: ignore[arg-type]

    def delete_model(self, request: HttpRequest, obj: BusinessHours) -> None:
        services.set_business_hours(request.user, hours={obj.weekday: None})  # type: ignore[arg-type]


@admin.register(AssignmentRule)
class AssignmentRuleAdmin(admin.ModelAdmin[AssignmentRule]):
    """Who gets a new case: the active rules in order of position, the first that finds somebody decides."""

    list_display = ["position", "name", "is_active", "strategy", "category", "priority", "building", "team", "person"]
    list_display_links = ["name"]
    list_editable = ["position"]
    list_filter = ["is_active", "strategy"]
    ordering = ["position", "pk"]
    raw_id_fields = ["building", "person"]
    fieldsets = (
        (None, {"fields": ("name", "position", "is_active")}),
        (_("When"), {"fields": ("category", "include_subcategories", "priority", "organisation", "building")}),
        (_("Assign to"), {"fields": ("strategy", "team", "person")}),
    )


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

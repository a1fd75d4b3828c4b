from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from esm.accounts.models import Absence, Organisation, Team, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):  # type: ignore[type-arg]
    list_display = ["username", "first_name", "last_name", "role", "organisation", "team", "is_active"]
    list_filter = ["role", "team", "is_active"]
    fieldsets = (
        *BaseUserAdmin.fieldsets,  # type: ignore[misc]
        (_("Service desk"), {"fields": ("role", "organisation", "team", "phone", "language")}),
    )
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        (_("Service desk"), {"fields": ("role", "organisation", "team", "language")}),
    )


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin[Organisation]):
    list_display = ["name", "kind", "parent", "code"]
    list_filter = ["kind"]
    search_fields = ["name", "code"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin[Team]):
    list_display = ["name", "code"]


@admin.register(Absence)
class AbsenceAdmin(admin.ModelAdmin[Absence]):
    """To look up and remove absences; they are registered on the desk's absence page (with its checks)."""

    list_display = ["user", "starts", "ends", "substitute", "reason", "created_by", "created_at"]
    list_filter = ["user__team"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "reason"]
    date_hierarchy = "starts"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

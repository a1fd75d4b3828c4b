from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from esm.buildings.models import Building
from esm.buildings.services import building_search_text


@admin.register(Building)
class BuildingAdmin(admin.ModelAdmin[Building]):
    list_display = ["property_number", "name", "street", "house_number", "postcode", "city"]
    search_fields = ["property_number", "name", "street", "postcode", "city"]
    filter_horizontal = ["organisations"]

    def save_model(self, request: HttpRequest, obj: Building, form: Any, change: bool) -> None:
        obj.search_text = building_search_text(obj)
        super().save_model(request, obj, form, change)

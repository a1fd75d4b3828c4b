"""The buildings API: search the registry, and the buildings a reporter's organisation uses."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from django.urls import reverse
from ninja import Field, Query, Router, Schema

from esm.api.auth import current_user
from esm.api.problems import PageQuery, Text, paginate
from esm.buildings.models import Building
from esm.buildings.queries import buildings_for_reporter, search_buildings

router = Router(tags=["buildings"])


class BuildingOut(Schema):
    property_number: str = Field(..., examples=["E-1001"])
    name: str
    address: str
    street: str
    house_number: str
    postcode: str
    city: str
    url: str


class BuildingDetail(BuildingOut):
    organisations: list[str] = Field(..., description="The organisations that use the building")


class BuildingPage(Schema):
    items: list[BuildingOut]
    next: str | None


class BuildingQuery(PageQuery):
    search: Text = Field("", description="Words from the name, address, postcode or property number")
    q: Text = Field("", description="Same as `search`")


def building_body(request: HttpRequest, building: Building) -> dict[str, Any]:
    return {
        "property_number": building.property_number,
        "name": building.name,
        "address": building.address,
        "street": building.street,
        "house_number": building.house_number,
        "postcode": building.postcode,
        "city": building.city,
        "url": request.build_absolute_uri(reverse("api:building_detail", args=[building.property_number])),
    }


@router.get("", response=BuildingPage, summary="List or search buildings")
def list_buildings(request: HttpRequest, filters: Query[BuildingQuery]) -> dict[str, Any]:
    """With `search`: every building matching all words. Without: your organisation's buildings
    (customers; none for private tenants) or the whole registry (the desk)."""
    user = current_user(request)
    text = (filters.search or filters.q).strip()
    if text or user.is_handler:
        rows = search_buildings(text, limit=filters.offset + filters.limit + 1)
    else:
        rows = buildings_for_reporter(user)
    page, next_url = paginate(request, rows, limit=filters.limit, offset=filters.offset)
    return {"items": [building_body(request, building) for building in page], "next": next_url}


@router.get("/{property_number}", response=BuildingDetail, url_name="building_detail", summary="Read a building")
def read_building(request: HttpRequest, property_number: Text) -> dict[str, Any]:
    building = Building.objects.prefetch_related("organisations").filter(property_number=property_number).first()
    if building is None:
        raise Http404
    return {
        **building_body(request, building),
        "organisations": [organisation.name for organisation in building.organisations.all()],
    }

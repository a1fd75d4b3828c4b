"""The buildings API: search the registry (typos forgiven); read a building with its facts, units, installations."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, Query, Router, Schema

from esm.api.auth import current_user
from esm.api.problems import PageQuery, Text, paginate
from esm.buildings import services
from esm.buildings.models import Building
from esm.buildings.queries import (
    buildings_for_reporter,
    get_building_for,
    installations_with_case_counts,
    is_repeat_failure,
    search_buildings,
)

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


class FactSource(Schema):
    source: str = Field(..., examples=["BBR"])
    at: datetime | None


class UnitOut(Schema):
    code: str = Field(..., description="Use this code as `unit` when reporting a case", examples=["1.12"])
    name: str
    kind: str = Field(..., description="floor, room or area")
    parent: str | None = Field(..., description="Code of the floor the room is on")


class InstallationOut(Schema):
    id: int = Field(..., description="Use this id as `installation` when reporting a case")
    kind: str
    kind_label: str
    name: str
    make: str
    model: str
    year_installed: int | None
    service_contract: str
    contract_expires: date | None
    supplier: str
    unit: str | None = Field(..., description="Unit code")
    cases_last_twelve_months: int
    repeat_failure: bool = Field(..., description="Three or more cases within the last twelve months")


class AccessOut(Schema):
    opening_hours: str
    key_info: str
    alarm_info: str
    read_at: datetime = Field(..., description="When this reading was logged")


class BuildingDetail(BuildingOut):
    organisations: list[str] = Field(..., description="The organisations that use the building")
    bbr_id: str | None
    floor: str
    door: str
    latitude: Decimal | None
    longitude: Decimal | None
    year_built: int | None
    gross_area_m2: int | None
    bbr_use_code: str
    department: str | None = Field(..., description="Code of the using department")
    responsible_team: str | None = Field(..., description="Team code")
    responsible_technician: str | None = Field(None, description="Username (desk only)")
    notes: str | None = Field(None, description="Desk only")
    fact_sources: dict[str, FactSource] = Field(..., description="Where each fact came from, and when")
    access: AccessOut | None = Field(
        None, description="Keys, alarm and opening hours (if registered): technicians only; every reading is logged"
    )
    units: list[UnitOut]
    installations: list[InstallationOut]


class BuildingPage(Schema):
    items: list[BuildingOut]
    next: str | None


class BuildingQuery(PageQuery):
    search: Text = Field("", description="Address, name, postcode or property number; typos are forgiven")
    q: Text = Field("", description="Same as `search`")


class DetailQuery(Schema):
    access: bool = Field(True, description="Technicians: include (and log a reading of) the access information")


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
    """With `search`: the buildings matching it, best first, tolerant of typos and of Danish letters
    typed without (“Norrebrogade”). Without: your organisation's buildings (customers; none for
    private tenants) or the whole registry (the desk)."""
    user = current_user(request)
    text = (filters.search or filters.q).strip()
    if text or user.is_handler:
        rows: Any = search_buildings(text, limit=filters.offset + filters.limit + 1)
    else:
        rows = buildings_for_reporter(user).order_by("street", "house_number", "pk")
    page, next_url = paginate(request, rows, limit=filters.limit, offset=filters.offset)
    return {"items": [building_body(request, building) for building in page], "next": next_url}


@router.get("/{property_number}", response=BuildingDetail, url_name="building_detail", summary="Read a building")
def read_building(request: HttpRequest, property_number: Text, options: Query[DetailQuery]) -> dict[str, Any]:
    """The building's facts, units and installations (the desk sees every building, a customer the
    buildings their organisation uses). Technicians also get the access information; that reading
    is logged like one in the desk."""
    user = current_user(request)
    building = get_building_for(user, property_number)
    desk = user.is_handler
    access = None
    if desk and options.access and building.has_access_info:
        read = services.read_access_info(user, building=building, context="api")
        access = {**read.__dict__}
    sources = {
        field: {"source": str(entry.get("source", "")), "at": entry.get("at")}
        for field, entry in (building.fact_sources or {}).items()
        if isinstance(entry, dict)
    }
    return {
        **building_body(request, building),
        "organisations": [organisation.name for organisation in building.organisations.order_by("name")],
        "bbr_id": str(building.bbr_id) if building.bbr_id else None,
        "floor": building.floor,
        "door": building.door,
        "latitude": building.latitude,
        "longitude": building.longitude,
        "year_built": building.year_built,
        "gross_area_m2": building.gross_area_m2,
        "bbr_use_code": building.bbr_use_code,
        "department": building.department.code if building.department else None,
        "responsible_team": building.responsible_team.code if building.responsible_team else None,
        "responsible_technician": (
            building.responsible_technician.username if desk and building.responsible_technician else None
        ),
        "notes": building.notes if desk else None,
        "fact_sources": sources,
        "access": access,
        "units": [
            {
                "code": unit.code,
                "name": unit.name,
                "kind": unit.kind,
                "parent": unit.parent.code if unit.parent else None,
            }
            for unit in building.units.select_related("parent").order_by("code")
        ],
        "installations": [
            {
                "id": installation.pk,
                "kind": installation.kind,
                "kind_label": str(installation.get_kind_display()),
                "name": installation.name,
                "make": installation.make,
                "model": installation.model,
                "year_installed": installation.year_installed,
                "service_contract": installation.service_contract,
                "contract_expires": installation.contract_expires,
                "supplier": installation.supplier,
                "unit": installation.unit.code if installation.unit else None,
                "cases_last_twelve_months": installation.recent_cases,  # type: ignore[attr-defined]
                "repeat_failure": is_repeat_failure(installation),
            }
            for installation in installations_with_case_counts(building)
        ],
    }

"""Writes to the building registry."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from esm.accounts.models import Organisation
from esm.buildings.models import Building


def building_search_text(building: Building) -> str:
    return " ".join(
        [
            building.property_number,
            building.name,
            building.street,
            building.house_number,
            building.postcode,
            building.city,
        ]
    ).lower()


@transaction.atomic
def register_building(
    *,
    property_number: str,
    name: str,
    street: str,
    house_number: str,
    postcode: str,
    city: str,
    organisations: Iterable[Organisation] = (),
) -> Building:
    building = Building(
        property_number=property_number,
        name=name,
        street=street,
        house_number=house_number,
        postcode=postcode,
        city=city,
    )
    building.search_text = building_search_text(building)
    building.full_clean()
    building.save()
    building.organisations.set(list(organisations))
    return building

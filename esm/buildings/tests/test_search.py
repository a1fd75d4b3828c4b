"""The address search forgives typos and Danish letters typed without, on SQLite and on PostgreSQL alike.

Run on both: `.venv/bin/pytest esm/buildings/tests/test_search.py` and the same with
`DATABASE_URL=postgres://postgres@127.0.0.1:5432/esm_registry`.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.urls import reverse

from esm.api.tests.helpers import ApiCaller
from esm.buildings.models import Building
from esm.buildings.queries import search_buildings
from esm.buildings.services import register_building

pytestmark = pytest.mark.django_db

ADDRESSES = [
    ("E-4001", "Vesterbro Bibliotek", "Vesterbrogade", "12", "1620", "København V"),
    ("E-4002", "Kulturhus Vesterbro", "Vesterbrogade", "120", "1620", "København V"),
    ("E-4003", "Nørrebro Park Skole", "Nørrebrogade", "52", "2200", "København N"),
    ("E-4004", "Sundby Bibliotek", "Jemtelandsgade", "3", "2300", "København S"),
    ("E-4005", "Valby Kulturhus", "Valgårdsvej", "4", "2500", "Valby"),
    ("E-4006", "Plejecenter Østerbro", "Østerbrogade", "99", "2100", "København Ø"),
]


@pytest.fixture
def registry(db: None) -> dict[str, Building]:
    return {
        number: register_building(
            property_number=number, name=name, street=street, house_number=house, postcode=postcode, city=city
        )
        for number, name, street, house, postcode, city in ADDRESSES
    }


def numbers(query: str, limit: int = 10) -> list[str]:
    return [building.property_number for building in search_buildings(query, limit=limit)]


def test_the_search_runs_on_the_database_under_test():
    assert connection.vendor in ("sqlite", "postgresql")


def test_a_typo_in_the_street_still_finds_the_building_best_match_first(registry):
    found = numbers("Vesterbrogde 12")

    assert found[0] == "E-4001"
    assert "E-4003" not in found and "E-4004" not in found


def test_danish_letters_typed_without_find_the_street(registry):
    assert numbers("Norrebrogade")[0] == "E-4003"
    assert numbers("Noerrebrogade 52")[0] == "E-4003"
    assert numbers("osterbrogade")[0] == "E-4006"
    assert numbers("Valgardsvej")[0] == "E-4005"


def test_the_exact_spelling_finds_it_too(registry):
    assert numbers("Nørrebrogade 52") == ["E-4003"]
    assert numbers("vesterbrogade 120")[0] == "E-4002"


def test_postcode_and_property_number_are_searched(registry):
    assert numbers("2300") == ["E-4004"]
    assert numbers("E-4005") == ["E-4005"]
    assert sorted(numbers("1620")) == ["E-4001", "E-4002"]


def test_an_unrelated_address_finds_nothing(registry):
    assert numbers("Strandvejen 999") == []
    assert numbers("ingen vej") == []


def test_an_empty_search_lists_the_registry_by_address(registry):
    assert numbers("", limit=2) == ["E-4004", "E-4003"]  # Jemtelandsgade, Nørrebrogade


def test_the_api_search_forgives_typos(client, tenant, registry):
    caller = ApiCaller(client, tenant)

    body = caller.get("/buildings", {"search": "Vesterbrogde 12"}).json()

    assert body["items"][0]["property_number"] == "E-4001"


def test_the_portal_address_search_forgives_typos(client, tenant, registry):
    client.force_login(tenant)

    page = client.get(reverse("portal:building_search"), {"building_search": "Norrebrogade"}).content.decode()

    assert f'id="id_building_{registry["E-4003"].pk}"' in page


def test_the_desk_building_list_forgives_typos(client, technician, registry):
    client.force_login(technician)

    page = client.get(reverse("buildings:list"), {"q": "Vesterbrogde 12"}).content.decode()

    assert 'data-building="E-4001"' in page and 'data-building="E-4004"' not in page


def test_the_house_number_typed_ranks_its_building_before_longer_numbers(registry):
    Building.objects.filter(property_number="E-4001").delete()
    register_building(  # registered after no. 120: the order comes from the match, not the registration
        property_number="E-4999",
        name="Ny",
        street="Vesterbrogade",
        house_number="12",
        postcode="1620",
        city="København V",
    )

    assert numbers("Vesterbrogde 12")[:2] == ["E-4999", "E-4002"]
    assert numbers("Vesterbrogde 120")[0] == "E-4002"

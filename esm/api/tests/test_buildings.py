"""Buildings and categories through the API."""

from __future__ import annotations

from esm.api.tests.helpers import assert_problem
from esm.buildings.services import register_building
from esm.cases.models import Category


def property_numbers(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [building["property_number"] for building in response.json()["items"]]


def test_a_customer_without_a_search_gets_the_buildings_of_their_organisation(
    api_as, customer, building, other_building
):
    assert property_numbers(api_as(customer).get("/buildings")) == ["E-1001"]


def test_a_tenant_searches_by_address(api_as, tenant, building, other_building):
    assert property_numbers(api_as(tenant).get("/buildings")) == []
    assert property_numbers(api_as(tenant).get("/buildings", {"search": "tagensvej 120"})) == ["E-2002"]
    assert property_numbers(api_as(tenant).get("/buildings", {"q": "2200"})) == ["E-2002"]
    assert property_numbers(api_as(tenant).get("/buildings", {"search": "ingen vej"})) == []


def test_the_desk_pages_through_the_whole_registry(api_as, technician, building, other_building, school):
    for number in range(3):
        register_building(
            property_number=f"E-30{number}",
            name=f"Hal {number}",
            street="Vigerslev Allé",
            house_number=str(number + 1),
            postcode="2500",
            city="Valby",
            organisations=[school],
        )
    caller = api_as(technician)

    first = caller.get("/buildings", {"limit": 3}).json()
    second = caller.get("/buildings", {"limit": 3, "offset": 3}).json()

    assert first["next"] is not None and second["next"] is None
    numbers = [b["property_number"] for b in first["items"] + second["items"]]
    assert sorted(numbers) == ["E-1001", "E-2002", "E-300", "E-301", "E-302"]
    assert property_numbers(caller.get("/buildings", {"search": "vigerslev", "limit": 2, "offset": 2})) == ["E-302"]


def test_a_building_is_read_by_its_property_number(api_as, customer, building):
    response = api_as(customer).get("/buildings/E-1001")

    assert response.status_code == 200
    body = response.json()
    assert body["address"] == "Absalonsgade 8, 1658 København V"
    assert body["organisations"] == ["Vesterbro Ny Skole"]
    assert body["url"] == "http://testserver/api/v1/buildings/E-1001"
    assert_problem(api_as(customer).get("/buildings/E-0000"), 404, "not_found")


def test_categories_are_listed_with_codes_and_their_parent(api_as, customer, categories):
    Category.objects.create(
        code="windows-broken", name_da="Knust rude", name_en="Broken pane", parent=categories["glass"]
    )
    Category.objects.filter(code="pests").update(is_active=False)

    listed = {category["code"]: category for category in api_as(customer).get("/categories").json()}

    assert listed["windows-broken"]["parent"] == "glass"
    assert listed["glass"]["parent"] is None
    assert "pests" not in listed

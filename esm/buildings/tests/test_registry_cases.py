"""Cases point to a building and, optionally, a room or floor and an installation of that building:
through the services, the portal's report form, the desk and the API."""

from __future__ import annotations

import pytest
from django.urls import reverse

from esm.api.tests.helpers import ApiCaller, assert_problem
from esm.buildings.services import add_installation, add_unit
from esm.cases.models import Case, CaseEvent, EventKind
from esm.cases.services import open_case, update_case
from esm.core.errors import DomainError, ErrorCode

pytestmark = pytest.mark.django_db


@pytest.fixture
def parts(building, other_building):
    return {
        "room": add_unit(None, building=building, code="2.14", name="Klasselokale 2.B"),
        "floor": add_unit(None, building=building, code="2", name="2. sal", kind="floor"),
        "boiler": add_installation(None, building=building, kind="boiler", name="Gaskedel"),
        "other_room": add_unit(None, building=other_building, code="2.14", name="Puderum"),
        "other_roof": add_installation(None, building=other_building, kind="roof", name="Tag"),
    }


def report(actor, **fields):
    values = {
        "title": "Radiatoren er kold",
        "description": "Radiatoren under vinduet er kold hele dagen.",
        "building": "E-1001",
        "category": "heating",
    }
    return open_case(actor, **{**values, **fields})


def test_a_case_is_opened_on_a_room_and_an_installation_of_its_building(customer, categories, parts):
    case = report(customer, unit="2.14", installation=parts["boiler"].pk)

    case.refresh_from_db()
    assert (case.unit, case.installation) == (parts["room"], parts["boiler"])
    created = case.events.get(kind=EventKind.CREATED)
    assert created.payload["unit"] == "2.14 Klasselokale 2.B"
    assert created.payload["installation"] == "Gaskedel"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"unit": "other_room"}, "unit"),
        ({"installation": "other_roof"}, "installation"),
        ({"unit": "9.99"}, "unit"),
        ({"installation": 987654}, "installation"),
    ],
)
def test_a_room_or_installation_of_another_building_is_refused_and_nothing_is_written(
    customer, categories, parts, fields, field
):
    given = {name: parts.get(value, value) if isinstance(value, str) else value for name, value in fields.items()}

    with pytest.raises(DomainError) as refused:
        report(customer, **given)

    assert refused.value.code == ErrorCode.VALIDATION
    assert list(refused.value.errors) == [field]
    assert "ikke i den valgte bygning" in refused.value.errors[field][0]
    assert not Case.objects.exists() and not CaseEvent.objects.exists()


def test_a_room_without_a_building_is_refused(customer, categories, parts):
    with pytest.raises(DomainError) as refused:
        report(customer, building=None, channel="email", unit=parts["room"])
    assert "unit" in refused.value.errors
    assert not Case.objects.exists()


def test_the_desk_changes_the_room_and_moving_the_case_clears_room_and_installation(
    customer, technician, categories, parts, other_building
):
    case = report(customer)

    update_case(technician, case=case, changes={"unit": parts["floor"].pk, "installation": parts["boiler"].pk})
    case.refresh_from_db()
    assert (case.unit, case.installation) == (parts["floor"], parts["boiler"])

    with pytest.raises(DomainError) as refused:
        update_case(technician, case=case, changes={"unit": parts["other_room"]})
    assert "unit" in refused.value.errors

    update_case(technician, case=case, changes={"building": other_building})
    case.refresh_from_db()
    assert (case.building, case.unit, case.installation) == (other_building, None, None)
    changed = [e.payload["field"] for e in case.events.filter(kind=EventKind.FIELD_CHANGED)]
    assert changed == ["unit", "installation", "building", "unit", "installation"]


# --- the portal ----------------------------------------------------------------------------


def test_the_report_form_offers_the_rooms_of_the_chosen_building_via_htmx(client, customer, building, parts):
    client.force_login(customer)

    fragment = client.get(
        reverse("portal:report"), {"parts": "1", "building": building.pk}, headers={"HX-Request": "true"}
    ).content.decode()

    assert 'id="building-parts"' in fragment
    assert f'<option value="{parts["room"].pk}">2.14 Klasselokale 2.B</option>' in fragment
    assert f'<option value="{parts["boiler"].pk}">Kedel: Gaskedel</option>' in fragment
    assert "Puderum" not in fragment


def test_her_only_building_comes_with_its_rooms_already(client, customer, building, parts):
    client.force_login(customer)

    page = client.get(reverse("portal:report")).content.decode()

    assert 'id="id_unit"' in page and "Klasselokale 2.B" in page


def test_without_javascript_the_form_is_sent_back_with_the_rooms_of_the_chosen_building(
    client, tenant, building, other_building, parts, categories
):
    client.force_login(tenant)

    page = client.post(
        reverse("portal:report"), {"building": other_building.pk, "step": "parts", "title": "Kold radiator"}
    )

    text = page.content.decode()
    assert page.status_code == 200 and "Puderum" in text and 'value="Kold radiator"' in text
    assert not Case.objects.exists()


def test_a_customer_reports_on_a_room_and_installation_from_the_portal(client, customer, building, parts, categories):
    client.force_login(customer)

    response = client.post(
        reverse("portal:report"),
        {
            "building": building.pk,
            "unit": parts["room"].pk,
            "installation": parts["boiler"].pk,
            "category": "heating",
            "title": "Radiatoren er kold",
            "description": "Kold hele dagen.",
        },
    )

    case = Case.objects.get()
    assert response.status_code == 302
    assert (case.building, case.unit, case.installation) == (building, parts["room"], parts["boiler"])


def test_the_portal_refuses_a_room_of_another_building_on_the_form(client, customer, building, parts, categories):
    client.force_login(customer)

    response = client.post(
        reverse("portal:report"),
        {
            "building": building.pk,
            "unit": parts["other_room"].pk,
            "category": "heating",
            "title": "Radiatoren er kold",
            "description": "Kold hele dagen.",
        },
    )

    assert response.status_code == 400 and 'href="#id_unit"' in response.content.decode()
    assert not Case.objects.exists()


# --- the API --------------------------------------------------------------------------------


def test_the_api_opens_and_changes_a_case_with_unit_code_and_installation_id(
    client, customer, technician, categories, parts
):
    body = ApiCaller(client, customer).post(
        "/cases",
        {
            "title": "Radiatoren er kold",
            "description": "Kold hele dagen.",
            "building": "E-1001",
            "category": "heating",
            "unit": "2.14",
            "installation": parts["boiler"].pk,
        },
    )

    assert body.status_code == 201, body.content
    created = body.json()
    assert (created["unit"], created["unit_name"], created["installation"]) == (
        "2.14",
        "Klasselokale 2.B",
        parts["boiler"].pk,
    )

    desk = ApiCaller(client, technician)
    changed = desk.patch(f"/cases/{created['number']}", {"unit": "2", "installation": None}).json()
    assert (changed["unit"], changed["installation"]) == ("2", None)

    refused = desk.patch(f"/cases/{created['number']}", {"installation": parts["other_roof"].pk})
    assert assert_problem(refused, 400, "validation_error")["errors"]["installation"]


def test_the_api_refuses_a_unit_of_another_building_and_writes_nothing(client, customer, categories, parts):
    refused = ApiCaller(client, customer).post(
        "/cases",
        {
            "title": "Radiatoren er kold",
            "description": "Kold hele dagen.",
            "building": "E-2002",
            "category": "heating",
            "installation": parts["boiler"].pk,
        },
    )

    assert assert_problem(refused, 400, "validation_error")["errors"]["installation"]
    assert not Case.objects.exists()

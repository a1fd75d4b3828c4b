"""Handlers correct a building's facts and add its rooms and installations on the desk building page."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from esm.accounts.models import User
from esm.buildings.forms import initial_facts
from esm.buildings.models import Building, Installation, Unit
from esm.buildings.services import add_unit, update_building

pytestmark = pytest.mark.django_db


def edit_url(building: Building) -> str:
    return reverse("buildings:edit", args=[building.property_number])


def form_as_shown(building: Building, **typed: str) -> dict[str, str]:
    """What the browser posts: every fact as shown (with its hidden initial), and what the handler typed."""
    shown = initial_facts(building)
    return shown | {f"initial-{field}": value for field, value in shown.items()} | typed


def test_a_technician_corrects_the_year_built_and_the_page_shows_it_with_the_desk_as_its_source(
    client: Client, technician: User, building: Building
) -> None:
    update_building(None, building=building, changes={"year_built": 1910}, source="BBR")
    client.force_login(technician)

    assert client.get(edit_url(building)).status_code == 200
    response = client.post(edit_url(building), form_as_shown(building, year_built="1911"))

    assert response.status_code == 302
    assert response["Location"] == reverse("buildings:detail", args=[building.property_number])
    building.refresh_from_db()
    assert building.year_built == 1911
    assert building.fact_sources["year_built"]["source"] == "desk"
    assert building.fact_sources["year_built"]["by"] == "tekniker"
    assert building.fact_sources["street"]["source"] != "desk"  # facts left alone keep their source
    page = client.get(response["Location"]).content.decode()
    assert 'data-fact="year_built">1911' in page
    assert "desk" in page.split('data-fact="year_built">', 1)[1].split("</dd>", 1)[0]


def test_a_team_lead_sets_responsibility_access_information_and_coordinates(
    client: Client, team_lead: User, technician: User, building: Building, teams: dict[str, Any]
) -> None:
    client.force_login(team_lead)
    typed = {
        "responsible_team": "syd",
        "responsible_technician": "tekniker",
        "key_info": "Nøgleboks ved porten\r\nkode 4711",
        "latitude": "55,6693",
        "longitude": "12.553",
        "bbr_id": "0a3f50a0-75eb-32b8-e044-0003ba298018",
    }

    response = client.post(edit_url(building), form_as_shown(building, **typed))

    assert response.status_code == 302
    building.refresh_from_db()
    assert building.responsible_team == teams["south"]
    assert building.responsible_technician == technician
    assert building.key_info == "Nøgleboks ved porten\nkode 4711"
    assert str(building.latitude) == "55.669300" and str(building.longitude) == "12.553000"
    assert str(building.bbr_id) == typed["bbr_id"]
    assert {building.fact_sources[f]["source"] for f in typed} == {"desk"}
    technician.is_active = False  # leaves: the form still shows who is responsible
    technician.save(update_fields=["is_active"])
    assert '<option value="tekniker" selected>' in client.get(edit_url(building)).content.decode()


def test_a_bad_postcode_is_refused_and_nothing_changes(client: Client, technician: User, building: Building) -> None:
    client.force_login(technician)
    before = Building.objects.values().get(pk=building.pk)

    response = client.post(edit_url(building), form_as_shown(building, postcode="16580", year_built="1911"))

    assert response.status_code == 400
    assert Building.objects.values().get(pk=building.pk) == before
    page = response.content.decode()
    assert 'id="id_postcode_error"' in page  # the error sits next to the postcode field
    postcode_input = re.search(r'<input[^>]*id="id_postcode"[^>]*>', page)
    assert postcode_input is not None and 'aria-invalid="true"' in postcode_input.group()
    assert 'value="16580"' in page  # what was typed is kept
    assert response.context["form"].errors.keys() == {"postcode"}


def test_several_bad_facts_are_all_shown_and_none_saved(client: Client, technician: User, building: Building) -> None:
    client.force_login(technician)

    response = client.post(
        edit_url(building),
        form_as_shown(building, name="", year_built="999", bbr_use_code="42", bbr_id="nope", responsible_team="x"),
    )

    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"name", "year_built", "bbr_use_code", "bbr_id", "responsible_team"}
    building.refresh_from_db()
    assert building.name == "Vesterbro Ny Skole, hovedbygning" and building.year_built is None


def test_a_fact_someone_else_changed_meanwhile_is_not_overwritten(
    client: Client, technician: User, other_technician: User, building: Building
) -> None:
    shown = form_as_shown(building, year_built="1911")
    update_building(other_technician, building=building, changes={"notes": "Tag skiftet 2024"}, source="desk")
    client.force_login(technician)

    response = client.post(edit_url(building), shown)

    assert response.status_code == 302
    building.refresh_from_db()
    assert building.year_built == 1911
    assert building.notes == "Tag skiftet 2024"


def test_saving_an_unchanged_form_writes_nothing(client: Client, technician: User, building: Building) -> None:
    client.force_login(technician)
    before = Building.objects.values().get(pk=building.pk)

    response = client.post(edit_url(building), form_as_shown(building))

    assert response.status_code == 302
    assert Building.objects.values().get(pk=building.pk) == before


def test_a_technician_adds_a_room_and_an_installation(client: Client, technician: User, building: Building) -> None:
    floor = add_unit(None, building=building, code="2", name="2. sal", kind="floor")
    client.force_login(technician)
    detail = reverse("buildings:detail", args=[building.property_number])
    page = client.get(detail).content.decode()
    assert 'id="add-unit"' in page and 'id="add-installation"' in page and 'id="edit-building"' in page

    room = client.post(
        reverse("buildings:add_unit", args=[building.property_number]),
        {"kind": "room", "code": "2.14", "name": "Klasselokale 2.B", "parent": str(floor.pk)},
    )
    unit = Unit.objects.get(building=building, code="2.14")
    installation = client.post(
        reverse("buildings:add_installation", args=[building.property_number]),
        {
            "kind": "ventilation",
            "name": "Ventilation fløj A",
            "unit": str(unit.pk),
            "make": "Nilan",
            "year_installed": "2012",
            "service_contract": "SA-77",
            "contract_expires": "2027-03-31",
            "supplier": "Luftservice ApS",
        },
    )

    assert room.status_code == 302 and room["Location"] == detail
    assert installation.status_code == 302 and installation["Location"] == detail
    assert (unit.kind, unit.name, unit.parent) == ("room", "Klasselokale 2.B", floor)
    added = Installation.objects.get(building=building)
    assert (added.kind, added.unit, added.year_installed, str(added.contract_expires)) == (
        "ventilation",
        unit,
        2012,
        "2027-03-31",
    )
    page = client.get(detail).content.decode()
    assert 'data-unit="2.14"' in page and f'data-installation="{added.pk}"' in page
    assert 'class="message message-success"' in page


def test_a_room_code_used_twice_and_an_installation_without_a_name_are_refused(
    client: Client, technician: User, building: Building
) -> None:
    add_unit(None, building=building, code="K", name="Kælder", kind="floor")
    client.force_login(technician)

    room = client.post(
        reverse("buildings:add_unit", args=[building.property_number]), {"kind": "room", "code": "K", "name": "Fyrrum"}
    )
    installation = client.post(
        reverse("buildings:add_installation", args=[building.property_number]),
        {"kind": "boiler", "name": " ", "year_installed": "1700"},
    )

    assert room.status_code == 400 and installation.status_code == 400
    assert Unit.objects.filter(building=building).count() == 1
    assert not Installation.objects.exists()
    assert set(room.context["unit_form"].errors) == {"code"}
    assert set(installation.context["installation_form"].errors) == {"name", "year_installed"}
    page = installation.content.decode()
    assert '<details class="add-form" id="add-installation" open>' in page
    assert 'id="id_installation_year_installed_error"' in page


def test_a_room_cannot_be_put_on_a_floor_of_another_building(
    client: Client, technician: User, building: Building, other_building: Building
) -> None:
    elsewhere = add_unit(None, building=other_building, code="1", name="1. sal", kind="floor")
    client.force_login(technician)

    response = client.post(
        reverse("buildings:add_unit", args=[building.property_number]),
        {"kind": "room", "code": "1.01", "name": "Kontor", "parent": str(elsewhere.pk)},
    )

    assert response.status_code == 400
    assert not Unit.objects.filter(building=building).exists()


@pytest.mark.parametrize("persona", ["customer", "tenant"])
def test_a_customer_cannot_edit_a_building(
    client: Client, request: pytest.FixtureRequest, persona: str, building: Building
) -> None:
    user: User = request.getfixturevalue(persona)
    client.force_login(user)
    before = Building.objects.values().get(pk=building.pk)
    number = building.property_number

    responses = [
        client.get(edit_url(building)),
        client.post(edit_url(building), form_as_shown(building, year_built="1911")),
        client.post(reverse("buildings:add_unit", args=[number]), {"kind": "room", "code": "X", "name": "X"}),
        client.post(reverse("buildings:add_installation", args=[number]), {"kind": "roof", "name": "Tag"}),
    ]

    assert [r.status_code for r in responses] == [404, 404, 404, 404]
    assert Building.objects.values().get(pk=building.pk) == before
    assert not Unit.objects.exists() and not Installation.objects.exists()


def test_a_visitor_is_sent_to_sign_in(client: Client, building: Building) -> None:
    response = client.post(edit_url(building), form_as_shown(building, year_built="1911"))

    assert response.status_code == 302 and "login" in response["Location"]
    building.refresh_from_db()
    assert building.year_built is None


@pytest.mark.parametrize("persona", ["technician", "team_lead", "administrator"])
def test_every_handler_may_open_the_edit_form(
    client: Client, request: pytest.FixtureRequest, persona: str, building: Building
) -> None:
    client.force_login(request.getfixturevalue(persona))

    response = client.get(edit_url(building))

    assert response.status_code == 200
    page = response.content.decode()
    for field in ("name", "postcode", "year_built", "bbr_id", "latitude", "responsible_team", "key_info", "notes"):
        assert f'id="id_{field}"' in page
        assert f'name="initial-{field}"' in page

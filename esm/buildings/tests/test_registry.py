"""The registry: registering and updating buildings with validated facts and their sources, units,
installations, documents, and access information that only technicians read — every reading logged."""

from __future__ import annotations

import io
import uuid
from datetime import UTC, datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from esm.api.tests.helpers import ApiCaller, assert_problem
from esm.buildings.models import AccessInfoRead, Building, BuildingDocument, Installation, Unit
from esm.buildings.services import (
    add_document,
    add_installation,
    add_unit,
    read_access_info,
    register_building,
    update_building,
)
from esm.core.errors import DomainError, ErrorCode

pytestmark = pytest.mark.django_db


@pytest.fixture
def api_as(client):
    return lambda user: ApiCaller(client, user)


BBR_ID = "0a3f50a0-75eb-32b8-e044-0003ba298018"
AT = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


def register(**facts: object) -> Building:
    return register_building(
        property_number="E-5001",
        name="Vesterbro Bibliotek",
        street="Vesterbrogade",
        house_number="12",
        postcode="1620",
        city="København V",
        facts=facts,
        source="BBR",
        now=AT,
    )


def test_a_building_is_registered_with_its_facts_and_where_each_came_from(department, teams, technician):
    building = register(
        bbr_id=BBR_ID,
        year_built="1911",
        gross_area_m2="2450",
        bbr_use_code="530",
        latitude="55,6717",
        longitude="12.5530",
        department="buf",
        responsible_team="nord",
        responsible_technician="tekniker",
        key_info="Nøgleboks ved bagdøren, kode 4711",
    )

    building.refresh_from_db()
    assert building.bbr_id == uuid.UUID(BBR_ID)
    assert (building.year_built, building.gross_area_m2, building.bbr_use_code) == (1911, 2450, "530")
    assert str(building.latitude) == "55.671700"
    assert building.department == department and building.responsible_team == teams["north"]
    assert building.responsible_technician == technician
    assert building.fact_sources["year_built"] == {"source": "BBR", "at": AT.isoformat()}
    assert "vesterbrogade 12" in building.search_text and "1620" in building.search_text


@pytest.mark.parametrize(
    ("facts", "field"),
    [
        ({"postcode": "162"}, "postcode"),
        ({"postcode": "DK-1620"}, "postcode"),
        ({"bbr_id": "not-a-uuid"}, "bbr_id"),
        ({"bbr_use_code": "53"}, "bbr_use_code"),
        ({"bbr_use_code": "5300"}, "bbr_use_code"),
        ({"year_built": "999"}, "year_built"),
        ({"year_built": "2101"}, "year_built"),
        ({"year_built": "nineteen-eleven"}, "year_built"),
        ({"latitude": "north"}, "latitude"),
        ({"responsible_team": "atlantis"}, "responsible_team"),
    ],
)
def test_a_building_with_an_invalid_fact_is_refused_on_that_field_and_nothing_is_written(db, teams, facts, field):
    with pytest.raises(DomainError) as refused:
        register(**facts)

    assert refused.value.code == ErrorCode.VALIDATION
    assert field in refused.value.errors
    assert not Building.objects.exists()


def test_every_invalid_fact_is_named_at_once(db):
    with pytest.raises(DomainError) as refused:
        register(postcode="12", bbr_id="x", year_built="3000")

    assert set(refused.value.errors) == {"postcode", "bbr_id", "year_built"}


def test_a_second_building_with_the_same_property_number_is_refused(db):
    register()
    with pytest.raises(DomainError) as refused:
        register()
    assert "property_number" in refused.value.errors
    assert Building.objects.count() == 1


def test_an_update_changes_only_what_differs_records_the_source_and_refreshes_the_search_text(technician):
    building = register(year_built="1911")

    changed = update_building(
        technician,
        building=building,
        changes={"year_built": 1911, "street": "Vesterbrogade", "house_number": "14", "gross_area_m2": "2500"},
        source="survey 2026",
    )

    assert sorted(changed) == ["gross_area_m2", "house_number"]
    building.refresh_from_db()
    assert building.house_number == "14" and building.gross_area_m2 == 2500
    assert building.fact_sources["house_number"]["source"] == "survey 2026"
    assert building.fact_sources["house_number"]["by"] == "tekniker"
    assert building.fact_sources["year_built"]["source"] == "BBR"  # unchanged, so its source stays
    assert "vesterbrogade 14" in building.search_text
    assert update_building(technician, building=building, changes={"house_number": "14"}) == []


def test_an_invalid_update_writes_nothing(technician):
    building = register()
    with pytest.raises(DomainError) as refused:
        update_building(technician, building=building, changes={"house_number": "16", "postcode": "abcd"})
    assert refused.value.errors.keys() == {"postcode"}
    building.refresh_from_db()
    assert building.house_number == "12"


def test_customers_cannot_change_the_registry(customer):
    building = register()
    with pytest.raises(DomainError) as refused:
        update_building(customer, building=building, changes={"notes": "hello"})
    assert refused.value.code == ErrorCode.PERMISSION_DENIED


def test_units_and_installations_belong_to_their_building(technician, building, other_building):
    floor = add_unit(technician, building=building, code="1", name="1. sal", kind="floor")
    room = add_unit(technician, building=building, code="1.12", name="Klasselokale 1.12", parent=floor)
    boiler = add_installation(
        technician,
        building=building,
        kind="boiler",
        name="Gaskedel",
        unit=floor,
        make="Viessmann",
        model="Vitodens 200",
        year_installed="2012",
        service_contract="SA-2024-17",
        supplier="Kedelservice ApS",
    )

    assert room.parent == floor and boiler.year_installed == 2012 and boiler.supplier == "Kedelservice ApS"
    with pytest.raises(DomainError) as duplicate:
        add_unit(technician, building=building, code="1.12", name="Igen")
    assert "code" in duplicate.value.errors
    with pytest.raises(DomainError) as elsewhere:
        add_installation(technician, building=other_building, kind="roof", name="Tag", unit=room)
    assert "unit" in elsewhere.value.errors
    with pytest.raises(DomainError) as unknown_kind:
        add_installation(technician, building=building, kind="spaceship", name="?")
    assert "kind" in unknown_kind.value.errors
    assert Unit.objects.count() == 2 and Installation.objects.count() == 1


def test_a_technician_reads_the_access_information_and_the_reading_is_logged(technician, building):
    update_building(None, building=building, changes={"key_info": "Nøgleboks ved bagdøren, kode 4711"})

    access = read_access_info(technician, building=building, context="S-2026-000001", now=AT)

    assert access.key_info == "Nøgleboks ved bagdøren, kode 4711"
    read = AccessInfoRead.objects.get()
    assert (read.user, read.building, read.read_at, read.context) == (technician, building, AT, "S-2026-000001")


@pytest.mark.parametrize("persona", ["customer", "tenant"])
def test_customers_and_tenants_cannot_read_access_information(request, persona, building):
    with pytest.raises(DomainError) as refused:
        read_access_info(request.getfixturevalue(persona), building=building)
    assert refused.value.code == ErrorCode.PERMISSION_DENIED
    assert not AccessInfoRead.objects.exists()


def pdf_bytes() -> bytes:
    return b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), (200, 10, 10)).save(buffer, "PNG")
    return buffer.getvalue()


def test_a_document_is_stored_with_its_type_judged_by_content(technician, building):
    document = add_document(
        technician,
        building=building,
        upload=SimpleUploadedFile("plan.jpg", pdf_bytes()),  # named .jpg, but a PDF
        title="Plantegning stueetage",
        kind="drawing",
    )
    assert document.content_type == "application/pdf" and document.filename == "plan.pdf"
    assert document.file.read() == pdf_bytes()


def test_a_program_is_not_accepted_as_a_document_and_nothing_is_stored(technician, building):
    program = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64 + b"PE\x00\x00"
    with pytest.raises(DomainError) as refused:
        add_document(technician, building=building, upload=SimpleUploadedFile("rapport.pdf", program))
    assert refused.value.code == ErrorCode.FILE_TYPE_NOT_ALLOWED
    assert not BuildingDocument.objects.exists()


def test_customers_cannot_add_documents(customer, building):
    with pytest.raises(DomainError):
        add_document(customer, building=building, upload=SimpleUploadedFile("a.png", png_bytes()))


# --- the API -------------------------------------------------------------------------------


def test_the_api_gives_the_desk_the_facts_units_installations_and_logged_access_information(
    api_as, technician, building
):
    update_building(
        None,
        building=building,
        changes={"year_built": "1911", "bbr_use_code": "420", "alarm_info": "Alarm: kode 1234"},
        source="BBR",
    )
    add_unit(None, building=building, code="1.12", name="Klasselokale")
    boiler = add_installation(None, building=building, kind="boiler", name="Gaskedel", supplier="Kedelservice ApS")

    body = api_as(technician).get("/buildings/E-1001").json()

    assert body["year_built"] == 1911 and body["bbr_use_code"] == "420"
    assert body["fact_sources"]["year_built"]["source"] == "BBR"
    assert body["units"] == [{"code": "1.12", "name": "Klasselokale", "kind": "room", "parent": None}]
    assert body["installations"][0]["id"] == boiler.pk
    assert body["installations"][0]["repeat_failure"] is False
    assert body["access"]["alarm_info"] == "Alarm: kode 1234"
    assert AccessInfoRead.objects.filter(user=technician, context="api").count() == 1

    without = api_as(technician).get("/buildings/E-1001", {"access": "false"}).json()
    assert without["access"] is None
    assert AccessInfoRead.objects.count() == 1


def test_a_customer_reads_her_organisations_building_without_access_information(
    api_as, customer, building, other_building
):
    update_building(None, building=building, changes={"key_info": "Nøgle i boks"})

    body = api_as(customer).get("/buildings/E-1001").json()

    assert body["access"] is None and body["notes"] is None
    assert not AccessInfoRead.objects.exists()
    assert_problem(api_as(customer).get("/buildings/E-2002"), 404, "not_found")

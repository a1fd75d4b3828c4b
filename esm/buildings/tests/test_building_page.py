"""The desk's building page: facts with their sources, access information behind a logged button,
open and earlier cases, installations with repeat failures flagged, units, documents and maintenance plans."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from esm.accounts.models import User
from esm.buildings.models import AccessInfoRead, BuildingDocument, MaintenancePlan
from esm.buildings.queries import repeat_failures
from esm.buildings.services import add_document, add_installation, add_unit, update_building
from esm.cases.models import Case

pytestmark = pytest.mark.django_db


def english(client, user: User) -> None:
    user.language = "en"
    user.save(update_fields=["language"])
    client.force_login(user)


@pytest.fixture
def furnished(building, teams):
    """The school with facts from BBR, a room, a boiler with three recent cases and a ventilation unit."""
    update_building(
        None,
        building=building,
        changes={
            "year_built": 1911,
            "gross_area_m2": 5400,
            "bbr_use_code": "420",
            "latitude": "55.669300",
            "longitude": "12.553000",
            "responsible_team": "nord",
            "key_info": "Nøgleboks ved porten, kode 4711",
            "alarm_info": "Alarmpanel i gangen, kode 1234",
        },
        source="BBR",
    )
    room = add_unit(None, building=building, code="2.14", name="Klasselokale 2.B")
    boiler = add_installation(
        None, building=building, kind="boiler", name="Gaskedel", make="Viessmann", supplier="Kedelservice ApS"
    )
    ventilation = add_installation(None, building=building, kind="ventilation", name="Ventilation fløj A")
    MaintenancePlan.objects.create(
        building=building, installation=boiler, task="Kedeleftersyn", first_due=date(2027, 1, 15), interval_months=12
    )
    return {"room": room, "boiler": boiler, "ventilation": ventilation}


def test_the_building_page_shows_facts_sources_cases_and_flags_a_repeat_failure(
    client, technician, building, furnished, make_case
):
    boiler = furnished["boiler"]
    for title in ("Radiatorerne er kolde", "Kedlen går i stå igen", "Ingen varme i fløj A"):
        make_case(title=title, category="heating", installation=boiler, unit=furnished["room"])
    old = make_case(title="Utæt vindue", category="glass")
    Case.objects.filter(pk=old.pk).update(status="closed", created_at=timezone.now() - timedelta(days=500))
    make_case(title="Ventilationen larmer", category="heating", installation=furnished["ventilation"])
    english(client, technician)

    page = client.get(reverse("buildings:detail", args=["E-1001"])).content.decode()

    assert 'data-fact="year_built">1911' in page and "BBR" in page
    assert "https://www.openstreetmap.org/?mlat=55.669300&amp;mlon=12.553000" in page
    assert f'href="{reverse("desk:case", args=[old.number])}"' in page  # an earlier case
    assert page.count('data-case="') == 5
    assert f'data-installation="{boiler.pk}" data-repeat-failure="true"' in page
    assert f'data-installation="{furnished["ventilation"].pk}" data-repeat-failure' not in page
    assert 'id="repeat-failure-warning"' in page
    assert 'data-unit="2.14"' in page and "Kedeleftersyn" in page
    assert "kode 4711" not in page  # access information only on request
    assert 'id="show-access"' in page
    assert list(repeat_failures(building=building)) == [boiler]


def test_cases_older_than_twelve_months_do_not_make_a_repeat_failure(building, furnished, make_case):
    cases = [make_case(installation=furnished["boiler"]) for _ in range(3)]
    Case.objects.filter(pk=cases[0].pk).update(created_at=timezone.now() - timedelta(days=400))

    assert list(repeat_failures(building=building)) == []


def test_showing_the_access_information_logs_the_reading(client, technician, building, furnished):
    english(client, technician)

    response = client.post(reverse("buildings:access", args=["E-1001"]), headers={"HX-Request": "true"})

    assert "kode 4711" in response.content.decode()
    read = AccessInfoRead.objects.get()
    assert read.user == technician and read.context == "desk"


def test_without_javascript_the_access_information_shows_on_the_page(client, technician, building, furnished):
    english(client, technician)

    page = client.post(reverse("buildings:access", args=["E-1001"])).content.decode()

    assert "kode 1234" in page and 'data-fact="year_built"' in page
    assert AccessInfoRead.objects.count() == 1


@pytest.mark.parametrize("persona", ["customer", "tenant"])
def test_customers_and_tenants_get_404_for_desk_building_pages(client, request, persona, building, furnished):
    client.force_login(request.getfixturevalue(persona))
    document = add_document(
        request.getfixturevalue("technician"),
        building=building,
        upload=SimpleUploadedFile("plan.pdf", b"%PDF-1.4\n%%EOF\n"),
    )

    for response in (
        client.get(reverse("buildings:list")),
        client.get(reverse("buildings:detail", args=["E-1001"])),
        client.post(reverse("buildings:access", args=["E-1001"])),
        client.get(reverse("buildings:document", args=["E-1001", document.key])),
    ):
        assert response.status_code == 404
    assert not AccessInfoRead.objects.exists()


def test_an_unknown_building_is_404(client, technician):
    client.force_login(technician)
    assert client.get(reverse("buildings:detail", args=["E-0000"])).status_code == 404


def test_a_technician_uploads_a_document_and_downloads_it(client, technician, building, other_building):
    english(client, technician)

    response = client.post(
        reverse("buildings:add_document", args=["E-1001"]),
        {"title": "Plantegning", "kind": "drawing", "file": SimpleUploadedFile("plan.pdf", b"%PDF-1.4\n%%EOF\n")},
    )

    assert response.status_code == 302
    document = BuildingDocument.objects.get()
    page = client.get(reverse("buildings:detail", args=["E-1001"])).content.decode()
    assert "Plantegning" in page
    download = client.get(reverse("buildings:document", args=["E-1001", document.key]))
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")
    assert download["X-Content-Type-Options"] == "nosniff"
    # the document is not reachable through another building's address
    assert client.get(reverse("buildings:document", args=["E-2002", document.key])).status_code == 404


def test_a_refused_document_is_shown_on_the_page(client, technician, building):
    english(client, technician)

    response = client.post(
        reverse("buildings:add_document", args=["E-1001"]),
        {"title": "Virus", "kind": "other", "file": SimpleUploadedFile("a.pdf", b"MZ\x90\x00" + b"\x00" * 60)},
    )

    assert response.status_code == 400 and "not an allowed document type" in response.content.decode()
    assert not BuildingDocument.objects.exists()


def test_the_map_link_searches_the_address_without_coordinates(client, technician, building):
    english(client, technician)

    page = client.get(reverse("buildings:detail", args=["E-1001"])).content.decode()

    assert 'href="geo:0,0?q=Absalonsgade%208%2C%201658%20K%C3%B8benhavn%20V"' in page


def test_the_desk_lists_the_registry_and_links_each_building(client, technician, building, other_building):
    english(client, technician)

    page = client.get(reverse("buildings:list")).content.decode()

    assert f'href="{reverse("buildings:detail", args=["E-1001"])}"' in page
    assert f'href="{reverse("buildings:detail", args=["E-2002"])}"' in page
    assert f'href="{reverse("buildings:list")}"' in page  # the navigation's "Buildings"


def test_the_case_page_links_the_building_page_and_shows_room_and_installation(
    client, technician, building, furnished, make_case
):
    case = make_case(unit=furnished["room"], installation=furnished["boiler"])
    english(client, technician)

    page = client.get(reverse("desk:case", args=[case.number])).content.decode()

    assert f'href="{reverse("buildings:detail", args=["E-1001"])}"' in page
    assert 'data-building="unit">2.14 Klasselokale 2.B' in page
    assert 'data-building="installation">Boiler: Gaskedel' in page


def test_a_handler_sets_building_room_and_installation_on_the_case_page(
    client, technician, building, other_building, furnished, make_case, categories
):
    case = make_case(channel="email", building=None)
    english(client, technician)
    url = reverse("desk:update", args=[case.number])
    base = {"priority": "normal", "category": "glass"}
    assert "not known yet" in client.get(reverse("desk:case", args=[case.number])).content.decode()

    client.post(url, {**base, "building": "E-1001"})
    case.refresh_from_db()
    assert case.building == building

    client.post(
        url, {**base, "building": "E-1001", "unit": furnished["room"].pk, "installation": furnished["boiler"].pk}
    )
    case.refresh_from_db()
    assert (case.unit, case.installation) == (furnished["room"], furnished["boiler"])

    client.post(url, {**base, "building": "E-2002", "unit": furnished["room"].pk})  # moved: room of the old one goes
    case.refresh_from_db()
    assert (case.building, case.unit, case.installation) == (other_building, None, None)


def test_the_case_page_refuses_a_room_of_another_building(client, technician, building, other_building, make_case):
    elsewhere = add_unit(None, building=other_building, code="K", name="Kælder")
    case = make_case()
    english(client, technician)

    response = client.post(
        reverse("desk:update", args=[case.number]),
        {"priority": "normal", "category": "glass", "building": "E-1001", "unit": elsewhere.pk},
    )

    assert response.status_code == 400 and "not in the chosen building" in response.content.decode()
    case.refresh_from_db()
    assert case.unit is None

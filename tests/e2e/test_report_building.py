"""A teacher reports from her phone by picking one of her school's buildings and then a room of it
(the rooms load when the building is chosen); the case carries that building and room, and the desk
shows both, linked to the building page."""

from __future__ import annotations

import re

import pytest

from esm.buildings.services import add_installation, add_unit, register_building
from esm.cases.models import Case
from tests.e2e.conftest import screenshot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_customer_picks_a_building_and_a_room_on_her_phone_and_the_case_shows_them(
    live_server, phone, desktop, customer, technician, school, building, categories
):
    gym = register_building(
        property_number="E-1002",
        name="Vesterbro Ny Skole, idrætsbygning",
        street="Absalonsgade",
        house_number="10",
        postcode="1658",
        city="København V",
        organisations=[school],
    )
    add_unit(None, building=building, code="2.14", name="Klasselokale 5.B")
    hall = add_unit(None, building=gym, code="0.01", name="Gymnastiksal")
    add_unit(None, building=gym, code="0.02", name="Omklædning")
    ventilation = add_installation(None, building=gym, kind="ventilation", name="Ventilation i salen")
    base = live_server.url

    page = phone.new_page()
    sign_in(page, base, "lise")
    page.goto(f"{base}/portal/report/")
    page.select_option("#id_building", str(gym.pk))
    # the rooms of the chosen building arrive (htmx), not those of the other building
    page.locator("#id_unit option", has_text="Gymnastiksal").wait_for(state="attached")
    assert page.locator("#id_unit option", has_text="Klasselokale 5.B").count() == 0
    page.select_option("#id_unit", str(hall.pk))
    page.select_option("#id_installation", str(ventilation.pk))
    page.select_option("#id_category", "heating")
    page.fill("#id_title", "Ventilationen larmer")
    page.fill("#id_description", "Ventilationen i gymnastiksalen hyler, når den starter om morgenen.")
    screenshot(page, "portal-report-room-phone")
    page.get_by_role("button", name=re.compile("Send report|Send anmeldelse|Send", re.I)).click()

    number = page.locator(".number").first.inner_text().strip()
    case = Case.objects.get(number=number)
    assert (case.building, case.unit, case.installation) == (gym, hall, ventilation)
    assert page.get_by_text("Vesterbro Ny Skole, idrætsbygning").first.is_visible()

    desk = desktop.new_page()
    sign_in(desk, base, "tekniker")
    desk.goto(f"{base}/desk/cases/{number}/")
    assert desk.locator('[data-building="unit"]').inner_text().strip() == "0.01 Gymnastiksal"
    desk.locator("#building-page-link").click()
    desk.wait_for_url(re.compile(r"/desk/buildings/E-1002/?$"))
    assert desk.locator(f'[data-case="{number}"]').first.is_visible()

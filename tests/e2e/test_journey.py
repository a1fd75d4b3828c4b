"""The product's core journey in a real browser: a tenant reports from her phone with a
photo, a technician finds the case in the desk, replies and starts work, and the tenant
sees the reply and the new status."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image

from esm.cases.models import Case, EventKind, Status
from tests.e2e.conftest import screenshot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def photo_bytes() -> bytes:
    image = Image.new("RGB", (640, 480), (90, 140, 200))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG")
    return buffer.getvalue()


def test_a_tenant_reports_from_her_phone_and_follows_the_technicians_answer(
    live_server, phone, desktop, tenant, technician, building, categories
):
    base = live_server.url

    # A private tenant on a 390×844 phone reports a broken window with a photo.
    page = phone.new_page()
    sign_in(page, base, "jonas")
    page.goto(f"{base}/portal/report/")
    page.fill("#id_building_search", "Absalonsgade")
    page.locator(f"#id_building_{building.pk}").check()
    page.fill("#id_location", "Opgang B, 3. sal, køkkenet")
    page.select_option("#id_category", "glass")
    page.fill("#id_title", "Knust rude i køkkenet")
    page.fill("#id_description", "Ruden er revnet efter stormen i nat, og det trækker ind.")
    page.locator("input[name=files]").set_input_files(
        files=[{"name": "IMG_2041.jpg", "mimeType": "image/jpeg", "buffer": photo_bytes()}]
    )
    page.get_by_role("button", name=re.compile("Send report|Send anmeldelse|Send", re.I)).click()

    number = page.locator(".number").first.inner_text().strip()
    assert re.fullmatch(r"S-\d{4}-\d{6}", number)
    case = Case.objects.get(number=number)
    assert case.reporter == tenant and case.attachments.count() == 1
    screenshot(page, "portal-receipt-phone")

    # A technician finds it among the unassigned cases, replies and starts work.
    desk = desktop.new_page()
    sign_in(desk, base, "tekniker")
    desk.goto(f"{base}/desk/?queue=unassigned")
    row = desk.locator(f'tr[data-case="{number}"]')
    row.wait_for()
    row.locator(f'a:has-text("{number}")').first.click()
    desk.wait_for_url(re.compile(rf"/desk/cases/{number}/?"))
    desk.fill("#id_reply_body", "Tak for anmeldelsen. Glarmesteren kommer i morgen mellem 8 og 10.")
    desk.get_by_role("button", name=re.compile("Send reply|Send svar", re.I)).click()
    desk.locator(".timeline").get_by_text("Glarmesteren kommer i morgen").wait_for()
    desk.locator("button[name=action][value=start]").click()
    desk.wait_for_load_state("networkidle")
    case.refresh_from_db()
    assert case.status == Status.IN_PROGRESS
    assert case.events.filter(kind=EventKind.REPLY, actor=technician).exists()

    # The tenant sees the reply and the new status on her phone.
    page.goto(f"{base}/portal/cases/{number}/")
    assert page.get_by_text("Glarmesteren kommer i morgen").is_visible()
    status = page.locator(".badge.status-in_progress").first
    assert status.is_visible()
    screenshot(page, "portal-case-phone")

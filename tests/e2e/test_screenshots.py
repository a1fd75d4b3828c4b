"""The README's screenshots, taken from the demo data (run with ESM_SCREENSHOTS=1).

`ESM_SCREENSHOTS=1 .venv/bin/python -m pytest tests/e2e/test_screenshots.py` rewrites
docs/screenshots/; without the variable the test only checks that the pages render.
"""

from __future__ import annotations

import pytest

from esm.buildings.models import Building
from esm.cases.models import Case, Status
from esm.mail.models import InboundMessage, InboundState
from esm.web.demo import load_demo
from tests.e2e.conftest import screenshot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_demo_pages_render_on_phone_and_desktop(live_server, phone, desktop, tmp_path):
    load_demo(users_file=tmp_path / "demo-users.json")
    base = live_server.url
    in_progress = Case.objects.filter(status=Status.IN_PROGRESS)
    open_case = in_progress.filter(reporter__username="lise").first() or in_progress.first()
    assert open_case is not None

    page = phone.new_page()
    sign_in(page, base, "lise", "demo-kunde-2026")
    page.goto(f"{base}/portal/")
    page.locator(".case-list").first.wait_for()
    screenshot(page, "portal-home-phone")
    page.goto(f"{base}/portal/report/")
    screenshot(page, "portal-report-phone")

    desk = desktop.new_page()
    sign_in(desk, base, "ole", "demo-tekniker-2026")
    desk.goto(f"{base}/desk/")
    desk.locator("tr[data-case]").first.wait_for()
    screenshot(desk, "desk-queue")
    desk.goto(f"{base}/desk/cases/{open_case.number}/")
    desk.locator(".timeline").first.wait_for()
    screenshot(desk, "desk-case")
    by_mail = InboundMessage.objects.filter(state=InboundState.THREADED).select_related("case").first()
    assert by_mail is not None and by_mail.case is not None
    desk.goto(f"{base}/desk/cases/{by_mail.case.number}/")
    desk.locator("details.quoted").first.wait_for()  # the customer's e-mail reply, its quote folded away
    screenshot(desk, "desk-case-email")
    building = Building.objects.filter(installations__isnull=False).order_by("property_number").first()
    assert building is not None
    desk.goto(f"{base}/desk/buildings/{building.property_number}/")
    desk.locator("#facts").wait_for()
    screenshot(desk, "desk-building")
    desk.goto(f"{base}/desk/maintenance/")
    desk.locator("h1").first.wait_for()
    screenshot(desk, "desk-maintenance")

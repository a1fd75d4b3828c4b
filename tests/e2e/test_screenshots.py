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

    # The technician's day: the desk on a phone, the team lead's unattended view, the knowledge base.
    mine = Case.objects.filter(assignee__username="ole", status=Status.IN_PROGRESS).first() or open_case
    field = phone.browser.new_context(
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
        locale="da-DK",
        service_workers="block",
    )
    technician = field.new_page()
    sign_in(technician, base, "ole", "demo-tekniker-2026")
    technician.goto(f"{base}/desk/?queue=mine")
    technician.locator("h1, .queue-card, tr[data-case]").first.wait_for()
    screenshot(technician, "desk-mine-phone")
    technician.goto(f"{base}/desk/cases/{mine.number}/")
    technician.locator(".timeline").first.wait_for()
    screenshot(technician, "desk-case-phone")
    field.close()

    lead = desktop.new_page()
    sign_in(lead, base, "hanne", "demo-teamleder-2026")
    lead.goto(f"{base}/desk/unattended/")
    lead.locator("h1").first.wait_for()
    screenshot(lead, "desk-unattended")
    lead.goto(f"{base}/desk/kb/")
    lead.locator("h1").first.wait_for()
    screenshot(lead, "desk-knowledge")

    page.goto(f"{base}/portal/report/")
    page.fill("#id_title", "Varmen virker ikke")
    page.locator("#article-suggestions a").first.wait_for()
    page.evaluate("document.getElementById('article-suggestions').scrollIntoView({block: 'end'})")
    page.wait_for_timeout(300)
    screenshot(page, "portal-suggestions-phone")

"""The desk by keyboard, and its record of active handling time, in a real browser."""

from __future__ import annotations

import re

import pytest

from esm.cases.models import TimeEntry
from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_technician_works_the_queue_by_keyboard(live_server, desktop, technician, make_case):
    first = make_case(title="Utæt tagrende over indgangen")
    second = make_case(title="Dør til depotet klemmer")  # newest: first row
    base = live_server.url
    page = desktop.new_page()
    sign_in(page, base, "tekniker")
    page.goto(f"{base}/desk/?queue=open")
    page.locator(f'tr[data-case="{second.number}"]').wait_for()

    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.name") == "q"
    page.keyboard.press("Escape")
    page.keyboard.press("j")
    page.keyboard.press("j")
    assert page.locator("tr.current").get_attribute("data-case") == first.number
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/desk/cases/{first.number}/?$"))

    page.keyboard.press("r")
    assert page.evaluate("document.activeElement.id") == "id_reply_body"
    page.keyboard.press("Escape")
    page.keyboard.press("a")  # assign to me
    page.locator('[data-fact="assignee"]').get_by_text("Ole Madsen").wait_for()
    first.refresh_from_db()
    assert first.assignee == technician


def test_time_on_an_open_case_page_is_recorded_as_handling_time(live_server, desktop, technician, make_case):
    case = make_case()
    base = live_server.url
    page = desktop.new_page()
    sign_in(page, base, "tekniker")
    page.goto(f"{base}/desk/cases/{case.number}/")
    for _ in range(4):  # be active for a few seconds
        page.mouse.move(200, 300)
        page.wait_for_timeout(1000)
        page.mouse.move(400, 320)

    page.goto(f"{base}/desk/")  # leaving the page sends the last heartbeat (a beacon: it may arrive a little later)
    for _ in range(50):
        if TimeEntry.objects.filter(case=case, user=technician).exists():
            break
        page.wait_for_timeout(100)

    entry = TimeEntry.objects.get(case=case, user=technician)
    assert entry.source == "desk"
    assert 2 <= entry.seconds <= 10

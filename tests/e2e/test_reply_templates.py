"""Reply templates in a real browser: search in the reply box, insert at the cursor, apply a macro."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from esm.cases import services as case_services
from esm.cases.models import EventKind, Status
from esm.replies import services
from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_technician_inserts_a_reply_template_and_applies_a_macro(
    live_server, desktop, technician, team_lead, make_case
):
    case = make_case()
    case_services.assign_case(technician, case=case, assignee=technician)
    case_services.transition_case(technician, case=case, action="start")
    template = services.create_template(
        team_lead,
        name="Håndværker bestilt",
        body_da="Kære {{kundenavn}}, håndværker bestilt til sag {{sagsnummer}}.",
        shared=True,
    )
    services.create_template(team_lead, name="Varmen er slukket", body_da="Sommer.", shared=True)
    macro = services.create_macro(
        team_lead, name="Bestil håndværker", shared=True, reply_template=template, action="wait_for_supplier"
    )
    base = live_server.url
    page = desktop.new_page()
    sign_in(page, base, "tekniker")
    page.goto(f"{base}/desk/cases/{case.number}/")

    reply = page.locator("#id_reply_body")
    reply.fill("Hej. ")
    search = page.locator("#reply-template-search")
    page.locator("body").click(position={"x": 5, "y": 5})
    page.keyboard.press("t")  # the shortcut puts the cursor in the template search
    assert page.evaluate("document.activeElement.id") == "reply-template-search"
    search.type("håndv")
    option = page.locator(f'button[data-reply-template="{template.pk}"]')
    expect(page.locator("button[data-reply-template]")).to_have_count(1)
    option.click()
    expected = f"Hej. Kære Lise Holm, håndværker bestilt til sag {case.number}."
    assert reply.input_value() == expected
    expect(page.locator("button[data-reply-template]")).to_have_count(0)  # closed after inserting

    # by keyboard: arrow down, Enter inserts; Esc closes; nothing submits the reply form
    search.fill("")
    search.type("sommer")
    expect(page.locator("button[data-reply-template]")).to_have_count(1)
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    assert reply.input_value().endswith("Sommer.")
    search.type("sag")
    page.locator("button[data-reply-template]").first.wait_for()
    page.keyboard.press("Escape")
    expect(page.locator("button[data-reply-template]")).to_have_count(0)
    assert not case.events.filter(kind=EventKind.REPLY).exists()

    page.locator(f'button[data-macro="{macro.pk}"]').click()
    page.wait_for_load_state("networkidle")
    page.locator('[data-kind="macro_applied"]').wait_for()
    case.refresh_from_db()
    assert case.status == Status.WAITING_SUPPLIER

    # after a reply is sent (htmx swaps the reply form) the search box works again
    search = page.locator("#reply-template-search")
    expect(search).to_be_visible()
    page.locator("#id_reply_body").fill("Tak.")
    page.locator('#reply-form button[type="submit"]').click()
    expect(page.locator('[data-kind="reply"]')).to_have_count(2)
    search = page.locator("#reply-template-search")
    expect(search).to_be_visible()
    search.type("sommer")
    expect(page.locator("button[data-reply-template]")).to_have_count(1)
    page.locator("button[data-reply-template]").click()
    assert page.locator("#id_reply_body").input_value() == "Sommer."

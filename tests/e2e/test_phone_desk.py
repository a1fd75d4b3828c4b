"""The desk on a phone (390×844): a technician works an assigned case with one thumb — a photo
from the camera, a reply, "waiting for supplier" — and keeps working when the connection goes:
what is sent offline waits on the phone and arrives once, in order, when it returns."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from PIL import Image

from esm.buildings.models import AccessInfoRead, Building
from esm.cases.models import Case, CaseEvent, EventKind, Status
from esm.cases.services import assign_case, transition_case
from tests.e2e.conftest import PHONE, screenshot, sign_in

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.service_worker]


def jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), "steelblue").save(buffer, format="JPEG")
    return buffer.getvalue()


def wait_until(page: Any, condition: Callable[[], bool], seconds: float = 30) -> bool:
    """Poll the database while the browser keeps running."""
    for _ in range(int(seconds * 5)):
        if condition():
            return True
        page.wait_for_timeout(200)
    return condition()


@pytest.fixture
def handset(phone: Any) -> Any:
    """The phone, with the desk's service worker running (see the `phone` fixture for the teardown)."""
    return phone


@pytest.fixture
def my_case(make_case, technician, team_lead) -> Case:
    case = make_case(title="Knust rude i klasselokale 2.B")
    assign_case(team_lead, case=case, assignee=technician)
    transition_case(technician, case=case, action="start")
    return case


def open_case_from_mine(page: Any, base: str, case: Case) -> None:
    sign_in(page, base, "tekniker")
    page.goto(f"{base}/desk/?queue=mine")
    card = page.locator(f'tr[data-case="{case.number}"]')
    assert card.evaluate("row => getComputedStyle(row).display") == "grid"  # a stacked card, not a table row
    card.locator("a[data-open]").click()
    page.wait_for_url(re.compile(rf"/desk/cases/{case.number}/$"))


def replies(case: Case) -> list[CaseEvent]:
    return list(CaseEvent.objects.filter(case=case, kind=EventKind.REPLY).order_by("pk"))


def test_a_technician_replies_with_a_photo_and_waits_for_the_supplier_on_a_phone(
    live_server, handset, technician, my_case, building
):
    Building.objects.filter(pk=building.pk).update(
        latitude="55.669000", longitude="12.553000", key_info="Nøgleboks ved port B, kode 4711"
    )
    base = live_server.url
    page = handset.new_page()
    open_case_from_mine(page, base, my_case)

    # one column, a quick-action bar at the thumb, and touch-sized controls
    assert page.locator(".quick-bar").is_visible()
    send = page.locator("#reply-form button[type=submit]")
    assert send.bounding_box()["height"] >= 44
    assert page.locator("#case-header").bounding_box()["y"] < page.locator("#reply-form").bounding_box()["y"]
    assert page.locator("#reply-form").bounding_box()["y"] < page.locator("#timeline").bounding_box()["y"]
    page.locator('.quick-bar [data-quick="reply"]').click()
    assert page.evaluate("document.activeElement.id") == "id_reply_body"

    # the building's address opens the map; the access information is shown when asked for (and logged)
    assert "query=55.669000%2C12.553000" in page.locator("#building-map-link").get_attribute("href")
    page.locator("#show-access").click()
    assert "4711" in page.locator('[data-access="key_info"]').inner_text()
    assert AccessInfoRead.objects.filter(user=technician, building=building, context=f"desk {my_case.number}").exists()

    page.set_input_files("#id_reply_camera", files=[{"name": "rude.jpg", "mimeType": "image/jpeg", "buffer": jpeg()}])
    page.fill("#id_reply_body", "Ruden er målt op. Glarmesteren kommer torsdag.")
    send.click()
    page.locator("#timeline li[data-kind=reply]").wait_for()
    page.locator('#case-header button[name=action][value="wait_for_supplier"]').click()
    page.locator("#case-header .status-waiting_supplier").wait_for()
    screenshot(page, "desk-case-phone")

    [reply] = replies(my_case)
    assert reply.body == "Ruden er målt op. Glarmesteren kommer torsdag."
    assert [a.filename for a in reply.attachments.all()] == ["rude.jpg"]
    my_case.refresh_from_db()
    assert my_case.status == Status.WAITING_SUPPLIER


def test_a_reply_written_offline_waits_on_the_phone_and_arrives_once(live_server, handset, technician, my_case):
    base = live_server.url
    page = handset.new_page()
    open_case_from_mine(page, base, my_case)
    page.locator("html[data-offline-ready]").wait_for(state="attached")  # the case is saved for offline reading

    handset.set_offline(True)
    page.fill("#id_reply_body", "Jeg er i kælderen uden dækning; kommer op om lidt.")
    page.locator("#reply-form button[type=submit]").click()

    waiting = page.locator('#outbox [data-outbox-state="waiting"]')
    waiting.wait_for()
    assert "kælderen" in waiting.inner_text()
    assert page.locator("#id_reply_body").input_value() == ""
    assert page.locator('[data-offline-banner="offline"]').is_visible()
    page.wait_for_timeout(500)
    assert replies(my_case) == []

    page.reload()  # still offline: the saved copy of the case, with the waiting reply
    page.locator('[data-offline-banner="copy"]').wait_for()
    assert my_case.title in page.locator("#case-header").inner_text()
    page.locator('#outbox [data-outbox-state="waiting"]').wait_for()
    screenshot(page, "desk-case-phone-offline")

    handset.set_offline(False)
    assert wait_until(page, lambda: len(replies(my_case)) == 1)
    page.locator("#outbox [data-outbox-item]").first.wait_for(state="detached")
    page.locator("#timeline li[data-kind=reply]", has_text="kælderen").wait_for()
    page.wait_for_timeout(1500)  # nothing arrives a second time
    [reply] = replies(my_case)
    assert reply.body == "Jeg er i kælderen uden dækning; kommer op om lidt."
    assert reply.client_key is not None


def test_a_note_with_a_photo_and_a_reply_written_offline_arrive_in_order(live_server, handset, technician, my_case):
    base = live_server.url
    page = handset.new_page()
    open_case_from_mine(page, base, my_case)

    handset.set_offline(True)
    page.fill("#id_note_body", "Vandskade under vinduet; se billedet.")
    page.set_input_files("#id_note_camera", files=[{"name": "skade.jpg", "mimeType": "image/jpeg", "buffer": jpeg()}])
    page.locator("#note-form button[type=submit]").click()
    page.locator('#outbox [data-kind="note"][data-outbox-state="waiting"]').wait_for()
    page.fill("#id_reply_body", "Vi har set skaden og bestiller en tømrer.")
    page.locator("#reply-form button[type=submit]").click()
    page.locator('#outbox [data-kind="reply"][data-outbox-state="waiting"]').wait_for()
    assert page.locator("#outbox [data-outbox-item]").evaluate_all("items => items.map(i => i.dataset.kind)") == [
        "note",
        "reply",
    ]

    handset.set_offline(False)
    sent = CaseEvent.objects.filter(case=my_case, kind__in=[EventKind.NOTE, EventKind.REPLY])
    assert wait_until(page, lambda: sent.count() == 2)
    page.locator("#outbox [data-outbox-item]").first.wait_for(state="detached")
    note, reply = sent.order_by("pk")
    assert (note.kind, reply.kind) == (EventKind.NOTE, EventKind.REPLY)
    assert [a.filename for a in note.attachments.all()] == ["skade.jpg"]
    assert not note.is_public and reply.is_public


def test_every_desk_link_is_in_sight_on_a_phone(live_server, phone, team_lead):
    page = phone.new_page()
    sign_in(page, live_server.url, "teamleder")
    page.goto(f"{live_server.url}/desk/")

    links = page.locator(".topnav a")
    assert links.count() >= 6  # queues, buildings, maintenance, knowledge, unattended, absence
    for box in links.evaluate_all("links => links.map(a => a.getBoundingClientRect().toJSON())"):
        assert box["left"] >= 0 and box["right"] <= 390 and box["height"] >= 40  # on screen, a thumb's height
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_offline_a_status_change_says_it_needs_a_connection_instead_of_failing(
    live_server, handset, technician, my_case
):
    base = live_server.url
    page = handset.new_page()
    open_case_from_mine(page, base, my_case)
    wait = page.locator('#case-header button[name=action][value="wait_for_supplier"]')

    handset.set_offline(True)
    page.locator('[data-offline-banner="offline"]').wait_for()
    assert wait.is_disabled() and wait.get_attribute("title")
    assert not page.locator("#reply-form button[type=submit]").is_disabled()  # replies still wait on the phone

    handset.set_offline(False)
    page.locator('[data-offline-banner="offline"]').wait_for(state="detached")
    assert wait.is_enabled()
    wait.click()
    page.locator("#case-header .status-waiting_supplier").wait_for()
    my_case.refresh_from_db()
    assert my_case.status == Status.WAITING_SUPPLIER


def test_a_status_change_the_connection_drops_is_reported_not_lost_silently(live_server, handset, technician, my_case):
    base = live_server.url
    page = handset.new_page()
    open_case_from_mine(page, base, my_case)
    page.route(f"**/desk/cases/{my_case.number}/action/", lambda route: route.abort("internetdisconnected"))

    page.locator('#case-header button[name=action][value="wait_for_supplier"]').click()

    page.locator('[data-offline-banner="change"]').wait_for()
    my_case.refresh_from_db()
    assert my_case.status == Status.IN_PROGRESS


def test_a_draft_survives_a_reload(live_server, handset, technician, my_case):
    base = live_server.url
    page = handset.new_page()
    open_case_from_mine(page, base, my_case)
    page.locator("#id_reply_body").press_sequentially("Halvt skrevet svar")

    page.reload()

    assert page.locator("#id_reply_body").input_value() == "Halvt skrevet svar"


def test_the_desk_installs_as_a_web_app(live_server, handset, technician):
    base = live_server.url
    page = handset.new_page()
    sign_in(page, base, "tekniker")

    href = page.locator('link[rel="manifest"]').get_attribute("href")
    response = page.request.get(base + href)
    manifest = json.loads(response.text())
    assert manifest["start_url"] == "/desk/?queue=mine" and manifest["display"] == "standalone"
    assert {icon["sizes"] for icon in manifest["icons"]} == {"192x192", "512x512"}
    for icon in manifest["icons"]:
        assert page.request.get(base + icon["src"]).headers["content-type"] == "image/png"

    scope = page.evaluate("navigator.serviceWorker.ready.then(registration => registration.scope)")
    assert scope == base + "/"


def test_the_cases_of_mine_are_readable_offline_without_opening_them_first(
    live_server, handset, technician, team_lead, make_case
):
    cases = [make_case(title=f"Utæt tagrende {index}") for index in range(3)]
    for case in cases:
        assign_case(team_lead, case=case, assignee=technician)
    base = live_server.url
    page = handset.new_page()
    sign_in(page, base, "tekniker")
    page.goto(f"{base}/desk/?queue=mine")
    page.locator('html[data-offline-ready="4"]').wait_for(state="attached")  # the queue and its three cases

    handset.set_offline(True)
    page.goto(f"{base}/desk/cases/{cases[1].number}/")
    page.locator('[data-offline-banner="copy"]').wait_for()
    assert "Utæt tagrende 1" in page.locator("#case-header").inner_text()
    page.goto(f"{base}/desk/?queue=mine")
    page.locator(f'tr[data-case="{cases[2].number}"]').wait_for()
    handset.set_offline(False)


def test_signing_out_forgets_the_saved_cases(live_server, handset, technician, my_case):
    base = live_server.url
    page = handset.new_page()
    open_case_from_mine(page, base, my_case)
    page.locator("html[data-offline-ready]").wait_for(state="attached")
    assert page.evaluate("caches.has('esm-pages')")

    page.locator('form[action="/accounts/logout/"] button').click()
    page.wait_for_url(re.compile(r"/accounts/login/"))

    assert not page.evaluate("caches.has('esm-pages')")
    handset.set_offline(True)
    page.goto(f"{base}/desk/cases/{my_case.number}/")
    assert page.locator("[data-offline-missing]").count() == 1  # nothing of the case is left to read
    assert my_case.title not in page.content()
    handset.set_offline(False)


def test_a_message_the_server_refuses_stays_visible_until_discarded(live_server, handset, technician, my_case):
    base = live_server.url
    page = handset.new_page()
    open_case_from_mine(page, base, my_case)

    handset.set_offline(True)
    page.fill("#id_reply_body", "Sendt efter sagen blev lukket.")
    page.locator("#reply-form button[type=submit]").click()
    page.locator('#outbox [data-outbox-state="waiting"]').wait_for()
    Case.objects.filter(pk=my_case.pk).update(status=Status.CLOSED)  # closed meanwhile, by someone else
    handset.set_offline(False)

    refused = page.locator('#outbox [data-outbox-state="failed"]')
    refused.wait_for()
    assert refused.locator("[data-outbox-error]").inner_text().strip()
    page.wait_for_timeout(500)
    assert refused.count() == 1 and replies(my_case) == []

    page.once("dialog", lambda dialog: dialog.accept())
    refused.locator("[data-outbox-discard]").click()
    refused.wait_for(state="detached")
    page.reload()
    page.wait_for_timeout(500)  # the outbox is read from the phone's storage after the page loads
    assert page.locator("#outbox [data-outbox-item]").count() == 0


def test_a_refused_reply_goes_back_into_the_form_with_its_photo(live_server, handset, technician, my_case):
    base = live_server.url
    page = handset.new_page()
    open_case_from_mine(page, base, my_case)

    handset.set_offline(True)
    page.fill("#id_reply_body", "Ruden er skiftet, se billedet.")
    photo = {"name": "ny-rude.jpg", "mimeType": "image/jpeg", "buffer": jpeg()}
    page.set_input_files("#id_reply_camera", files=[photo])
    page.locator("#reply-form button[type=submit]").click()
    page.locator('#outbox [data-outbox-state="waiting"]').wait_for()
    Case.objects.filter(pk=my_case.pk).update(status=Status.CLOSED)  # closed meanwhile: the reply is refused
    handset.set_offline(False)
    refused = page.locator('#outbox [data-outbox-state="failed"]')
    refused.wait_for()

    Case.objects.filter(pk=my_case.pk).update(status=Status.IN_PROGRESS)  # reopened
    refused.locator("[data-outbox-edit]").click()
    refused.wait_for(state="detached")
    assert page.input_value("#id_reply_body") == "Ruden er skiftet, se billedet."
    assert page.eval_on_selector("#id_reply_files", "input => Array.from(input.files).map(f => f.name)") == [
        "ny-rude.jpg"
    ]
    assert "ny-rude.jpg" in page.locator("#reply-form [data-files-chosen]").inner_text()
    page.locator("#reply-form button[type=submit]").click()

    assert wait_until(page, lambda: len(replies(my_case)) == 1)
    (reply,) = replies(my_case)
    assert reply.body == "Ruden er skiftet, se billedet."
    assert [a.filename for a in reply.attachments.all()] == ["ny-rude.jpg"]


def test_a_reply_whose_answer_was_lost_is_sent_again_and_lands_once(live_server, browser, technician, my_case):
    # Without a service worker: the outbox lives in the page and needs none.
    context = browser.new_context(**PHONE, service_workers="block", locale="da-DK", timezone_id="Europe/Copenhagen")
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        open_case_from_mine(page, live_server.url, my_case)
        answers_lost = []

        def lose_the_first_answer(route: Any) -> None:
            if answers_lost:
                route.continue_()
                return
            answers_lost.append(route.fetch().status)  # the server writes the reply …
            route.abort("connectionreset")  # … but its answer never reaches the phone

        page.route(re.compile(r"/reply/$"), lose_the_first_answer)
        page.fill("#id_reply_body", "Svaret kom frem, men kvitteringen blev væk.")
        page.locator("#reply-form button[type=submit]").click()

        page.locator("#timeline li[data-kind=reply]", has_text="kvitteringen").wait_for()
        assert page.locator("#outbox [data-outbox-item]").count() == 0
        page.wait_for_timeout(1000)
        assert answers_lost == [200]
        assert len(replies(my_case)) == 1
    finally:
        page.goto("about:blank")
        page.wait_for_timeout(500)
        context.close()


def test_a_technician_notes_a_phone_call_and_hands_the_case_to_a_colleague_on_a_phone(
    live_server, handset, technician, other_technician, my_case
):
    base = live_server.url
    page = handset.new_page()
    open_case_from_mine(page, base, my_case)

    page.locator('.quick-bar [data-quick="phone"]').click()
    assert page.evaluate("document.activeElement.id") == "id_phone_body"
    page.fill("#id_phone_body", "Pedellen ringede: ruden er dækket af med plade.")
    page.fill("#id_phone_minutes", "4")
    page.locator("#phone-form button[type=submit]").click()
    page.locator("#timeline li[data-kind=phone_note]").wait_for()

    page.select_option("#id_assign_assignee", other_technician.username)
    assign = page.locator("#assign-form button[type=submit]").first
    assert assign.bounding_box()["height"] >= 44
    assign.click()

    assert wait_until(page, lambda: Case.objects.get(pk=my_case.pk).assignee_id == other_technician.pk)
    page.locator("#case-facts [data-fact=assignee]", has_text=str(other_technician)).wait_for()
    note = CaseEvent.objects.get(case=my_case, kind=EventKind.PHONE_NOTE)
    assert note.payload["duration_seconds"] == 240

"""The customer portal: report from a phone, follow the case, reply, confirm or reopen.

Driven through Django's test client against the real database; assertions are on what
the person sees (HTML) and on what was stored.
"""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from esm.accounts.models import User
from esm.cases.models import Attachment, Case, CaseEvent, EventKind, Status
from esm.cases.services import add_internal_note, assign_case, reply_to_case, transition_case

pytestmark = pytest.mark.django_db

GPS_IFD = 0x8825


def photo(name: str = "IMG_0042.jpg", *, gps: bool = True) -> SimpleUploadedFile:
    """A small JPEG as a phone takes it: with the camera make and the GPS position."""
    exif = Image.Exif()
    exif[0x010F] = "Apple"
    if gps:
        exif[GPS_IFD] = {1: "N", 2: (55.0, 40.0, 32.0), 3: "E", 4: (12.0, 34.0, 9.0)}
    buffer = io.BytesIO()
    Image.new("RGB", (160, 120), "steelblue").save(buffer, format="JPEG", exif=exif)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def disguised_program() -> SimpleUploadedFile:
    exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + bytes(48) + b"This program cannot be run in DOS mode."
    return SimpleUploadedFile("billede.jpg", exe, content_type="image/jpeg")


def report_data(chosen_building, **overrides) -> dict:
    data = {
        "building": str(chosen_building.pk),
        "location": "2. sal, lokale 2.14",
        "category": "glass",
        "title": "Knust rude i klasselokale",
        "description": "Ruden ud mod gården er knust, der ligger glas på gulvet.",
    }
    data.update(overrides)
    return data


def html_of(response) -> str:
    return response.content.decode()


def case_url(case: Case) -> str:
    return reverse("portal:case", args=[case.number])


def put_in(case: Case, status: str) -> None:
    Case.objects.filter(pk=case.pk).update(
        status=status, resolved_at=timezone.now() if status == Status.RESOLVED else None
    )
    case.refresh_from_db()


# --- reporting ------------------------------------------------------------------------


def test_a_customer_reports_a_case_with_a_photo_and_sees_the_receipt(client, customer, building, categories):
    client.force_login(customer)

    response = client.post(
        reverse("portal:report"), {**report_data(building), "urgent": "on", "camera": photo()}, follow=True
    )

    case = Case.objects.get()
    assert response.redirect_chain == [(reverse("portal:receipt", args=[case.number]), 302)]
    assert re.search(rf'class="number">\s*{case.number}\s*<', html_of(response))
    assert case.reporter == customer
    assert case.organisation == customer.organisation
    assert case.building == building
    assert case.location == "2. sal, lokale 2.14"
    assert case.category.code == "glass"
    assert case.priority == "urgent"
    assert case.channel == "portal"
    attachment = case.attachments.get()
    assert attachment.is_public
    assert attachment.thumbnail
    with attachment.file.open("rb") as stored, Image.open(stored) as image:
        assert image.format == "JPEG"
        assert GPS_IFD not in image.getexif()


def test_photos_from_the_camera_and_files_from_the_phone_are_all_attached(client, customer, building, categories):
    client.force_login(customer)

    client.post(
        reverse("portal:report"),
        {**report_data(building), "camera": photo("camera.jpg"), "files": [photo("a.jpg"), photo("b.jpg")]},
    )

    assert sorted(Attachment.objects.values_list("filename", flat=True)) == ["a.jpg", "b.jpg", "camera.jpg"]


def test_a_report_without_urgent_has_normal_priority(client, customer, building, categories):
    client.force_login(customer)

    client.post(reverse("portal:report"), report_data(building))

    assert Case.objects.get().priority == "normal"


def test_a_report_with_missing_fields_shows_errors_keeps_the_typed_text_and_writes_nothing(
    client, customer, building, categories
):
    client.force_login(customer)

    response = client.post(
        reverse("portal:report"),
        report_data(building, building="", category="", description="   ", title="Vandhanen drypper"),
    )

    assert response.status_code == 400
    assert Case.objects.count() == 0
    assert CaseEvent.objects.count() == 0
    page = html_of(response)
    assert "Anmeldelsen blev ikke sendt. Tjek de markerede felter." in page
    assert "Vælg den bygning, hvor problemet er." in page
    assert "Vælg, hvad problemet drejer sig om." in page
    assert "Beskrivelse skal udfyldes." in page
    assert 'value="Vandhanen drypper"' in page
    assert 'value="2. sal, lokale 2.14"' in page


def test_a_report_with_missing_fields_asks_to_choose_the_photos_again(client, customer, building, categories):
    client.force_login(customer)

    response = client.post(reverse("portal:report"), {**report_data(building, title=""), "camera": photo()})

    assert response.status_code == 400
    assert "Vælg dem igen, før du sender." in html_of(response)
    assert Attachment.objects.count() == 0


def test_a_disguised_upload_is_refused_with_a_clear_message_and_nothing_is_written(
    client, customer, building, categories
):
    client.force_login(customer)

    response = client.post(reverse("portal:report"), {**report_data(building), "files": disguised_program()})

    assert response.status_code == 400
    page = html_of(response)
    assert "“billede.jpg” er ikke en tilladt filtype" in page
    assert "Vælg dem igen, før du sender." in page
    assert 'value="Knust rude i klasselokale"' in page
    assert Case.objects.count() == 0
    assert Attachment.objects.count() == 0
    assert CaseEvent.objects.count() == 0


def test_an_unknown_category_is_refused_on_the_form(client, customer, building, categories):
    client.force_login(customer)

    response = client.post(reverse("portal:report"), report_data(building, category="fireworks"))

    assert response.status_code == 400
    assert "Ukendt kategori “fireworks”." in html_of(response)
    assert Case.objects.count() == 0


def test_the_report_form_offers_the_organisations_buildings_and_the_categories(client, customer, building, categories):
    client.force_login(customer)

    page = html_of(client.get(reverse("portal:report")))

    assert 'id="id_building"' in page
    # her school has one building: it is chosen already
    assert f'<option value="{building.pk}" selected>' in page
    assert '<option value="glass">Glas og ruder</option>' in page
    for element_id in ("id_title", "id_description", "id_location", "id_category", "id_building_search", "id_urgent"):
        assert f'id="{element_id}"' in page
    assert 'name="files"' in page
    assert 'capture="environment"' in page
    assert "Send anmeldelse" in page


def test_categories_are_shown_in_the_users_language(client, customer, building, categories):
    customer.language = "en"
    customer.save()
    client.force_login(customer)

    page = html_of(client.get(reverse("portal:report")))

    assert '<option value="glass">Glass and windows</option>' in page


def test_a_customer_who_chose_english_sees_the_portal_in_english(client, customer, building, categories):
    User.objects.filter(pk=customer.pk).update(language="en")
    client.force_login(customer)

    page = html_of(client.get(reverse("portal:report")))

    assert "Send report" in page
    assert "Send anmeldelse" not in page


def test_a_tenant_without_an_organisation_finds_the_building_by_address_and_reports(
    client, tenant, other_building, categories
):
    client.force_login(tenant)

    form = html_of(client.get(reverse("portal:report")))
    found = html_of(client.get(reverse("portal:building_search"), {"building_search": "tagensvej"}))
    response = client.post(reverse("portal:report"), report_data(other_building, location="Opgang B, 3. th."))

    assert 'id="id_building"' not in form  # no organisation buildings to choose from
    assert f'value="{other_building.pk}"' in found
    case = Case.objects.get()
    assert response.status_code == 302
    assert case.reporter == tenant
    assert case.customer_type == "tenant"
    assert case.organisation is None
    assert case.building == other_building


def test_building_search_returns_matches_by_a_fragment_of_the_address(client, tenant, building, other_building):
    client.force_login(tenant)
    url = reverse("portal:building_search")

    by_street = html_of(client.get(url, {"building_search": "absalon"}))
    by_postcode = html_of(client.get(url, {"q": "2200"}))
    by_street_and_number = html_of(client.get(url, {"building_search": "Tagensvej 120"}))
    nothing = html_of(client.get(url, {"building_search": "Strandvejen 999"}))

    assert "Absalonsgade 8" in by_street
    assert "Tagensvej" not in by_street
    assert "Tagensvej 120" in by_postcode
    assert f'id="id_building_{other_building.pk}"' in by_street_and_number
    assert "Ingen bygninger passer." in nothing
    assert "<html" not in by_street  # a fragment for htmx


def test_building_search_needs_at_least_two_characters(client, tenant, building):
    client.force_login(tenant)

    page = html_of(client.get(reverse("portal:building_search"), {"building_search": "a"}))

    assert "Absalonsgade" not in page
    assert "Ingen bygninger passer." not in page


def test_without_javascript_the_report_page_shows_the_search_results(client, tenant, other_building):
    client.force_login(tenant)

    page = html_of(client.get(reverse("portal:report"), {"building_search": "tagensvej"}))

    assert f'id="id_building_{other_building.pk}"' in page
    assert 'value="tagensvej"' in page


def test_a_building_found_by_search_stays_chosen_after_an_error(client, customer, building, other_building, categories):
    client.force_login(customer)

    page = html_of(client.post(reverse("portal:report"), report_data(other_building, title="")))

    assert re.search(rf'id="id_building_{other_building.pk}" name="building" value="{other_building.pk}" checked', page)
    assert f'<option value="{building.pk}" selected>' not in page


def test_the_receipt_of_someone_elses_case_is_not_found(client, make_case, outsider, customer):
    case = make_case(reporter=customer)
    client.force_login(outsider)

    assert client.get(reverse("portal:receipt", args=[case.number])).status_code == 404


# --- my cases -------------------------------------------------------------------------


def test_a_tenant_sees_only_their_own_cases(client, make_case, tenant, other_tenant, other_building, categories):
    own = make_case(reporter=tenant, building=other_building, title="Radiator i stuen er kold")
    theirs = make_case(reporter=other_tenant, building=other_building, title="Dørtelefonen virker ikke")
    reply_to_case(other_tenant, case=theirs, body="Her er et billede", uploads=[photo()])
    attachment = theirs.attachments.get()
    client.force_login(tenant)

    home = html_of(client.get(reverse("portal:home")))

    assert own.number in home
    assert theirs.number not in home
    assert "Min organisations sager" not in home  # tenants have no organisation tab
    assert client.get(case_url(theirs)).status_code == 404
    assert client.get(reverse("portal:receipt", args=[theirs.number])).status_code == 404
    assert client.post(case_url(theirs), {"body": "Hej"}).status_code == 404
    assert client.post(reverse("portal:action", args=[theirs.number]), {"action": "cancel"}).status_code == 404
    assert client.get(reverse("files:attachment", args=[attachment.key])).status_code == 404
    assert client.get(reverse("files:thumbnail", args=[attachment.key])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == Status.NEW
    assert theirs.events.filter(kind=EventKind.REPLY).count() == 1


def test_a_customer_sees_her_organisations_cases_but_not_another_institutions(
    client, make_case, customer, colleague, outsider, building, other_building
):
    colleagues_case = make_case(reporter=colleague, title="Lampen i gangen blinker")
    outsiders_case = make_case(reporter=outsider, building=other_building, title="Hoveddøren klemmer")
    client.force_login(customer)

    mine = html_of(client.get(reverse("portal:home")))
    organisation = html_of(client.get(reverse("portal:home"), {"tab": "organisation"}))
    colleague_page = client.get(case_url(colleagues_case))

    assert "Min organisations sager" in mine
    assert colleagues_case.number not in mine
    assert colleagues_case.number in organisation
    assert "Anmeldt af Peter Dahl" in organisation
    assert outsiders_case.number not in organisation
    assert colleague_page.status_code == 200
    assert "Lampen i gangen blinker" in html_of(colleague_page)
    assert client.get(case_url(outsiders_case)).status_code == 404


def test_my_cases_are_paged_without_counting(client, make_case, customer):
    for i in range(21):
        make_case(title=f"Sag nummer {i}")
    client.force_login(customer)

    first = html_of(client.get(reverse("portal:home")))
    second = html_of(client.get(reverse("portal:home"), {"page": 2}))

    assert first.count('class="title"') == 20
    assert 'rel="next"' in first
    assert "Sag nummer 20" in first  # newest first
    assert second.count('class="title"') == 1
    assert "Sag nummer 0" in second
    assert 'rel="next"' not in second
    assert 'rel="prev"' in second


def test_a_nonsense_page_number_shows_the_first_page(client, make_case, customer):
    make_case()
    client.force_login(customer)

    response = client.get(reverse("portal:home"), {"page": "abc", "tab": "nonsense"})

    assert response.status_code == 200
    assert 'class="title"' in html_of(response)


def test_the_portal_asks_to_sign_in_first(client, make_case):
    case = make_case()

    for url in (reverse("portal:home"), reverse("portal:report"), case_url(case)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


def test_an_unknown_case_number_is_not_found(client, customer):
    client.force_login(customer)

    assert client.get(reverse("portal:case", args=["S-2026-999999"])).status_code == 404
    assert client.get(reverse("portal:case", args=["'; DROP TABLE cases_case; --"])).status_code == 404


# --- the case page --------------------------------------------------------------------


def test_the_case_page_shows_the_case_and_its_photos(client, make_case, customer, building):
    case = make_case(location="Gymnastiksalen", uploads=[photo()])
    attachment = case.attachments.get()
    client.force_login(customer)

    page = html_of(client.get(case_url(case)))

    assert case.title in page
    assert "Gymnastiksalen" in page
    assert building.address in page
    assert "Glas og ruder" in page
    assert 'class="badge status-new"' in page
    assert reverse("files:thumbnail", args=[attachment.key]) in page
    assert reverse("files:attachment", args=[attachment.key]) in page


def test_the_public_timeline_never_shows_internal_notes(client, make_case, customer, technician):
    case = make_case()
    add_internal_note(technician, case=case, body="Kunden er besværlig, tag det roligt", uploads=[photo("intern.jpg")])
    internal = Attachment.objects.get(filename="intern.jpg")
    reply_to_case(technician, case=case, body="Vi kommer i morgen formiddag.")
    client.force_login(customer)

    page = html_of(client.get(case_url(case)))

    assert "Vi kommer i morgen formiddag." in page
    assert "Kunden er besværlig" not in page
    assert str(internal.key) not in page
    assert "intern.jpg" not in page


def test_status_changes_are_told_in_plain_words(client, make_case, customer, technician):
    case = make_case()
    transition_case(technician, case=case, action="start")
    client.force_login(customer)

    page = html_of(client.get(case_url(case)))

    assert "Arbejdet er gået i gang." in page
    assert 'class="badge status-in_progress"' in page


def test_a_reporters_reply_on_a_case_waiting_for_the_customer_moves_it_back_to_in_progress(
    client, make_case, customer, technician
):
    case = make_case()
    transition_case(technician, case=case, action="start")
    transition_case(technician, case=case, action="wait_for_customer")
    client.force_login(customer)

    response = client.post(case_url(case), {"body": "Ja, I kan komme på mandag."})

    assert response.status_code == 302
    assert response["Location"].endswith("#conversation")
    case.refresh_from_db()
    assert case.status == Status.IN_PROGRESS
    reply = case.events.get(kind=EventKind.REPLY)
    assert reply.actor == customer
    assert reply.is_public
    assert "Ja, I kan komme på mandag." in html_of(client.get(case_url(case)))


def test_a_reply_with_a_photo_shows_its_thumbnail(client, make_case, customer):
    case = make_case()
    client.force_login(customer)

    client.post(case_url(case), {"body": "Her er et billede mere", "camera": photo("mere.jpg")})

    attachment = Attachment.objects.get(filename="mere.jpg")
    assert attachment.event.kind == EventKind.REPLY
    with attachment.file.open("rb") as stored, Image.open(stored) as image:
        assert GPS_IFD not in image.getexif()
    assert reverse("files:thumbnail", args=[attachment.key]) in html_of(client.get(case_url(case)))


def test_an_empty_reply_shows_an_error_and_writes_nothing(client, make_case, customer):
    case = make_case()
    events = CaseEvent.objects.count()
    client.force_login(customer)

    response = client.post(case_url(case), {"body": "  ", "camera": photo()})

    assert response.status_code == 400
    assert "Besked skal udfyldes." in html_of(response)
    assert "Vælg dem igen, før du sender." in html_of(response)
    assert CaseEvent.objects.count() == events
    assert Attachment.objects.count() == 0


def test_an_htmx_reply_returns_only_the_timeline_fragment(client, make_case, customer, technician):
    case = make_case()
    transition_case(technician, case=case, action="start")
    transition_case(technician, case=case, action="wait_for_customer")
    client.force_login(customer)

    response = client.post(case_url(case), {"body": "Nøglen ligger i receptionen."}, HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    fragment = html_of(response)
    assert "<html" not in fragment
    assert "<header" not in fragment
    assert fragment.lstrip().startswith('<section id="conversation"')
    assert "Nøglen ligger i receptionen." in fragment
    assert "Din besked er sendt." in fragment
    assert "Send svar" in fragment  # a fresh, empty form
    # the status badge is swapped out of band: the reply resumed work
    assert 'id="case-state"' in fragment
    assert 'hx-swap-oob="true"' in fragment
    assert 'class="badge status-in_progress"' in fragment


def test_an_htmx_reply_with_an_error_returns_the_form_with_the_error(client, make_case, customer):
    case = make_case()
    client.force_login(customer)

    response = client.post(case_url(case), {"body": ""}, HTTP_HX_REQUEST="true")

    assert response.status_code == 200  # htmx swaps 2xx only
    assert "Besked skal udfyldes." in html_of(response)
    assert "<html" not in html_of(response)
    assert case.events.filter(kind=EventKind.REPLY).count() == 0


def test_a_closed_case_takes_no_replies(client, make_case, customer):
    case = make_case()
    put_in(case, Status.CLOSED)
    client.force_login(customer)

    page = html_of(client.get(case_url(case)))
    response = client.post(case_url(case), {"body": "Det drypper igen"})

    assert "Send svar" not in page
    assert "anmeld en ny sag" in page
    assert response.status_code == 400
    assert "Sagen er lukket." in html_of(response)
    assert case.events.filter(kind=EventKind.REPLY).count() == 0


# --- lifecycle actions ----------------------------------------------------------------


def resolved_case(make_case, technician) -> Case:
    case = make_case()
    assign_case(technician, case=case, assignee=technician)
    transition_case(technician, case=case, action="start")
    transition_case(technician, case=case, action="resolve")
    return case


def test_a_solved_case_offers_confirm_and_reopen(client, make_case, customer, technician):
    case = resolved_case(make_case, technician)
    client.force_login(customer)

    page = html_of(client.get(case_url(case)))

    assert 'name="action" value="confirm"' in page
    assert 'name="action" value="reopen"' in page
    assert 'value="start"' not in page  # desk actions are not offered in the portal


def test_confirming_a_solved_case_closes_it(client, make_case, customer, technician):
    case = resolved_case(make_case, technician)
    client.force_login(customer)

    response = client.post(reverse("portal:action", args=[case.number]), {"action": "confirm"}, follow=True)

    case.refresh_from_db()
    assert case.status == Status.CLOSED
    assert case.closed_at is not None
    assert "Tak. Sagen er lukket." in html_of(response)
    assert "Bekræftet som løst. Sagen er lukket." in html_of(response)


def test_reopening_needs_a_reason(client, make_case, customer, technician):
    case = resolved_case(make_case, technician)
    client.force_login(customer)
    url = reverse("portal:action", args=[case.number])

    refused = client.post(url, {"action": "reopen", "reason": "   "})
    case.refresh_from_db()
    status_after_refusal = case.status
    accepted = client.post(url, {"action": "reopen", "reason": "Ruden er stadig revnet i hjørnet."})

    assert refused.status_code == 400
    assert "Begrundelse skal udfyldes." in html_of(refused)
    assert status_after_refusal == Status.RESOLVED
    assert accepted.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.IN_PROGRESS
    event = case.events.filter(kind=EventKind.STATUS_CHANGED).last()
    assert event.body == "Ruden er stadig revnet i hjørnet."
    assert event.actor == customer


def test_a_refused_action_keeps_the_typed_reason(client, make_case, customer, technician):
    case = resolved_case(make_case, technician)
    Case.objects.filter(pk=case.pk).update(resolved_at=timezone.now() - timedelta(days=30))
    client.force_login(customer)

    response = client.post(
        reverse("portal:action", args=[case.number]), {"action": "reopen", "reason": "Det er ikke lavet"}
    )

    assert response.status_code == 400
    assert "inden for 14 dage" in html_of(response)
    case.refresh_from_db()
    assert case.status == Status.RESOLVED


def test_a_customer_cancels_her_new_case_with_a_reason(client, make_case, customer):
    case = make_case()
    client.force_login(customer)

    client.post(reverse("portal:action", args=[case.number]), {"action": "cancel", "reason": "Pedellen har ordnet det"})

    case.refresh_from_db()
    assert case.status == Status.CANCELLED
    assert case.cancel_reason == "Pedellen har ordnet det"


def test_once_work_has_started_cancel_is_shown_disabled_with_the_reason(client, make_case, customer, technician):
    case = make_case()
    transition_case(technician, case=case, action="start")
    client.force_login(customer)

    page = html_of(client.get(case_url(case)))
    response = client.post(reverse("portal:action", args=[case.number]), {"action": "cancel", "reason": "Fordi"})

    assert re.search(r"<button type=\"button\" disabled[^>]*>\s*Annullér\s*</button>", page)
    assert "Når arbejdet er gået i gang, kan kun servicedesken annullere sagen." in page
    assert response.status_code == 400
    case.refresh_from_db()
    assert case.status == Status.IN_PROGRESS


def test_an_unknown_action_is_refused_with_a_message(client, make_case, customer):
    case = make_case()
    client.force_login(customer)

    response = client.post(reverse("portal:action", args=[case.number]), {"action": "explode"})

    assert response.status_code == 400
    assert "Ukendt handling “explode”." in html_of(response)
    case.refresh_from_db()
    assert case.status == Status.NEW


def test_a_customer_cannot_take_desk_actions_through_the_portal(client, make_case, customer):
    case = make_case()
    client.force_login(customer)

    response = client.post(reverse("portal:action", args=[case.number]), {"action": "start"})

    assert response.status_code == 400
    case.refresh_from_db()
    assert case.status == Status.NEW


def test_the_action_url_only_takes_posts(client, make_case, customer):
    case = make_case()
    client.force_login(customer)

    assert client.get(reverse("portal:action", args=[case.number])).status_code == 405


def test_a_technician_visiting_the_portal_sees_the_customers_view_and_a_way_to_the_desk(client, make_case, technician):
    case = make_case()
    add_internal_note(technician, case=case, body="Intern bemærkning")
    client.force_login(technician)

    page = html_of(client.get(case_url(case)))

    assert "Intern bemærkning" not in page
    assert reverse("desk:case", args=[case.number]) in page

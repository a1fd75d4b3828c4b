"""The desk: queues, search, filters, the case page's forms, bulk assign and handling time."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from esm.cases.models import Case, CaseEvent, EventKind, Status, TimeEntry, TimeSource
from esm.cases.services import assign_case, reply_to_case, transition_case

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def queue_rows(response) -> list[str]:
    """The case numbers listed in the queue table, in order."""
    html = response.content.decode()
    return [part.split('"', 1)[0] for part in html.split('<tr data-case="')[1:]]


@pytest.fixture
def desk(client, technician):
    client.force_login(technician)
    return client


# --- who gets in --------------------------------------------------------------------------


def test_a_technician_sees_unassigned_cases_in_unassigned_and_her_own_in_mine(
    desk, make_case, technician, other_technician
):
    unassigned = make_case(title="Utæt tagrende")
    mine = make_case(title="Dør klemmer")
    theirs = make_case(title="Lampe blinker")
    assign_case(technician, case=mine, assignee=technician)
    assign_case(technician, case=theirs, assignee=other_technician)

    in_unassigned = queue_rows(desk.get(reverse("desk:queue"), {"queue": "unassigned"}))
    in_mine = queue_rows(desk.get(reverse("desk:queue"), {"queue": "mine"}))

    assert in_unassigned == [unassigned.number]
    assert in_mine == [mine.number]


def test_the_team_queue_shows_the_cases_of_the_technicians_team(desk, make_case, technician, other_technician):
    north = make_case(title="Nordens sag")  # categories route to team north, the technician's team
    south = make_case(title="Sydens sag")
    assign_case(technician, case=south, assignee=other_technician)  # moves it to team south

    assert queue_rows(desk.get(reverse("desk:queue"), {"queue": "team"})) == [north.number]


@pytest.mark.parametrize("persona", ["customer", "tenant"])
def test_a_customer_or_tenant_gets_404_on_every_desk_url(client, make_case, persona, request):
    reporter = request.getfixturevalue(persona)
    case = make_case(reporter=reporter)
    client.force_login(reporter)
    number = case.number

    gets = [reverse("desk:queue"), reverse("desk:case", args=[number])]
    posts = [
        (reverse("desk:bulk_assign"), {"cases": [number], "assignee": reporter.username}),
        (reverse("desk:reply", args=[number]), {"body": "Hej"}),
        (reverse("desk:note", args=[number]), {"body": "Hej"}),
        (reverse("desk:phone_note", args=[number]), {"body": "Hej", "minutes": "3"}),
        (reverse("desk:action", args=[number]), {"action": "cancel", "reason": "Fejl"}),
        (reverse("desk:assign", args=[number]), {"assignee": ""}),
        (reverse("desk:update", args=[number]), {"priority": "urgent", "category": "glass"}),
        (reverse("desk:correct_time", args=[number]), {"minutes": "5", "note": "x"}),
        (reverse("desk:heartbeat", args=[number]), {"session": str(uuid.uuid4()), "seconds": "30"}),
    ]
    events_before = CaseEvent.objects.count()

    for url in gets:
        assert client.get(url).status_code == 404, url
    for url, data in posts:
        assert client.post(url, data).status_code == 404, url
    case.refresh_from_db()
    assert case.status == Status.NEW
    assert CaseEvent.objects.count() == events_before
    assert not TimeEntry.objects.exists()


def test_an_anonymous_visitor_is_sent_to_sign_in(client, make_case):
    case = make_case()

    response = client.get(reverse("desk:case", args=[case.number]))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_an_unknown_case_number_is_404_in_the_desk(desk):
    assert desk.get(reverse("desk:case", args=["S-1999-999999"])).status_code == 404


# --- search, filters, sorting, paging ---------------------------------------------------


def test_search_finds_a_case_by_a_word_in_a_reply(desk, make_case, technician):
    wanted = make_case(title="Vindue i gymnastiksal")
    make_case(title="Radiator larmer")
    reply_to_case(technician, case=wanted, body="Glarmesteren kommer torsdag formiddag med en ny rude.")

    response = desk.get(reverse("desk:queue"), {"queue": "all", "q": "glarmesteren"})

    assert queue_rows(response) == [wanted.number]


def test_search_by_case_number_finds_exactly_that_case(desk, make_case):
    wanted = make_case()
    make_case()

    assert queue_rows(desk.get(reverse("desk:queue"), {"q": wanted.number})) == [wanted.number]


def test_a_search_without_hits_says_so(desk, make_case):
    make_case()

    response = desk.get(reverse("desk:queue"), {"q": "xylofonundervisning"})

    assert queue_rows(response) == []
    assert "Ingen sager passer til søgningen og filtrene." in response.content.decode()


def test_the_queue_filters_by_priority_and_category(desk, make_case):
    urgent_glass = make_case(title="Knust rude", priority="urgent", category="glass")
    make_case(title="Utæt rør", priority="urgent", category="plumbing")
    make_case(title="Revne i rude", priority="low", category="glass")

    assert queue_rows(desk.get(reverse("desk:queue"), {"priority": "urgent", "category": "glass"})) == [
        urgent_glass.number
    ]
    assert len(queue_rows(desk.get(reverse("desk:queue"), {"priority": "urgent"}))) == 2
    assert len(queue_rows(desk.get(reverse("desk:queue"), {"category": "glass"}))) == 2


def test_unknown_filter_values_are_ignored_not_an_error(desk, make_case):
    make_case()

    response = desk.get(reverse("desk:queue"), {"queue": "nonsense", "priority": "bogus", "page": "-3", "sort": "x"})

    assert response.status_code == 200
    assert len(queue_rows(response)) == 1


def test_the_queue_sorts_by_priority(desk, make_case):
    low = make_case(priority="low")
    urgent = make_case(priority="urgent")
    normal = make_case(priority="normal")

    rows = queue_rows(desk.get(reverse("desk:queue"), {"sort": "priority"}))

    assert rows == [urgent.number, normal.number, low.number]


def test_the_queue_renders_60_cases_with_a_bounded_number_of_queries(
    desk, make_case, technician, django_assert_max_num_queries
):
    for index in range(60):
        case = make_case(title=f"Sag nummer {index}")
        if index % 2:
            assign_case(technician, case=case, assignee=technician)

    with django_assert_max_num_queries(12):
        response = desk.get(reverse("desk:queue"), {"queue": "open"})

    assert response.status_code == 200
    assert len(queue_rows(response)) == 50
    assert 'rel="next"' in response.content.decode()


def test_the_second_page_shows_the_rest_without_a_next_link(desk, make_case):
    numbers = [make_case(title=f"Sag {i}").number for i in range(53)]

    response = desk.get(reverse("desk:queue"), {"page": "2", "sort": "oldest"})

    assert queue_rows(response) == numbers[50:]
    html = response.content.decode()
    assert 'rel="prev"' in html
    assert 'rel="next"' not in html


def test_an_htmx_request_gets_only_the_results_partial(desk, make_case):
    case = make_case()

    response = desk.get(reverse("desk:queue"), {"queue": "unassigned", "status": ""}, **HTMX)

    html = response.content.decode()
    assert html.lstrip().startswith('<div id="results"')
    assert "<html" not in html
    assert 'id="filters"' not in html
    assert queue_rows(response) == [case.number]
    assert response["HX-Push-Url"] == reverse("desk:queue") + "?queue=unassigned"
    assert "HX-Request" in response["Vary"]


def test_the_sla_badge_shows_breached_for_an_overdue_case(desk, make_case):
    overdue = make_case(title="For sent")
    on_time = make_case(title="I tide")
    Case.objects.filter(pk=overdue.pk).update(resolution_due_at=timezone.now() - timedelta(hours=1))

    html = desk.get(reverse("desk:queue")).content.decode()
    row = html.split(f'<tr data-case="{overdue.number}"')[1].split("</tr>")[0]
    other = html.split(f'<tr data-case="{on_time.number}"')[1].split("</tr>")[0]

    assert 'data-sla="breached"' in row
    assert 'data-sla="ok"' in other
    assert 'data-sla="breached"' in desk.get(reverse("desk:case", args=[overdue.number])).content.decode()


def test_the_sla_at_risk_queue_lists_cases_about_to_breach(desk, make_case):
    soon = make_case(title="Snart for sent")
    make_case(title="God tid")
    Case.objects.filter(pk=soon.pk).update(resolution_warn_at=timezone.now() - timedelta(minutes=5))

    response = desk.get(reverse("desk:queue"), {"queue": "sla_risk"})

    assert queue_rows(response) == [soon.number]
    assert 'data-sla="soon"' in response.content.decode()


# --- bulk assign --------------------------------------------------------------------------


def test_bulk_assign_gives_all_selected_cases_to_the_technician(desk, make_case, other_technician):
    first, second, untouched = make_case(), make_case(), make_case()

    response = desk.post(
        reverse("desk:bulk_assign"),
        {"cases": [first.number, second.number], "assignee": other_technician.username, "next": "/desk/?queue=mine"},
    )

    assert response.status_code == 302
    assert response["Location"] == "/desk/?queue=mine"
    assert set(Case.objects.filter(assignee=other_technician).values_list("number", flat=True)) == {
        first.number,
        second.number,
    }
    untouched.refresh_from_db()
    assert untouched.assignee is None


def test_bulk_assign_to_someone_who_is_not_a_technician_changes_nothing(desk, make_case, customer):
    first, second = make_case(), make_case()
    events_before = CaseEvent.objects.count()

    response = desk.post(reverse("desk:bulk_assign"), {"cases": [first.number, second.number], "assignee": "lise"})

    assert response.status_code == 400
    assert "Sager kan kun tildeles teknikere og teamledere." in response.content.decode()
    assert not Case.objects.filter(assignee__isnull=False).exists()
    assert CaseEvent.objects.count() == events_before
    # the selection survives the refusal
    row = response.content.decode().split(f'<tr data-case="{first.number}"')[1].split("</tr>")[0]
    assert " checked>" in row


def test_bulk_assign_with_one_unknown_case_changes_nothing(desk, make_case, technician):
    case = make_case()

    response = desk.post(
        reverse("desk:bulk_assign"), {"cases": [case.number, "S-1999-000001"], "assignee": technician.username}
    )

    assert response.status_code == 400
    case.refresh_from_db()
    assert case.assignee is None


# --- the case page ------------------------------------------------------------------------


def test_the_case_page_shows_facts_building_history_and_internal_notes(desk, make_case, technician, customer):
    earlier = make_case(title="Tidligere sag om taget")
    case = make_case(title="Knust rude", location="Klasselokale 2.B")
    desk.post(reverse("desk:note", args=[case.number]), {"body": "Nøglen ligger hos pedellen."})

    html = desk.get(reverse("desk:case", args=[case.number])).content.decode()

    assert "Knust rude" in html
    assert "Klasselokale 2.B" in html
    assert "Vesterbro Ny Skole" in html  # the reporter's organisation
    assert str(customer) in html
    assert f'data-history="{earlier.number}"' in html
    assert "Nøglen ligger hos pedellen." in html
    assert 'id="id_reply_body"' in html and 'name="body"' in html
    assert "Send svar" in html
    assert 'id="id_note_body"' in html
    assert 'button type="submit" name="action" value="start"' in html


def test_a_reply_from_the_desk_appears_on_the_timeline_and_stops_the_first_response_clock(desk, make_case):
    case = make_case()

    response = desk.post(reverse("desk:reply", args=[case.number]), {"body": "Vi kommer i morgen kl. 9."})

    assert response.status_code == 302
    assert response["Location"] == reverse("desk:case", args=[case.number])
    event = case.events.get(kind=EventKind.REPLY)
    assert event.is_public and event.body == "Vi kommer i morgen kl. 9."
    case.refresh_from_db()
    assert case.first_responded_at is not None
    assert "Vi kommer i morgen kl. 9." in desk.get(response["Location"]).content.decode()


def test_a_reply_with_a_file_stores_the_attachment_on_the_reply(desk, make_case):
    from django.core.files.uploadedfile import SimpleUploadedFile

    case = make_case()
    pdf = SimpleUploadedFile("tilbud.pdf", b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n")

    response = desk.post(reverse("desk:reply", args=[case.number]), {"body": "Se tilbuddet.", "files": [pdf]})

    assert response.status_code == 302
    event = case.events.get(kind=EventKind.REPLY)
    assert [a.filename for a in event.attachments.all()] == ["tilbud.pdf"]


def test_an_internal_note_is_on_the_timeline_but_not_public(desk, make_case):
    case = make_case()

    desk.post(reverse("desk:note", args=[case.number]), {"body": "Kræver lift."})

    event = case.events.get(kind=EventKind.NOTE)
    assert not event.is_public
    html = desk.get(reverse("desk:case", args=[case.number])).content.decode()
    assert "Kræver lift." in html


def test_a_phone_note_appears_on_the_timeline_and_counts_as_handling_time(desk, make_case, technician):
    case = make_case()

    response = desk.post(
        reverse("desk:phone_note", args=[case.number]), {"body": "Talte med pedellen.", "minutes": "7"}
    )

    assert response.status_code == 302
    event = case.events.get(kind=EventKind.PHONE_NOTE)
    assert event.payload == {"duration_seconds": 420}
    entry = TimeEntry.objects.get(case=case)
    assert (entry.user, entry.source, entry.seconds) == (technician, TimeSource.PHONE, 420)
    html = desk.get(reverse("desk:case", args=[case.number])).content.decode()
    assert "Talte med pedellen." in html
    assert 'data-handling-total="420"' in html


def test_an_empty_reply_is_refused_beside_the_form(desk, make_case):
    case = make_case()

    response = desk.post(reverse("desk:reply", args=[case.number]), {"body": "   "})

    assert response.status_code == 400
    assert not case.events.filter(kind=EventKind.REPLY).exists()


def test_a_refused_reply_keeps_the_typed_text(desk, make_case, technician):
    case = make_case()
    transition_case(technician, case=case, action="cancel", reason="Dublet")

    response = desk.post(reverse("desk:reply", args=[case.number]), {"body": "Min lange besked til kunden"})

    assert response.status_code == 400
    html = response.content.decode()
    assert "Sagen er lukket. Anmeld en ny sag, hvis problemet er tilbage." in html
    assert "Min lange besked til kunden</textarea>" in html
    assert not case.events.filter(kind=EventKind.REPLY).exists()


def test_a_technician_starts_work_from_the_case_page(desk, make_case):
    case = make_case()

    response = desk.post(reverse("desk:action", args=[case.number]), {"action": "start"})

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.IN_PROGRESS


def test_a_refused_action_shows_the_reason_and_changes_nothing(desk, make_case, technician):
    case = make_case()
    transition_case(technician, case=case, action="start")
    page = desk.get(reverse("desk:case", args=[case.number])).content.decode()
    events_before = case.events.count()

    response = desk.post(reverse("desk:action", args=[case.number]), {"action": "resolve"})

    assert response.status_code == 400
    assert "Tildel sagen til en tekniker først." in response.content.decode()
    case.refresh_from_db()
    assert case.status == Status.IN_PROGRESS
    assert case.events.count() == events_before
    # the page already offered "Resolve" disabled, with the reason beside it
    assert 'name="action" value="resolve" disabled' in page
    assert "Tildel sagen til en tekniker først." in page


def test_cancelling_needs_a_reason(desk, make_case):
    case = make_case()

    refused = desk.post(reverse("desk:action", args=[case.number]), {"action": "cancel", "reason": ""})
    case.refresh_from_db()
    assert refused.status_code == 400
    assert case.status == Status.NEW

    done = desk.post(reverse("desk:action", args=[case.number]), {"action": "cancel", "reason": "Dublet af anden sag"})
    case.refresh_from_db()
    assert done.status_code == 302
    assert (case.status, case.cancel_reason) == (Status.CANCELLED, "Dublet af anden sag")


def test_an_unknown_action_is_refused_without_error_page(desk, make_case):
    case = make_case()

    response = desk.post(reverse("desk:action", args=[case.number]), {"action": "explode"})

    assert response.status_code == 400
    case.refresh_from_db()
    assert case.status == Status.NEW


def test_assign_to_a_technician_and_to_me(desk, make_case, technician, other_technician):
    case = make_case()

    desk.post(reverse("desk:assign", args=[case.number]), {"assignee": other_technician.username})
    case.refresh_from_db()
    assert (case.assignee, case.team) == (other_technician, other_technician.team)

    desk.post(reverse("desk:assign", args=[case.number]), {"assignee": technician.username})
    case.refresh_from_db()
    assert case.assignee == technician


def test_unassigning_keeps_the_team(desk, make_case, technician):
    case = make_case()
    assign_case(technician, case=case, assignee=technician)

    desk.post(reverse("desk:assign", args=[case.number]), {"assignee": ""})

    case.refresh_from_db()
    assert case.assignee is None
    assert case.team == technician.team


def test_assigning_to_a_customer_is_refused_and_changes_nothing(desk, make_case, customer):
    case = make_case()

    response = desk.post(reverse("desk:assign", args=[case.number]), {"assignee": customer.username})

    assert response.status_code == 400
    case.refresh_from_db()
    assert case.assignee is None


def test_priority_category_and_complexity_are_changed_from_the_case_page(desk, make_case):
    case = make_case(priority="normal", category="glass")
    due_before = case.resolution_due_at

    response = desk.post(
        reverse("desk:update", args=[case.number]),
        {"priority": "urgent", "category": "plumbing", "complexity": "complex"},
    )

    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.priority, case.category.code, case.complexity) == ("urgent", "plumbing", "complex")
    assert case.resolution_due_at < due_before
    assert case.events.filter(kind=EventKind.FIELD_CHANGED).count() == 3


def test_a_technician_corrects_her_own_handling_time_with_a_reason(desk, make_case, technician):
    case = make_case()

    response = desk.post(
        reverse("desk:correct_time", args=[case.number]), {"minutes": "-5", "note": "Glemte at lukke fanen"}
    )

    assert response.status_code == 302
    entry = TimeEntry.objects.get(case=case)
    assert (entry.user, entry.source, entry.seconds, entry.note) == (
        technician,
        TimeSource.MANUAL,
        -300,
        "Glemte at lukke fanen",
    )


def test_a_time_correction_of_zero_minutes_is_refused(desk, make_case):
    case = make_case()

    response = desk.post(reverse("desk:correct_time", args=[case.number]), {"minutes": "0", "note": "Hmm"})

    assert response.status_code == 400
    assert not TimeEntry.objects.exists()


def test_a_team_lead_corrects_a_technicians_time(client, make_case, team_lead, technician):
    case = make_case()
    client.force_login(team_lead)

    client.post(
        reverse("desk:correct_time", args=[case.number]),
        {"minutes": "12", "note": "Telefonopkald uden note", "user": technician.username},
    )

    assert TimeEntry.objects.get(case=case).user == technician


# --- htmx on the case page --------------------------------------------------------------


def test_an_htmx_reply_returns_the_timeline_and_out_of_band_panels(desk, make_case):
    case = make_case()

    response = desk.post(reverse("desk:reply", args=[case.number]), {"body": "Hej fra htmx"}, **HTMX)

    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="timeline"')
    assert "Hej fra htmx" in html
    assert 'id="case-header" class="card case-head" hx-swap-oob="true"' in html
    assert 'id="reply-form"' in html  # a fresh, empty reply form
    assert "<html" not in html


def test_an_htmx_refusal_retargets_the_form_and_keeps_the_text(desk, make_case, technician):
    case = make_case()
    transition_case(technician, case=case, action="cancel", reason="Dublet")

    response = desk.post(reverse("desk:reply", args=[case.number]), {"body": "Tekst der ikke må gå tabt"}, **HTMX)

    assert response.status_code == 200
    assert response["HX-Retarget"] == "#reply-form"
    html = response.content.decode()
    assert html.lstrip().startswith('<form id="reply-form"')
    assert "Tekst der ikke må gå tabt</textarea>" in html


# --- handling time heartbeat ----------------------------------------------------------------


def test_a_heartbeat_records_active_time_and_a_repeat_does_not_double_count(desk, make_case, technician):
    case = make_case()
    url = reverse("desk:heartbeat", args=[case.number])
    session = str(uuid.uuid4())

    first = desk.post(url, {"session": session, "seconds": "30"})
    again = desk.post(url, {"session": session, "seconds": "30"})

    assert (first.status_code, again.status_code) == (204, 204)
    entry = TimeEntry.objects.get(case=case)
    assert (entry.user, entry.source, entry.seconds) == (technician, TimeSource.DESK, 30)


def test_a_later_heartbeat_raises_the_total_of_its_session_only(desk, make_case):
    case = make_case()
    url = reverse("desk:heartbeat", args=[case.number])
    session, other_tab = str(uuid.uuid4()), str(uuid.uuid4())
    desk.post(url, {"session": session, "seconds": "20"})
    TimeEntry.objects.filter(session_key=session).update(started_at=timezone.now() - timedelta(minutes=5))

    desk.post(url, {"session": session, "seconds": "50"})
    desk.post(url, {"session": other_tab, "seconds": "10"})

    assert sorted(TimeEntry.objects.filter(case=case).values_list("seconds", flat=True)) == [10, 50]


def test_a_malformed_heartbeat_is_a_400_and_records_nothing(desk, make_case):
    case = make_case()
    url = reverse("desk:heartbeat", args=[case.number])

    assert desk.post(url, {"session": "not-a-uuid", "seconds": "30"}).status_code == 400
    assert desk.post(url, {"session": str(uuid.uuid4()), "seconds": "-4"}).status_code == 400
    assert desk.get(url).status_code == 405
    assert not TimeEntry.objects.exists()


def test_a_heartbeat_with_another_cases_session_is_refused(desk, make_case):
    first, second = make_case(), make_case()
    session = str(uuid.uuid4())
    desk.post(reverse("desk:heartbeat", args=[first.number]), {"session": session, "seconds": "30"})

    response = desk.post(reverse("desk:heartbeat", args=[second.number]), {"session": session, "seconds": "40"})

    assert response.status_code == 400
    assert TimeEntry.objects.get().seconds == 30


def test_a_technician_cannot_correct_another_persons_time(desk, make_case, other_technician):
    case = make_case()

    response = desk.post(
        reverse("desk:correct_time", args=[case.number]),
        {"minutes": "30", "note": "Forsøg", "user": other_technician.username},
    )

    assert response.status_code == 400
    assert not TimeEntry.objects.exists()


# --- more of the queue and the case page ----------------------------------------------------


def test_the_desk_opens_on_all_open_cases(desk, make_case, technician):
    open_case = make_case(title="Åben sag")
    cancelled = make_case(title="Aflyst sag")
    transition_case(technician, case=cancelled, action="cancel", reason="Dublet")

    response = desk.get(reverse("desk:queue"))

    assert queue_rows(response) == [open_case.number]
    assert re.search(r'data-queue="open"[^>]*aria-current="page"', response.content.decode())
    assert queue_rows(desk.get(reverse("desk:queue"), {"queue": "closed"})) == [cancelled.number]


def test_a_cancelled_case_never_answered_is_not_shown_as_breached_in_the_closed_queue(desk, make_case, technician):
    case = make_case()
    transition_case(technician, case=case, action="cancel", reason="Dublet")
    Case.objects.filter(pk=case.pk).update(first_response_due_at=timezone.now() - timedelta(days=3))

    html = desk.get(reverse("desk:queue"), {"queue": "closed"}).content.decode()
    row = html.split(f'<tr data-case="{case.number}"')[1].split("</tr>")[0]

    assert 'data-sla="breached"' not in row


def test_the_case_page_uses_a_bounded_number_of_queries(
    desk, make_case, technician, customer, django_assert_max_num_queries
):
    case = make_case()
    for index in range(5):
        reply_to_case(technician, case=case, body=f"Svar {index}")
        reply_to_case(customer, case=case, body=f"Tak {index}")
    for index in range(4):
        make_case(title=f"Anden sag {index}")

    # 16 for the case itself, plus the macros panel (1) and the knowledge panel (2): none grows with the timeline.
    with django_assert_max_num_queries(19):
        response = desk.get(reverse("desk:case", args=[case.number]))

    assert response.status_code == 200
    assert response.content.decode().count('data-kind="reply"') == 10


def test_the_phone_note_form_keeps_the_text_when_the_duration_is_missing(desk, make_case):
    case = make_case()

    response = desk.post(reverse("desk:phone_note", args=[case.number]), {"body": "Ringede om nøgler", "minutes": ""})

    assert response.status_code == 400
    assert "Ringede om nøgler</textarea>" in response.content.decode()
    assert not TimeEntry.objects.exists()


def test_a_disguised_file_refuses_the_whole_reply_and_keeps_the_text(desk, make_case):
    from django.core.files.uploadedfile import SimpleUploadedFile

    case = make_case()
    fake = SimpleUploadedFile("foto.jpg", b"MZ\x90\x00 this is not a photo", content_type="image/jpeg")

    response = desk.post(reverse("desk:reply", args=[case.number]), {"body": "Her er billedet", "files": [fake]})

    assert response.status_code == 400
    assert "Her er billedet</textarea>" in response.content.decode()
    assert 'class="form-errors"' in response.content.decode()
    assert not case.events.filter(kind=EventKind.REPLY).exists()
    assert not case.attachments.exists()


def test_a_technician_follows_a_case_and_adds_a_colleague_as_watcher(desk, make_case, technician, other_technician):
    case = make_case()

    desk.post(reverse("desk:watch", args=[case.number]), {"username": technician.username})
    desk.post(reverse("desk:watch", args=[case.number]), {"username": other_technician.username})

    assert set(case.watchers.all()) == {technician, other_technician}
    assert case.events.filter(kind="watcher_added").count() == 2
    desk.post(reverse("desk:watch", args=[case.number]), {"username": technician.username, "remove": "on"})
    assert list(case.watchers.all()) == [other_technician]


def test_someone_who_cannot_see_the_case_cannot_watch_it(desk, make_case, outsider):
    case = make_case()

    response = desk.post(reverse("desk:watch", args=[case.number]), {"username": outsider.username})

    assert response.status_code == 400
    assert not case.watchers.exists()

"""The timeline through the API: replies, internal notes, phone notes, who sees which."""

from __future__ import annotations

import pytest

from esm.api.tests.helpers import assert_problem
from esm.cases.models import CaseEvent, EventKind, TimeEntry


def kinds(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [event["kind"] for event in response.json()["items"]]


def test_a_customer_replies_and_the_desk_reads_it(api_as, customer, technician, make_case):
    case = make_case()

    response = api_as(customer).post(
        f"/cases/{case.number}/timeline", {"kind": "reply", "body": "Ruden er nu tapet til."}
    )

    assert response.status_code == 201, response.content
    event = response.json()
    assert (event["kind"], event["actor"], event["is_public"]) == ("reply", "lise", True)
    assert event["body"] == "Ruden er nu tapet til."
    assert kinds(api_as(technician).get(f"/cases/{case.number}/timeline")) == ["created", "reply"]


def test_a_technicians_reply_is_the_first_response(api_as, technician, make_case):
    case = make_case()

    response = api_as(technician).post(
        f"/cases/{case.number}/timeline", {"kind": "reply", "body": "Vi kommer i morgen."}
    )

    assert response.status_code == 201
    case.refresh_from_db()
    assert case.first_responded_at is not None
    assert api_as(technician).get(f"/cases/{case.number}").json()["sla"]["first_response"] == "met"


def test_a_customer_never_sees_internal_notes(api_as, customer, technician, make_case):
    case = make_case()
    note = api_as(technician).post(f"/cases/{case.number}/timeline", {"kind": "note", "body": "Kunden er sur."})
    phone = api_as(technician).post(
        f"/cases/{case.number}/timeline", {"kind": "phone_note", "body": "Ringede til Lise.", "duration_seconds": 240}
    )
    assert (note.status_code, phone.status_code) == (201, 201)
    assert note.json()["is_public"] is False

    seen_by_customer = api_as(customer).get(f"/cases/{case.number}/timeline")

    assert kinds(seen_by_customer) == ["created"]
    assert "Kunden er sur" not in seen_by_customer.content.decode()
    assert kinds(api_as(technician).get(f"/cases/{case.number}/timeline")) == ["created", "note", "phone_note"]


@pytest.mark.parametrize("kind", ["note", "phone_note"])
def test_a_customer_cannot_add_an_internal_note_and_nothing_is_written(api_as, customer, make_case, kind):
    case = make_case()
    events = CaseEvent.objects.count()

    response = api_as(customer).post(
        f"/cases/{case.number}/timeline", {"kind": kind, "body": "Intern?", "duration_seconds": 60}
    )

    assert response.status_code in (403, 404)
    assert response["Content-Type"] == "application/problem+json"
    assert CaseEvent.objects.count() == events
    assert not TimeEntry.objects.exists()


def test_a_phone_note_records_the_calls_duration_as_handling_time(api_as, technician, make_case):
    case = make_case()

    response = api_as(technician).post(
        f"/cases/{case.number}/timeline", {"kind": "phone_note", "body": "Aftalt besøg.", "duration_seconds": 300}
    )

    assert response.status_code == 201
    assert response.json()["payload"] == {"duration_seconds": 300}
    assert TimeEntry.objects.get(case=case).seconds == 300


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"kind": "phone_note", "body": "Uden varighed"}, 400, "duration_seconds"),
        ({"kind": "phone_note", "body": "For lang", "duration_seconds": 10**40}, 400, "duration"),
        ({"kind": "phone_note", "body": "Brøk", "duration_seconds": 1.5}, 422, "duration_seconds"),
        ({"kind": "phone_note", "body": "Sandt", "duration_seconds": True}, 422, "duration_seconds"),
        ({"kind": "phone_note", "body": "Tekst", "duration_seconds": "300"}, 422, "duration_seconds"),
        ({"kind": "reply", "body": "   "}, 400, "body"),
        ({"kind": "shout", "body": "Hej"}, 422, "kind"),
        ({"kind": "reply"}, 422, "body"),
    ],
)
def test_bad_timeline_entries_are_refused_and_nothing_is_written(api_as, technician, make_case, body, status, field):
    case = make_case()
    events = CaseEvent.objects.count()

    response = api_as(technician).post(f"/cases/{case.number}/timeline", body)

    problem = assert_problem(response, status, "validation_error")
    assert field in problem["errors"]
    assert CaseEvent.objects.count() == events


def test_a_closed_case_takes_no_more_replies(api_as, customer, make_case):
    case = make_case()
    api_as(customer).post(f"/cases/{case.number}/actions", {"action": "cancel", "reason": "Løst selv"})
    events = CaseEvent.objects.count()

    response = api_as(customer).post(f"/cases/{case.number}/timeline", {"kind": "reply", "body": "Hallo?"})

    assert_problem(response, 409, "transition_not_allowed")
    assert CaseEvent.objects.count() == events


def test_the_timeline_pages(api_as, technician, make_case):
    case = make_case()
    for i in range(4):
        api_as(technician).post(f"/cases/{case.number}/timeline", {"kind": "note", "body": f"Note {i}"})

    first = api_as(technician).get(f"/cases/{case.number}/timeline", {"limit": 3}).json()

    assert [event["kind"] for event in first["items"]] == ["created", "note", "note"]
    assert first["next"].endswith("limit=3&offset=3")
    assert first["items"][0]["kind"] == EventKind.CREATED

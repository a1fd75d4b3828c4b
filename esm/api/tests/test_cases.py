"""Cases through the API: report, list, read, change, lifecycle actions, who sees what."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from esm.api.tests.helpers import API, assert_problem
from esm.cases.models import Case, CaseEvent, EventKind, Status
from esm.cases.services import assign_case, transition_case

REPORT = {
    "title": "Knust rude i klasselokale 2.B",
    "description": "Ruden mod gården er knust. Der er glasskår på gulvet.",
    "building": "E-1001",
    "category": "glass",
    "priority": "high",
}


def snapshot(case: Case) -> dict[str, Any]:
    """Everything a refused request must leave as it was."""
    fresh = Case.objects.get(pk=case.pk)
    fields = {field.attname: getattr(fresh, field.attname) for field in Case._meta.concrete_fields}
    return {**fields, "events": list(CaseEvent.objects.filter(case=case).values_list("pk", flat=True))}


# --- reporting -------------------------------------------------------------------------


def test_a_customer_reports_a_case_and_gets_201_with_its_number(api_as, customer, building, categories):
    response = api_as(customer).post("/cases", {**REPORT, "location": "2. sal, lokale 2.B"})

    assert response.status_code == 201, response.content
    body = response.json()
    case = Case.objects.get()
    assert body["number"] == case.number
    assert body["number"].startswith("S-")
    assert body["status"] == "new"
    assert body["status_label"]
    assert body["priority"] == "high"
    assert body["category"] == "glass"
    assert body["building"] == "E-1001"
    assert body["location"] == "2. sal, lokale 2.B"
    assert body["channel"] == "api"
    assert body["reporter"] == "lise"
    assert body["organisation"] == "Vesterbro Ny Skole"
    assert body["team"] == "nord"
    assert body["assignee"] is None
    assert body["created_at"].endswith("Z") or "+" in body["created_at"]
    assert body["first_response_due_at"] and body["resolution_due_at"]
    assert body["sla"] == {"first_response": "ok", "resolution": "ok", "paused": False}
    assert body["links"]["self"] == f"http://testserver{API}/cases/{case.number}"
    assert body["links"]["timeline"] == f"http://testserver{API}/cases/{case.number}/timeline"
    assert case.reporter == customer
    assert case.channel == "api"
    assert case.events.get().kind == EventKind.CREATED


def test_reporting_needs_no_more_queries_than_the_service(api_as, customer, building, categories):
    caller = api_as(customer)
    caller.post("/cases", REPORT)  # the year's number counter exists from now on
    with CaptureQueriesContext(connection) as queries:
        response = caller.post("/cases", REPORT)

    assert response.status_code == 201
    assert not [q["sql"] for q in queries.captured_queries if q["sql"].startswith('SELECT "accounts_team"')]
    assert len(queries.captured_queries) <= 20


def test_an_unknown_category_is_a_400_problem_and_writes_nothing(api_as, customer, building, categories):
    response = api_as(customer).post("/cases", {**REPORT, "category": "unicorns"})

    body = assert_problem(response, 400, "unknown_category")
    assert "category" in body["errors"]
    assert not Case.objects.exists()
    assert not CaseEvent.objects.exists()


def test_the_building_is_a_property_number_never_a_database_key(api_as, customer, building, categories):
    response = api_as(customer).post("/cases", {**REPORT, "building": str(building.pk)})

    body = assert_problem(response, 400, "unknown_building")
    assert "building" in body["errors"]
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    ("data", "content_type"),
    [
        (b"{", "application/json"),
        (b'{"title": "Rude", ', "application/json"),
        (b"", "application/json"),
        (b"null", "application/json"),
        (b"[]", "application/json"),
        (b'"a string"', "application/json"),
        (b"12345678901234567890123456789012345678901234567890", "application/json"),
        (b"\xff\xfe\x00garbage", "application/json"),
        (b"title=Rude&description=Knust", "application/x-www-form-urlencoded"),
        (b'{"title": "x"}', "text/plain"),
        (b"[" * 100_000, "application/json"),
        (b'{"title": 1e999999}', "application/json"),
        (b'{"title": ' + b"9" * 5000 + b"}", "application/json"),
    ],
)
def test_a_malformed_body_is_a_4xx_problem_and_writes_nothing(
    api_as, customer, building, categories, data, content_type
):
    response = api_as(customer).post_raw("/cases", data, content_type)

    assert 400 <= response.status_code < 500, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "validation_error"
    assert not Case.objects.exists()


def test_missing_and_wrongly_typed_fields_are_listed_field_by_field(api_as, customer, building, categories):
    response = api_as(customer).post("/cases", {"title": 42, "priority": "whenever", "building": ["E-1001"]})

    body = assert_problem(response, 422, "validation_error")
    assert set(body["errors"]) == {"title", "description", "building", "category", "priority"}
    assert not Case.objects.exists()


def test_unknown_fields_are_refused_by_name(api_as, customer, building, categories):
    response = api_as(customer).post("/cases", {**REPORT, "status": "closed", "assignee": "tekniker"})

    body = assert_problem(response, 422, "validation_error")
    assert set(body["errors"]) == {"status", "assignee"}
    assert not Case.objects.exists()


def test_the_service_checks_are_answered_per_field(api_as, customer, building, categories):
    response = api_as(customer).post("/cases", {**REPORT, "title": "   ", "description": "x" * 20_001})

    body = assert_problem(response, 400, "validation_error")
    assert set(body["errors"]) == {"title", "description"}
    assert not Case.objects.exists()


def test_a_technician_reports_on_behalf_of_a_tenant_by_phone(api_as, technician, tenant, building, categories):
    response = api_as(technician).post("/cases", {**REPORT, "reporter": "jonas", "channel": "phone"})

    assert response.status_code == 201
    body = response.json()
    assert body["reporter"] == "jonas"
    assert body["organisation"] is None
    assert body["channel"] == "phone"
    assert Case.objects.get().reporter == tenant


def test_a_technician_cannot_report_for_someone_unknown(api_as, technician, building, categories):
    response = api_as(technician).post("/cases", {**REPORT, "reporter": "nobody"})

    assert_problem(response, 400, "unknown_user")
    assert not Case.objects.exists()


def test_a_customer_cannot_report_in_someone_elses_name(api_as, customer, colleague, building, categories):
    response = api_as(customer).post("/cases", {**REPORT, "reporter": "peter"})

    assert_problem(response, 403, "permission_denied")
    assert not Case.objects.exists()


# --- reading -----------------------------------------------------------------------------


def test_a_case_is_read_by_its_number(api_as, customer, colleague, make_case):
    case = make_case()

    response = api_as(colleague).get(f"/cases/{case.number}")

    assert response.status_code == 200
    assert response.json()["number"] == case.number
    assert response.json()["title"] == case.title


def test_another_organisations_case_is_not_found_and_stays_untouched(api_as, outsider, make_case, other_tenant):
    case = make_case()
    before = snapshot(case)
    for persona in (outsider, other_tenant):
        caller = api_as(persona)
        for response in (
            caller.get(f"/cases/{case.number}"),
            caller.get(f"/cases/{case.number}/timeline"),
            caller.get(f"/cases/{case.number}/actions"),
            caller.get(f"/cases/{case.number}/attachments"),
            caller.patch(f"/cases/{case.number}", {"title": "Mine now"}),
            caller.post(f"/cases/{case.number}/actions", {"action": "cancel", "reason": "Not needed"}),
            caller.post(f"/cases/{case.number}/timeline", {"kind": "reply", "body": "Hello"}),
        ):
            assert_problem(response, 404, "not_found")
        assert case.number not in [item["number"] for item in caller.get("/cases").json()["items"]]
    assert_problem(api_as(outsider).get("/cases/S-2099-999999"), 404, "not_found")
    assert snapshot(case) == before


def test_a_tenant_lists_only_their_own_cases_and_a_customer_their_organisations(
    api_as, customer, colleague, outsider, tenant, make_case, other_building
):
    lises = make_case()
    peters = make_case(reporter=colleague)
    mettes = make_case(reporter=outsider, building=other_building)
    jonas = make_case(reporter=tenant)

    def numbers(persona: Any) -> set[str]:
        return {item["number"] for item in api_as(persona).get("/cases").json()["items"]}

    assert numbers(customer) == {lises.number, peters.number}
    assert numbers(outsider) == {mettes.number}
    assert numbers(tenant) == {jonas.number}


# --- listing -----------------------------------------------------------------------------


def test_the_list_filters_by_each_field(api_as, technician, other_technician, make_case, other_building, categories):
    glass = make_case()
    plumbing = make_case(category="plumbing", priority="urgent", complexity="complex", title="Vandskade i kælderen")
    phoned = make_case(building=other_building, channel="phone", reporter=technician)
    assign_case(technician, case=plumbing, assignee=other_technician)
    transition_case(technician, case=glass, action="start")
    caller = api_as(technician)

    def numbers(**params: Any) -> list[str]:
        response = caller.get("/cases", params)
        assert response.status_code == 200, response.content
        return [item["number"] for item in response.json()["items"]]

    assert numbers(status="in_progress") == [glass.number]
    assert numbers(priority="urgent") == [plumbing.number]
    assert numbers(category="plumbing") == [plumbing.number]
    assert numbers(team="syd") == [plumbing.number]
    assert numbers(assignee="tekniker2") == [plumbing.number]
    assert numbers(building="E-2002") == [phoned.number]
    assert numbers(complexity="complex") == [plumbing.number]
    assert numbers(channel="phone") == [phoned.number]
    assert numbers(search="kælderen") == [plumbing.number]
    assert numbers(q="kælderen") == [plumbing.number]
    assert numbers(search=plumbing.number) == [plumbing.number]
    assert numbers(queue="unassigned", sort="oldest") == [glass.number, phoned.number]
    assert numbers(status="", priority="") == [phoned.number, plumbing.number, glass.number]
    assert numbers(sort="priority")[0] == plumbing.number


def test_the_list_pages_with_a_next_link_and_never_counts(api_as, technician, make_case):
    created = [make_case(title=f"Sag {i}") for i in range(5)]
    caller = api_as(technician)
    seen: list[str] = []
    url: str | None = f"http://testserver{API}/cases?limit=2&priority=normal"
    with CaptureQueriesContext(connection) as queries:
        while url:
            parts = urlsplit(url)
            response = caller.client.get(f"{parts.path}?{parts.query}", headers=caller.headers)
            assert response.status_code == 200
            body = response.json()
            assert len(body["items"]) <= 2
            seen += [item["number"] for item in body["items"]]
            url = body["next"]

    assert seen == [case.number for case in reversed(created)]
    assert not [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]


def test_the_list_reads_related_rows_in_the_same_query(api_as, technician, make_case):
    for i in range(12):
        case = make_case(title=f"Sag {i}")
        assign_case(technician, case=case, assignee=technician)
    caller = api_as(technician)
    caller.get("/me")  # the token's first use is recorded once
    with CaptureQueriesContext(connection) as few:
        assert len(caller.get("/cases", {"limit": 2}).json()["items"]) == 2
    with CaptureQueriesContext(connection) as many:
        assert len(caller.get("/cases", {"limit": 12}).json()["items"]) == 12

    assert len(many.captured_queries) == len(few.captured_queries)


@pytest.mark.parametrize(
    "params",
    [
        {"limit": 101},
        {"limit": 0},
        {"offset": -1},
        {"offset": 10**30},
        {"limit": "many"},
        {"status": "lost"},
        {"queue": "everything"},
        {"sort": "random"},
    ],
)
def test_bad_list_parameters_are_a_validation_problem(api_as, technician, params):
    response = api_as(technician).get("/cases", params)

    body = assert_problem(response, 422, "validation_error")
    assert set(body["errors"]) == set(params)


# --- changing ----------------------------------------------------------------------------


def test_a_technician_changes_fields_and_assigns_the_case(api_as, technician, other_technician, make_case):
    case = make_case()

    response = api_as(technician).patch(
        f"/cases/{case.number}",
        {"title": "Knust termorude", "priority": "urgent", "complexity": "easy", "assignee": "tekniker2"},
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["title"], body["priority"], body["complexity"]) == ("Knust termorude", "urgent", "easy")
    assert (body["assignee"], body["team"]) == ("tekniker2", "syd")
    case.refresh_from_db()
    assert (case.title, case.priority, case.assignee) == ("Knust termorude", "urgent", other_technician)
    kinds = list(case.events.values_list("kind", flat=True))
    assert kinds.count(EventKind.FIELD_CHANGED) == 3
    assert EventKind.ASSIGNED in kinds


def test_unassigning_keeps_the_team(api_as, technician, make_case):
    case = make_case()
    assign_case(technician, case=case, assignee=technician)

    response = api_as(technician).patch(f"/cases/{case.number}", {"assignee": None})

    assert response.status_code == 200
    assert (response.json()["assignee"], response.json()["team"]) == (None, "nord")


def test_a_change_with_one_bad_field_changes_nothing(api_as, technician, make_case):
    case = make_case()
    before = snapshot(case)

    for change, code in (
        ({"title": "Ny titel", "assignee": "nobody"}, "unknown_user"),
        ({"title": "Ny titel", "assignee": "lise"}, "validation_error"),
        ({"title": "Ny titel", "category": "unicorns"}, "unknown_category"),
        ({"title": "Ny titel", "building": "X-0"}, "unknown_building"),
        ({"title": "Ny titel", "team": "mars"}, "validation_error"),
    ):
        assert_problem(api_as(technician).patch(f"/cases/{case.number}", change), 400, code)

    assert_problem(api_as(technician).patch(f"/cases/{case.number}", {"status": "closed"}), 422, "validation_error")
    assert snapshot(case) == before


def test_a_customer_cannot_change_a_case(api_as, customer, make_case):
    case = make_case()
    before = snapshot(case)

    response = api_as(customer).patch(f"/cases/{case.number}", {"priority": "urgent"})

    assert_problem(response, 403, "permission_denied")
    assert snapshot(case) == before


# --- the lifecycle -----------------------------------------------------------------------


def test_a_technician_starts_work_through_an_action(api_as, technician, make_case):
    case = make_case()
    caller = api_as(technician)
    offered = {item["action"]: item for item in caller.get(f"/cases/{case.number}/actions").json()}
    assert offered["start"]["allowed"] is True
    assert offered["cancel"]["needs_reason"] is True

    response = caller.post(f"/cases/{case.number}/actions", {"action": "start"})

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "in_progress"
    case.refresh_from_db()
    assert case.status == Status.IN_PROGRESS
    event = case.events.filter(kind=EventKind.STATUS_CHANGED).get()
    assert event.actor == technician


def test_actions_not_allowed_now_are_shown_with_the_reason(api_as, technician, make_case):
    case = make_case()
    transition_case(technician, case=case, action="start")

    offered = {item["action"]: item for item in api_as(technician).get(f"/cases/{case.number}/actions").json()}

    assert offered["resolve"]["allowed"] is False
    assert offered["resolve"]["reason"]


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"action": "start"}, 409, "transition_not_allowed"),
        ({"action": "resolve"}, 409, "transition_not_allowed"),
        ({"action": "customer_replied"}, 409, "transition_not_allowed"),
        ({"action": "self_destruct"}, 400, "unknown_action"),
        ({"action": "cancel"}, 400, "validation_error"),
        ({"action": "cancel", "reason": 7}, 422, "validation_error"),
        ({}, 422, "validation_error"),
    ],
)
def test_a_refused_action_changes_nothing(api_as, customer, make_case, body, status, code):
    case = make_case()
    before = snapshot(case)

    response = api_as(customer).post(f"/cases/{case.number}/actions", body)

    assert_problem(response, status, code)
    assert snapshot(case) == before


def test_a_customer_cancels_their_new_case_with_a_reason(api_as, customer, make_case):
    case = make_case()

    response = api_as(customer).post(f"/cases/{case.number}/actions", {"action": "cancel", "reason": "Fejlmelding"})

    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    case.refresh_from_db()
    assert (case.status, case.cancel_reason) == (Status.CANCELLED, "Fejlmelding")


def test_watchers_are_added_and_removed_through_the_api(api_as, technician, colleague, make_case):
    case = make_case()
    api = api_as(technician)

    added = api.post(f"/cases/{case.number}/watchers", {"username": colleague.username})
    assert added.status_code == 201
    assert added.json() == [colleague.username]
    assert api.delete(f"/cases/{case.number}/watchers/{colleague.username}").status_code == 204
    assert not case.watchers.exists()

"""Applying a macro: each step through the cases services, on the timeline, all or nothing."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from esm.cases import services as case_services
from esm.cases.models import CaseEvent, EventKind, Status
from esm.core.errors import DomainError, ErrorCode
from esm.replies import queries, services

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)


@pytest.fixture
def started_case(make_case, technician):
    case = make_case()
    case_services.assign_case(technician, case=case, assignee=technician)
    case_services.transition_case(technician, case=case, action="start")
    return case


def kinds_after(case, last_pk):
    return list(CaseEvent.objects.filter(case=case, pk__gt=last_pk).order_by("pk").values_list("kind", flat=True))


def test_apply_macro_writes_reply_category_team_and_status_then_the_macro_event_in_order(
    started_case, technician, team_lead, shared_template, categories, teams
):
    case = started_case
    macro = services.create_macro(
        team_lead,
        name="Bestil VVS",
        shared=True,
        reply_template=shared_template,
        category=categories["plumbing"],
        team=teams["south"],
        action="wait_for_supplier",
    )
    last = CaseEvent.objects.filter(case=case).latest("pk").pk

    services.apply_macro(technician, case=case, macro=macro, now=NOW)

    assert kinds_after(case, last) == [
        EventKind.REPLY,
        EventKind.FIELD_CHANGED,
        EventKind.ASSIGNED,
        EventKind.STATUS_CHANGED,
        EventKind.MACRO_APPLIED,
    ]
    events = list(CaseEvent.objects.filter(case=case, pk__gt=last).order_by("pk"))
    reply, category, assigned, status, applied = events
    assert reply.is_public and reply.body == (
        f"Kære Lise Holm, håndværker bestilt til sag {case.number}. Mvh Ole Madsen"
    )
    assert category.payload == {"field": "category", "from": "glass", "to": "plumbing"}
    # the technician is in team north: moving the case to team south unassigns them
    assert assigned.payload["team"] == "syd" and assigned.payload["to"] is None
    assert status.payload["from"] == Status.IN_PROGRESS and status.payload["to"] == Status.WAITING_SUPPLIER
    assert applied.payload["macro"] == "Bestil VVS"
    assert [step["step"] for step in applied.payload["steps"]] == ["reply", "category", "team", "status"]
    assert all(event.actor == technician for event in events)
    case.refresh_from_db()
    assert (case.status, case.category.code, case.team.code, case.assignee) == (
        Status.WAITING_SUPPLIER,
        "plumbing",
        "syd",
        None,
    )
    assert case.first_responded_at == NOW


def test_the_team_step_keeps_an_assignee_who_is_in_the_new_team(started_case, technician, team_lead, teams):
    macro = services.create_macro(team_lead, name="Nord", shared=True, team=teams["north"])
    case_services.assign_case(team_lead, case=started_case, assignee=technician, team=teams["south"])
    services.apply_macro(technician, case=started_case, macro=macro)
    started_case.refresh_from_db()
    assert started_case.team == teams["north"] and started_case.assignee == technician


def test_a_step_that_fails_writes_nothing_and_says_which_step(
    make_case, technician, team_lead, shared_template, categories
):
    case = make_case()  # new: "wait for supplier" is not possible yet
    macro = services.create_macro(
        team_lead,
        name="Bestil håndværker",
        shared=True,
        reply_template=shared_template,
        category=categories["plumbing"],
        action="wait_for_supplier",
    )
    before = list(CaseEvent.objects.filter(case=case).values_list("pk", flat=True))

    with pytest.raises(DomainError) as caught:
        services.apply_macro(technician, case=case, macro=macro)

    assert caught.value.code == ErrorCode.TRANSITION_NOT_ALLOWED
    assert "Bestil håndværker" in caught.value.message
    assert list(CaseEvent.objects.filter(case=case).values_list("pk", flat=True)) == before
    case.refresh_from_db()
    assert case.status == Status.NEW
    assert case.category.code == "glass"
    assert case.first_responded_at is None
    # the in-memory case is the stored one again
    assert case.category.code == "glass"


def test_resolving_after_the_team_step_unassigned_the_case_fails_as_a_whole(
    started_case, technician, team_lead, shared_template, teams
):
    macro = services.create_macro(
        team_lead, name="Løs i Syd", shared=True, reply_template=shared_template, team=teams["south"], action="resolve"
    )
    count = CaseEvent.objects.filter(case=started_case).count()
    with pytest.raises(DomainError):
        services.apply_macro(technician, case=started_case, macro=macro)
    assert CaseEvent.objects.filter(case=started_case).count() == count
    started_case.refresh_from_db()
    assert started_case.status == Status.IN_PROGRESS and started_case.assignee == technician


def test_a_status_the_case_already_has_is_skipped(started_case, technician, team_lead, shared_template):
    macro = services.create_macro(
        team_lead, name="Svar og arbejd", shared=True, reply_template=shared_template, action="start"
    )
    last = CaseEvent.objects.filter(case=started_case).latest("pk").pk
    services.apply_macro(technician, case=started_case, macro=macro)
    assert kinds_after(started_case, last) == [EventKind.REPLY, EventKind.MACRO_APPLIED]
    applied = CaseEvent.objects.get(case=started_case, kind=EventKind.MACRO_APPLIED)
    assert applied.payload["steps"][-1] == {"step": "status", "action": "start", "skipped": True}


def test_another_technicians_personal_macro_cannot_be_applied(started_case, technician, other_technician):
    theirs = services.create_macro(other_technician, name="Sara's", action="wait_for_customer")
    with pytest.raises(DomainError) as caught:
        services.apply_macro(technician, case=started_case, macro=theirs)
    assert caught.value.code == ErrorCode.NOT_FOUND
    started_case.refresh_from_db()
    assert started_case.status == Status.IN_PROGRESS


def test_a_customer_cannot_apply_a_macro(make_case, customer, team_lead):
    case = make_case()
    macro = services.create_macro(team_lead, name="Start", shared=True, action="start")
    with pytest.raises(DomainError) as caught:
        services.apply_macro(customer, case=case, macro=macro)
    assert caught.value.code == ErrorCode.PERMISSION_DENIED


def test_the_case_panel_says_why_a_macro_cannot_run_now(make_case, technician, team_lead):
    case = make_case()
    waiting = services.create_macro(team_lead, name="Afvent", shared=True, action="wait_for_supplier")
    start = services.create_macro(team_lead, name="Start", shared=True, action="start")
    buttons = {button.macro: button for button in queries.macros_for_case(technician, case)}
    assert buttons[start].allowed
    assert not buttons[waiting].allowed and buttons[waiting].reason

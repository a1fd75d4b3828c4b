"""The lifecycle table: every row walked, refusals explained, nothing changed on refusal."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from esm.cases.lifecycle import TRANSITIONS, available_actions, diagram
from esm.cases.models import Case, CaseEvent, EventKind, Status
from esm.cases.services import assign_case, transition_case
from esm.core.errors import DomainError, ErrorCode

pytestmark = pytest.mark.django_db


def _put_in(case: Case, status: str) -> None:
    Case.objects.filter(pk=case.pk).update(status=status, resolved_at=timezone.now() if status == "resolved" else None)
    case.refresh_from_db()


@pytest.mark.parametrize(
    ("transition", "source"),
    [(t, s) for t in TRANSITIONS for s in sorted(t.sources)],
    ids=lambda v: getattr(v, "action", str(v)),
)
def test_every_row_of_the_lifecycle_can_be_taken_by_whom_it_names(transition, source, make_case, customer, technician):
    case = make_case()
    assign_case(technician, case=case, assignee=technician)
    _put_in(case, source)
    who = {"handler": technician, "reporter_side": customer, "reporter_only": customer, "system": customer}
    actor = who[transition.who.__name__]
    if transition.action == "cancel" and source != Status.NEW:
        actor = technician  # once work has started only the desk cancels

    transition_case(
        actor, case=case, action=transition.action, reason="Fordi", automatic=transition.who.__name__ == "system"
    )

    case.refresh_from_db()
    assert case.status == transition.target
    event = case.events.filter(kind=EventKind.STATUS_CHANGED).last()
    assert event.payload == {
        "from": source,
        "to": transition.target,
        "action": transition.action,
        "automatic": transition.who.__name__ == "system",
    }
    assert event.actor == actor


def test_a_customer_cannot_start_work_and_nothing_changes(make_case, customer):
    case = make_case()
    events_before = CaseEvent.objects.count()

    with pytest.raises(DomainError) as refused:
        transition_case(customer, case=case, action="start")

    assert refused.value.code == ErrorCode.TRANSITION_NOT_ALLOWED
    case.refresh_from_db()
    assert case.status == Status.NEW
    assert CaseEvent.objects.count() == events_before


def test_a_case_cannot_be_resolved_before_it_is_assigned_and_the_desk_is_told_why(make_case, technician):
    case = make_case()
    transition_case(technician, case=case, action="start")

    resolve = next(a for a in available_actions(case, technician) if a.action == "resolve")

    assert not resolve.allowed
    assert "Assign" in resolve.reason or "Tildel" in resolve.reason
    with pytest.raises(DomainError):
        transition_case(technician, case=case, action="resolve")


def test_a_resolved_case_can_be_reopened_within_the_window_but_not_after(make_case, customer, technician, settings):
    settings.ESM_REOPEN_DAYS = 14
    case = make_case()
    assign_case(technician, case=case, assignee=technician)
    transition_case(technician, case=case, action="start")
    transition_case(technician, case=case, action="resolve")
    later = timezone.now() + timedelta(days=15)

    reopen = next(a for a in available_actions(case, customer, now=later) if a.action == "reopen")

    assert not reopen.allowed
    assert "14" in reopen.reason
    with pytest.raises(DomainError):
        transition_case(customer, case=case, action="reopen", reason="Stadig utæt", now=later)
    transition_case(customer, case=case, action="reopen", reason="Stadig utæt")
    case.refresh_from_db()
    assert case.status == Status.IN_PROGRESS
    assert case.resolved_at is None


def test_cancelling_needs_a_reason(make_case, technician):
    case = make_case()

    with pytest.raises(DomainError) as refused:
        transition_case(technician, case=case, action="cancel", reason="  ")

    assert refused.value.field == "reason"
    transition_case(technician, case=case, action="cancel", reason="Dobbeltoprettet")
    case.refresh_from_db()
    assert case.status == Status.CANCELLED
    assert case.cancel_reason == "Dobbeltoprettet"


def test_a_reporter_may_cancel_only_while_the_case_is_new(make_case, customer, technician):
    case = make_case()
    transition_case(technician, case=case, action="start")

    cancel = next(a for a in available_actions(case, customer) if a.action == "cancel")

    assert not cancel.allowed


def test_a_stale_status_is_refused_instead_of_overwritten(make_case, technician):
    case = make_case()
    stale = Case.objects.get(pk=case.pk)
    transition_case(technician, case=case, action="start")

    with pytest.raises(DomainError) as refused:
        stale.status = Status.NEW
        transition_case(technician, case=stale, action="triage")

    assert refused.value.code == ErrorCode.STALE_STATUS
    assert Case.objects.get(pk=case.pk).status == Status.IN_PROGRESS


def test_an_unknown_action_is_refused_with_its_code(make_case, technician):
    case = make_case()
    with pytest.raises(DomainError) as refused:
        transition_case(technician, case=case, action="explode")
    assert refused.value.code == ErrorCode.UNKNOWN_ACTION


def test_customers_are_not_offered_desk_actions(make_case, customer, technician):
    case = make_case()
    assert {a.action for a in available_actions(case, customer)} == {"cancel"}
    assert {"triage", "start", "cancel"} <= {a.action for a in available_actions(case, technician)}


def test_the_diagram_command_prints_every_transition(capsys):
    call_command("case_lifecycle")
    out = capsys.readouterr().out
    assert out.startswith("stateDiagram-v2")
    for transition in TRANSITIONS:
        assert f": {transition.action}" in out
    assert diagram().count("-->") >= len(TRANSITIONS)


def test_resolved_cases_close_by_themselves_after_the_reopen_window(make_case, technician, settings):
    from esm.cases.services import auto_close_resolved_cases

    settings.ESM_REOPEN_DAYS = 14
    case = make_case()
    assign_case(technician, case=case, assignee=technician)
    transition_case(technician, case=case, action="resolve", now=timezone.now() - timedelta(days=15))
    recent = make_case()
    assign_case(technician, case=recent, assignee=technician)
    transition_case(technician, case=recent, action="resolve")

    assert auto_close_resolved_cases() == 1

    case.refresh_from_db()
    recent.refresh_from_db()
    assert case.status == Status.CLOSED
    assert case.events.last().payload["action"] == "auto_close"
    assert recent.status == Status.RESOLVED

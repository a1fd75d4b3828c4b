"""SLA clocks: business hours, Danish holidays, paused while waiting for the customer,
recomputed from the timeline when priority or targets change."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from esm.cases import sla
from esm.cases.models import Case, CaseEvent, EventKind
from esm.cases.services import (
    assign_case,
    reply_to_case,
    set_sla_target,
    transition_case,
    update_case,
)

pytestmark = pytest.mark.django_db
CPH = ZoneInfo("Europe/Copenhagen")


def cph(*args: int) -> datetime:
    return datetime(*args, tzinfo=CPH)


def test_a_case_reported_friday_afternoon_has_its_first_response_due_monday(make_case):
    case = make_case(priority="normal", now=cph(2026, 11, 20, 15, 0))  # Friday

    assert case.first_response_due_at == cph(2026, 11, 23, 15, 0)  # 8 business hours later: Monday 15:00


def test_easter_holidays_are_skipped(make_case):
    case = make_case(priority="normal", now=cph(2026, 4, 1, 15, 0))  # Wednesday before Easter

    # Skærtorsdag, Langfredag, the weekend and 2. påskedag are closed
    assert case.first_response_due_at == cph(2026, 4, 7, 15, 0)


def test_the_clock_is_paused_while_waiting_for_the_customer(make_case, customer, technician):
    monday = cph(2026, 11, 23, 8, 0)
    case = make_case(priority="urgent", now=monday)  # resolution target: 8 business hours
    assert case.resolution_due_at == cph(2026, 11, 23, 16, 0)
    assign_case(technician, case=case, assignee=technician, now=monday)
    transition_case(technician, case=case, action="start", now=cph(2026, 11, 23, 9, 0))
    transition_case(technician, case=case, action="wait_for_customer", now=cph(2026, 11, 23, 10, 0))

    case.refresh_from_db()
    assert case.sla_paused
    assert case.resolution_due_at is None
    assert case.sla_remaining_seconds == 6 * 3600
    assert sla.state(case, now=cph(2026, 11, 24, 12, 0)).resolution == "paused"

    reply_to_case(customer, case=case, body="Ja, I kan komme i morgen.", now=cph(2026, 11, 24, 10, 0))

    case.refresh_from_db()
    assert case.status == "in_progress"
    assert not case.sla_paused
    assert case.resolution_due_at == cph(2026, 11, 24, 16, 0)  # 6 hours left from Tuesday 10:00


def test_a_priority_change_recomputes_the_clock_from_the_timeline(make_case, technician):
    case = make_case(priority="low", now=cph(2026, 11, 23, 8, 0))
    low_due = case.resolution_due_at

    update_case(technician, case=case, changes={"priority": "urgent"}, now=cph(2026, 11, 23, 9, 0))

    case.refresh_from_db()
    assert case.resolution_due_at == cph(2026, 11, 23, 16, 0)  # counted from the report, not from the change
    assert case.resolution_due_at < low_due
    assert CaseEvent.objects.filter(case=case, kind=EventKind.SLA_RECOMPUTED).exists()


def test_changing_a_target_recomputes_open_cases(make_case, administrator, django_capture_on_commit_callbacks):
    case = make_case(priority="normal", now=cph(2026, 11, 23, 8, 0))

    with django_capture_on_commit_callbacks(execute=True):
        set_sla_target(administrator, priority="normal", first_response_minutes=60, resolution_minutes=16 * 60)

    case.refresh_from_db()
    assert case.first_response_due_at == cph(2026, 11, 23, 9, 0)
    assert case.resolution_due_at == cph(2026, 11, 24, 16, 0)


def test_a_technicians_first_reply_stops_the_first_response_clock(make_case, technician):
    case = make_case(priority="normal", now=cph(2026, 11, 23, 8, 0))

    reply_to_case(technician, case=case, body="Vi kigger på det i dag.", now=cph(2026, 11, 23, 9, 0))

    case.refresh_from_db()
    assert case.first_responded_at == cph(2026, 11, 23, 9, 0)
    assert sla.state(case, now=cph(2026, 12, 30, 9, 0)).first_response == "met"


def test_breach_soon_and_breached_follow_the_clock(make_case):
    case = make_case(priority="urgent", now=cph(2026, 11, 23, 8, 0))  # first response in 1 business hour

    assert sla.state(case, now=cph(2026, 11, 23, 8, 10)).first_response == "ok"
    assert sla.state(case, now=cph(2026, 11, 23, 8, 50)).first_response == "soon"
    assert sla.state(case, now=cph(2026, 11, 23, 9, 1)).first_response == "breached"


def test_the_sla_risk_queue_lists_cases_about_to_breach(make_case, technician):
    from esm.cases.queries import queue

    fresh = make_case(title="Ny sag")
    old = make_case(title="Gammel sag", priority="urgent", now=cph(2026, 11, 23, 8, 0))

    at_risk = set(queue(technician, "sla_risk", now=cph(2026, 11, 23, 9, 30)).values_list("pk", flat=True))

    assert old.pk in at_risk
    assert fresh.pk not in at_risk


def test_resolution_within_target_is_met(make_case, technician):
    case = make_case(priority="urgent", now=cph(2026, 11, 23, 8, 0))
    assign_case(technician, case=case, assignee=technician, now=cph(2026, 11, 23, 8, 5))
    transition_case(technician, case=case, action="start", now=cph(2026, 11, 23, 8, 10))
    transition_case(technician, case=case, action="resolve", now=cph(2026, 11, 23, 12, 0))

    case = Case.objects.get(pk=case.pk)
    assert sla.state(case, now=cph(2026, 11, 30, 12, 0)).resolution == "met"
    assert case.resolution_due_at - case.created_at == timedelta(hours=8)

"""The team leads' unattended view: absent assignees, idle cases per priority in business hours, one-click reassign."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from esm.accounts.services import record_absence
from esm.cases.models import AssignmentRule, AssignmentStrategy, Case, CaseEvent, EventKind, SlaTarget
from esm.cases.queries import business_cutoff, unattended
from esm.cases.services import add_internal_note, assign_case, reply_to_case, transition_case
from esm.cases.sla import business_calendar

pytestmark = pytest.mark.django_db

CPH = ZoneInfo("Europe/Copenhagen")
MONDAY_9 = datetime(2026, 11, 23, 9, 0, tzinfo=CPH)


def listed(user, now) -> list[str]:
    return list(unattended(user, now=now).values_list("number", flat=True))


def rows(response) -> dict[str, str]:
    """case number → why ("absent" or "idle") as the page lists them."""
    html = response.content.decode()
    found = {}
    for part in html.split('<tr data-case="')[1:]:
        number, rest = part.split('"', 1)
        found[number] = rest.split('data-why="', 1)[1].split('"', 1)[0]
    return found


def away_today(user, substitute=None) -> None:
    today = timezone.localdate()
    record_absence(user, user=user, starts=today, ends=today + timedelta(days=2), substitute=substitute)


# --- the query --------------------------------------------------------------------------------


def test_the_cutoff_counts_business_hours_back_over_the_weekend():
    calendar = business_calendar()

    # Monday 08:00–10:00 is 2 hours; the third is Friday 15:00–16:00
    assert business_cutoff(calendar, MONDAY_9 + timedelta(hours=1), 3 * 3600) == datetime(
        2026, 11, 20, 15, 0, tzinfo=CPH
    )
    assert business_cutoff(calendar, MONDAY_9, 0) == MONDAY_9


def test_idle_cases_are_listed_by_their_prioritys_threshold(make_case, team_lead):
    SlaTarget.objects.update_or_create(
        priority="urgent",
        defaults={"first_response_minutes": 60, "resolution_minutes": 480, "unattended_after_hours": 2},
    )
    urgent = make_case(priority="urgent", now=MONDAY_9)
    normal = make_case(priority="normal", now=MONDAY_9)  # 16 business hours by default

    assert listed(team_lead, MONDAY_9 + timedelta(hours=1)) == []
    assert listed(team_lead, MONDAY_9 + timedelta(hours=2)) == [urgent.number]
    assert listed(team_lead, MONDAY_9 + timedelta(days=2, hours=1)) == [urgent.number, normal.number]


def test_a_handlers_action_resets_the_clock_but_the_customers_does_not(make_case, team_lead, technician, customer):
    noted = make_case(priority="high", now=MONDAY_9)
    answered_by_customer = make_case(priority="high", now=MONDAY_9)
    add_internal_note(technician, case=noted, body="Ser på det", now=MONDAY_9 + timedelta(hours=3))
    reply_to_case(customer, case=answered_by_customer, body="Haster!", now=MONDAY_9 + timedelta(hours=3))

    assert listed(team_lead, MONDAY_9 + timedelta(hours=5)) == [answered_by_customer.number]


def test_an_automatic_assignment_is_not_a_handlers_action(make_case, team_lead, technician):
    AssignmentRule.objects.create(name="Kategori", strategy=AssignmentStrategy.CATEGORY_TEAM)
    case = make_case(priority="high", now=MONDAY_9)
    assert CaseEvent.objects.filter(case=case, kind=EventKind.ASSIGNED, actor__isnull=True).exists()

    assert listed(team_lead, MONDAY_9 + timedelta(hours=5)) == [case.number]


def test_waiting_and_closed_cases_are_not_idle(make_case, team_lead, technician):
    waiting = make_case(priority="high", now=MONDAY_9)
    closed = make_case(priority="high", now=MONDAY_9)
    transition_case(technician, case=waiting, action="start", now=MONDAY_9)
    transition_case(technician, case=waiting, action="wait_for_customer", now=MONDAY_9)
    transition_case(technician, case=closed, action="cancel", reason="Dublet", now=MONDAY_9)
    Case.objects.filter(pk__in=[waiting.pk, closed.pk]).update(created_at=MONDAY_9 - timedelta(days=30))
    CaseEvent.objects.filter(case__in=[waiting, closed]).update(created_at=MONDAY_9 - timedelta(days=30))

    assert listed(team_lead, MONDAY_9 + timedelta(days=3)) == []


def test_a_case_whose_assignee_is_away_is_listed_at_once(make_case, team_lead, technician):
    case = make_case(priority="low")
    assign_case(team_lead, case=case, assignee=technician)
    fresh = make_case(priority="low")
    away_today(technician)

    found = unattended(team_lead, now=timezone.now())

    assert [(c.number, c.assignee_away_until) for c in found] == [
        (case.number, timezone.localdate() + timedelta(days=2))
    ]
    assert fresh.number not in listed(team_lead, timezone.now())


def test_the_list_is_one_query_however_many_cases(make_case, team_lead, technician, django_assert_max_num_queries):
    for _ in range(6):
        assign_case(team_lead, case=make_case(now=MONDAY_9), assignee=technician)
    away_today(technician)

    with django_assert_max_num_queries(3):  # opening hours, thresholds, the list
        assert len(list(unattended(team_lead, now=timezone.now()))) == 6


# --- the page ---------------------------------------------------------------------------------


def test_technicians_are_refused_and_customers_do_not_find_it(client, technician, customer):
    client.force_login(technician)
    assert client.get(reverse("desk:unattended")).status_code == 403
    assert client.post(reverse("desk:unattended_reassign"), {"case": "x", "assignee": "auto"}).status_code == 403
    client.force_login(customer)
    assert client.get(reverse("desk:unattended")).status_code == 404


def test_the_page_lists_absent_and_idle_cases_and_not_others(
    client, make_case, team_lead, technician, other_technician
):
    absent = make_case(priority="low")
    assign_case(team_lead, case=absent, assignee=technician)
    idle = make_case(priority="normal", now=timezone.now() - timedelta(days=14))
    fresh = make_case(priority="normal")
    assign_case(team_lead, case=fresh, assignee=other_technician)
    away_today(technician)
    client.force_login(team_lead)

    page = client.get(reverse("desk:unattended"), {"scope": "all"})

    assert page.status_code == 200
    assert rows(page) == {absent.number: "absent", idle.number: "idle"}
    assert 'data-away="' in page.content.decode()


def test_a_long_list_comes_a_page_at_a_time_most_urgent_first(client, make_case, team_lead, monkeypatch):
    monkeypatch.setattr("esm.cases.queries.UNATTENDED_PAGE", 2)
    long_ago = timezone.now() - timedelta(days=14)
    urgent = make_case(priority="urgent", now=long_ago)
    high = make_case(priority="high", now=long_ago)
    low = make_case(priority="low", now=long_ago)
    client.force_login(team_lead)
    url = reverse("desk:unattended")

    first = client.get(url, {"scope": "all"})
    second = client.get(url, {"scope": "all", "page": "2"})
    beyond = client.get(url, {"scope": "all", "page": "9"})  # emptied meanwhile: the first page again

    assert list(rows(first)) == [urgent.number, high.number]
    assert 'rel="next"' in first.content.decode() and 'rel="prev"' not in first.content.decode()
    assert list(rows(second)) == [low.number]
    assert 'rel="prev"' in second.content.decode() and 'rel="next"' not in second.content.decode()
    assert list(rows(beyond)) == [urgent.number, high.number]
    for nonsense in ("²", "-1", "9" * 5000, "abc"):  # the first page, never an error
        assert list(rows(client.get(url, {"scope": "all", "page": nonsense}))) == [urgent.number, high.number]


def test_a_team_lead_sees_her_teams_cases_unless_she_asks_for_all(client, make_case, team_lead, other_technician):
    long_ago = timezone.now() - timedelta(days=14)
    theirs = make_case(now=long_ago)
    assign_case(team_lead, case=theirs, assignee=other_technician, now=long_ago)  # to team south
    client.force_login(team_lead)

    assert rows(client.get(reverse("desk:unattended"))) == {}
    assert theirs.number in rows(client.get(reverse("desk:unattended"), {"scope": "all"}))


def test_reassigning_to_a_person_from_the_list(client, make_case, team_lead, technician, other_technician):
    case = make_case()
    assign_case(team_lead, case=case, assignee=technician)
    away_today(technician)
    client.force_login(team_lead)

    response = client.post(
        reverse("desk:unattended_reassign"), {"case": case.number, "assignee": other_technician.username}
    )

    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).assignee == other_technician
    assert case.number not in rows(client.get(reverse("desk:unattended"), {"scope": "all"}))


def test_automatic_reassignment_runs_the_rules_and_passes_the_current_assignee_over(
    client, make_case, team_lead, technician
):
    AssignmentRule.objects.create(name="Kategori", strategy=AssignmentStrategy.CATEGORY_TEAM)
    long_ago = timezone.now() - timedelta(days=14)
    case = make_case(now=long_ago)  # idle for long
    assign_case(team_lead, case=case, assignee=technician, now=long_ago)
    client.force_login(team_lead)

    response = client.post(
        reverse("desk:unattended_reassign"), {"case": case.number, "assignee": "auto"}, HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 200
    assert Case.objects.get(pk=case.pk).assignee == team_lead  # the other member of team north
    assert case.number not in rows(response)  # the handler's assignment is fresh activity


def test_automatic_reassignment_with_no_rules_says_so_and_changes_nothing(client, make_case, team_lead, technician):
    case = make_case()
    assign_case(team_lead, case=case, assignee=technician)
    away_today(technician)
    client.force_login(team_lead)

    response = client.post(
        reverse("desk:unattended_reassign"), {"case": case.number, "assignee": "auto"}, HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 400
    assert f'data-error-case="{case.number}"' in response.content.decode()
    assert Case.objects.get(pk=case.pk).assignee == technician


def test_the_nav_links_team_leads_to_the_view_and_every_handler_to_their_absence(client, team_lead, technician):
    client.force_login(team_lead)
    lead_page = client.get(reverse("desk:queue")).content.decode()
    client.force_login(technician)
    technician_page = client.get(reverse("desk:queue")).content.decode()

    assert 'id="nav-unattended"' in lead_page
    assert 'id="nav-unattended"' not in technician_page
    assert 'id="nav-absence"' in technician_page

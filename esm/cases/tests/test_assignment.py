"""Automatic assignment: the administrator's rules in order, building and category routing, workload, absence."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.messages import constants, get_messages
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone

from conftest import make_user
from esm.accounts.models import Absence, Organisation, Role, Team, User
from esm.accounts.services import record_absence
from esm.buildings.models import Building
from esm.cases.assignment import choose
from esm.cases.demo_assignment import seed
from esm.cases.models import AssignmentRule, AssignmentStrategy, Case, CaseEvent, Category, EventKind
from esm.cases.services import assign_case, transition_case

pytestmark = pytest.mark.django_db


def rule(strategy: str, position: int = 10, **conditions: Any) -> AssignmentRule:
    return AssignmentRule.objects.create(
        name=f"{strategy} {position}", position=position, strategy=strategy, **conditions
    )


def default_rules() -> None:
    rule(AssignmentStrategy.BUILDING_TECHNICIAN, 10)
    rule(AssignmentStrategy.BUILDING_TEAM, 20)
    rule(AssignmentStrategy.CATEGORY_TEAM, 30)


def away(user: User, *, days: int = 3, substitute: User | None = None) -> None:
    today = timezone.localdate()
    record_absence(user, user=user, starts=today, ends=today + timedelta(days=days), substitute=substitute)


def assigned_events(case: Case) -> list[CaseEvent]:
    return list(CaseEvent.objects.filter(case=case, kind=EventKind.ASSIGNED).order_by("pk"))


@pytest.fixture
def third_technician(teams: dict[str, Team]) -> User:
    return make_user("tekniker3", Role.TECHNICIAN, team=teams["north"], first_name="Kim", last_name="Frandsen")


def test_without_rules_a_new_case_stays_unassigned_with_the_categorys_team(make_case, technician, teams):
    case = make_case()

    case.refresh_from_db()
    assert case.assignee is None
    assert case.team == teams["north"]
    assert assigned_events(case) == []


def test_the_buildings_responsible_technician_gets_the_case_by_the_system(
    make_case, building: Building, other_technician, teams
):
    default_rules()
    building.responsible_technician = other_technician
    building.save(update_fields=["responsible_technician"])

    case = make_case()

    case.refresh_from_db()
    assert case.assignee == other_technician
    assert case.team == teams["south"]  # the person's team
    [event] = assigned_events(case)
    first_rule = AssignmentRule.objects.get(position=10)
    assert event.actor is None
    assert event.payload["automatic"] is True
    assert event.payload["rule"] == first_rule.pk
    assert event.payload["to"] == other_technician.username
    assert event.payload["reason"] == "person"


def test_without_a_responsible_technician_the_buildings_team_decides_by_workload(
    make_case, building: Building, technician, other_technician, teams
):
    default_rules()
    building.responsible_team = teams["south"]
    building.save(update_fields=["responsible_team"])

    case = make_case()

    case.refresh_from_db()
    assert (case.assignee, case.team) == (other_technician, teams["south"])
    assert assigned_events(case)[0].payload["rule"] == AssignmentRule.objects.get(position=20).pk


def test_without_building_routing_the_categorys_team_decides(make_case, technician, other_technician, teams):
    default_rules()

    case = make_case()

    case.refresh_from_db()
    assert (case.assignee, case.team) == (technician, teams["north"])
    assert assigned_events(case)[0].payload["rule"] == AssignmentRule.objects.get(position=30).pk


def test_rules_are_walked_in_order_and_the_first_match_wins(
    make_case, categories: dict[str, Category], technician, other_technician, teams
):
    rule(AssignmentStrategy.CATEGORY_TEAM, 20)
    rule(AssignmentStrategy.TEAM, 10, category=categories["plumbing"], team=teams["south"])
    rule(AssignmentStrategy.PERSON, 5, person=technician, is_active=False)  # inactive: ignored

    plumbing = make_case(category="plumbing")
    glass = make_case(category="glass")

    plumbing.refresh_from_db()
    glass.refresh_from_db()
    assert (plumbing.assignee, plumbing.team) == (other_technician, teams["south"])
    assert (glass.assignee, glass.team) == (technician, teams["north"])


def test_a_rule_on_a_category_also_matches_its_subcategories_unless_told_not_to(
    make_case, categories: dict[str, Category], other_technician, teams
):
    Category.objects.create(code="tap", name_da="Vandhane", name_en="Tap", parent=categories["plumbing"])
    south_rule = rule(AssignmentStrategy.TEAM, 10, category=categories["plumbing"], team=teams["south"])

    case = make_case(category="tap")
    assert Case.objects.get(pk=case.pk).assignee == other_technician

    south_rule.include_subcategories = False
    south_rule.save()
    assert choose(Case.objects.get(pk=make_case(category="tap").pk), now=timezone.now()) is None


def test_rules_can_match_priority_organisation_and_building(
    make_case, school: Organisation, department: Organisation, building, other_building, other_technician, teams
):
    urgent = rule(AssignmentStrategy.TEAM, 10, priority="urgent", team=teams["south"])
    case = make_case(priority="normal")
    assert Case.objects.get(pk=case.pk).assignee is None
    assert Case.objects.get(pk=make_case(priority="urgent").pk).assignee == other_technician

    urgent.delete()
    rule(AssignmentStrategy.TEAM, 10, organisation=department, team=teams["south"])  # the school is under it
    assert Case.objects.get(pk=make_case().pk).assignee == other_technician

    AssignmentRule.objects.all().delete()
    rule(AssignmentStrategy.TEAM, 10, building=other_building, team=teams["south"])
    assert Case.objects.get(pk=make_case().pk).assignee is None  # the case is in `building`


def test_within_a_team_the_person_with_the_fewest_open_cases_gets_the_next(
    make_case, technician, team_lead, third_technician, teams
):
    # open cases: tekniker 2, teamleder 1, tekniker3 1 (and a closed one that does not count)
    for person, count in ((technician, 2), (team_lead, 1), (third_technician, 1)):
        for _ in range(count):
            assign_case(team_lead, case=make_case(), assignee=person)
    finished = make_case()
    assign_case(team_lead, case=finished, assignee=third_technician)
    transition_case(team_lead, case=finished, action="cancel", reason="Dublet")
    rule(AssignmentStrategy.CATEGORY_TEAM)

    first = make_case()
    second = make_case()

    # tie between teamleder and tekniker3 (1 each): by username; then tekniker3 has 1 against teamleder's 2
    assert Case.objects.get(pk=first.pk).assignee == team_lead
    assert Case.objects.get(pk=second.pk).assignee == third_technician


def test_nobody_who_is_away_gets_a_case(make_case, technician, team_lead, third_technician):
    rule(AssignmentStrategy.CATEGORY_TEAM)
    away(team_lead)
    away(technician)

    case = make_case()

    assert Case.objects.get(pk=case.pk).assignee == third_technician


def test_when_the_whole_team_is_away_the_case_goes_to_the_team_alone(make_case, other_technician, teams):
    rule(AssignmentStrategy.TEAM, team=teams["south"])
    away(other_technician)

    case = make_case()

    case.refresh_from_db()
    assert case.assignee is None
    assert case.team == teams["south"]
    [event] = assigned_events(case)
    assert event.payload["to"] is None
    assert event.payload["team"] == "syd"
    assert event.payload["reason"] == "team_away"


def test_an_absent_responsible_technician_is_passed_over_for_the_least_busy_of_the_team(
    make_case, building: Building, technician, team_lead, third_technician, teams
):
    default_rules()
    building.responsible_technician = technician
    building.save(update_fields=["responsible_technician"])
    away(technician, substitute=team_lead)
    assign_case(team_lead, case=make_case(), assignee=team_lead)  # the lead is busier than tekniker3

    case = make_case()

    case.refresh_from_db()
    assert case.assignee == third_technician  # the team's least busy, not the substitute
    event = assigned_events(case)[-1]
    assert event.payload["reason"] == "person_away"
    assert event.payload["instead_of"] == technician.username


def test_system_accounts_and_customers_are_never_chosen(make_case, teams, customer):
    make_user("helpdesk-mail", Role.TECHNICIAN, team=teams["south"])
    rule(AssignmentStrategy.TEAM, team=teams["south"])

    case = make_case()

    assert Case.objects.get(pk=case.pk).assignee is None


def test_a_rule_needs_its_team_or_person():
    with pytest.raises(IntegrityError):
        AssignmentRule.objects.create(name="x", strategy=AssignmentStrategy.TEAM)


# --- manual assignment to someone who is away --------------------------------------------


def test_assigning_to_someone_away_warns_and_the_picker_says_so(client, make_case, team_lead, technician):
    case = make_case()
    away(technician, substitute=team_lead)
    client.force_login(team_lead)

    page = client.get(reverse("desk:case", args=[case.number])).content.decode()
    response = client.post(reverse("desk:assign", args=[case.number]), {"assignee": technician.username})

    assert f'value="{technician.username}">{technician} — ' in page  # "— away until …" in the picker
    assert Case.objects.get(pk=case.pk).assignee == technician  # a warning, not a refusal
    assert [m.level for m in get_messages(response.wsgi_request)] == [constants.WARNING, constants.SUCCESS]
    page = client.get(reverse("desk:case", args=[case.number])).content.decode()
    assert 'id="assign-warning"' in page


def test_the_htmx_assignment_shows_the_warning_in_the_form(client, make_case, team_lead, technician):
    case = make_case()
    away(technician)
    client.force_login(team_lead)

    response = client.post(
        reverse("desk:assign", args=[case.number]), {"assignee": technician.username}, HTTP_HX_REQUEST="true"
    )

    assert 'id="assign-warning"' in response.content.decode()


def test_assigning_to_someone_present_gives_no_warning(client, make_case, team_lead, technician):
    case = make_case()
    client.force_login(team_lead)

    response = client.post(reverse("desk:assign", args=[case.number]), {"assignee": technician.username})

    assert [m.level for m in get_messages(response.wsgi_request)] == [constants.SUCCESS]
    assert 'id="assign-warning"' not in client.get(reverse("desk:case", args=[case.number])).content.decode()


def test_planned_maintenance_is_left_to_its_plan(make_case, technician):
    rule(AssignmentStrategy.CATEGORY_TEAM)

    case = make_case(channel="planned")

    assert Case.objects.get(pk=case.pk).assignee is None
    assert assigned_events(case) == []


def test_the_demo_seeds_the_default_rules_and_an_absence_once(teams):
    for username, role in (("kim", Role.TECHNICIAN), ("rasmus", Role.TECHNICIAN), ("hanne", Role.TEAM_LEAD)):
        make_user(username, role, team=teams["north"])

    seed(timezone.now())
    seed(timezone.now())

    assert list(AssignmentRule.objects.values_list("strategy", flat=True)) == [
        AssignmentStrategy.BUILDING_TECHNICIAN,
        AssignmentStrategy.BUILDING_TEAM,
        AssignmentStrategy.CATEGORY_TEAM,
    ]
    absence = Absence.objects.get()
    assert (absence.user.username, absence.substitute.username) == ("kim", "rasmus")

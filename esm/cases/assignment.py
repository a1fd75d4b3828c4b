"""Who gets a new case: the administrator's assignment rules, walked in order.

A rule matches a case when every condition it sets holds: the category (or, with
"also its subcategories", any category below it), the priority, the reporter's
organisation (or the department above it) and the building. The first matching rule
whose strategy finds somebody decides; a rule whose strategy finds nobody (the case has
no building, the building has no responsible team, the category no team) is passed over.

Strategies:
- a team (the building's responsible team, the category's team, a fixed team): among the
  team's active handlers who are not away at `now` (and are not system accounts), the one
  with the fewest open cases; ties go to the username, so the choice is deterministic.
  When everyone in the team is away, the case goes to the team alone (no assignee).
- a person (the building's responsible technician, a fixed person): that person, unless
  they are away at `now` or no longer an active handler. Then the case is *not* given to
  their substitute (the substitute already sees the absent person's cases and notices,
  and would otherwise collect a whole team's work): it goes by workload to the person's
  team instead — for the building's technician the building's responsible team first.
  A person without a team who is away: the rule is passed over.

With no active rules nothing happens: the case keeps the category's team and no assignee.
Planned maintenance is routed by its plan (`esm.cases.maintenance` gives it the plan's team), so
the rules leave cases of the `planned` channel alone.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count, Exists, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from esm.accounts.models import STAFF_ROLES, SYSTEM_USERNAMES, Organisation, Team, User
from esm.accounts.queries import absences_at
from esm.cases.models import OPEN_STATUSES, AssignmentRule, AssignmentStrategy, Case, Category, Channel, EventKind


@dataclass(frozen=True)
class Choice:
    """What the rules decided: the rule, the team and the person (None: the team alone)."""

    rule: AssignmentRule
    team: Team | None
    assignee: User | None
    reason: str  # "person", "workload", "person_away" or "team_away"
    instead_of: User | None = None  # the absent person the rule named


def _ancestors(category: Category) -> list[int]:
    """The category's pk and its parents' pks (the tree is shallow; a guard stops cycles)."""
    pks: list[int] = []
    node: Category | None = category
    while node is not None and node.pk not in pks and len(pks) < 20:
        pks.append(node.pk)
        node = node.parent
    return pks


def _organisations(organisation: Organisation | None) -> list[int]:
    pks: list[int] = []
    node = organisation
    while node is not None and node.pk not in pks and len(pks) < 20:
        pks.append(node.pk)
        node = node.parent
    return pks


def matches(rule: AssignmentRule, case: Case) -> bool:
    """Does every condition the rule sets hold for the case?"""
    if rule.category_id is not None:
        categories = _ancestors(case.category) if rule.include_subcategories else [case.category_id]
        if rule.category_id not in categories:
            return False
    if rule.priority and rule.priority != case.priority:
        return False
    if rule.building_id is not None and rule.building_id != case.building_id:
        return False
    return rule.organisation_id is None or rule.organisation_id in _organisations(case.organisation)


def available(at: datetime) -> QuerySet[User]:
    """Handlers a case may be given to at `at`: active, not a system account, not away."""
    away = absences_at(at).filter(user_id=OuterRef("pk"))
    return (
        User.objects.filter(role__in=STAFF_ROLES, is_active=True)
        .exclude(username__in=SYSTEM_USERNAMES)
        .exclude(Exists(away))
    )


def least_busy(team: Team, *, at: datetime, exclude: Collection[int] = ()) -> User | None:
    """The team's available member with the fewest open cases (ties: by username); None if all are away."""
    # A count per member from the (assignee, status) index, not a join of every case the team ever had.
    # COUNT(*), not COUNT(id): the id is not in that index, and needing it turns PostgreSQL's index-only scan
    # into a bitmap scan of every open case's row (0.5 ms against 18 ms a decision at 100,000 cases).
    open_cases = (
        Case.objects.filter(assignee_id=OuterRef("pk"), status__in=OPEN_STATUSES)
        .order_by()
        .values("assignee_id")
        .annotate(count=Count("*"))
        .values("count")
    )
    return (
        available(at)
        .filter(team_id=team.pk)
        .exclude(pk__in=list(exclude))
        .annotate(open_cases=Coalesce(Subquery(open_cases), 0))
        .order_by("open_cases", "username")
        .first()
    )


def _by_team(rule: AssignmentRule, team: Team | None, at: datetime, exclude: Collection[int]) -> Choice | None:
    if team is None:
        return None
    person = least_busy(team, at=at, exclude=exclude)
    return Choice(rule, team, person, "workload" if person else "team_away")


def _by_person(
    rule: AssignmentRule, person: User | None, fallback: Team | None, at: datetime, exclude: Collection[int]
) -> Choice | None:
    if person is None:
        return None
    if person.pk not in exclude and available(at).filter(pk=person.pk).exists():
        return Choice(rule, person.team or fallback, person, "person")
    team = fallback or person.team
    if team is None:
        return None
    substitute = least_busy(team, at=at, exclude={*exclude, person.pk})
    return Choice(rule, team, substitute, "person_away" if substitute else "team_away", instead_of=person)


def _apply(rule: AssignmentRule, case: Case, at: datetime, exclude: Collection[int]) -> Choice | None:
    building = case.building
    if rule.strategy == AssignmentStrategy.BUILDING_TECHNICIAN:
        if building is None:
            return None
        return _by_person(rule, building.responsible_technician, building.responsible_team, at, exclude)
    if rule.strategy == AssignmentStrategy.BUILDING_TEAM:
        return _by_team(rule, building.responsible_team if building else None, at, exclude)
    if rule.strategy == AssignmentStrategy.CATEGORY_TEAM:
        return _by_team(rule, case.category.team, at, exclude)
    if rule.strategy == AssignmentStrategy.TEAM:
        return _by_team(rule, rule.team, at, exclude)
    if rule.strategy == AssignmentStrategy.PERSON:
        return _by_person(rule, rule.person, None, at, exclude)
    return None


def active_rules() -> list[AssignmentRule]:
    return list(
        AssignmentRule.objects.filter(is_active=True)
        .select_related("team", "person", "person__team")
        .order_by("position", "pk")
    )


def choose(case: Case, *, now: datetime, exclude: Collection[int] = ()) -> Choice | None:
    """What the rules say for this case at `now`; None when no rule finds anybody.

    `exclude` are people not to choose (e.g. the assignee a team lead is taking the case from).
    """
    for rule in active_rules():
        if not matches(rule, case):
            continue
        choice = _apply(rule, case, now, exclude)
        if choice is not None:
            return choice
    return None


def describe(choice: Choice) -> dict[str, Any]:
    """The ASSIGNED event's payload keys that tell how the rules decided."""
    return {
        "automatic": True,
        "rule": choice.rule.pk,
        "rule_name": choice.rule.name,
        "reason": choice.reason,
        **({"instead_of": choice.instead_of.username} if choice.instead_of else {}),
    }


def choose_for_new(case: Case, *, now: datetime) -> Choice | None:
    """What the rules say for a case about to be opened (unsaved: category, building, priority, organisation
    and channel set). Reads only, so `open_case` asks before its transaction and the case-number counter stays
    locked briefly; planned maintenance is routed by its plan."""
    if case.channel == Channel.PLANNED:
        return None
    return choose(case, now=now)


def record_choice(case: Case, choice: Choice, *, category_team_id: int | None, now: datetime) -> None:
    """The ASSIGNED event of a new case the rules gave away (call inside `open_case`'s transaction, after the
    case was inserted with `choice`'s team and assignee). Nothing when the rules changed nothing: the category's
    team and nobody."""
    from esm.cases.services import record_event

    if choice.assignee is None and (choice.team.pk if choice.team else None) == category_team_id:
        return
    record_event(
        case,
        None,
        EventKind.ASSIGNED,
        payload={
            "from": None,
            "to": choice.assignee.username if choice.assignee else None,
            "to_name": str(choice.assignee) if choice.assignee else None,
            "team": choice.team.code if choice.team else None,
            **describe(choice),
        },
        at=now,
    )

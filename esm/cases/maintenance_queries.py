"""Reads of planned maintenance for the desk: what is due in a period, and which occurrences are overdue.

Only handlers read these (the desk calendar), and handlers see every case, so no case
visibility filter is applied here; a surface for other roles must add one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import QuerySet

from esm.accounts.models import Team
from esm.buildings.models import MaintenancePlan
from esm.cases.maintenance import due_dates
from esm.cases.models import OPEN_STATUSES, Case, MaintenanceOccurrence

# The calendar shows a case's number and status only: never load its text or search document.
_HEAVY_CASE_FIELDS = ("case__description", "case__search_text", "case__search_vector")


@dataclass(frozen=True)
class CalendarEntry:
    """One due date of one plan, with the case opened for it (if any)."""

    plan: MaintenancePlan
    due_date: date
    case: Case | None
    is_overdue: bool


def is_overdue(due_date: date, case: Case | None, *, today: date) -> bool:
    """Overdue: the due date has passed and the occurrence's case is still open."""
    return case is not None and due_date < today and case.status in OPEN_STATUSES


def _occurrences(team: Team | None) -> QuerySet[MaintenanceOccurrence]:
    qs = MaintenanceOccurrence.objects.select_related(
        "case", "plan__building", "plan__installation", "plan__team"
    ).defer(*_HEAVY_CASE_FIELDS)
    return qs if team is None else qs.filter(plan__team=team)


def calendar_entries(*, start: date, end: date, today: date, team: Team | None = None) -> list[CalendarEntry]:
    """Everything due from `start` to `end`: the active plans' due dates and the occurrences opened in the period.

    Sorted by due date, then building and task. `team` keeps the plans of that team.
    """
    plans = MaintenancePlan.objects.filter(is_active=True).select_related("building", "installation", "team")
    if team is not None:
        plans = plans.filter(team=team)
    opened = {(o.plan_id, o.due_date): o for o in _occurrences(team).filter(due_date__range=(start, end))}
    entries: dict[tuple[int, date], CalendarEntry] = {}
    for plan in plans:
        for due in due_dates(plan, start=start, end=end):
            occurrence = opened.get((plan.pk, due))
            case = occurrence.case if occurrence else None
            entries[(plan.pk, due)] = CalendarEntry(plan, due, case, is_overdue(due, case, today=today))
    for key, occurrence in opened.items():
        if key not in entries:  # opened for a plan since switched off or rescheduled
            entries[key] = CalendarEntry(
                occurrence.plan,
                occurrence.due_date,
                occurrence.case,
                is_overdue(occurrence.due_date, occurrence.case, today=today),
            )
    return sorted(entries.values(), key=lambda e: (e.due_date, e.plan.building.property_number, e.plan.task, e.plan.pk))


def overdue_occurrences(*, today: date, team: Team | None = None) -> QuerySet[MaintenanceOccurrence]:
    """Occurrences whose due date has passed while their case is still open, oldest first."""
    return _occurrences(team).filter(due_date__lt=today, case__status__in=OPEN_STATUSES).order_by("due_date", "pk")


def overdue_plans(*, today: date) -> QuerySet[MaintenancePlan]:
    """Plans with at least one overdue occurrence."""
    return MaintenancePlan.objects.filter(
        occurrences__due_date__lt=today, occurrences__case__status__in=OPEN_STATUSES
    ).distinct()

"""The desk's maintenance calendar: what planned maintenance is due per week or month, and what is overdue.

Handlers only (anyone else gets a 404, like every desk page). `?view=week|month`,
`?date=YYYY-MM-DD` picks the period around that day, `?team=<code>` keeps one team's plans.
Plans themselves are edited in the admin.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from esm.accounts.decorators import handler_required
from esm.accounts.models import Team
from esm.cases import maintenance_queries
from esm.cases.maintenance import add_months
from esm.cases.maintenance_queries import CalendarEntry

VIEWS = ("week", "month")
OVERDUE_SHOWN = 200  # the overdue box lists at most this many (oldest first) and counts the rest


@dataclass
class Group:
    """The entries of one day (week view) or one ISO week (month view)."""

    start: date
    end: date
    entries: list[CalendarEntry] = field(default_factory=list)

    @property
    def iso_week(self) -> int:
        return self.start.isocalendar().week


def _anchor(value: str, today: date) -> date:
    """The day the period is built around: `?date=`, or today if missing or nonsense."""
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return today
    return day if 1900 <= day.year <= 2999 else today


def _period(view: str, anchor: date) -> tuple[date, date, date, date]:
    """(first day, last day, a day of the previous period, a day of the next period)."""
    if view == "month":
        first = anchor.replace(day=1)
        return first, add_months(first, 1) - timedelta(days=1), add_months(first, -1), add_months(first, 1)
    monday = anchor - timedelta(days=anchor.weekday())
    return monday, monday + timedelta(days=6), monday - timedelta(days=7), monday + timedelta(days=7)


def _groups(view: str, start: date, end: date, entries: list[CalendarEntry]) -> list[Group]:
    """Days of the week, or the (Monday-starting) weeks of the month, each with its entries."""
    groups: list[Group] = []
    day = start
    while day <= end:
        last = day if view == "week" else min(end, day + timedelta(days=6 - day.weekday()))
        groups.append(Group(day, last, [e for e in entries if day <= e.due_date <= last]))
        day = last + timedelta(days=1)
    return groups


@handler_required
@require_GET
def calendar(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    view = request.GET.get("view", "week")
    view = view if view in VIEWS else "week"
    anchor = _anchor(request.GET.get("date", ""), today)
    teams = list(Team.objects.order_by("name").only("code", "name"))
    team = next((t for t in teams if t.code == request.GET.get("team", "")), None)
    start, end, previous, following = _period(view, anchor)
    entries = maintenance_queries.calendar_entries(start=start, end=end, today=today, team=team)
    overdue_all = maintenance_queries.overdue_occurrences(today=today, team=team)
    overdue = list(overdue_all[:OVERDUE_SHOWN])
    context = {
        "view": view,
        "start": start,
        "end": end,
        "today": today,
        "previous": previous,
        "following": following,
        "groups": _groups(view, start, end, entries),
        "entry_count": len(entries),
        "overdue": overdue,
        "overdue_count": len(overdue) if len(overdue) < OVERDUE_SHOWN else overdue_all.count(),
        "teams": teams,
        "team": team,
        "team_code": team.code if team else "",
        "is_current": start <= today <= end,
    }
    return render(request, "cases/desk/maintenance.html", context)

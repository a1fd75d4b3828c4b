"""Reads of cases shared by portal, desk, API and reports, all filtered by visibility."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import connection
from django.db.models import Case as CaseExpr
from django.db.models import DateTimeField, Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from esm.accounts.models import STAFF_ROLES, User
from esm.accounts.queries import absences_at, people_substituted_by
from esm.cases.models import (
    OPEN_STATUSES,
    WAITING_STATUSES,
    Attachment,
    Case,
    CaseEvent,
    Category,
    EventKind,
    Priority,
    SlaTarget,
    TimeEntry,
)
from esm.cases.rules import visibility_filter
from esm.cases.sla import business_calendar
from esm.core.calendar import BusinessCalendar
from esm.core.errors import DomainError, ErrorCode


def cases_visible_to(user: User) -> QuerySet[Case]:
    """Every case `user` may see. Every list, detail, search and export starts here."""
    qs = Case.objects.all()
    condition = visibility_filter(user)
    return qs if condition is None else qs.filter(condition)


def get_case_for(user: User, number: str, *, action: str = "cases.view_case") -> Case:
    """The case with this number if `user` may see it (else 404) and may take `action` (else 403)."""
    case = (
        cases_visible_to(user)
        .select_related("building", "category", "reporter", "organisation", "team", "assignee")
        .filter(number=number)
        .first()
    )
    if case is None:
        raise Http404("No such case")
    if action != "cases.view_case" and not user.has_perm(action, case):
        raise DomainError(ErrorCode.PERMISSION_DENIED, _("You may not do this to this case."))
    return case


def timeline_for(user: User, case: Case) -> QuerySet[CaseEvent]:
    """The case's events this user may see: reporters see public events only."""
    events = case.events.select_related("actor").order_by("created_at", "pk")
    if user.is_handler:
        return events.prefetch_related("attachments")
    public_files = Prefetch("attachments", Attachment.objects.filter(is_public=True))
    return events.filter(is_public=True).prefetch_related(public_files)


def attachments_for(user: User, case: Case) -> QuerySet:  # type: ignore[type-arg]
    qs = case.attachments.all()
    if not user.is_handler:
        qs = qs.filter(is_public=True)
    return qs


QUEUES = ("all", "unassigned", "mine", "team", "waiting", "sla_risk", "open", "closed")


def queue(user: User, name: str, *, now: datetime | None = None) -> QuerySet[Case]:
    """A desk queue. Unknown names fall back to all open cases."""
    now = now or timezone.now()
    qs = cases_visible_to(user)
    if name == "all":
        return qs
    if name == "closed":
        return qs.exclude(status__in=OPEN_STATUSES)
    qs = qs.filter(status__in=OPEN_STATUSES)
    if name == "unassigned":
        return qs.filter(assignee__isnull=True)
    if name == "mine":  # also the open cases of the people `user` stands in for while they are away
        return qs.filter(Q(assignee=user) | Q(assignee__in=people_substituted_by(user, now)))
    if name == "team":
        return qs.filter(team_id=user.team_id) if user.team_id else qs.none()
    if name == "waiting":
        return qs.filter(status__in=WAITING_STATUSES)
    if name == "sla_risk":
        return qs.filter(
            Q(first_responded_at__isnull=True, first_response_warn_at__lte=now)
            | Q(sla_paused=False, resolution_warn_at__lte=now)
        )
    return qs


SORTS: dict[str, tuple[Any, ...]] = {
    "newest": ("-created_at", "-pk"),
    "oldest": ("created_at", "pk"),
    "due": (F("resolution_due_at").asc(nulls_last=True), "pk"),
    "priority": ("priority_rank", "-created_at", "-pk"),
    "updated": ("-updated_at", "-pk"),
}


@dataclass(frozen=True)
class CaseFilters:
    status: str = ""
    priority: str = ""
    category: str = ""
    team: str = ""
    assignee: str = ""
    building: str = ""
    complexity: str = ""
    channel: str = ""
    search: str = ""
    sort: str = "newest"


def apply_filters(qs: QuerySet[Case], filters: CaseFilters) -> QuerySet[Case]:
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.priority:
        qs = qs.filter(priority=filters.priority)
    if filters.category:
        qs = qs.filter(category__code=filters.category)
    if filters.team:
        qs = qs.filter(team__code=filters.team)
    if filters.assignee:
        qs = qs.filter(assignee__username=filters.assignee)
    if filters.building:
        qs = qs.filter(building__property_number=filters.building)
    if filters.complexity:
        qs = qs.filter(complexity=filters.complexity)
    if filters.channel:
        qs = qs.filter(channel=filters.channel)
    if filters.search:
        qs = search(qs, filters.search)
    return qs.order_by(*SORTS.get(filters.sort, SORTS["newest"]))


CASE_NUMBER = re.compile(r"[A-Za-z]{1,5}-\d{4}-\d{1,9}")


def search(qs: QuerySet[Case], text: str) -> QuerySet[Case]:
    """Full-text search over number, title, description and messages.

    PostgreSQL: the stored tsvector with the Danish configuration (stemming, GIN index).
    SQLite: every word must occur in the stored search text.
    """
    text = text.strip()[:200]
    if not text:
        return qs
    if CASE_NUMBER.fullmatch(text):
        return qs.filter(number=text.upper())
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery

        return qs.filter(search_vector=SearchQuery(text, config="danish", search_type="websearch"))
    for word in text.lower().split()[:10]:
        qs = qs.filter(search_text__contains=word)
    return qs


def building_history(user: User, case: Case, *, limit: int = 10) -> QuerySet[Case]:
    """Earlier cases of the same building (the desk's building panel)."""
    if case.building_id is None:
        return Case.objects.none()
    return (
        cases_visible_to(user)
        .filter(building_id=case.building_id, created_at__lt=case.created_at)
        .select_related("category")
        .defer("description", "search_text", "search_vector")
        .order_by("-created_at")[:limit]
    )


def categories() -> QuerySet[Category]:
    return Category.objects.filter(is_active=True).order_by("position", "code")


def handling_seconds(case: Case) -> list[dict[str, Any]]:
    """Handling time per user on a case, in seconds, by source."""
    rows: Any = (
        TimeEntry.objects.filter(case=case)
        .values("user__username", "user__first_name", "user__last_name", "source")
        .annotate(seconds=Sum("seconds"))
        .order_by("user__username", "source")
    )
    return list(rows)


# --- unattended cases (the team leads' view) --------------------------------------------------

# Business hours without a handler's action after which an open case counts as unattended,
# where the administrator has not set `SlaTarget.unattended_after_hours`.
DEFAULT_UNATTENDED_HOURS: dict[str, int] = {
    Priority.URGENT: 1,
    Priority.HIGH: 4,
    Priority.NORMAL: 16,
    Priority.LOW: 40,
}
# What counts as a handler acting on a case (an automatic assignment has no actor and does not count).
HANDLER_ACTIONS = (
    EventKind.REPLY,
    EventKind.NOTE,
    EventKind.PHONE_NOTE,
    EventKind.STATUS_CHANGED,
    EventKind.ASSIGNED,
    EventKind.FIELD_CHANGED,
)
UNATTENDED_PAGE = 50  # rows a page; each has its own reassign form


def unattended_thresholds() -> dict[str, int]:
    """Business hours per priority after which an open case without a handler's action is unattended."""
    hours = dict(DEFAULT_UNATTENDED_HOURS)
    rows = SlaTarget.objects.filter(unattended_after_hours__isnull=False)
    for priority, value in rows.values_list("priority", "unattended_after_hours"):
        hours[priority] = int(value or 0)
    return hours


def business_cutoff(calendar: BusinessCalendar, now: datetime, seconds: int) -> datetime:
    """The latest instant with at least `seconds` business seconds between it and `now`."""
    if seconds <= 0:
        return now
    step = timedelta(days=1)
    early, late = now - step, now
    for _day in range(800):
        if calendar.business_seconds_between(early, now) >= seconds:
            break
        early, late = early - step, early
    low, high = 0, int((late - early).total_seconds())  # offsets from `early`; the answer lies between
    while low < high:
        middle = (low + high + 1) // 2
        if calendar.business_seconds_between(early + timedelta(seconds=middle), now) >= seconds:
            low = middle
        else:
            high = middle - 1
    return early + timedelta(seconds=low)


def unattended(user: User, *, now: datetime, team_only: bool = False) -> QuerySet[Case]:
    """Open cases whose assignee is away today, or on which no handler has acted for the priority's
    business hours (cases waiting for the customer, a supplier or an approval are not idle).

    Annotated with `last_action` (the last handler action, else the report) and `assignee_away_until`.
    One query; the last action is a correlated subquery on the (case, created_at) index, compared once
    with the case's own cutoff (by priority) so PostgreSQL runs it once per open case, not once per
    priority; a case reported after its cutoff is passed over without it.
    """
    calendar = business_calendar()
    last_action = (
        CaseEvent.objects.filter(case_id=OuterRef("pk"), actor__role__in=STAFF_ROLES, kind__in=HANDLER_ACTIONS)
        .order_by("-created_at")
        .values("created_at")[:1]
    )
    away = absences_at(now).filter(user_id=OuterRef("assignee_id"))
    qs = cases_visible_to(user).filter(status__in=OPEN_STATUSES)
    if team_only and user.team_id:
        qs = qs.filter(Q(team_id=user.team_id) | Q(assignee__team_id=user.team_id))
    cutoffs = [
        When(priority=priority, then=Value(business_cutoff(calendar, now, hours * 3600)))
        for priority, hours in unattended_thresholds().items()
    ]
    qs = qs.annotate(
        last_action=Coalesce(Subquery(last_action), F("created_at")),
        assignee_away_until=Subquery(away.order_by("-ends").values("ends")[:1]),
        idle_cutoff=CaseExpr(*cutoffs, default=None, output_field=DateTimeField()),
    )
    # The last action is never before the report, so a case reported after its cutoff is not idle.
    idle = ~Q(status__in=WAITING_STATUSES) & Q(created_at__lte=F("idle_cutoff"), last_action__lte=F("idle_cutoff"))
    return qs.filter(Exists(away) | idle).order_by("priority_rank", "last_action", "pk")


__all__ = [
    "QUEUES",
    "CaseFilters",
    "apply_filters",
    "building_history",
    "cases_visible_to",
    "categories",
    "get_case_for",
    "handling_seconds",
    "queue",
    "search",
    "timeline_for",
    "unattended",
]

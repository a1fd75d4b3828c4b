"""SLA clocks computed from the timeline.

The clocks are never counted up by a timer: they are derived from the case's status
history (its `created` and `status_changed` events), the priority's targets and the
business calendar. So after a change of priority, targets or opening hours a recompute
gives the right answer, and a breach is simply `due_at <= now` at read time.

First response: runs from the report, in business time, until a handler's first public
reply or phone call. Resolution: runs in business time while the case is open and not
waiting for the customer; it stops when the case is resolved.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time

from django.conf import settings
from django.utils import timezone

from esm.cases.models import (
    SLA_PAUSED_STATUSES,
    SLA_STOPPED_STATUSES,
    BusinessHours,
    Case,
    CaseEvent,
    EventKind,
    Priority,
    SlaTarget,
    Status,
)
from esm.core.calendar import BusinessCalendar

# Business minutes; used where an administrator has not set a target.
DEFAULT_TARGETS: dict[str, tuple[int, int]] = {
    Priority.URGENT: (60, 8 * 60),
    Priority.HIGH: (4 * 60, 3 * 8 * 60),
    Priority.NORMAL: (8 * 60, 10 * 8 * 60),
    Priority.LOW: (2 * 8 * 60, 20 * 8 * 60),
}
DEFAULT_HOURS = {weekday: (time(8), time(16)) for weekday in range(5)}


def business_calendar() -> BusinessCalendar:
    """The calendar from the editable opening hours (Mon–Fri 08–16 when none are set)."""
    rows = list(BusinessHours.objects.all())
    hours = {row.weekday: (row.opens, row.closes) for row in rows} if rows else DEFAULT_HOURS
    return BusinessCalendar(hours=hours)


def targets_for(priority: str) -> tuple[int, int]:
    """(first response, resolution) in business seconds for a priority."""
    row = SlaTarget.objects.filter(priority=priority).first()
    minutes = (row.first_response_minutes, row.resolution_minutes) if row else DEFAULT_TARGETS[priority]
    return minutes[0] * 60, minutes[1] * 60


@dataclass(frozen=True)
class Clocks:
    first_response_warn_at: datetime | None
    first_response_due_at: datetime | None
    resolution_warn_at: datetime | None
    resolution_due_at: datetime | None
    sla_paused: bool
    sla_remaining_seconds: int | None


def status_history(case: Case) -> list[tuple[datetime, str]]:
    """(when, status) for each status the case entered, oldest first, from the timeline."""
    history: list[tuple[datetime, str]] = []
    events = CaseEvent.objects.filter(case_id=case.pk, kind__in=[EventKind.CREATED, EventKind.STATUS_CHANGED])
    for event in events.order_by("created_at", "pk").only("kind", "created_at", "payload"):
        if event.kind == EventKind.CREATED:
            history.append((event.created_at, str(event.payload.get("status", Status.NEW))))
        else:
            history.append((event.created_at, str(event.payload["to"])))
    if not history:
        history.append((case.created_at, Status.NEW))
    return history


def _deadline(
    calendar: BusinessCalendar, intervals: list[tuple[datetime, datetime | None]], budget: int
) -> tuple[datetime | None, int]:
    """Walk running intervals until `budget` business seconds are used.

    Returns (the instant the budget runs out or None, the seconds still left).
    An interval ending in None is still running.
    """
    remaining = budget
    for start, end in intervals:
        if end is None:
            return calendar.add_business_seconds(start, remaining), remaining
        used = calendar.business_seconds_between(start, end)
        if used >= remaining:
            return calendar.add_business_seconds(start, remaining), 0
        remaining -= used
    return None, remaining


def compute_clocks(
    case: Case,
    *,
    history: list[tuple[datetime, str]] | None = None,
    calendar: BusinessCalendar | None = None,
    targets: tuple[int, int] | None = None,
) -> Clocks:
    calendar = calendar or business_calendar()
    first_target, resolution_target = targets or targets_for(case.priority)
    history = history if history is not None else status_history(case)
    soon = settings.ESM_SLA_SOON_FRACTION

    start = case.created_at
    first_due = calendar.add_business_seconds(start, first_target)
    first_warn = calendar.add_business_seconds(start, int(first_target * soon))

    running: list[tuple[datetime, datetime | None]] = []
    for index, (entered, status) in enumerate(history):
        left = history[index + 1][0] if index + 1 < len(history) else None
        if status in SLA_PAUSED_STATUSES or status in SLA_STOPPED_STATUSES:
            continue
        running.append((entered, left))
    current = history[-1][1]
    paused = current in SLA_PAUSED_STATUSES
    due, remaining = _deadline(calendar, running, resolution_target)
    warn, warn_left = _deadline(calendar, running, int(resolution_target * soon))
    stopped_at = running[-1][1] if running else None
    if not paused and stopped_at is not None:
        # Resolved or cancelled before the target: keep the deadline the clock was heading for.
        due = due or calendar.add_business_seconds(stopped_at, remaining)
        warn = warn or calendar.add_business_seconds(stopped_at, warn_left)
    return Clocks(
        first_response_warn_at=first_warn,
        first_response_due_at=first_due,
        resolution_warn_at=warn,
        resolution_due_at=due,
        sla_paused=paused,
        sla_remaining_seconds=remaining if paused else None,
    )


def recompute(case: Case, *, history: list[tuple[datetime, str]] | None = None) -> Clocks:
    """Recompute and store a case's clocks (inside the caller's transaction)."""
    clocks = compute_clocks(case, history=history)
    fields = clocks.__dict__
    Case.objects.filter(pk=case.pk).update(**fields)
    for name, value in fields.items():
        setattr(case, name, value)
    return clocks


@dataclass(frozen=True)
class SlaState:
    """What the desk shows: `ok`, `soon`, `breached`, `paused`, `met` or `missed`."""

    first_response: str
    resolution: str


def state(case: Case, now: datetime | None = None) -> SlaState:
    now = now or timezone.now()

    def judge(done_at: datetime | None, warn: datetime | None, due: datetime | None) -> str:
        if due is None:
            return "met" if done_at is not None else "none"
        if done_at is not None:
            return "met" if done_at <= due else "missed"
        if due <= now:
            return "breached"
        if warn is not None and warn <= now:
            return "soon"
        return "ok"

    answered = case.first_responded_at or case.resolved_at or case.closed_at
    first = judge(answered, case.first_response_warn_at, case.first_response_due_at)
    if case.status == Status.CANCELLED:
        first = first if case.first_responded_at else "none"
        resolution = "none"
    elif case.sla_paused:
        resolution = "paused"
    else:
        resolution = judge(case.resolved_at, case.resolution_warn_at, case.resolution_due_at)
    return SlaState(first_response=first, resolution=resolution)

"""The case lifecycle as a declared table of transitions.

Each row: the action's name, the statuses it starts from, the status it leads to, who
may take it and a guard. `who` and `guard` return `None` when the action may go ahead,
otherwise the reason (translated) that the UI shows beside the disabled action. Nothing
changes a case's status except `esm.cases.services.transition_case`, which reads this
table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from esm.accounts.models import Role, User
from esm.cases.models import Case, Status

Check = Callable[[Case, User | None, datetime], "str | Promise | None"]


# --- who may -----------------------------------------------------------------------


def handler(case: Case, user: User | None, now: datetime) -> str | Promise | None:
    """Technicians, team leads and administrators."""
    if user is not None and user.is_handler:
        return None
    return _("Only technicians and team leads can do this.")


def reporter_side(case: Case, user: User | None, now: datetime) -> str | Promise | None:
    """The reporter, a colleague in the reporter's organisation, or a handler."""
    if user is None:
        return _("Sign in first.")
    if user.is_handler:
        return None
    if user.pk == case.reporter_id:
        return None
    if user.role == Role.CUSTOMER and case.organisation_id and user.organisation_id == case.organisation_id:
        return None
    return _("Only the reporter, their organisation or a technician can do this.")


def reporter_only(case: Case, user: User | None, now: datetime) -> str | Promise | None:
    """The reporter or a colleague in the same organisation (not the desk)."""
    if user is not None and not user.is_handler and reporter_side(case, user, now) is None:
        return None
    return _("Only the reporter can confirm that the case is solved.")


def system(case: Case, user: User | None, now: datetime) -> str | Promise | None:
    """The system itself (user None), e.g. a customer's reply or an automatic close."""
    if user is None:
        return None
    return _("This happens automatically.")


def reporter_or_system(case: Case, user: User | None, now: datetime) -> str | Promise | None:
    if user is None:
        return None
    return reporter_side(case, user, now)


# --- guards ------------------------------------------------------------------------


def always(case: Case, user: User | None, now: datetime) -> str | Promise | None:
    return None


def has_assignee(case: Case, user: User | None, now: datetime) -> str | Promise | None:
    if case.assignee_id is None:
        return _("Assign the case to a technician first.")
    return None


def within_reopen_window(case: Case, user: User | None, now: datetime) -> str | Promise | None:
    days = settings.ESM_REOPEN_DAYS
    if case.resolved_at is None or now - case.resolved_at <= timedelta(days=days):
        return None
    return _("A case can only be reopened within %(days)d days of being resolved.") % {"days": days}


def cancellable_by(case: Case, user: User | None, now: datetime) -> str | Promise | None:
    """Handlers cancel any open case; a reporter only while it is still new."""
    if user is not None and user.is_handler:
        return None
    if case.status == Status.NEW and reporter_side(case, user, now) is None:
        return None
    return _("Once work has started, only the desk can cancel the case.")


@dataclass(frozen=True)
class Transition:
    action: str
    label: Promise | str
    sources: frozenset[Status]
    target: Status
    who: Check
    guard: Check = always
    needs_reason: bool = False
    is_public: bool = True


_OPEN = frozenset(
    {
        Status.NEW,
        Status.TRIAGED,
        Status.IN_PROGRESS,
        Status.WAITING_CUSTOMER,
        Status.WAITING_SUPPLIER,
        Status.WAITING_APPROVAL,
    }
)
_WAITING = frozenset({Status.WAITING_CUSTOMER, Status.WAITING_SUPPLIER, Status.WAITING_APPROVAL})

TRANSITIONS: tuple[Transition, ...] = (
    Transition("triage", _("Triage"), frozenset({Status.NEW}), Status.TRIAGED, handler),
    Transition("start", _("Start work"), frozenset({Status.NEW, Status.TRIAGED}), Status.IN_PROGRESS, handler),
    Transition(
        "wait_for_customer",
        _("Wait for customer"),
        frozenset({Status.IN_PROGRESS, Status.WAITING_SUPPLIER, Status.WAITING_APPROVAL}),
        Status.WAITING_CUSTOMER,
        handler,
    ),
    Transition(
        "wait_for_supplier",
        _("Wait for supplier"),
        frozenset({Status.IN_PROGRESS, Status.WAITING_CUSTOMER, Status.WAITING_APPROVAL}),
        Status.WAITING_SUPPLIER,
        handler,
    ),
    Transition(
        "wait_for_approval",
        _("Wait for approval"),
        frozenset({Status.IN_PROGRESS, Status.WAITING_CUSTOMER, Status.WAITING_SUPPLIER}),
        Status.WAITING_APPROVAL,
        handler,
    ),
    Transition("resume", _("Resume work"), _WAITING, Status.IN_PROGRESS, handler),
    Transition(
        "customer_replied", _("Customer replied"), frozenset({Status.WAITING_CUSTOMER}), Status.IN_PROGRESS, system
    ),
    Transition(
        "resolve",
        _("Resolve"),
        frozenset({Status.NEW, Status.TRIAGED, Status.IN_PROGRESS, *_WAITING}),
        Status.RESOLVED,
        handler,
        has_assignee,
    ),
    Transition("confirm", _("Confirm solved"), frozenset({Status.RESOLVED}), Status.CLOSED, reporter_only),
    Transition("close", _("Close"), frozenset({Status.RESOLVED}), Status.CLOSED, handler),
    Transition("auto_close", _("Close automatically"), frozenset({Status.RESOLVED}), Status.CLOSED, system),
    Transition(
        "reopen",
        _("Reopen"),
        frozenset({Status.RESOLVED}),
        Status.IN_PROGRESS,
        reporter_side,
        within_reopen_window,
        needs_reason=True,
    ),
    Transition("cancel", _("Cancel"), _OPEN, Status.CANCELLED, reporter_side, cancellable_by, needs_reason=True),
)

BY_ACTION: dict[str, Transition] = {t.action: t for t in TRANSITIONS}


@dataclass(frozen=True)
class AvailableAction:
    transition: Transition
    allowed: bool
    reason: str

    @property
    def action(self) -> str:
        return self.transition.action


def check(transition: Transition, case: Case, user: User | None, now: datetime | None = None) -> str | None:
    """None if `user` may take `transition` on `case` now, else the reason why not."""
    now = now or timezone.now()
    if case.status not in transition.sources:
        return str(_("Not possible while the case is “%(status)s”.") % {"status": case.get_status_display()})
    for condition in (transition.who, transition.guard):
        reason = condition(case, user, now)
        if reason is not None:
            return str(reason)
    return None


def available_actions(case: Case, user: User | None, now: datetime | None = None) -> list[AvailableAction]:
    """The actions this user sees for this case: allowed ones, and blocked ones with a reason.

    Rows the user could never take (system rows, rows of another role) are left out,
    so a customer is not shown "Start work".
    """
    now = now or timezone.now()
    result: list[AvailableAction] = []
    for transition in TRANSITIONS:
        if transition.who is system:
            continue
        if transition.who(case, user, now) is not None:
            continue
        if case.status not in transition.sources:
            continue
        reason = check(transition, case, user, now)
        result.append(AvailableAction(transition, reason is None, reason or ""))
    return result


def diagram() -> str:
    """The table as a Mermaid state diagram (printed by `manage.py case_lifecycle`)."""
    lines = ["stateDiagram-v2", "    [*] --> new"]
    for transition in TRANSITIONS:
        who = (transition.who.__doc__ or transition.who.__name__).strip().splitlines()[0]
        guard = "" if transition.guard is always else f" [{transition.guard.__name__}]"
        for source in sorted(transition.sources):
            lines.append(f"    {source} --> {transition.target}: {transition.action}{guard} ({who})")
    lines += ["    closed --> [*]", "    cancelled --> [*]"]
    return "\n".join(lines)

"""Planned maintenance: the due dates of a plan, and the worker's service that opens one case per occurrence.

`due_dates` is pure date arithmetic. `generate_due_cases` is every write for planned
maintenance: it opens a case (channel "planned") `lead_days` before each due date, exactly
once per occurrence even with several workers running — a plan is claimed with
`SELECT … FOR UPDATE SKIP LOCKED`, and the unique (plan, due date) constraint on
`MaintenanceOccurrence` is the backstop, inserted in the same transaction as the case.
Reads (calendar, overdue) live in `esm.cases.maintenance_queries`.
"""

from __future__ import annotations

import logging
from calendar import monthrange
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import IntegrityError, transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from esm.accounts.models import Role, User
from esm.buildings.models import Installation, MaintenancePlan
from esm.cases.models import Category, Channel, MaintenanceOccurrence
from esm.cases.services import assign_case, open_case
from esm.core.errors import DomainError

logger = logging.getLogger(__name__)

SYSTEM_USERNAME = "planlagt-vedligehold"
FALLBACK_CATEGORY = "other"
SEASON_SPAN_MONTHS = 12  # a seasonal plan repeats every year


# --- date arithmetic (pure) ------------------------------------------------------------


def add_months(day: date, months: int, *, day_of_month: int | None = None) -> date:
    """`day` moved by `months` months, on `day_of_month` (default: `day`'s day) clamped to the month's end."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    wanted = day_of_month or day.day
    return date(year, month, min(wanted, monthrange(year, month)[1]))


def _months_between(earlier: date, later: date) -> int:
    return (later.year - earlier.year) * 12 + later.month - earlier.month


def season_months(plan: MaintenancePlan) -> list[int]:
    """The plan's months (1–12), sorted, ignoring anything that is not a month number."""
    months: set[int] = set()
    for value in plan.season_months or []:
        if isinstance(value, bool):
            continue
        if isinstance(value, int) or (isinstance(value, str) and value.strip().isdigit()):
            number = int(value)
            if 1 <= number <= 12:
                months.add(number)
    return sorted(months)


def due_dates(plan: MaintenancePlan, *, start: date, end: date) -> list[date]:
    """The plan's due dates from `start` to `end` (both included), in order.

    Every `interval_months` months counted from `first_due` (each date computed from
    `first_due`, so 31 Jan → 28/29 Feb → 31 Mar); otherwise in each of `season_months`
    every year on `first_due`'s day (clamped to the month's end), from `first_due` on;
    a plan with neither is due once, on `first_due`.
    """
    first = plan.first_due
    start = max(start, first)
    if end < start:
        return []
    if plan.interval_months:
        step = plan.interval_months
        # start one step early so a clamped date just before `start` is never skipped wrongly
        k = max(0, _months_between(first, start) // step - 1)
        found = []
        while True:
            try:
                due = add_months(first, k * step)
            except ValueError:  # beyond year 9999
                break
            if due > end:
                break
            if due >= start:
                found.append(due)
            k += 1
        return found
    months = season_months(plan)
    if months:
        found = []
        for year in range(start.year, end.year + 1):
            for month in months:
                due = date(year, month, min(first.day, monthrange(year, month)[1]))
                if start <= due <= end:
                    found.append(due)
        return found
    return [first] if start <= first <= end else []


def dates_to_open(plan: MaintenancePlan, *, today: date) -> list[date]:
    """The occurrences the worker should have opened by `today`.

    Those due within the lead time, and of the past only the latest due date — a plan
    entered with an old first due date opens one overdue case, not its whole history.
    """
    if not plan.is_active:
        return []
    horizon = today + timedelta(days=plan.lead_days)
    span = plan.interval_months or SEASON_SPAN_MONTHS
    lookback = add_months(today, -(span + 1)) if plan.interval_months or season_months(plan) else plan.first_due
    dates = due_dates(plan, start=lookback, end=horizon)
    past = [due for due in dates if due <= today]
    return past[-1:] + [due for due in dates if due > today]


# --- writes ----------------------------------------------------------------------------


def system_user() -> User:
    """The user that opens planned-maintenance cases: an administrator nobody can sign in as."""
    user, _created = User.objects.get_or_create(
        username=SYSTEM_USERNAME,
        defaults={
            "role": Role.ADMINISTRATOR,
            "first_name": "Planlagt vedligehold",
            "password": make_password(None),
            "is_active": True,
        },
    )
    return user


def _category_for(plan: MaintenancePlan) -> Category | str:
    found = Category.objects.filter(code=plan.category_code, is_active=True).first()
    return found or FALLBACK_CATEGORY


def _installation_for(plan: MaintenancePlan) -> Installation | None:
    """The plan's installation if it is in the plan's building (else it is named in the description only)."""
    installation = plan.installation
    return installation if installation is not None and installation.building_id == plan.building_id else None


def _description(plan: MaintenancePlan, due_date: date) -> str:
    """The case text: the plan's description, its due date, installation and supplier, in the site language."""
    with translation.override(settings.LANGUAGE_CODE):
        lines = [_("Due date: %(date)s") % {"date": formats.date_format(due_date, "SHORT_DATE_FORMAT")}]
        if plan.installation_id:
            lines.append(_("Installation: %(installation)s") % {"installation": plan.installation})
        if plan.supplier:
            lines.append(_("Supplier or framework agreement: %(supplier)s") % {"supplier": plan.supplier})
        lines.append(_("Opened automatically from the maintenance plan “%(task)s”.") % {"task": plan.task})
    text = plan.description.strip()
    return "\n".join(lines) if not text else text + "\n\n" + "\n".join(lines)


def open_occurrence(
    plan: MaintenancePlan, due_date: date, *, actor: User, now: datetime | None = None
) -> MaintenanceOccurrence | None:
    """Open the case of one occurrence; None if another worker opened it first.

    The case and the occurrence row are written in one savepoint: if the unique
    (plan, due date) constraint refuses the row, the case disappears with it.
    """
    now = now or timezone.now()
    try:
        with transaction.atomic():
            case = open_case(
                actor,
                title=plan.task,
                description=_description(plan, due_date),
                building=plan.building,
                category=_category_for(plan),
                channel=Channel.PLANNED,
                reporter=actor,
                installation=_installation_for(plan),
                now=now,
            )
            if plan.team_id:
                assign_case(actor, case=case, assignee=None, team=plan.team, now=now)
            return MaintenanceOccurrence.objects.create(plan=plan, due_date=due_date, case=case, created_at=now)
    except IntegrityError:
        if MaintenanceOccurrence.objects.filter(plan=plan, due_date=due_date).exists():
            return None  # someone else opened it meanwhile
        raise


def _generate_for_plan(plan_id: int, *, actor: User, today: date, now: datetime | None = None) -> int:
    with transaction.atomic():
        plan = (
            MaintenancePlan.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("building", "installation", "team")
            .filter(pk=plan_id, is_active=True)
            .first()
        )
        if plan is None:
            return 0  # another worker holds it right now (and opens its cases), or it was switched off
        wanted = dates_to_open(plan, today=today)
        existing = set(
            MaintenanceOccurrence.objects.filter(plan=plan, due_date__in=wanted).values_list("due_date", flat=True)
        )
        opened = 0
        for due in wanted:
            if due not in existing and open_occurrence(plan, due, actor=actor, now=now) is not None:
                opened += 1
        return opened


def generate_due_cases(*, today: date | None = None, now: datetime | None = None) -> int:
    """Open the case of every occurrence that is due within its plan's lead time; return how many opened.

    Safe to run often and on several workers at once: each occurrence opens exactly once.
    A plan that cannot open its case (e.g. no category) is logged and retried on the next run.
    """
    today = today or timezone.localdate(now)
    actor = system_user()
    opened = 0
    plan_ids = MaintenancePlan.objects.filter(is_active=True).order_by("pk").values_list("pk", flat=True)
    for plan_id in list(plan_ids):
        try:
            opened += _generate_for_plan(plan_id, actor=actor, today=today, now=now)
        except DomainError:
            logger.exception("maintenance plan %s could not open its case", plan_id)
    return opened

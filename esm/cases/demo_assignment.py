"""Demo data for automatic assignment: the default rules and one technician away this week.

`seed(now)` is idempotent (safe to run twice); the lead calls it from `esm/web/demo.py` after
the demo's users, teams and buildings exist. Missing demo users are skipped quietly.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from esm.accounts.models import Absence, User
from esm.accounts.queries import local_day
from esm.accounts.services import record_absence
from esm.cases.models import AssignmentRule, AssignmentStrategy

DEFAULT_RULES = [
    (10, "Bygningens ansvarlige tekniker", AssignmentStrategy.BUILDING_TECHNICIAN),
    (20, "Bygningens ansvarlige team", AssignmentStrategy.BUILDING_TEAM),
    (30, "Kategoriens team", AssignmentStrategy.CATEGORY_TEAM),
]
# (away, substitute, registered by): Kim is on holiday this week, Rasmus stands in; Hanne (their lead) registered it.
ABSENCE = ("kim", "rasmus", "hanne")


def seed_rules() -> None:
    for position, name, strategy in DEFAULT_RULES:
        AssignmentRule.objects.update_or_create(
            name=name, defaults={"position": position, "strategy": strategy, "is_active": True}
        )


def seed_absence(now: datetime) -> None:
    people = {u.username: u for u in User.objects.filter(username__in=ABSENCE, is_active=True)}
    away, substitute, lead = (people.get(name) for name in ABSENCE)
    if away is None or lead is None:
        return
    today = local_day(now)
    ends = today + timedelta(days=max(4 - today.weekday(), 0) + (7 if today.weekday() >= 4 else 0))
    if Absence.objects.filter(user=away, starts__lte=ends, ends__gte=today).exists():
        return
    record_absence(lead, user=away, starts=today, ends=ends, substitute=substitute, reason="Ferie", now=now)


def seed(now: datetime) -> None:
    seed_rules()
    seed_absence(now)

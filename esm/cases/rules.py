"""Who may do what to a case: one visibility predicate, reused by every list and view."""

from __future__ import annotations

import rules
from django.db.models import Q

from esm.accounts.models import Role, User
from esm.cases.models import Case


def visibility_filter(user: User) -> Q | None:
    """The Q that selects the cases `user` may see; None means every case."""
    if not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    if user.is_handler:
        return None  # the agency's desk works every case in its area: the whole estate
    if user.role == Role.CUSTOMER and user.organisation_id:
        return Q(organisation_id=user.organisation_id) | Q(reporter_id=user.pk)
    return Q(reporter_id=user.pk)


@rules.predicate
def can_see_case(user: User, case: Case | None) -> bool:
    if case is None or not getattr(user, "is_authenticated", False):
        return False
    if user.is_handler:
        return True
    if case.reporter_id == user.pk:
        return True
    return bool(user.role == Role.CUSTOMER and user.organisation_id and case.organisation_id == user.organisation_id)


@rules.predicate
def is_handler(user: User) -> bool:
    return bool(getattr(user, "is_handler", False))


@rules.predicate
def is_team_lead_or_admin(user: User) -> bool:
    return getattr(user, "role", None) in (Role.TEAM_LEAD, Role.ADMINISTRATOR) and user.is_active


@rules.predicate
def is_reporter_role(user: User) -> bool:
    return getattr(user, "role", None) in (Role.CUSTOMER, Role.TENANT)


rules.add_perm("cases.view_case", can_see_case)
rules.add_perm("cases.reply_case", can_see_case)
rules.add_perm("cases.change_case", is_handler & can_see_case)
rules.add_perm("cases.note_case", is_handler & can_see_case)
rules.add_perm("cases.assign_case", is_handler & can_see_case)
rules.add_perm("cases.report_case", rules.is_authenticated & rules.is_active)
rules.add_perm("cases.correct_time", is_team_lead_or_admin)

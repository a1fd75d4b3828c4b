"""Reads of people and teams shared by the desk and the API."""

from __future__ import annotations

from datetime import date, datetime

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from esm.accounts.models import Absence, Role, Team, User
from esm.core.errors import DomainError, ErrorCode


def active_user(username: str, *, field: str = "username") -> User:
    """The active user with this username, or a `unknown_user` error on `field`."""
    found = User.objects.select_related("organisation", "team").filter(username=username, is_active=True).first()
    if found is None:
        message = _("Unknown user “%(username)s”.") % {"username": username}
        raise DomainError(ErrorCode.UNKNOWN_USER, message, field=field)
    return found


def team_by_code(code: str) -> Team:
    found = Team.objects.filter(code=code).first()
    if found is None:
        raise DomainError(ErrorCode.VALIDATION, _("Unknown team “%(team)s”.") % {"team": code}, field="team")
    return found


# --- absence -------------------------------------------------------------------------------


def local_day(at: datetime | date) -> date:
    """The Copenhagen calendar day of an instant (absences are whole days)."""
    return at if not isinstance(at, datetime) else timezone.localdate(at)


def absences_at(at: datetime | date) -> QuerySet[Absence]:
    """The absences that cover the day of `at`."""
    day = local_day(at)
    return Absence.objects.filter(starts__lte=day, ends__gte=day)


def is_absent(user: User, at: datetime | date) -> bool:
    return absences_at(at).filter(user_id=user.pk).exists()


def absent_user_ids(at: datetime | date) -> set[int]:
    """The pks of everyone away on the day of `at`."""
    return set(absences_at(at).values_list("user_id", flat=True))


def current_absence(user: User, at: datetime | date) -> Absence | None:
    return absences_at(at).filter(user_id=user.pk).select_related("substitute").first()


def substitutes_for(user: User, at: datetime | date) -> list[User]:
    """Who stands in for `user` on the day of `at`: the substitute of their absence, unless away too."""
    absence = current_absence(user, at)
    if absence is None or absence.substitute is None or not absence.substitute.is_handler:
        return []
    if is_absent(absence.substitute, at):
        return []
    return [absence.substitute]


def people_substituted_by(user: User, at: datetime | date) -> QuerySet[User]:
    """The people `user` stands in for on the day of `at` (lazy: usable as a subquery)."""
    return User.objects.filter(pk__in=absences_at(at).filter(substitute_id=user.pk).values("user_id"))


def with_away_until(users: QuerySet[User], at: datetime | date) -> QuerySet[User]:
    """Annotate `away_until` (the last day of the absence covering `at`, else None) in the same query."""
    away = absences_at(at).filter(user_id=OuterRef("pk")).order_by("-ends").values("ends")[:1]
    return users.annotate(away_until=Subquery(away))


def absences_for(user: User, *, at: datetime | date) -> QuerySet[Absence]:
    """The absences of `user` that have not ended before the day of `at`, soonest first."""
    return (
        Absence.objects.filter(user_id=user.pk, ends__gte=local_day(at))
        .select_related("user", "substitute", "created_by")
        .order_by("starts", "pk")
    )


def team_absences(lead: User, *, at: datetime | date) -> QuerySet[Absence]:
    """Current and coming absences of the members of `lead`'s team (all handlers for an administrator)."""
    qs = Absence.objects.filter(ends__gte=local_day(at)).select_related("user", "substitute", "created_by")
    if not is_administrator(lead):
        qs = qs.filter(user__team_id=lead.team_id) if lead.team_id else qs.none()
    return qs.order_by("starts", "user__username", "pk")


def is_administrator(user: User) -> bool:
    return bool(user.is_active and (user.role == Role.ADMINISTRATOR or user.is_superuser))

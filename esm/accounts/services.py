"""Sign-in, API tokens and personal settings."""

from __future__ import annotations

import hashlib
import secrets
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.auth import authenticate
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from esm.accounts import queries
from esm.accounts.models import SYSTEM_USERNAMES, Absence, ApiToken, Role, User
from esm.core.errors import DomainError, ErrorCode


def _attempt_keys(username: str, address: str) -> list[str]:
    user_key = hashlib.sha256(username.strip().lower().encode()).hexdigest()[:32]
    return [f"signin:user:{user_key}", f"signin:addr:{address}"]


def sign_in(*, username: str, password: str, address: str, request: HttpRequest | None = None) -> User:
    """Check credentials, counting failures per username and per address.

    After `ESM_LOGIN_MAX_ATTEMPTS` failures within the window every attempt is refused
    with `rate_limited` until the window has passed, even with the right password.
    """
    keys = _attempt_keys(username, address)
    limit = settings.ESM_LOGIN_MAX_ATTEMPTS
    window = settings.ESM_LOGIN_WINDOW_SECONDS
    if any((cache.get(key) or 0) >= limit for key in keys):
        raise DomainError(
            ErrorCode.RATE_LIMITED,
            _("Too many failed sign-in attempts. Try again in %(minutes)d minutes.") % {"minutes": window // 60},
        )
    user = authenticate(request, username=username, password=password)
    if user is None or not isinstance(user, User):
        for key in keys:
            if cache.add(key, 1, window) is False:
                try:
                    cache.incr(key)
                except ValueError:
                    cache.set(key, 1, window)
        raise DomainError(ErrorCode.INVALID_CREDENTIALS, _("The username or password is wrong."))
    for key in keys[:1]:
        cache.delete(key)
    return user


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_api_token(user: User) -> str:
    """Create a bearer token; the plain token is returned once and never stored."""
    token = secrets.token_urlsafe(32)
    ApiToken.objects.create(
        user=user,
        digest=_digest(token),
        expires_at=timezone.now() + timedelta(days=settings.ESM_API_TOKEN_DAYS),
    )
    return token


def user_for_token(token: str) -> User | None:
    """The active user a valid, unexpired token belongs to, or None."""
    now = timezone.now()
    row = (
        ApiToken.objects.select_related("user", "user__organisation", "user__team")
        .filter(digest=_digest(token), expires_at__gt=now, user__is_active=True)
        .first()
    )
    if row is None:
        return None
    if row.last_used_at is None or now - row.last_used_at > timedelta(minutes=5):
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
    return row.user


def set_language(actor: User, *, language: str) -> None:
    if language not in dict(settings.LANGUAGES):
        raise DomainError(ErrorCode.VALIDATION, _("Unknown language."), field="language")
    User.objects.filter(pk=actor.pk).update(language=language)
    actor.language = language


# --- absence -------------------------------------------------------------------------------

REASON_MAX = 200


def may_manage_absence(actor: User, user: User) -> bool:
    """A handler their own; a team lead their team's members; an administrator anyone's."""
    if not actor.is_handler:
        return False
    if actor.pk == user.pk or queries.is_administrator(actor):
        return True
    return actor.role == Role.TEAM_LEAD and actor.team_id is not None and actor.team_id == user.team_id


def _period(starts: date, ends: date) -> str:
    first, last = formats.date_format(starts, "SHORT_DATE_FORMAT"), formats.date_format(ends, "SHORT_DATE_FORMAT")
    return f"{first}–{last}"


def record_absence(
    actor: User,
    *,
    user: User,
    starts: date,
    ends: date,
    substitute: User | None = None,
    reason: str = "",
    now: datetime | None = None,
) -> Absence:
    """Register that `user` is away from `starts` to `ends` (whole days, both included).

    Refused when it overlaps another absence of theirs, when it is over already, or when the
    substitute is not an active handler or is away themselves at some time in the period.
    """
    now = now or timezone.now()
    if not may_manage_absence(actor, user):
        raise DomainError(ErrorCode.PERMISSION_DENIED, _("You may register absence only for yourself or your team."))
    if not user.is_handler or user.username in SYSTEM_USERNAMES:
        message = _("Absence is registered for technicians and team leads.")
        raise DomainError(ErrorCode.VALIDATION, message, field="user")
    if not isinstance(starts, date) or not isinstance(ends, date):
        raise DomainError(ErrorCode.VALIDATION, _("Give the first and the last day."), field="starts")
    starts, ends = queries.local_day(starts), queries.local_day(ends)
    if ends < starts:
        raise DomainError(ErrorCode.VALIDATION, _("The last day cannot be before the first day."), field="ends")
    if ends < queries.local_day(now):
        raise DomainError(ErrorCode.VALIDATION, _("The absence is over already."), field="ends")
    text = str(reason or "").replace("\x00", "").strip()
    if len(text) > REASON_MAX:
        raise DomainError(
            ErrorCode.VALIDATION,
            _("%(field)s can be at most %(max)d characters.") % {"field": _("Reason"), "max": REASON_MAX},
            field="reason",
        )
    if substitute is not None:
        if substitute.pk == user.pk:
            raise DomainError(ErrorCode.VALIDATION, _("Choose someone else as substitute."), field="substitute")
        if not substitute.is_handler or substitute.username in SYSTEM_USERNAMES:
            raise DomainError(
                ErrorCode.VALIDATION, _("The substitute must be an active technician or team lead."), field="substitute"
            )
    with transaction.atomic():
        # One absence at a time per person: lock the person so two overlapping requests cannot both pass.
        User.objects.select_for_update().filter(pk=user.pk).first()
        clash = Absence.objects.filter(user_id=user.pk, starts__lte=ends, ends__gte=starts).first()
        if clash is not None:
            raise DomainError(
                ErrorCode.CONFLICT,
                _("%(name)s is already registered as away %(period)s.")
                % {"name": user, "period": _period(clash.starts, clash.ends)},
                field="starts",
            )
        if substitute is not None:
            away = Absence.objects.filter(user_id=substitute.pk, starts__lte=ends, ends__gte=starts).first()
            if away is not None:
                raise DomainError(
                    ErrorCode.VALIDATION,
                    _("%(name)s is away %(period)s and cannot be the substitute.")
                    % {"name": substitute, "period": _period(away.starts, away.ends)},
                    field="substitute",
                )
        absence = Absence(
            user=user,
            starts=starts,
            ends=ends,
            reason=text,
            substitute=substitute,
            created_by=actor,
            created_at=now,
        )
        absence.full_clean()
        absence.save()
    return absence


def cancel_absence(actor: User, *, absence: Absence, now: datetime | None = None) -> Absence | None:
    """Take back an absence: a coming one is removed; one under way ends yesterday (the person is back).

    Returns the shortened absence, or None when it was removed. A finished absence stays as it was.
    """
    now = now or timezone.now()
    if not may_manage_absence(actor, absence.user):
        raise DomainError(ErrorCode.PERMISSION_DENIED, _("You may register absence only for yourself or your team."))
    today = queries.local_day(now)
    with transaction.atomic():
        locked = Absence.objects.select_for_update().filter(pk=absence.pk).first()
        if locked is None:
            return None
        if locked.ends < today:
            raise DomainError(ErrorCode.VALIDATION, _("The absence is over already."))
        if locked.starts >= today:
            locked.delete()
            return None
        locked.ends = today - timedelta(days=1)
        locked.save(update_fields=["ends"])
    return locked

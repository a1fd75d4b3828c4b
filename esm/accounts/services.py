"""Sign-in, API tokens and personal settings."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import authenticate
from django.core.cache import cache
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from esm.accounts.models import ApiToken, User
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

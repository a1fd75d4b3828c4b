"""Who is calling: a bearer token from `POST /api/v1/auth/token`, or the browser's session.

A bearer token is checked first. A session is accepted as well (the desk's own pages may
call the API); unsafe methods then need the CSRF token, as any form would. The caller's
language is activated so that messages come back in it.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import translation
from ninja.errors import HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from esm.accounts.models import User
from esm.accounts.services import user_for_token

MAX_TOKEN_LENGTH = 200


def _use_language(request: HttpRequest, user: User) -> None:
    if user.language in dict(settings.LANGUAGES):
        translation.activate(user.language)
        request.LANGUAGE_CODE = user.language  # type: ignore[attr-defined]


class BearerToken(HttpBearer):
    """`Authorization: Bearer <token>`."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        token = token.strip()
        if not token or len(token) > MAX_TOKEN_LENGTH:
            return None
        user = user_for_token(token)
        if user is None:
            return None
        request.user = user
        _use_language(request, user)
        return user


class SessionWithCsrf(APIKeyCookie):
    """The Django session; unsafe methods need the CSRF token (header `X-CSRFToken`).

    Unlike Ninja's `django_auth`, the CSRF check runs only when a session user is
    signed in, so an anonymous request gets a plain 401 rather than a CSRF error.
    """

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request: HttpRequest) -> str | None:
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_active:
            return None
        if self.csrf and not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request) is not None:
            raise HttpError(403, "CSRF check failed")
        _use_language(request, user)
        return user


bearer = BearerToken()
session = SessionWithCsrf(csrf=True)
AUTH = [bearer, session]


def current_user(request: HttpRequest) -> User:
    """The authenticated caller (set by one of `AUTH`)."""
    user = request.auth  # type: ignore[attr-defined]
    assert isinstance(user, User)
    return user

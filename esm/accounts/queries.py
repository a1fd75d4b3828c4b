"""Reads of people and teams shared by the desk and the API."""

from __future__ import annotations

from django.utils.translation import gettext as _

from esm.accounts.models import Team, User
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

"""Who may keep which reply templates and macros.

Shared ones (no owner) are kept by team leads and administrators; personal ones by
their owner alone. Every handler uses the shared ones and their own.
"""

from __future__ import annotations

from esm.accounts.models import Role, User
from esm.replies.models import Macro, ReplyTemplate


def may_keep_shared(user: User) -> bool:
    """Team leads and administrators create and change the desk's shared templates and macros."""
    return bool(user.is_handler and (user.role in (Role.TEAM_LEAD, Role.ADMINISTRATOR) or user.is_superuser))


def may_edit(user: User, item: ReplyTemplate | Macro) -> bool:
    if not user.is_handler:
        return False
    if item.owner_id is None:
        return may_keep_shared(user)
    return item.owner_id == user.pk


def may_use(user: User, item: ReplyTemplate | Macro) -> bool:
    """A handler uses the active shared ones and their own."""
    return bool(user.is_handler and item.is_active and (item.owner_id is None or item.owner_id == user.pk))

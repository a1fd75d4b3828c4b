"""Template helpers for the reply tools and the macro panel on the desk case page."""

from __future__ import annotations

from django import template
from django.utils.translation import get_language, gettext

from esm.accounts.models import User
from esm.cases.lifecycle import BY_ACTION
from esm.cases.models import Case
from esm.replies import queries
from esm.replies.models import Macro

register = template.Library()


@register.simple_tag
def case_macros(case: Case, user: User) -> list[queries.MacroButton]:
    """`{% case_macros case user as buttons %}`: the macros the user may apply, each allowed or with a reason."""
    if case is None or not getattr(user, "is_handler", False):
        return []
    return queries.macros_for_case(user, case)


@register.filter
def macro_steps(macro: Macro) -> str:
    """What the macro does, in one line: "Reply “…” · Category … · Team … · Status …"."""
    parts = []
    if macro.reply_template_id:
        parts.append(gettext("Reply “%(name)s”") % {"name": macro.reply_template.name if macro.reply_template else ""})
    if macro.category_id and macro.category is not None:
        parts.append(gettext("Category: %(name)s") % {"name": macro.category.name_in(_language())})
    if macro.team_id and macro.team is not None:
        parts.append(gettext("Team: %(name)s") % {"name": macro.team.name})
    if macro.action:
        transition = BY_ACTION.get(macro.action)
        parts.append(gettext("Status: %(action)s") % {"action": transition.label if transition else macro.action})
    return " · ".join(parts)


def _language() -> str:
    return get_language() or "da"

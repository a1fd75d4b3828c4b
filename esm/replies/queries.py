"""Reads of reply templates and macros: what a handler may use, search, and the case panel."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import F, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from esm.accounts.models import User
from esm.cases.lifecycle import BY_ACTION, check
from esm.cases.models import Case, Status
from esm.replies.models import Macro, ReplyTemplate

SEARCH_MAX_WORDS = 8


def _mine_or_shared(user: User) -> Q:
    return Q(owner__isnull=True) | Q(owner=user)


def templates_visible_to(user: User, *, include_inactive: bool = False) -> QuerySet[ReplyTemplate]:
    """Shared templates and the user's own (active ones unless asked), for handlers only."""
    if not user.is_authenticated or not user.is_handler:
        return ReplyTemplate.objects.none()
    qs = ReplyTemplate.objects.filter(_mine_or_shared(user)).select_related("owner")
    return qs if include_inactive else qs.filter(is_active=True)


def macros_visible_to(user: User, *, include_inactive: bool = False) -> QuerySet[Macro]:
    if not user.is_authenticated or not user.is_handler:
        return Macro.objects.none()
    qs = Macro.objects.filter(_mine_or_shared(user)).select_related("owner", "reply_template", "category", "team")
    return qs if include_inactive else qs.filter(is_active=True)


def search_templates(user: User, q: str, *, limit: int = 10) -> QuerySet[ReplyTemplate]:
    """Active templates the user may use whose name or text contains every word of `q` (any case)."""
    qs = templates_visible_to(user)
    words = [w for w in str(q or "").replace("\x00", "").split() if w][:SEARCH_MAX_WORDS]
    for word in words:
        word = word[:100]
        qs = qs.filter(Q(name__icontains=word) | Q(body_da__icontains=word) | Q(body_en__icontains=word))
    # personal ones first: a technician's own wording beats the shared one
    return qs.order_by(F("owner").asc(nulls_last=True), "name", "pk")[:limit]


def get_template_for(user: User, pk: int | str, *, include_inactive: bool = True) -> ReplyTemplate:
    """A template the user may see (shared or own), else 404."""
    template = templates_visible_to(user, include_inactive=include_inactive).filter(pk=_pk(pk)).first()
    if template is None:
        raise Http404("No such template")
    return template


def get_macro_for(user: User, pk: int | str, *, include_inactive: bool = True) -> Macro:
    macro = macros_visible_to(user, include_inactive=include_inactive).filter(pk=_pk(pk)).first()
    if macro is None:
        raise Http404("No such macro")
    return macro


def _pk(value: int | str) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return 0
    return number if 0 < number < 2**62 else 0


@dataclass(frozen=True)
class MacroButton:
    macro: Macro
    allowed: bool
    reason: str


def macro_blocked_reason(user: User, case: Case, macro: Macro) -> str | None:
    """Why the macro can't be applied to the case now (its status step), or None."""
    if macro.reply_template_id is not None:
        if macro.reply_template is not None and not macro.reply_template.is_active:
            return _("The reply template is not active.")
        if not case.is_open and case.status != Status.RESOLVED:
            return _("The case is closed.")
    if macro.action:
        transition = BY_ACTION.get(macro.action)
        if transition is None:
            return _("Unknown action “%(action)s”.") % {"action": macro.action}
        if case.status != transition.target:
            reason = check(transition, case, user, timezone.now())
            if reason is not None:
                return reason
    return None


def macros_for_case(user: User, case: Case) -> list[MacroButton]:
    """The macros the user may apply, each with whether it can run on this case now."""
    result = []
    for macro in macros_visible_to(user):
        reason = macro_blocked_reason(user, case, macro)
        result.append(MacroButton(macro, reason is None, reason or ""))
    return result

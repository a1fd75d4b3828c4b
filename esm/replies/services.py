"""Writes for canned replies and macros, and the rendering of a template for a case.

`render_template` fills a template's placeholders for one case (see `placeholders`).
`apply_macro` runs a macro's steps through the cases app's own services — reply,
category, team, status, in that order — inside one transaction, then records one
MACRO_APPLIED event; if any step is refused, nothing is written.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from esm.accounts.models import Team, User
from esm.cases import services as case_services
from esm.cases.lifecycle import BY_ACTION, Transition, handler
from esm.cases.lifecycle import TRANSITIONS as CASE_TRANSITIONS
from esm.cases.models import Case, Category, EventKind
from esm.core.errors import DomainError, ErrorCode
from esm.replies import placeholders
from esm.replies.models import Macro, ReplyTemplate
from esm.replies.rules import may_edit, may_keep_shared, may_use

NAME_MAX = 100
TEMPLATE_BODY_MAX = 10_000
LANGUAGES = ("da", "en")


# --- helpers -------------------------------------------------------------------------


def _require_handler(actor: User) -> None:
    if not actor.is_handler:
        raise DomainError(ErrorCode.PERMISSION_DENIED, _("Only technicians and team leads can do this."))


def _require_may_create(actor: User, *, shared: bool) -> None:
    _require_handler(actor)
    if shared and not may_keep_shared(actor):
        raise DomainError(
            ErrorCode.PERMISSION_DENIED, _("Only team leads and administrators can create shared ones."), field="shared"
        )


def _require_may_edit(actor: User, item: ReplyTemplate | Macro) -> None:
    _require_handler(actor)
    if not may_edit(actor, item):
        if item.owner_id is None:
            message = _("Only team leads and administrators can change shared ones.")
        else:
            message = _("Only its owner can change a personal one.")
        raise DomainError(ErrorCode.PERMISSION_DENIED, message)


def _clean(value: object) -> str:
    return str(value or "").replace("\x00", "").replace("\r\n", "\n").strip()


def macro_actions() -> list[Transition]:
    """The lifecycle actions a macro may take: a handler's actions that need no reason."""
    return [t for t in CASE_TRANSITIONS if t.who is handler and not t.needs_reason]


def _check_name(
    name: object, *, model: type[ReplyTemplate] | type[Macro], owner: User | None, exclude: int | None
) -> str:
    text = _clean(name)
    if not text:
        raise DomainError(ErrorCode.VALIDATION, _("Give it a name."), field="name")
    if len(text) > NAME_MAX:
        raise DomainError(
            ErrorCode.VALIDATION, _("The name can be at most %(max)d characters.") % {"max": NAME_MAX}, field="name"
        )
    same = model.objects.filter(name__iexact=text)
    same = same.filter(owner__isnull=True) if owner is None else same.filter(owner=owner)
    if exclude is not None:
        same = same.exclude(pk=exclude)
    if same.exists():
        raise DomainError(
            ErrorCode.CONFLICT, _("There is already one called “%(name)s”.") % {"name": text}, field="name"
        )
    return text


def check_template_text(text: str) -> str | None:
    """None if `text` may be saved as a template body, else the reason (naming the allowed placeholders)."""
    if len(text) > TEMPLATE_BODY_MAX:
        return _("The text can be at most %(max)d characters.") % {"max": TEMPLATE_BODY_MAX}
    unknown = placeholders.unknown_placeholders(text)
    if unknown:
        return _("Unknown placeholder: %(unknown)s. Allowed placeholders: %(allowed)s.") % {
            "unknown": ", ".join(unknown),
            "allowed": ", ".join(placeholders.allowed_names()),
        }
    tags = placeholders.template_tags(text)
    if tags:
        return _("Template tags such as %(tags)s are not supported; use only the placeholders: %(allowed)s.") % {
            "tags": ", ".join(tags),
            "allowed": ", ".join(placeholders.allowed_names()),
        }
    return None


def validate_template(
    *, name: object, body_da: object, body_en: object, owner: User | None, exclude: int | None
) -> dict[str, str]:
    """The cleaned fields of a template of `owner` (None: shared), or a DomainError with every problem by field."""
    errors: dict[str, list[str]] = {}
    values: dict[str, str] = {}
    code = ErrorCode.VALIDATION
    try:
        values["name"] = _check_name(name, model=ReplyTemplate, owner=owner, exclude=exclude)
    except DomainError as error:
        errors["name"] = [error.message]
        code = error.code
    for field, value in (("body_da", body_da), ("body_en", body_en)):
        text = _clean(value)
        problem = check_template_text(text)
        if problem:
            errors[field] = [problem]
        values[field] = text
    if not errors.get("body_da") and not errors.get("body_en") and not values["body_da"] and not values["body_en"]:
        errors["body_da"] = [_("Write the text in Danish, English or both.")]
    if errors:
        first = next(iter(errors.values()))[0]
        message = first if len(errors) == 1 else _("Please correct the errors.")
        raise DomainError(code if len(errors) == 1 else ErrorCode.VALIDATION, message, errors=errors)
    return values


# --- reply templates -----------------------------------------------------------------


def create_template(
    actor: User,
    *,
    name: str,
    body_da: str = "",
    body_en: str = "",
    shared: bool = False,
    is_active: bool = True,
    now: datetime | None = None,
) -> ReplyTemplate:
    """A new template: personal (the actor's own) or, for team leads and administrators, shared."""
    now = now or timezone.now()
    _require_may_create(actor, shared=shared)
    owner = None if shared else actor
    values = validate_template(name=name, body_da=body_da, body_en=body_en, owner=owner, exclude=None)
    with transaction.atomic():
        template = ReplyTemplate(owner=owner, is_active=is_active, created_at=now, updated_at=now, **values)
        template.full_clean(validate_constraints=False)
        template.save()
    return template


def update_template(
    actor: User,
    *,
    template: ReplyTemplate,
    name: str,
    body_da: str,
    body_en: str,
    is_active: bool = True,
    now: datetime | None = None,
) -> ReplyTemplate:
    now = now or timezone.now()
    _require_may_edit(actor, template)
    values = validate_template(name=name, body_da=body_da, body_en=body_en, owner=template.owner, exclude=template.pk)
    _save_changes(template, values, is_active=is_active, now=now)
    return template


def _save_changes(item: ReplyTemplate | Macro, values: dict[str, Any], *, is_active: bool, now: datetime) -> None:
    """Write checked values, the active flag and the change time of a template or macro."""
    with transaction.atomic():
        for field, value in values.items():
            setattr(item, field, value)
        item.is_active = is_active
        item.updated_at = now
        item.full_clean(validate_constraints=False)
        item.save(update_fields=[*values, "is_active", "updated_at"])


def delete_template(actor: User, *, template: ReplyTemplate) -> None:
    """Delete a template that no macro uses (change or delete those macros first)."""
    _require_may_edit(actor, template)
    with transaction.atomic():
        users = list(Macro.objects.filter(reply_template=template).values_list("name", flat=True)[:10])
        if users:
            raise DomainError(
                ErrorCode.CONFLICT,
                _("These macros use the template: %(macros)s. Change them first.") % {"macros": ", ".join(users)},
            )
        template.delete()


# --- macros --------------------------------------------------------------------------


def validate_macro(
    *,
    name: object,
    owner: User | None,
    reply_template: ReplyTemplate | None,
    action: str,
    category: Category | None,
    team: Team | None,
    exclude: int | None,
) -> dict[str, Any]:
    """The cleaned fields of a macro of `owner` (None: shared), or a DomainError with every problem by field."""
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {
        "reply_template": reply_template,
        "action": _clean(action),
        "category": category,
        "team": team,
    }
    try:
        values["name"] = _check_name(name, model=Macro, owner=owner, exclude=exclude)
    except DomainError as error:
        errors["name"] = [error.message]
    if reply_template is not None:
        if owner is None and reply_template.owner_id is not None:
            errors["reply_template"] = [_("A shared macro can only use a shared reply template.")]
        elif reply_template.owner_id is not None and reply_template.owner_id != (owner.pk if owner else None):
            errors["reply_template"] = [_("Choose one of your own or a shared reply template.")]
        elif not reply_template.is_active:
            errors["reply_template"] = [_("The reply template is not active.")]
    if values["action"] and values["action"] not in {t.action for t in macro_actions()}:
        errors["action"] = [_("Unknown action “%(action)s”.") % {"action": values["action"]}]
    if category is not None and not category.is_active:
        errors["category"] = [_("The category is not active.")]
    if not errors and not (reply_template or values["action"] or category or team):
        errors["reply_template"] = [_("A macro must do something: choose a reply, a status, a category or a team.")]
    if errors:
        first = next(iter(errors.values()))[0]
        raise DomainError(
            ErrorCode.VALIDATION, first if len(errors) == 1 else _("Please correct the errors."), errors=errors
        )
    return values


def create_macro(
    actor: User,
    *,
    name: str,
    shared: bool = False,
    reply_template: ReplyTemplate | None = None,
    action: str = "",
    category: Category | None = None,
    team: Team | None = None,
    is_active: bool = True,
    now: datetime | None = None,
) -> Macro:
    now = now or timezone.now()
    _require_may_create(actor, shared=shared)
    owner = None if shared else actor
    values = validate_macro(
        name=name,
        owner=owner,
        reply_template=reply_template,
        action=action,
        category=category,
        team=team,
        exclude=None,
    )
    with transaction.atomic():
        macro = Macro(owner=owner, is_active=is_active, created_at=now, updated_at=now, **values)
        macro.full_clean(validate_constraints=False)
        macro.save()
    return macro


def update_macro(
    actor: User,
    *,
    macro: Macro,
    name: str,
    reply_template: ReplyTemplate | None = None,
    action: str = "",
    category: Category | None = None,
    team: Team | None = None,
    is_active: bool = True,
    now: datetime | None = None,
) -> Macro:
    now = now or timezone.now()
    _require_may_edit(actor, macro)
    values = validate_macro(
        name=name,
        owner=macro.owner,
        reply_template=reply_template,
        action=action,
        category=category,
        team=team,
        exclude=macro.pk,
    )
    _save_changes(macro, values, is_active=is_active, now=now)
    return macro


def delete_macro(actor: User, *, macro: Macro) -> None:
    _require_may_edit(actor, macro)
    with transaction.atomic():
        macro.delete()


# --- rendering -----------------------------------------------------------------------


def placeholder_values(*, case: Case, actor: User | None, language: str, now: datetime | None = None) -> dict[str, str]:
    """What each placeholder stands for on this case, written in `language`.

    `{{technician}}` is the person sending the reply (the acting handler), since the reply
    goes out in their name; `{{assignee}}` is the technician the case is assigned to.
    """
    now = now or timezone.now()
    building = case.building
    with translation.override(language):
        today = formats.date_format(timezone.localdate(now), "DATE_FORMAT")
        due = (
            formats.date_format(timezone.localtime(case.resolution_due_at), "DATE_FORMAT")
            if case.resolution_due_at
            else ""
        )
    return {
        "case_number": case.number,
        "case_title": case.title,
        "customer_name": str(case.reporter) if case.reporter_id else "",
        "building": f"{building.name}, {building.address}" if building is not None else "",
        "technician": str(actor) if actor is not None else (str(case.assignee) if case.assignee_id else ""),
        "assignee": str(case.assignee) if case.assignee_id else "",
        "today": today,
        "due_date": due,
    }


def template_language(case: Case, language: str | None = None) -> str:
    """The language a reply on this case is written in: given, else the reporter's, else Danish."""
    if language in LANGUAGES:
        return str(language)
    reporter_language = getattr(case.reporter, "language", "") if case.reporter_id else ""
    return reporter_language if reporter_language in LANGUAGES else "da"


def render_template(
    template: ReplyTemplate,
    *,
    case: Case,
    actor: User | None,
    language: str | None = None,
    now: datetime | None = None,
) -> str:
    """The template's text for this case as plain text, placeholders filled in (one pass)."""
    language = template_language(case, language)
    values = placeholder_values(case=case, actor=actor, language=language, now=now)
    return placeholders.render(template.body_for(language), values)


# --- applying a macro ----------------------------------------------------------------


def _step_label(step: str) -> str:
    labels = {"reply": _("Reply"), "category": _("Category"), "team": _("Team"), "status": _("Status")}
    return labels.get(step, step)


def apply_macro(actor: User, *, case: Case, macro: Macro, now: datetime | None = None) -> Case:
    """Apply the macro's steps to the case: reply, category, team, status — all or nothing.

    Each step goes through the cases app's service (so each writes its own timeline
    event), then one MACRO_APPLIED event lists the steps. The team step keeps the
    assignee only when they belong to the new team. The status step is skipped when
    the case already has the status the action leads to. A refused step raises a
    DomainError naming the step, and nothing is written.
    """
    now = now or timezone.now()
    _require_handler(actor)
    if not may_use(actor, macro):
        raise DomainError(ErrorCode.NOT_FOUND, _("No such macro."))
    if not actor.has_perm("cases.change_case", case):
        raise DomainError(ErrorCode.PERMISSION_DENIED, _("You may not do this to this case."))
    steps: list[dict[str, Any]] = []
    step = "reply"
    try:
        with transaction.atomic():
            template = macro.reply_template
            if template is not None:
                if not template.is_active:
                    raise DomainError(ErrorCode.VALIDATION, _("The reply template is not active."))
                body = render_template(template, case=case, actor=actor, now=now)
                event = case_services.reply_to_case(actor, case=case, body=body, now=now)
                steps.append({"step": "reply", "template": template.name, "event": event.pk})
            step = "category"
            if macro.category is not None:
                if not macro.category.is_active:
                    raise DomainError(ErrorCode.VALIDATION, _("The category is not active."))
                case_services.update_case(actor, case=case, changes={"category": macro.category}, now=now)
                steps.append({"step": "category", "to": macro.category.code})
            step = "team"
            if macro.team is not None:
                team = macro.team
                assignee = case.assignee if case.assignee is not None and case.assignee.team_id == team.pk else None
                case_services.assign_case(actor, case=case, assignee=assignee, team=team, now=now)
                steps.append({"step": "team", "to": team.code, "assignee": assignee.username if assignee else None})
            step = "status"
            if macro.action:
                transition = BY_ACTION.get(macro.action)
                if transition is not None and case.status == transition.target:
                    steps.append({"step": "status", "action": macro.action, "skipped": True})
                else:
                    previous = case.status
                    case_services.transition_case(actor, case=case, action=macro.action, now=now)
                    steps.append({"step": "status", "action": macro.action, "from": previous, "to": case.status})
            case_services.record_event(
                case,
                actor,
                EventKind.MACRO_APPLIED,
                payload={"macro": macro.name, "macro_id": macro.pk, "steps": steps},
                at=now,
            )
    except DomainError as error:
        case.refresh_from_db()
        raise DomainError(
            error.code,
            _("The macro “%(macro)s” stopped at the step “%(step)s”: %(reason)s Nothing was changed.")
            % {"macro": macro.name, "step": _step_label(step), "reason": error.message},
            errors={"macro": [error.message]},
        ) from error
    return case

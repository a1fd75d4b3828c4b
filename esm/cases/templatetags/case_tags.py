"""Template helpers for cases, shared by desk and portal: badges, SLA state, timeline text.

Usage: `{% load case_tags %}`, then `{% status_badge case %}`, `{% priority_badge case %}`,
`{% sla_badge case %}` (or `clock="first_response"` / `"resolution"`), `{% sla_state case as clocks %}`,
`{% event_summary event %}`, `{{ seconds|duration }}`, `{{ category|category_name }}`,
`{{ datetime|local_datetime }}`.
None of them runs a query: they read the fields already on the objects.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import template
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language, gettext, ngettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from esm.cases import sla
from esm.cases.models import (
    Case,
    CaseEvent,
    Category,
    Channel,
    Complexity,
    CustomerType,
    EventKind,
    Priority,
    Status,
    TimeSource,
)

register = template.Library()

SLA_LABELS = {
    "ok": pgettext_lazy("sla", "On track"),
    "soon": pgettext_lazy("sla", "Breach soon"),
    "breached": pgettext_lazy("sla", "Breached"),
    "paused": pgettext_lazy("sla", "Paused"),
    "met": pgettext_lazy("sla", "Met"),
    "missed": pgettext_lazy("sla", "Missed"),
    "none": pgettext_lazy("sla", "No SLA"),
}
# Which state of the two clocks the queue shows: the one that needs attention first.
SLA_SEVERITY = {"breached": 6, "soon": 5, "paused": 4, "ok": 3, "missed": 2, "met": 1, "none": 0}

FIELD_LABELS = {
    "title": _("Title"),
    "location": _("Location"),
    "priority": _("Priority"),
    "category": _("Category"),
    "complexity": _("Complexity"),
    "building": _("Building"),
    "unit": _("Room or floor"),
    "installation": _("Installation"),
}


def _label(choices: Any, value: object) -> str:
    """The translated label of a choice value, or the value itself if unknown."""
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value or "–")


def local_text(value: datetime | None) -> str:
    if value is None:
        return ""
    return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")


@register.filter
def local_datetime(value: datetime | None) -> str:
    """A datetime in Copenhagen time, short format (`d.m.Y H:i` in Danish)."""
    return local_text(value)


@register.simple_tag
def status_badge(value: Case | str) -> SafeString:
    status = value.status if isinstance(value, Case) else str(value)
    return format_html('<span class="badge status-{0}" data-status="{0}">{1}</span>', status, _label(Status, status))


@register.simple_tag
def priority_badge(value: Case | str) -> SafeString:
    priority = value.priority if isinstance(value, Case) else str(value)
    return format_html(
        '<span class="badge prio-{0}" data-priority="{0}">{1}</span>', priority, _label(Priority, priority)
    )


@register.simple_tag(takes_context=True)
def sla_state(context: template.Context, case: Case) -> sla.SlaState:
    """Both clocks' states (`.first_response`, `.resolution`), judged at the request's `now`."""
    return sla.state(case, context.get("now") or timezone.now())


def overall_sla(state: sla.SlaState, *, is_open: bool = True) -> str:
    """The state a list shows: the more urgent clock; an unanswered first response only while open."""
    candidates = [state.resolution]
    if is_open and state.first_response in ("breached", "soon"):
        candidates.append(state.first_response)
    return max(candidates, key=lambda s: SLA_SEVERITY.get(s, 0))


@register.simple_tag(takes_context=True)
def sla_badge(context: template.Context, case: Case, clock: str = "overall") -> SafeString:
    """A badge `sla-<state>`; `clock` is `overall` (the more urgent), `first_response` or `resolution`."""
    state = sla.state(case, context.get("now") or timezone.now())
    if clock == "first_response":
        value, due = state.first_response, case.first_response_due_at
        title = gettext("First response due %(due)s") % {"due": local_text(due)} if due else ""
    elif clock == "resolution":
        value, due = state.resolution, case.resolution_due_at
        title = gettext("Resolution due %(due)s") % {"due": local_text(due)} if due else ""
    else:
        value = overall_sla(state, is_open=case.is_open)
        parts = []
        if case.first_responded_at is None and case.first_response_due_at:
            parts.append(gettext("First response due %(due)s") % {"due": local_text(case.first_response_due_at)})
        if case.resolution_due_at and state.resolution not in ("met", "missed", "none"):
            parts.append(gettext("Resolution due %(due)s") % {"due": local_text(case.resolution_due_at)})
        title = "; ".join(parts)
    return format_html(
        '<span class="badge sla-{0}" data-sla="{0}" title="{1}">{2}</span>', value, title, SLA_LABELS.get(value, value)
    )


@register.filter
def sla_label(value: str) -> str:
    return str(SLA_LABELS.get(value, value))


@register.filter
def duration(seconds: int | float | None) -> str:
    """Seconds as `1 h 05 min`, `12 min` or `45 s`; negative corrections keep their sign."""
    if seconds is None:
        return ""
    total = int(seconds)
    sign = "−" if total < 0 else ""
    total = abs(total)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    hour_unit, minute_unit, second_unit = gettext("h"), gettext("min"), gettext("s")
    if hours:
        return f"{sign}{hours} {hour_unit} {minutes:02d} {minute_unit}"
    if minutes:
        return f"{sign}{minutes} {minute_unit}"
    return f"{sign}{secs} {second_unit}"


@register.filter
def category_name(category: Category | None) -> str:
    """The category's name in the active language."""
    if category is None:
        return ""
    return category.name_in(get_language() or "da")


@register.filter
def choice_label(value: str, kind: str) -> str:
    """`{{ case.channel|choice_label:"channel" }}`: the label of a stored choice value."""
    choices = {
        "status": Status,
        "priority": Priority,
        "complexity": Complexity,
        "channel": Channel,
        "customer_type": CustomerType,
        "time_source": TimeSource,
        "event_kind": EventKind,
    }.get(kind)
    if choices is None or not value:
        return str(value or "")
    return _label(choices, value)


def _field_value(field: str, value: object) -> str:
    if field == "priority":
        return _label(Priority, value)
    if field == "complexity":
        return _label(Complexity, value) if value else gettext("not set")
    return str(value or "–")


@register.simple_tag
def event_summary(event: CaseEvent) -> str:
    """One line saying what happened (the body, if any, is shown separately)."""
    payload = event.payload or {}
    kind = event.kind
    if kind == EventKind.CREATED:
        return gettext("Reported the case via %(channel)s") % {
            "channel": _label(Channel, payload.get("channel", Channel.PORTAL))
        }
    if kind == EventKind.STATUS_CHANGED:
        text = gettext("Status: %(from)s → %(to)s") % {
            "from": _label(Status, payload.get("from")),
            "to": _label(Status, payload.get("to")),
        }
        if payload.get("automatic"):
            text += " " + gettext("(automatic)")
        return text
    if kind == EventKind.FIELD_CHANGED:
        field = str(payload.get("field", ""))
        return gettext("%(field)s: %(from)s → %(to)s") % {
            "field": FIELD_LABELS.get(field, field),
            "from": _field_value(field, payload.get("from")),
            "to": _field_value(field, payload.get("to")),
        }
    if kind == EventKind.ASSIGNED:
        if payload.get("automatic") and payload.get("rule_name"):
            who = payload.get("to_name") or payload.get("to") or payload.get("team") or ""
            return gettext("Assigned to %(name)s by the rule “%(rule)s”") % {"name": who, "rule": payload["rule_name"]}
        if payload.get("to"):
            return gettext("Assigned to %(name)s") % {"name": payload.get("to_name") or payload["to"]}
        if payload.get("team"):
            return gettext("Assigned to team %(team)s") % {"team": payload["team"]}
        return gettext("Unassigned")
    if kind == EventKind.PHONE_NOTE:
        return gettext("Phone call, %(duration)s") % {"duration": duration(payload.get("duration_seconds", 0))}
    if kind == EventKind.ATTACHMENT_ADDED:
        count = len(payload.get("attachments", []))
        return ngettext("Added %(count)d file", "Added %(count)d files", count) % {"count": count}
    if kind in (EventKind.WATCHER_ADDED, EventKind.WATCHER_REMOVED):
        template_text = gettext("Added watcher %(user)s") if kind == EventKind.WATCHER_ADDED else None
        template_text = template_text or gettext("Removed watcher %(user)s")
        return template_text % {"user": payload.get("user", "")}
    if kind == EventKind.TIME_CORRECTED:
        return gettext("Handling time of %(user)s corrected by %(duration)s") % {
            "user": payload.get("user", ""),
            "duration": duration(payload.get("seconds", 0)),
        }
    if kind == EventKind.SLA_RECOMPUTED:
        due = payload.get("resolution_due_at")
        if due:
            try:
                when = local_text(datetime.fromisoformat(str(due)))
            except ValueError:
                when = str(due)
            return gettext("SLA recomputed: resolution due %(due)s") % {"due": when}
        return gettext("SLA recomputed")
    if kind == EventKind.MACRO_APPLIED:
        return gettext("Applied the macro “%(name)s”") % {"name": payload.get("macro", "")}
    if kind == EventKind.ARTICLE_LINKED:
        return gettext("Linked the knowledge article “%(title)s”") % {"title": payload.get("title", "")}
    if kind == EventKind.ARTICLE_UNLINKED:
        return gettext("Removed the link to the knowledge article “%(title)s”") % {"title": payload.get("title", "")}
    email = payload.get("email") if isinstance(payload.get("email"), dict) else None
    if kind in (EventKind.EMAIL_SENT, EventKind.EMAIL_FAILED) and email is not None:
        values = {"to": email.get("to", ""), "subject": email.get("subject", ""), "error": email.get("error", "")}
        if kind == EventKind.EMAIL_SENT:
            return gettext("E-mail sent to %(to)s: %(subject)s") % values
        return gettext("E-mail to %(to)s not delivered: %(error)s") % values
    if kind == EventKind.REPLY and email is not None:
        return gettext("Reply by e-mail from %(sender)s") % {"sender": email.get("from", "")}
    if kind == EventKind.NOTE and email is not None:
        if email.get("bounce"):
            return gettext("Delivery failure reported by the mail server")
        return gettext("E-mail from %(sender)s") % {"sender": email.get("from", "")}
    return _label(EventKind, kind)

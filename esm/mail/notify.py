"""Reads the case timeline as the outbox of e-mail: which event tells whom what, claimed by one worker at a time.

`dispatch_notifications` locks the cursor row, reads the events after it, writes one `OutboundMessage` per
(event, recipient, kind) — unique, so reading an event twice never sends twice — moves the cursor and hands
the new messages to the senders after commit.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Max, Min
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from esm.accounts.models import User
from esm.accounts.queries import substitutes_for
from esm.cases.models import Case, CaseEvent, Channel, EventKind, Status
from esm.mail import outbound
from esm.mail.models import NotificationCursor, OutboundKind, OutboundMessage, OutboundState

logger = logging.getLogger(__name__)

CURSOR_NAME = "mail"
# Automatic answers counted by the loop protection (ASSIGNED goes to our own staff and is not counted).
LOOP_PROTECTED_KINDS = (
    OutboundKind.RECEIPT,
    OutboundKind.STATUS,
    OutboundKind.RESOLVED,
    OutboundKind.REFUSED_ATTACHMENT,
)
# A missing event id may be a transaction that has not committed yet: the cursor waits this long for it.
LATE_COMMIT_GRACE = timedelta(minutes=5)
# Events older than this are history, not news (a first start on an existing database, a restore).
NEWS_MAX_AGE = timedelta(days=2)
MAX_ROUNDS = 20


@dataclass(frozen=True)
class Notice:
    """One message one event should cause: its kind and who gets it."""

    kind: str
    address: str
    user: User | None
    name: str = ""  # how to greet someone who is not (or not surely) a user: the name from their mail
    stands_in_for: str = ""  # the absent colleague whose notice a substitute gets


# --- who is told what ----------------------------------------------------------------------------------------


def _email_info(event: CaseEvent) -> dict[str, Any]:
    """What the inbound side noted about a message that arrived by e-mail (empty for the portal, desk, API)."""
    info = event.payload.get("email") if isinstance(event.payload, dict) else None
    return info if isinstance(info, dict) else {}


def _sender_address(info: dict[str, Any]) -> str:
    return str(info.get("from") or info.get("from_address") or "").strip().lower()


def _customers(case: Case) -> list[User]:
    """The reporter and the case's watchers."""
    people: dict[int, User] = {case.reporter_id: case.reporter}
    for watcher in case.watchers.all():
        people.setdefault(watcher.pk, watcher)
    return list(people.values())


def _to(people: list[User], kind: str, *, excluding: User | None = None) -> list[Notice]:
    return [
        Notice(kind, person.email, person)
        for person in people
        if person.is_active and person.email and (excluding is None or person.pk != excluding.pk)
    ]


def _for_handler(person: User, kind: str, at: datetime, *, excluding: User | None) -> list[Notice]:
    """A notice to a handler, and to whoever stands in for them while they are away."""
    notices = _to([person], kind, excluding=excluding)
    for substitute in substitutes_for(person, at):
        notices += [
            Notice(notice.kind, notice.address, notice.user, stands_in_for=str(person))
            for notice in _to([substitute], kind, excluding=excluding)
        ]
    return notices


def notices_for(event: CaseEvent) -> list[Notice]:
    """The messages an event causes, by the house rules.

    Created → a receipt to the reporter. A public reply from the desk → the reporter and watchers (never the
    writer, never back to the address it came in from). A public status change to one of
    ESM_MAIL_NOTIFY_STATUSES → the same people (resolved: the resolution mail). Assigned → the new assignee,
    unless they took it themselves. A public reply from the customer's side → the assignee. An assignee who is away
    has their notices sent to their substitute too. Refused attachments → their sender. Internal notes and
    everything else: nothing.
    """
    case = event.case
    payload = event.payload if isinstance(event.payload, dict) else {}
    info = _email_info(event)
    notices: list[Notice] = []
    if event.kind == EventKind.CREATED and case.channel != Channel.PLANNED:
        notices += _to([case.reporter], OutboundKind.RECEIPT)
    elif event.kind == EventKind.REPLY and event.is_public and payload.get("from_desk"):
        sender = _sender_address(info)
        notices += [
            notice
            for notice in _to(_customers(case), OutboundKind.REPLY, excluding=event.actor)
            if notice.address.lower() != sender
        ]
    elif event.kind == EventKind.REPLY and event.is_public and case.assignee is not None:
        notices += _for_handler(case.assignee, OutboundKind.CUSTOMER_REPLY, event.created_at, excluding=event.actor)
    elif event.kind == EventKind.STATUS_CHANGED and event.is_public and payload.get("action") != "customer_replied":
        target = payload.get("to")
        if target in settings.ESM_MAIL_NOTIFY_STATUSES:
            kind = OutboundKind.RESOLVED if target == Status.RESOLVED else OutboundKind.STATUS
            notices += _to(_customers(case), kind, excluding=event.actor)
    elif event.kind == EventKind.ASSIGNED and payload.get("to"):
        assignee = User.objects.filter(username=payload["to"]).first()
        if assignee is not None and assignee.pk != event.actor_id:
            notices += _for_handler(assignee, OutboundKind.ASSIGNED, event.created_at, excluding=event.actor)
    refused = payload.get("refused_attachments")
    if refused:
        sender = _sender_address(info) or (event.actor.email if event.actor else "")
        # the actor is the sender unless the helpdesk noted the mail of someone else on the case
        actor = event.actor if event.actor is not None and event.actor.email.lower() == sender else None
        if sender:
            notices.append(Notice(OutboundKind.REFUSED_ATTACHMENT, sender, actor, str(info.get("from_name") or "")))
    return _deliverable(notices)


def _deliverable(notices: list[Notice]) -> list[Notice]:
    """Valid addresses only, never our own, each (kind, address) once."""
    result: list[Notice] = []
    seen: set[tuple[str, str]] = set()
    for notice in notices:
        address = notice.address.strip().lower()
        try:
            validate_email(address)
        except ValidationError:
            continue
        if outbound.is_own_address(address) or (notice.kind, address) in seen:
            continue
        seen.add((notice.kind, address))
        result.append(Notice(notice.kind, address, notice.user, notice.name, notice.stands_in_for))
    return result


# --- what the message says -----------------------------------------------------------------------------------


def _refused_lines(refused: Any) -> str:
    lines = []
    for item in refused if isinstance(refused, list) else []:
        if isinstance(item, dict):
            lines.append(f"- {item.get('filename') or _('(no name)')}: {item.get('reason') or ''}".rstrip(": "))
    return "\n".join(lines)


def _link(case: Case, user: User | None) -> str:
    name = "desk:case" if user is not None and user.is_handler else "portal:case"
    return settings.ESM_SITE_URL + reverse(name, args=[case.number])


def context_for(event: CaseEvent, notice: Notice, language: str) -> dict[str, str]:
    """The placeholders of one message, as plain strings in the recipient's language."""
    case = event.case
    payload = event.payload if isinstance(event.payload, dict) else {}
    with translation.override(language):
        status_value = payload.get("to") if event.kind == EventKind.STATUS_CHANGED else case.status
        status = str(Status(status_value).label) if status_value in Status.values else str(status_value or "")
        if notice.kind == OutboundKind.REFUSED_ATTACHMENT:
            message = _refused_lines(payload.get("refused_attachments"))
        elif notice.kind in (OutboundKind.RECEIPT, OutboundKind.ASSIGNED):
            message = case.description
        else:
            message = event.body
        technician = event.actor if notice.kind == OutboundKind.REPLY and event.actor else case.assignee
        return {
            "case_number": case.number,
            "case_title": case.title,
            "customer_name": str(case.reporter),
            "recipient_name": str(notice.user) if notice.user is not None else notice.name or notice.address,
            "building": str(case.building) if case.building_id else "",
            "status": status,
            "message": message,
            "link": _link(case, notice.user),
            "technician": str(technician) if technician else "",
            "helpdesk": settings.ESM_MAIL_FROM_NAME,
            "stands_in_for": notice.stands_in_for,
        }


# --- loop protection -----------------------------------------------------------------------------------------


def _suppression_reason(event: CaseEvent, notice: Notice, now: datetime) -> str:
    """Why an automatic answer must not go out, or "" when it may."""
    if notice.kind not in LOOP_PROTECTED_KINDS:
        return ""
    asked_not_to = CaseEvent.objects.filter(case_id=event.case_id, payload__email__auto_response_suppress=True)
    if any(_sender_address(_email_info(earlier)) == notice.address for earlier in asked_not_to[:50]):
        return _("The sender asked for no automatic answers (auto-response suppressed).")
    limit = settings.ESM_MAIL_AUTO_ANSWERS_PER_HOUR
    recent = (
        OutboundMessage.objects.filter(
            recipient=notice.address, kind__in=LOOP_PROTECTED_KINDS, created_at__gte=now - timedelta(hours=1)
        )
        .exclude(state=OutboundState.SUPPRESSED)
        .count()
    )
    if recent >= limit:
        return _("Loop protection: already %(count)d automatic e-mails to %(address)s within the hour.") % {
            "count": recent,
            "address": notice.address,
        }
    return ""


# --- the dispatcher ------------------------------------------------------------------------------------------


def _language(notice: Notice) -> str:
    language = notice.user.language if notice.user is not None else settings.LANGUAGE_CODE
    return language if language in outbound.LANGUAGES else outbound.LANGUAGES[0]


def _messages_for(event: CaseEvent, now: datetime) -> list[int]:
    """Write the messages of one event; ids of those to send."""
    if now - event.created_at > NEWS_MAX_AGE:
        return []
    to_send = []
    for notice in notices_for(event):
        if OutboundMessage.objects.filter(event=event, recipient=notice.address, kind=notice.kind).exists():
            continue  # already written by an earlier run (the cursor waited for a late commit)
        language = _language(notice)
        reason = _suppression_reason(event, notice, now)
        message = outbound.compose_message(
            case=event.case,
            event=event,
            kind=notice.kind,
            recipient=notice.address,
            recipient_user=notice.user,
            language=language,
            context=context_for(event, notice, language),
            now=now,
            suppressed_reason=reason,
        )
        if message.state == OutboundState.QUEUED and message.attempts == 0:
            to_send.append(message.pk)
    return to_send


def _locked_cursor(now: datetime) -> NotificationCursor:
    """The cursor row, locked; on the very first run it starts after the events that are already history."""
    if not NotificationCursor.objects.filter(name=CURSOR_NAME).exists():
        history = CaseEvent.objects.filter(created_at__lt=now - NEWS_MAX_AGE).aggregate(last=Max("pk"))["last"]
        first = CaseEvent.objects.aggregate(first=Min("pk"))["first"]
        start = history or (first - 1 if first else 0)
        try:
            with transaction.atomic():
                NotificationCursor.objects.create(name=CURSOR_NAME, last_event_id=start, updated_at=now)
        except IntegrityError:
            pass  # another dispatcher created it at the same moment
    return NotificationCursor.objects.select_for_update().get(name=CURSOR_NAME)


def _advance(last_id: int, events: list[CaseEvent], now: datetime) -> int:
    """The new cursor: up to the first missing id that might still commit (ids are taken before commit)."""
    for event in events:
        if event.pk != last_id + 1 and now - event.created_at < LATE_COMMIT_GRACE:
            break
        last_id = event.pk
    return last_id


def _dispatch_batch(batch: int, now: datetime) -> tuple[bool, list[int]]:
    """One transaction: read up to `batch` events after the cursor; True if there may be more to read."""
    with transaction.atomic():
        cursor = _locked_cursor(now)
        events = list(
            CaseEvent.objects.filter(pk__gt=cursor.last_event_id)
            .select_related("case", "case__reporter", "case__building", "case__assignee", "actor")
            .order_by("pk")[:batch]
        )
        to_send: list[int] = []
        for event in events:
            to_send += _messages_for(event, now)
        start = cursor.last_event_id
        if events:
            cursor.last_event_id = _advance(start, events, now)
            cursor.updated_at = now
            cursor.save(update_fields=["last_event_id", "updated_at"])
        if to_send:
            transaction.on_commit(lambda: outbound.schedule_sending(to_send), robust=True)
    return len(events) == batch and cursor.last_event_id > start, to_send


def dispatch_notifications(*, batch: int = 500, now: datetime | None = None) -> int:
    """Turn new timeline events into messages and schedule them; returns how many were written to send.

    Cheap when nothing happened (one indexed query); several dispatchers at once take turns on the cursor.
    """
    last_id = NotificationCursor.objects.filter(name=CURSOR_NAME).values_list("last_event_id", flat=True).first()
    if last_id is not None and not CaseEvent.objects.filter(pk__gt=last_id).exists():
        return 0
    written = 0
    for _round in range(MAX_ROUNDS):
        more, to_send = _dispatch_batch(batch, now or timezone.now())
        written += len(to_send)
        if not more:
            break
    return written

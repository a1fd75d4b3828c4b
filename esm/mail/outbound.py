"""Composes and sends the e-mails a case sends: texts by kind and language, threading headers, SMTP with retries.

A message is a row (`OutboundMessage`) before it is a task: `compose_message` writes it, `send_outbound` makes one
attempt through Django's e-mail backend and records the outcome, and `send_due_messages` (every minute) picks up
retries and anything a lost task left behind. Sent and finally failed messages are events on the case's timeline.
"""

from __future__ import annotations

import logging
import re
import smtplib
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import formataddr, parseaddr
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F, Q
from django.template import Context, Engine
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _

from esm.accounts.models import Role, User
from esm.cases.models import Case, CaseEvent, EventKind
from esm.cases.services import record_event
from esm.core.errors import DomainError, ErrorCode
from esm.mail.models import InboundMessage, InboundState, MailTemplate, OutboundKind, OutboundMessage, OutboundState
from esm.mail.threading import make_reply_address

logger = logging.getLogger(__name__)

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates" / "mail"
LANGUAGES = ("da", "en")
PLACEHOLDERS = (
    "case_number",
    "case_title",
    "customer_name",
    "recipient_name",
    "building",
    "status",
    "message",
    "link",
    "technician",
    "helpdesk",
    "stands_in_for",
)
# Notices the system writes by itself: marked Auto-Submitted so that auto-responders stay quiet.
AUTOMATIC_KINDS = frozenset(
    {
        OutboundKind.RECEIPT,
        OutboundKind.STATUS,
        OutboundKind.RESOLVED,
        OutboundKind.ASSIGNED,
        OutboundKind.CUSTOMER_REPLY,
        OutboundKind.REFUSED_ATTACHMENT,
    }
)
SENDABLE_STATES = (OutboundState.QUEUED, OutboundState.RETRYING)
SUBJECT_MAX = 300
REFERENCES_KEPT = 10
# A claimed message is someone's for this long; a worker that died mid-send leaves it to the sweeper after that.
SEND_LEASE = timedelta(minutes=10)
# A queued message whose task got lost is picked up by the sweeper after this.
QUEUED_SAFETY_NET = timedelta(minutes=5)
MAX_RETRY_DELAY = timedelta(hours=1)

# Text templates written by administrators: no loaders (no {% include %} of files), only the built-in tags.
_ENGINE = Engine(dirs=[], app_dirs=False, loaders=[], libraries={}, debug=False, string_if_invalid="")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_SPACES = re.compile(r"\s+")
_BLANK_LINES = re.compile(r"\n[ \t]*\n(?:[ \t]*\n)+")


# --- texts ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def clean_header(value: object, max_length: int = SUBJECT_MAX) -> str:
    """A header value that cannot start another header: no CR, LF or other control characters, one line."""
    text = _CONTROL.sub(" ", str(value or ""))
    return _SPACES.sub(" ", text).strip()[:max_length].strip()


def _builtin(kind: str, language: str) -> tuple[str, str, str]:
    def read(suffix: str) -> str:
        return (TEMPLATE_DIR / f"{kind}.{language}.{suffix}").read_text(encoding="utf-8")

    return read("subject.txt"), read("txt"), read("html")


def _render_string(source: str, context: dict[str, str], *, html: bool) -> str:
    return _ENGINE.from_string(source).render(Context(context, autoescape=html))


def _render_parts(subject: str, text: str, html: str, context: dict[str, str]) -> Rendered:
    """Render the three parts; without an HTML template the HTML part is the text, escaped, with live links."""
    rendered_text = _BLANK_LINES.sub("\n\n", _render_string(text, context, html=False)).strip() + "\n"
    if html.strip():
        rendered_html = _render_string(html, context, html=True).strip()
    else:
        rendered_html = _render_string("{{ text|urlize|linebreaks }}", {"text": rendered_text}, html=True)
    return Rendered(clean_header(_render_string(subject, context, html=False)), rendered_text, rendered_html)


def template_errors(*, subject: str, text: str, html: str) -> list[str]:
    """What is wrong with an administrator's template (for the admin form), tried with sample values."""
    sample = {name: f"{name}" for name in PLACEHOLDERS}
    errors = []
    for label, source, is_html in (("subject", subject, False), ("text", text, False), ("html", html, True)):
        try:
            _render_string(source, sample, html=is_html)
        except Exception as error:
            errors.append(f"{label}: {error}")
    return errors


def render(kind: str, language: str, context: dict[str, str]) -> Rendered:
    """Subject, plain text and HTML of one notice in one language.

    An administrator's `MailTemplate` wins over the built-in file; the context holds plain strings only
    (`PLACEHOLDERS`), escaped in the HTML part and not in the text. A template that does not render falls
    back to the built-in default and is logged, so a bad edit never stops mail.
    """
    language = language if language in LANGUAGES else LANGUAGES[0]
    values = {name: str(context.get(name, "") or "") for name in PLACEHOLDERS}
    custom = MailTemplate.objects.filter(kind=kind, language=language).first()
    if custom is not None:
        try:
            return _render_parts(custom.subject, custom.text, custom.html, values)
        except Exception:
            logger.exception("E-mail template %s (%s) does not render; using the built-in text", kind, language)
    return _render_parts(*_builtin(kind, language), values)


def html_document(fragment: str, *, subject: str, language: str) -> str:
    """The rendered HTML fragment inside a minimal, self-contained page (no external resources)."""
    return (
        f'<!DOCTYPE html>\n<html lang="{escape(language)}">\n<head>\n<meta charset="utf-8">\n'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n<title>{escape(subject)}</title>\n'
        "</head>\n"
        '<body style="font-family: Arial, Helvetica, sans-serif; font-size: 15px; line-height: 1.5; color: #1a1a1a;">\n'
        f"{fragment}\n</body>\n</html>\n"
    )


# --- addresses and threading ---------------------------------------------------------------------------------


def helpdesk_address() -> str:
    return str(settings.ESM_MAIL_HELPDESK_ADDRESS).strip().lower()


def is_own_address(address: str) -> bool:
    """The helpdesk's own address, also with a plus part (helpdesk+S-2026-000123@…): never a recipient."""
    own_local, _at, own_domain = helpdesk_address().partition("@")
    local, _at, domain = address.strip().lower().partition("@")
    return domain == own_domain and local.split("+", 1)[0] == own_local


def new_message_id(case: Case) -> str:
    """Our Message-ID for one message (stored without angle brackets, like the parser's ids)."""
    domain = helpdesk_address().partition("@")[2] or "localhost"
    number = re.sub(r"[^A-Za-z0-9-]", "", case.number)
    return f"esm.{number}.{uuid.uuid4().hex[:16]}@{domain}"  # short enough that the header is never folded


def bracketed(message_id: str) -> str:
    text = clean_header(message_id, 255).strip("<>").replace(" ", "")
    return f"<{text}>" if text else ""


def thread_headers(case: Case, address: str) -> tuple[str, str]:
    """In-Reply-To and References for the next message to `address` on this case (ids without brackets).

    In-Reply-To is their latest mail on the case, else our latest message to them; References is the
    case's first message, then up to ten of the latest in the conversation with them, ending with the parent.
    """
    address = address.lower()
    threaded = (InboundState.CREATED, InboundState.THREADED, InboundState.RELEASED)
    inbound = InboundMessage.objects.filter(case=case, state__in=threaded).exclude(message_id="")
    outbound = OutboundMessage.objects.filter(case=case).exclude(state=OutboundState.SUPPRESSED)
    theirs = list(
        inbound.filter(from_address__iexact=address)
        .order_by("-received_at", "-pk")
        .values_list("received_at", "message_id")[:REFERENCES_KEPT]
    )
    ours = list(
        outbound.filter(recipient=address)
        .order_by("-created_at", "-pk")
        .values_list("created_at", "message_id")[:REFERENCES_KEPT]
    )
    parent = theirs[0][1] if theirs else ours[0][1] if ours else ""
    if not parent:
        return "", ""
    root = inbound.order_by("received_at", "pk").values_list("message_id", flat=True).first()
    root = root or outbound.order_by("created_at", "pk").values_list("message_id", flat=True).first()
    recent = [mid for _at, mid in sorted(theirs + ours, key=lambda pair: pair[0])][-REFERENCES_KEPT:]
    chain: list[str] = []
    for mid in [root or "", *recent]:
        if mid and mid != parent and mid not in chain:
            chain.append(mid)
    return parent, " ".join([*chain, parent])


def reply_to_address(case: Case) -> str:
    """Where replies go: the helpdesk, or its per-case plus address when the mail server supports them."""
    address = make_reply_address(case)  # the helpdesk's own address unless ESM_MAIL_REPLY_PLUS_ADDRESSING
    return formataddr((clean_header(settings.ESM_MAIL_FROM_NAME, 100), clean_header(address, 254)))


# --- composing -----------------------------------------------------------------------------------------------


def compose_message(
    *,
    case: Case,
    event: CaseEvent | None,
    kind: str,
    recipient: str,
    recipient_user: User | None,
    language: str,
    context: dict[str, str],
    now: datetime,
    suppressed_reason: str = "",
) -> OutboundMessage:
    """Write one message to send (or, with a reason, one that is not sent); threading headers fixed now.

    The row is unique per (event, recipient, kind): a second call for the same returns the first row.
    Call inside the dispatcher's transaction; a suppressed message is noted on the case's timeline.
    """
    recipient = recipient.strip().lower()
    existing = OutboundMessage.objects.filter(event=event, recipient=recipient, kind=kind).first()
    if existing is not None:
        return existing
    rendered = render(kind, language, context)
    in_reply_to, references = thread_headers(case, recipient)
    message, created = OutboundMessage.objects.get_or_create(
        event=event,
        recipient=recipient,
        kind=kind,
        defaults={
            "case": case,
            "recipient_user": recipient_user,
            "language": language,
            "subject": clean_header(f"[{case.number}] {rendered.subject}", 500),
            "text": rendered.text,
            "html": rendered.html,
            "message_id": new_message_id(case),
            "in_reply_to": in_reply_to,
            "references": references,
            "state": OutboundState.SUPPRESSED if suppressed_reason else OutboundState.QUEUED,
            "last_error": suppressed_reason,
            "next_attempt_at": None if suppressed_reason else now + QUEUED_SAFETY_NET,
            "created_at": now,
        },
    )
    if created and suppressed_reason:
        _record_delivery(message, EventKind.EMAIL_FAILED, error=suppressed_reason, at=now)
    return message


# --- sending -------------------------------------------------------------------------------------------------


def _from_address(message: OutboundMessage) -> str:
    """Automatic notices come from the helpdesk; a person's reply shows their name beside it."""
    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    name = clean_header(name or settings.ESM_MAIL_FROM_NAME, 100)
    actor = message.event.actor if message.event_id and message.event else None
    if message.kind == OutboundKind.REPLY and actor is not None:
        name = clean_header(f"{actor} ({name})", 150)
    return formataddr((name, clean_header(address or helpdesk_address(), 254)))


def build_email(message: OutboundMessage) -> EmailMultiAlternatives:
    """The message as Django sends it: plain text with an HTML alternative and every header explicit."""
    automatic = message.kind in AUTOMATIC_KINDS
    headers = {
        "Message-ID": bracketed(message.message_id),
        # Outlook: no out-of-office or other automatic answers to a notice; to a person's reply, none but reports.
        "X-Auto-Response-Suppress": "All" if automatic else "OOF, AutoReply",
    }
    if automatic:
        headers["Auto-Submitted"] = "auto-generated"
    if message.in_reply_to:
        headers["In-Reply-To"] = bracketed(message.in_reply_to)
    references = " ".join(filter(None, (bracketed(mid) for mid in message.references.split())))
    if references:
        headers["References"] = references
    subject = clean_header(message.subject, 500)
    email = EmailMultiAlternatives(
        subject=subject,
        body=message.text,
        from_email=_from_address(message),
        to=[clean_header(message.recipient, 254)],
        reply_to=[reply_to_address(message.case)],
        headers=headers,
    )
    if message.html:
        email.attach_alternative(html_document(message.html, subject=subject, language=message.language), "text/html")
    return email


def _is_permanent(error: Exception) -> bool:
    """The server said no for good (5xx): trying again would not help."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _text in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code >= 500 and not isinstance(error, smtplib.SMTPServerDisconnected)
    return False


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff after the n-th failed attempt: base, 2×base, 4×base … at most an hour."""
    delay = timedelta(seconds=settings.ESM_MAIL_RETRY_SECONDS * 2 ** max(attempts - 1, 0))
    return min(delay, MAX_RETRY_DELAY)


def _record_delivery(message: OutboundMessage, kind: EventKind, *, error: str = "", at: datetime) -> None:
    payload: dict[str, Any] = {
        "email": {
            "outbound_id": message.pk,
            "kind": message.kind,
            "state": message.state,
            "to": message.recipient,
            "subject": message.subject,
            "outbound_message_id": message.message_id,
            "attempts": message.attempts,
        }
    }
    if error:
        payload["email"]["error"] = error[:500]
    # The desk shows recipient, subject and error from the payload; the text itself stays on the OutboundMessage.
    record_event(message.case, None, kind, is_public=False, payload=payload, at=at)


def send_outbound(outbound_id: int, *, now: datetime | None = None) -> str:
    """One attempt to send one message; returns its state afterwards.

    The attempt is claimed by compare-and-set on `attempts` (so two workers never send the same attempt) and
    the SMTP conversation runs outside any transaction. A failure is retried with exponential backoff, up to
    ESM_MAIL_MAX_ATTEMPTS attempts; then (or at once if the server refuses for good) the message is FAILED
    and the failure is shown on the case.
    """
    now = now or timezone.now()
    message = OutboundMessage.objects.select_related("case", "event__actor").filter(pk=outbound_id).first()
    if message is None:
        return ""
    if message.state not in SENDABLE_STATES:
        return message.state
    if message.attempts and message.next_attempt_at and message.next_attempt_at > now:
        return message.state  # not due yet, or another worker is sending it right now
    claimed = OutboundMessage.objects.filter(pk=message.pk, state=message.state, attempts=message.attempts).update(
        attempts=F("attempts") + 1, next_attempt_at=now + SEND_LEASE
    )
    if not claimed:
        return OutboundMessage.objects.filter(pk=message.pk).values_list("state", flat=True).first() or ""
    message.attempts += 1
    mine = OutboundMessage.objects.filter(pk=message.pk, attempts=message.attempts, state__in=SENDABLE_STATES)
    try:
        build_email(message).send()
    except Exception as error:  # any failure of the backend is a failed attempt, never a crash of the worker
        text = f"{type(error).__name__}: {error}"[:2000]
        finished = message.attempts >= settings.ESM_MAIL_MAX_ATTEMPTS or _is_permanent(error)
        logger.warning("E-mail %s to %s, attempt %d failed: %s", message.pk, message.recipient, message.attempts, text)
        if not finished:
            message.state = OutboundState.RETRYING
            mine.update(state=message.state, last_error=text, next_attempt_at=now + retry_delay(message.attempts))
            return message.state
        with transaction.atomic():
            message.state = OutboundState.FAILED
            if mine.update(state=message.state, last_error=text, next_attempt_at=None):
                _record_delivery(message, EventKind.EMAIL_FAILED, error=text, at=now)
        return message.state
    with transaction.atomic():
        message.state = OutboundState.SENT
        if mine.update(state=message.state, last_error="", next_attempt_at=None, sent_at=now):
            _record_delivery(message, EventKind.EMAIL_SENT, at=now)
    return message.state


def due_message_ids(*, now: datetime | None = None, limit: int = 200) -> list[int]:
    """Messages waiting for a retry whose time has come, and queued ones whose task got lost."""
    now = now or timezone.now()
    due = Q(state__in=SENDABLE_STATES, next_attempt_at__lte=now)
    return list(
        OutboundMessage.objects.filter(due).order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:limit]
    )


def schedule_sending(outbound_ids: list[int]) -> None:
    """Hand messages to the workers, one task each (called after the rows are committed)."""
    from esm.mail.tasks import send_mail

    for outbound_id in outbound_ids:
        send_mail.delay(outbound_id)


def send_due_messages(*, now: datetime | None = None, limit: int = 200) -> int:
    """Schedule every due message (beat, every minute), so neither a failure nor a lost task loses mail."""
    ids = due_message_ids(now=now, limit=limit)
    schedule_sending(ids)
    return len(ids)


def resend_message(actor: User, *, outbound_id: int, now: datetime | None = None) -> OutboundMessage:
    """An administrator sends a failed or bounced message again (e.g. after the address was corrected)."""
    now = now or timezone.now()
    if not (actor.is_active and (actor.role == Role.ADMINISTRATOR or actor.is_superuser)):
        raise DomainError(ErrorCode.PERMISSION_DENIED, _("Only administrators can send an e-mail again."))
    with transaction.atomic():
        changed = OutboundMessage.objects.filter(
            pk=outbound_id, state__in=(OutboundState.FAILED, OutboundState.BOUNCED)
        ).update(state=OutboundState.QUEUED, attempts=0, last_error="", next_attempt_at=now + QUEUED_SAFETY_NET)
        if not changed:
            raise DomainError(ErrorCode.CONFLICT, _("Only failed or bounced e-mails can be sent again."))
        transaction.on_commit(lambda: schedule_sending([outbound_id]), robust=True)
    return OutboundMessage.objects.get(pk=outbound_id)

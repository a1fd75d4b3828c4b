"""Ingests received e-mail: stores the original bytes first, then opens or continues a case in a second transaction.

Two transactions per message. The first stores the raw bytes under the Message-ID (or ``sha256:<hex>``) and
commits, so nothing received is lost. The second parses the message, opens or continues a case and writes the
message's outcome together with the case's timeline event. A message stored but not yet processed (the worker
died in between) is processed on the next ingest of the same bytes and by `process_pending`. Whatever cannot be
processed is held in quarantine with a reason, for a person to release or dismiss.
"""

from __future__ import annotations

import email.message
import email.parser
import email.policy
import hashlib
import io
import logging
import os
import re
import traceback
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from esm.accounts.models import Role, User
from esm.cases.models import Case, CaseEvent, Channel, EventKind, Status
from esm.cases.services import (
    BODY_MAX,
    DESCRIPTION_MAX,
    MAX_FILES,
    TITLE_MAX,
    add_internal_note,
    open_case,
    reply_to_case,
)
from esm.cases.uploads import clean_filename, prepare_upload
from esm.core.errors import DomainError, ErrorCode
from esm.mail import queries
from esm.mail.models import InboundMessage, InboundState, OutboundMessage, OutboundState
from esm.mail.parsing import (
    MessageKind,
    ParsedMessage,
    UnparseableMessage,
    normalise_message_id,
    parse_message,
    split_quoted,
    strip_reply_prefixes,
)
from esm.mail.senders import known_user, resolve_sender, system_user
from esm.mail.threading import conversation_of, find_case, record_supplier_references

logger = logging.getLogger(__name__)

CREATED = "created"
THREADED = "threaded"
IGNORED = "ignored"
QUARANTINED = "quarantined"
DUPLICATE = "duplicate"

_OUTCOME_OF_STATE = {
    InboundState.CREATED: CREATED,
    InboundState.THREADED: THREADED,
    InboundState.IGNORED: IGNORED,
    InboundState.QUARANTINED: QUARANTINED,
}
_HEADER_LIMIT = 256 * 1024
_HEADER_END = re.compile(rb"\r?\n\r?\n")
REASON_MAX = 2000
PENDING_GRACE_SECONDS = 60
POLL_LOCK_SECONDS = 30 * 60
CRASH_HOOK = "ESM_MAIL_TEST_CRASH_AFTER_STORE"


@dataclass(frozen=True)
class IngestResult:
    """What became of one received message."""

    outcome: str  # created | threaded | ignored | quarantined | duplicate
    case_number: str | None
    inbound_id: int | None
    reason: str = ""


# --- storing ---------------------------------------------------------------------------------------------------


def _head(raw: bytes) -> email.message.Message | None:
    """The header block of raw bytes, parsed; None where the parser chokes on it."""
    head = raw[:_HEADER_LIMIT].lstrip(b"\r\n")
    if head.startswith(b"From ") and b"\n" in head:  # an mbox envelope line
        head = head.split(b"\n", 1)[1]
    end = _HEADER_END.search(head)
    try:
        return email.parser.BytesHeaderParser(policy=email.policy.compat32).parsebytes(
            head[: end.start()] if end else head
        )
    except Exception:
        return None


def _header(head: email.message.Message | None, name: str) -> str:
    try:
        return str(head.get(name, "") or "") if head is not None else ""
    except Exception:
        return ""


def message_key(raw: bytes, head: email.message.Message | None = None) -> tuple[str, str]:
    """(key, Message-ID) of raw bytes: the key is the Message-ID, or ``sha256:<hex>`` where there is none.

    `head` is the parsed header block where the caller has it already.
    """
    try:
        message_id = normalise_message_id(_header(_head(raw) if head is None else head, "Message-ID"))
    except Exception:  # a header block the parser chokes on: the digest identifies the message
        message_id = ""
    if message_id and len(message_id) <= 255:
        return message_id, message_id
    return "sha256:" + hashlib.sha256(raw).hexdigest(), message_id[:255]


def store_raw(
    raw: bytes, *, source: str, source_ref: str = "", now: datetime | None = None
) -> tuple[InboundMessage, bool]:
    """Store a received message as it is, in its own committed transaction; (row, True if new)."""
    raw = bytes(raw)
    head = _head(raw)
    key, message_id = message_key(raw, head)
    with transaction.atomic():
        row, created = (
            InboundMessage.objects.defer("raw")
            .select_related("case")
            .get_or_create(
                key=key,
                defaults={
                    "raw": raw,
                    "size": len(raw),
                    "sha256": hashlib.sha256(raw).hexdigest(),
                    "source": source[:100],
                    "source_ref": source_ref[:255],
                    "received_at": now or timezone.now(),
                    "message_id": message_id,
                    "conversation": conversation_of(_header(head, "Thread-Index")),
                },
            )
        )
    return row, created


def ingest_raw(raw: bytes, *, source: str, source_ref: str = "", now: datetime | None = None) -> IngestResult:
    """Store and process one received message; ingesting the same message again answers "duplicate"."""
    row, created = store_raw(raw, source=source, source_ref=source_ref, now=now)
    if os.environ.get(CRASH_HOOK) == "1":
        os._exit(1)  # tests: a worker dying right after the message was stored
    if not created and row.state != InboundState.RECEIVED:
        return IngestResult(DUPLICATE, row.case.number if row.case else None, row.pk)
    return process_inbound(row.pk, raw=raw, now=now)


# --- processing ------------------------------------------------------------------------------------------------


@dataclass
class _Outcome:
    state: InboundState
    reason: str = ""
    case: Case | None = None
    event: CaseEvent | None = None
    extra: dict[str, Any] = field(default_factory=dict)


class MailFile(io.BytesIO):
    """An attachment handed to the case services as an upload."""

    def __init__(self, data: bytes, name: str) -> None:
        super().__init__(data)
        self.name = name


#: The attachments a case can take, and the refused ones with their reason.
Files = tuple[list[MailFile], list[dict[str, str]]]


def _last_line(error: BaseException) -> str:
    lines = traceback.format_exception_only(type(error), error)
    return (lines[-1].strip() if lines else repr(error))[:REASON_MAX]


def process_inbound(
    inbound_id: int,
    *,
    policy: str | None = None,
    released_by: User | None = None,
    raw: bytes | None = None,
    now: datetime | None = None,
) -> IngestResult:
    """Parse a stored message and open or continue its case; the outcome is written in the case's transaction.

    Only a message still waiting (or, with `released_by`, one in quarantine) is processed; any other answers
    "duplicate". Whatever goes wrong ends in quarantine with the reason, never in an exception. `raw` saves
    reading back the bytes just stored.
    """
    waiting = (InboundState.QUARANTINED,) if released_by is not None else (InboundState.RECEIVED,)
    rows = InboundMessage.objects.all() if raw is None else InboundMessage.objects.defer("raw")
    row = rows.filter(pk=inbound_id).first()
    if row is None:
        raise DomainError(ErrorCode.NOT_FOUND, _("No such message."))
    if row.state not in waiting:
        return _result_of(row, duplicate=True)
    raw = bytes(row.raw) if raw is None else raw
    if row.size > settings.ESM_MAIL_MAX_BYTES:
        reason = _("The message is larger than %(limit)d MB.") % {"limit": settings.ESM_MAIL_MAX_BYTES // 1024 // 1024}
        return _quarantine(inbound_id, reason, None, waiting)
    try:
        parsed = parse_message(raw)
    except UnparseableMessage as error:
        return _quarantine(inbound_id, _("Not an e-mail: %(error)s") % {"error": error}, None, waiting)
    except Exception as error:
        logger.exception("Could not parse received message %s", inbound_id)
        return _quarantine(inbound_id, _last_line(error), None, waiting)
    del row, raw  # the bytes are not needed any more
    try:
        # Files are checked before the transaction (images are decoded in full), so it stays short.
        files = _split_attachments(parsed) if parsed.kind is MessageKind.NORMAL else ([], [])
        with transaction.atomic():
            locked = InboundMessage.objects.select_for_update().defer("raw").get(pk=inbound_id)
            if locked.state not in waiting:
                return _result_of(locked, duplicate=True)
            outcome = _process(locked, parsed, files, policy=policy, now=now or timezone.now())
            if released_by is not None and outcome.state in (InboundState.CREATED, InboundState.THREADED):
                outcome.extra["released_as"] = str(outcome.state)
                outcome.state = InboundState.RELEASED
                locked.handled_by = released_by
            _write_outcome(locked, parsed, outcome, now=now)
    except Exception as error:
        logger.exception("Could not process received message %s", inbound_id)
        return _quarantine(inbound_id, _last_line(error), parsed, waiting)
    result_outcome = outcome.extra.get("released_as", _OUTCOME_OF_STATE.get(outcome.state, str(outcome.state)))
    return IngestResult(result_outcome, outcome.case.number if outcome.case else None, inbound_id, outcome.reason)


def _result_of(row: InboundMessage, *, duplicate: bool) -> IngestResult:
    number = Case.objects.filter(pk=row.case_id).values_list("number", flat=True).first() if row.case_id else None
    outcome = DUPLICATE if duplicate else _OUTCOME_OF_STATE.get(InboundState(row.state), str(row.state))
    return IngestResult(outcome, number, row.pk, row.reason)


def _header_fields(parsed: ParsedMessage | None) -> dict[str, Any]:
    if parsed is None:
        return {}
    values: dict[str, Any] = {
        "kind": str(parsed.kind),
        "from_address": parsed.from_address[:254],
        "subject": parsed.subject[:500],
    }
    if parsed.message_id and len(parsed.message_id) <= 255:
        values["message_id"] = parsed.message_id
    return values


def _write_outcome(row: InboundMessage, parsed: ParsedMessage, outcome: _Outcome, *, now: datetime | None) -> None:
    for name, value in _header_fields(parsed).items():
        setattr(row, name, value)
    row.state = outcome.state
    row.reason = outcome.reason[:REASON_MAX]
    row.case = outcome.case
    row.event = outcome.event
    row.processed_at = now or timezone.now()
    row.save(
        update_fields=[
            "state",
            "reason",
            "case",
            "event",
            "processed_at",
            "handled_by",
            *_header_fields(parsed),
        ]
    )


def _quarantine(
    inbound_id: int, reason: str, parsed: ParsedMessage | None, waiting: Iterable[InboundState]
) -> IngestResult:
    """Hold the message for a person, if it is still waiting (compare-and-set)."""
    with transaction.atomic():
        changed = InboundMessage.objects.filter(pk=inbound_id, state__in=list(waiting)).update(
            state=InboundState.QUARANTINED,
            reason=reason[:REASON_MAX],
            processed_at=timezone.now(),
            **_header_fields(parsed),
        )
    if not changed:
        return _result_of(InboundMessage.objects.defer("raw").get(pk=inbound_id), duplicate=True)
    logger.warning("Received message %s held in quarantine: %s", inbound_id, reason)
    return IngestResult(QUARANTINED, None, inbound_id, reason)


def _is_own_address(address: str) -> bool:
    helpdesk: str = settings.ESM_MAIL_HELPDESK_ADDRESS
    local, _at, domain = helpdesk.lower().rpartition("@")
    their_local, _at, their_domain = address.lower().rpartition("@")
    return their_domain == domain and (their_local == local or their_local.startswith(local + "+"))


def _process(
    row: InboundMessage, parsed: ParsedMessage, files: Files, *, policy: str | None, now: datetime
) -> _Outcome:
    if parsed.kind is MessageKind.BOUNCE:
        return _bounce(row, parsed, now=now)
    if parsed.kind is not MessageKind.NORMAL:
        return _Outcome(
            InboundState.IGNORED,
            _("Automatic mail (%(kind)s): %(reason)s") % {"kind": parsed.kind, "reason": parsed.kind_reason},
        )
    if not parsed.from_address:
        return _Outcome(InboundState.QUARANTINED, _("The message has no readable sender address."))
    if _is_own_address(parsed.from_address):
        return _Outcome(InboundState.IGNORED, _("Mail from the helpdesk's own address."))
    match = find_case(parsed, inbound_id=row.pk, conversation=row.conversation)
    if match is not None and (match.case.is_open or match.case.status == Status.RESOLVED):
        return _thread(row, parsed, files, match.case, matched_by=match.by, now=now)
    follow_up_to = match.case if match is not None else None
    sender = resolve_sender(parsed.from_address, parsed.from_name, policy=policy)
    if sender.user is None:
        return _Outcome(InboundState.QUARANTINED, sender.held_reason)
    return _open(row, parsed, files, sender.user, follow_up_to=follow_up_to, now=now)


def _split_attachments(parsed: ParsedMessage) -> tuple[list[MailFile], list[dict[str, str]]]:
    """The attachments the case can take, and the refused ones with the reason (told to the sender later)."""
    accepted: list[MailFile] = []
    refused: list[dict[str, str]] = []
    for attachment in parsed.attachments:
        name = clean_filename(attachment.filename)
        if len(accepted) >= MAX_FILES:
            refused.append(
                {"filename": name, "reason": _("Too many attachments (at most %(max)d).") % {"max": MAX_FILES}}
            )
            continue
        try:
            prepare_upload(
                attachment.data, attachment.filename, max_bytes=settings.ESM_ATTACHMENT_MAX_BYTES, strip_location=False
            )
        except DomainError as error:
            refused.append({"filename": name, "reason": error.message})
            continue
        accepted.append(MailFile(attachment.data, attachment.filename))
    return accepted, refused


def _text_parts(parsed: ParsedMessage) -> tuple[str, str]:
    """(new words, folded rest) of the message's text."""
    text = parsed.text.replace("\x00", "").strip()
    if not text:
        return _("(The e-mail has no text.)"), ""
    new, rest = split_quoted(text)
    return (new.strip() or text), rest


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _email_payload(row: InboundMessage, parsed: ParsedMessage, quoted: str, **extra: Any) -> dict[str, Any]:
    return {
        "inbound_id": row.pk,
        "message_id": parsed.message_id,
        "from": parsed.from_address,
        "from_name": parsed.from_name,
        "to": list(parsed.to),
        "cc": list(parsed.cc),
        "subject": parsed.subject,
        "quoted": _cut(quoted, BODY_MAX),
        "html": bool(parsed.html),
        "auto_response_suppress": parsed.auto_response_suppress,
        **extra,
    }


def _decorate(event: CaseEvent, email_payload: dict[str, Any], refused: list[dict[str, str]]) -> None:
    event.payload["email"] = email_payload
    if refused:
        event.payload["refused_attachments"] = refused
    event.save(update_fields=["payload"])


def _open(
    row: InboundMessage, parsed: ParsedMessage, files: Files, sender: User, *, follow_up_to: Case | None, now: datetime
) -> _Outcome:
    uploads, refused = files
    new, quoted = _text_parts(parsed)
    description = new
    if follow_up_to is not None:
        description = _("Follow-up to %(number)s.") % {"number": follow_up_to.number} + "\n\n" + new
    title = strip_reply_prefixes(parsed.subject).strip() or _("(no subject)")
    case = open_case(
        sender,
        reporter=sender,
        title=_cut(title, TITLE_MAX),
        description=_cut(description, DESCRIPTION_MAX),
        building=queries.only_building_of(sender),
        category=settings.ESM_MAIL_DEFAULT_CATEGORY,
        channel=Channel.EMAIL,
        uploads=uploads,
        now=now,
    )
    event = CaseEvent.objects.filter(case=case, kind=EventKind.CREATED).order_by("pk").first()
    assert event is not None
    extra = {"follow_up_to": follow_up_to.number} if follow_up_to is not None else {}
    _decorate(event, _email_payload(row, parsed, quoted, **extra), refused)
    return _Outcome(InboundState.CREATED, case=case, event=event)


def _thread(
    row: InboundMessage, parsed: ParsedMessage, files: Files, case: Case, *, matched_by: str, now: datetime
) -> _Outcome:
    uploads, refused = files
    new, quoted = _text_parts(parsed)
    sender = known_user(parsed.from_address)
    payload = _email_payload(row, parsed, quoted, matched_by=matched_by)
    event: CaseEvent | None = None
    if sender is not None and sender.is_active:
        try:
            event = reply_to_case(sender, case=case, body=_cut(new, BODY_MAX), uploads=uploads, now=now)
        except DomainError as error:  # not theirs to answer: the desk still gets the message
            payload["not_a_reply"] = error.message
    if event is None:
        intro = _("E-mail from %(sender)s:") % {"sender": _sender_text(parsed)}
        for upload in uploads:
            upload.seek(0)
        event = add_internal_note(
            system_user(), case=case, body=_cut(f"{intro}\n\n{new}", BODY_MAX), uploads=uploads, now=now
        )
    _decorate(event, payload, refused)
    if matched_by != "supplier_ticket":
        record_supplier_references(parsed, case)
    return _Outcome(InboundState.THREADED, case=case, event=event)


def _sender_text(parsed: ParsedMessage) -> str:
    return f"{parsed.from_name} <{parsed.from_address}>" if parsed.from_name else parsed.from_address


def _bounce(row: InboundMessage, parsed: ParsedMessage, *, now: datetime) -> _Outcome:
    """A bounce of mail we sent: the message is marked bounced and the case told; any other bounce is ignored."""
    ids = [normalise_message_id(value) or value for value in parsed.bounced_message_ids]
    candidates = [*ids, *(f"<{value}>" for value in ids)]
    sent = list(
        OutboundMessage.objects.select_related("case").filter(message_id__in=candidates).order_by("pk")
        if candidates
        else []
    )
    if not sent:
        return _Outcome(
            InboundState.IGNORED,
            _("Automatic mail (%(kind)s): %(reason)s") % {"kind": parsed.kind, "reason": parsed.kind_reason},
        )
    actor = system_user()
    first: _Outcome | None = None
    for message in sent:
        OutboundMessage.objects.filter(pk=message.pk).update(
            state=OutboundState.BOUNCED, last_error=_cut(parsed.kind_reason or str(parsed.kind), 2000)
        )
        event = add_internal_note(
            actor,
            case=message.case,
            body=_("Delivery failed to %(recipient)s") % {"recipient": message.recipient},
            now=now,
        )
        event.payload["email"] = {
            "bounce": True,
            "inbound_id": row.pk,
            "message_id": parsed.message_id,
            "outbound_id": message.pk,
            "outbound_message_id": message.message_id,
            "recipient": message.recipient,
            "bounced_recipients": list(parsed.bounced_recipients),
            "reason": parsed.kind_reason,
        }
        event.save(update_fields=["payload"])
        first = first or _Outcome(InboundState.THREADED, case=message.case, event=event)
    assert first is not None
    return first


# --- people deciding ---------------------------------------------------------------------------------------------


def _require_administrator(actor: User) -> None:
    if not (actor.is_active and (actor.role == Role.ADMINISTRATOR or actor.is_superuser)):
        raise DomainError(ErrorCode.PERMISSION_DENIED, _("Only administrators can decide about held e-mail."))


def release_quarantined(actor: User, *, inbound_id: int) -> IngestResult:
    """Process a held message again, an unknown sender becoming a private tenant."""
    _require_administrator(actor)
    row = InboundMessage.objects.defer("raw").filter(pk=inbound_id).first()
    if row is None:
        raise DomainError(ErrorCode.NOT_FOUND, _("No such message."))
    if row.state != InboundState.QUARANTINED:
        raise DomainError(ErrorCode.CONFLICT, _("Only messages held in quarantine can be released."))
    return process_inbound(inbound_id, policy="tenant", released_by=actor)


def dismiss_quarantined(actor: User, *, inbound_id: int) -> None:
    """Decide that a held message needs nothing done (it stays stored)."""
    _require_administrator(actor)
    with transaction.atomic():
        changed = InboundMessage.objects.filter(pk=inbound_id, state=InboundState.QUARANTINED).update(
            state=InboundState.DISMISSED, handled_by=actor, processed_at=timezone.now()
        )
    if not changed:
        raise DomainError(ErrorCode.CONFLICT, _("Only messages held in quarantine can be dismissed."))


# --- the worker's passes -----------------------------------------------------------------------------------------


def process_pending(*, older_than_seconds: int = PENDING_GRACE_SECONDS, limit: int = 1000) -> int:
    """Process messages stored but never processed (a worker died in between); returns how many."""
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    ids = list(
        InboundMessage.objects.filter(state=InboundState.RECEIVED, received_at__lte=cutoff)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    for inbound_id in ids:
        process_inbound(inbound_id)
    return len(ids)


def poll_mailboxes(mailboxes: Sequence[Any] | None = None) -> dict[str, Counter[str]]:
    """Fetch new mail from every configured mailbox; each message is marked processed only after it was ingested.

    Returns the outcomes per mailbox ("error" counts a mailbox that could not be read to the end).
    """
    from esm.mail.adapters import configured_mailboxes

    summary: dict[str, Counter[str]] = {}
    for mailbox in configured_mailboxes() if mailboxes is None else mailboxes:
        counts: Counter[str] = Counter()
        summary[mailbox.name] = counts
        lock = f"esm:mail:poll:{hashlib.sha256(mailbox.name.encode()).hexdigest()[:32]}"
        if not cache.add(lock, 1, POLL_LOCK_SECONDS):
            counts["busy"] += 1
            continue
        try:
            _poll_one(mailbox, counts)
        finally:
            cache.delete(lock)
    return summary


def _poll_one(mailbox: Any, counts: Counter[str]) -> None:
    try:
        try:
            for ref, raw in mailbox.fetch_new():
                result = ingest_raw(raw, source=mailbox.name, source_ref=ref)
                mailbox.mark_processed(ref)
                counts[result.outcome] += 1
        finally:
            mailbox.close()
    except Exception:
        logger.exception("Polling the mailbox %s failed", mailbox.name)
        counts["error"] += 1

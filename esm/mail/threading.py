"""Finds the case a received message continues: by reply headers, case number, conversation, address or ticket."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from esm.cases.models import Case
from esm.mail.models import InboundMessage, OutboundMessage, SupplierTicketPattern, SupplierTicketReference
from esm.mail.parsing import ParsedMessage, case_numbers_in

logger = logging.getLogger(__name__)

#: How much of a message's text is searched for a supplier's ticket number.
SUPPLIER_SCAN_CHARS = 20_000
MAX_REFERENCE_LENGTH = 100
#: Outlook's Thread-Index starts with 22 bytes naming the conversation; each reply appends a 5-byte block.
CONVERSATION_BYTES = 22


@dataclass(frozen=True)
class Match:
    """The case a message threads onto and how it was recognised."""

    case: Case
    by: str  # "headers", "subject", "conversation", "reply_address", "supplier_ticket"


# --- the per-case reply address ----------------------------------------------------------------------------------


def _signature(number: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, b"esm.mail.reply-address:" + number.lower().encode(), hashlib.sha256).hexdigest()[:8]


def reply_token(case: Case) -> str:
    """`s-2026-000123-1a2b3c4d`: the case number and a signature nobody can guess without the secret key."""
    return f"{case.number.lower()}-{_signature(case.number)}"


def make_reply_address(case: Case) -> str:
    """The address replies about this case should go to.

    With ESM_MAIL_REPLY_PLUS_ADDRESSING on: `helpdesk+<token>@domain`; otherwise the helpdesk's address itself.
    """
    address: str = settings.ESM_MAIL_HELPDESK_ADDRESS
    if not settings.ESM_MAIL_REPLY_PLUS_ADDRESSING:
        return address
    local, _at, domain = address.rpartition("@")
    return f"{local}+{reply_token(case)}@{domain}"


_TOKEN = re.compile(r"^(?P<number>[a-z0-9]{1,10}-\d{4}-\d{1,10})-(?P<signature>[0-9a-f]{8})$")


def _reply_number(address: str) -> str | None:
    """The case number a genuine reply address carries, or None."""
    helpdesk: str = settings.ESM_MAIL_HELPDESK_ADDRESS
    local, _at, domain = helpdesk.lower().rpartition("@")
    their_local, _at, their_domain = address.strip().lower().rpartition("@")
    if their_domain != domain or not their_local.startswith(local + "+"):
        return None
    match = _TOKEN.match(their_local[len(local) + 1 :])
    if match is None or not hmac.compare_digest(match["signature"], _signature(match["number"])):
        return None
    return match["number"]


def _number_variants(lowercase: str) -> list[str]:
    prefix: str = settings.ESM_CASE_NUMBER_PREFIX
    variants = [lowercase.upper()]
    if lowercase.startswith(prefix.lower() + "-"):
        variants.append(prefix + lowercase[len(prefix) :])
    return variants


def case_from_reply_address(address: str) -> Case | None:
    """The case a per-case reply address points to (its signature checked), or None."""
    number = _reply_number(address)
    if number is None:
        return None
    return Case.objects.filter(number__in=_number_variants(number)).first()


# --- threading ---------------------------------------------------------------------------------------------------


def _with_brackets(ids: Iterable[str]) -> list[str]:
    """Message-IDs as stored with or without angle brackets."""
    found: list[str] = []
    for message_id in ids:
        found += [message_id, f"<{message_id}>"]
    return found


def case_by_headers(parsed: ParsedMessage, *, exclude_inbound: int | None = None) -> Case | None:
    """The case of the message this one answers: the latest of In-Reply-To and References we sent or received."""
    # In-Reply-To is the message answered; References run oldest to newest.
    wanted = list(dict.fromkeys([*parsed.in_reply_to, *reversed(parsed.references)]))
    if not wanted:
        return None
    candidates = _with_brackets(wanted)
    by_id: dict[str, int] = {}
    for message_id, case_id in OutboundMessage.objects.filter(message_id__in=candidates).values_list(
        "message_id", "case_id"
    ):
        by_id.setdefault(message_id.strip("<>"), case_id)
    inbound = InboundMessage.objects.filter(message_id__in=wanted, case__isnull=False)
    if exclude_inbound is not None:
        inbound = inbound.exclude(pk=exclude_inbound)
    for message_id, case_id in inbound.values_list("message_id", "case_id"):
        if case_id is not None:
            by_id.setdefault(message_id, case_id)
    for message_id in wanted:
        if message_id in by_id:
            return Case.objects.filter(pk=by_id[message_id]).first()
    return None


def case_by_subject(subject: str) -> Case | None:
    """The case whose number stands in the subject (`SV: [S-2026-000123] …`)."""
    numbers = case_numbers_in(subject, settings.ESM_CASE_NUMBER_PREFIX)
    if not numbers:
        return None
    cases = {case.number: case for case in Case.objects.filter(number__in=numbers)}
    return next((cases[number] for number in numbers if number in cases), None)


def conversation_of(thread_index: str) -> str:
    """The conversation an Outlook Thread-Index header names, hex; "" when it is missing, not base64 or too short."""
    value = "".join(thread_index.split())
    try:
        data = base64.b64decode(value + "=" * (-len(value) % 4), validate=True)
    except (binascii.Error, ValueError):
        return ""
    return data[:CONVERSATION_BYTES].hex() if len(data) >= CONVERSATION_BYTES else ""


def case_by_conversation(conversation: str, *, exclude_inbound: int | None = None) -> Case | None:
    """The case of the latest other message received in the same Outlook conversation."""
    if not conversation:
        return None
    earlier = InboundMessage.objects.filter(conversation=conversation, case__isnull=False)
    if exclude_inbound is not None:
        earlier = earlier.exclude(pk=exclude_inbound)
    case_id = earlier.order_by("-pk").values_list("case_id", flat=True).first()
    return Case.objects.filter(pk=case_id).first() if case_id is not None else None


def case_by_reply_address(recipients: Sequence[str]) -> Case | None:
    """The case of a per-case reply address among the recipients (only with plus addressing on)."""
    if not settings.ESM_MAIL_REPLY_PLUS_ADDRESSING:
        return None
    for address in recipients:
        case = case_from_reply_address(address)
        if case is not None:
            return case
    return None


def sender_domain(address: str) -> str:
    return address.rpartition("@")[2].strip().lower()


def _patterns_for(domain: str) -> list[tuple[SupplierTicketPattern, re.Pattern[str]]]:
    compiled = []
    for pattern in SupplierTicketPattern.objects.filter(sender_domain__iexact=domain):
        try:
            compiled.append((pattern, re.compile(pattern.pattern)))
        except re.error:
            logger.warning("Supplier ticket pattern %s is not a valid regular expression", pattern.pk)
    return compiled


def _scanned_text(parsed: ParsedMessage) -> str:
    return f"{parsed.subject}\n{parsed.text[:SUPPLIER_SCAN_CHARS]}"


def _references_in(text: str, regex: re.Pattern[str]) -> list[str]:
    found: list[str] = []
    for match in regex.finditer(text):
        reference = (match.group(1) if regex.groups else match.group(0)).strip()
        if reference and len(reference) <= MAX_REFERENCE_LENGTH and reference not in found:
            found.append(reference)
    return found


def case_by_supplier_ticket(parsed: ParsedMessage) -> Case | None:
    """The case on which this supplier's ticket number was seen before."""
    patterns = _patterns_for(sender_domain(parsed.from_address))
    if not patterns:
        return None
    text = _scanned_text(parsed)
    for pattern, regex in patterns:
        references = _references_in(text, regex)
        if not references:
            continue
        found = (
            SupplierTicketReference.objects.filter(pattern=pattern, reference__in=references)
            .select_related("case")
            .first()
        )
        if found is not None:
            return found.case
    return None


def record_supplier_references(parsed: ParsedMessage, case: Case) -> list[str]:
    """Remember the supplier's ticket numbers in a message that threaded onto `case` (first case seen wins)."""
    patterns = _patterns_for(sender_domain(parsed.from_address))
    recorded: list[str] = []
    text = _scanned_text(parsed)
    for pattern, regex in patterns:
        for reference in _references_in(text, regex):
            try:
                with transaction.atomic():
                    _row, created = SupplierTicketReference.objects.get_or_create(
                        pattern=pattern, reference=reference, defaults={"case": case, "seen_at": timezone.now()}
                    )
            except IntegrityError:
                continue
            if created:
                recorded.append(reference)
    return recorded


def find_case(parsed: ParsedMessage, *, inbound_id: int | None = None, conversation: str = "") -> Match | None:
    """The case a message continues, by the rules in order; None means the message is new.

    `conversation` is the message's Outlook conversation (`conversation_of` its Thread-Index), if any.
    """
    case = case_by_headers(parsed, exclude_inbound=inbound_id)
    if case is not None:
        return Match(case, "headers")
    case = case_by_subject(parsed.subject)
    if case is not None:
        return Match(case, "subject")
    case = case_by_conversation(conversation, exclude_inbound=inbound_id)
    if case is not None:
        return Match(case, "conversation")
    case = case_by_reply_address([*parsed.to, *parsed.cc])
    if case is not None:
        return Match(case, "reply_address")
    case = case_by_supplier_ticket(parsed)
    if case is not None:
        return Match(case, "supplier_ticket")
    return None

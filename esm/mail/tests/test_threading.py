"""Replies land on their case as Outlook, Gmail and Apple Mail build them: by headers, number, conversation, address."""

from __future__ import annotations

import base64
import uuid
from typing import Any

import pytest
from django.utils import timezone

from esm.accounts.models import User
from esm.cases.models import Case, EventKind
from esm.mail.models import InboundMessage, OutboundMessage, OutboundState, SupplierTicketPattern
from esm.mail.services import ingest_raw
from esm.mail.tests.conftest import make_mail
from esm.mail.threading import case_from_reply_address, conversation_of, make_reply_address, reply_token

pytestmark = pytest.mark.django_db

OUR_ID = "esm.S-2026-000001.1a2b3c4d5e6f7a8b@ejendomme.kk.dk"
QUOTE_OUTLOOK = (
    "\n\nFra: Ejendomsservice <helpdesk@ejendomme.kk.dk>\nSendt: 25. november 2026 10:12\n"
    "Til: Lise Holm <lise@skole.kk.dk>\nEmne: [{number}] Knust rude i klasselokale 2.B\n\nVi kommer i morgen.\n"
)
QUOTE_GMAIL = (
    "\n\nDen ons. 25. nov. 2026 kl. 10.12 skrev Ejendomsservice <helpdesk@ejendomme.kk.dk>:\n> Vi kommer i morgen.\n"
)
QUOTE_APPLE = (
    "\n\n> Den 25. nov. 2026 kl. 10.12 skrev Ejendomsservice <helpdesk@ejendomme.kk.dk>:\n>\n> Vi kommer i morgen.\n"
)


@pytest.fixture
def conversation(mail_setup: User, make_case: Any, colleague: User) -> dict[str, Any]:
    """Lise's case and the desk's answer to her, sent by e-mail with our Message-ID and the number in the subject."""
    colleague.email = "peter@skole.kk.dk"
    colleague.save(update_fields=["email"])
    case = make_case()
    sent = OutboundMessage.objects.create(
        case=case,
        kind="reply",
        recipient="lise@skole.kk.dk",
        subject=f"[{case.number}] Knust rude i klasselokale 2.B",
        text="Vi kommer i morgen.",
        message_id=OUR_ID.replace("S-2026-000001", case.number),
        state=OutboundState.SENT,
        created_at=timezone.now(),
    )
    return {"case": case, "sent": sent, "subject": sent.subject, "id": f"<{sent.message_id}>"}


def thread_index() -> str:
    """An Outlook Thread-Index: 22 bytes of conversation header plus one 5-byte child block, base64."""
    return base64.b64encode(bytes(range(27))).decode()


def landed(raw: bytes) -> tuple[str, str | None]:
    result = ingest_raw(raw, source="test")
    return result.outcome, result.case_number


def test_replies_built_the_way_outlook_gmail_and_apple_mail_build_them_land_on_their_case(
    conversation: dict[str, Any],
) -> None:
    case: Case = conversation["case"]
    subject: str = conversation["subject"]
    our_id: str = conversation["id"]
    replies = {
        "gmail, Re: with In-Reply-To and References": make_mail(
            subject=f"Re: {subject}",
            in_reply_to=our_id,
            references=our_id,
            body="Tak, jeg er der fra kl. 8." + QUOTE_GMAIL,
        ),
        "outlook danish, SV: with In-Reply-To and Thread-Index": make_mail(
            subject=f"SV: {subject}",
            in_reply_to=our_id,
            headers={"Thread-Index": thread_index(), "Thread-Topic": "Knust rude i klasselokale 2.B"},
            body="Det passer fint." + QUOTE_OUTLOOK.format(number=case.number),
        ),
        "outlook without In-Reply-To, only Thread-Index and SV: subject": make_mail(
            subject=f"SV: {subject}",
            headers={"Thread-Index": thread_index(), "Thread-Topic": "Knust rude i klasselokale 2.B"},
            body="Nøglen ligger på kontoret." + QUOTE_OUTLOOK.format(number=case.number),
        ),
        "outlook german, AW:": make_mail(
            subject=f"AW: {subject}",
            in_reply_to=our_id,
            body="Danke." + QUOTE_OUTLOOK.format(number=case.number),
        ),
        "apple mail, Re: Re: with a References chain": make_mail(
            subject=f"Re: Re: {subject}",
            in_reply_to=our_id,
            references=f"<first@skole.kk.dk> {our_id}",
            body="Sendt fra min iPhone tak" + QUOTE_APPLE,
        ),
        "forwarded with VS: and only the number in the subject": make_mail(
            subject=f"VS: {subject}",
            body="Se nedenfor." + QUOTE_OUTLOOK.format(number=case.number),
        ),
        "reply-all from a colleague with Lise in CC": make_mail(
            sender="Peter Dahl <peter@skole.kk.dk>",
            cc="Lise Holm <lise@skole.kk.dk>",
            subject=f"SV: {subject}",
            in_reply_to=our_id,
            references=our_id,
            body="Jeg låser op for jer." + QUOTE_OUTLOOK.format(number=case.number),
        ),
        "the subject rewritten, the headers kept": make_mail(
            subject="Re: noget helt andet",
            in_reply_to=our_id,
            references=our_id,
            body="Glemte at sige at ruden er dobbelt.",
        ),
    }
    for name, raw in replies.items():
        assert landed(raw) == ("threaded", case.number), name

    replies_on_case = case.events.filter(kind=EventKind.REPLY).order_by("pk")
    assert replies_on_case.count() == len(replies)
    assert [event.body.splitlines()[0] for event in replies_on_case][:2] == [
        "Tak, jeg er der fra kl. 8.",
        "Det passer fint.",
    ]
    peter = replies_on_case.get(payload__email__from="peter@skole.kk.dk")
    assert peter.actor.username == "peter"
    assert peter.payload["email"]["cc"] == ["lise@skole.kk.dk"]
    assert Case.objects.count() == 1


def test_the_folded_quote_is_kept_beside_the_new_words(conversation: dict[str, Any]) -> None:
    case = conversation["case"]
    ingest_raw(
        make_mail(
            subject=f"SV: {conversation['subject']}",
            in_reply_to=conversation["id"],
            body="Det passer fint." + QUOTE_OUTLOOK.format(number=case.number),
        ),
        source="test",
    )
    reply = case.events.get(kind=EventKind.REPLY)
    assert reply.body == "Det passer fint."
    assert "Vi kommer i morgen." in reply.payload["email"]["quoted"]
    assert reply.payload["email"]["matched_by"] == "headers"


def test_a_reply_to_mail_we_received_lands_on_that_mails_case(mail_setup: User, colleague: User) -> None:
    colleague.email = "peter@skole.kk.dk"
    colleague.save(update_fields=["email"])
    first = ingest_raw(make_mail(message_id="<start@skole.kk.dk>", subject="Varmen virker ikke"), source="test")
    answer = make_mail(
        sender="peter@skole.kk.dk",
        subject="Re: Varmen virker ikke",
        in_reply_to="<start@skole.kk.dk>",
        references="<start@skole.kk.dk>",
        body="Også i gymnastiksalen.",
    )
    assert landed(answer) == ("threaded", first.case_number)


def test_headers_win_over_a_number_in_the_subject(conversation: dict[str, Any], make_case: Any) -> None:
    other = make_case(title="Utæt tag")
    raw = make_mail(subject=f"SV: [{other.number}] Utæt tag", in_reply_to=conversation["id"])
    assert landed(raw) == ("threaded", conversation["case"].number)


def test_the_number_is_found_in_any_letter_case_and_without_brackets(conversation: dict[str, Any]) -> None:
    number = conversation["case"].number
    assert landed(make_mail(subject=f"sv: vedr. sag {number.lower()} igen")) == ("threaded", number)


def test_an_unknown_number_in_the_subject_opens_a_new_case(mail_setup: User) -> None:
    outcome, number = landed(make_mail(subject="SV: [S-2019-999999] Gammel sag"))
    assert outcome == "created"
    assert Case.objects.get(number=number).title == "[S-2019-999999] Gammel sag"


# --- the per-case reply address -------------------------------------------------------------------------------------


def test_a_reply_to_the_cases_own_address_lands_on_it(conversation: dict[str, Any], settings: Any) -> None:
    settings.ESM_MAIL_REPLY_PLUS_ADDRESSING = True
    case = conversation["case"]
    address = make_reply_address(case)
    assert address == f"helpdesk+{reply_token(case)}@ejendomme.kk.dk"
    assert reply_token(case).startswith(case.number.lower() + "-")
    assert case_from_reply_address(address.upper()) == case
    assert landed(make_mail(to=address, subject="Et nyt emne uden nummer")) == ("threaded", case.number)


def test_a_forged_reply_address_is_not_trusted(conversation: dict[str, Any], settings: Any) -> None:
    settings.ESM_MAIL_REPLY_PLUS_ADDRESSING = True
    number = conversation["case"].number.lower()
    forged = f"helpdesk+{number}-00000000@ejendomme.kk.dk"
    assert case_from_reply_address(forged) is None
    outcome, _number = landed(make_mail(to=forged, subject="Forsøg"))
    assert outcome == "created"


def test_without_plus_addressing_the_address_is_the_helpdesks(conversation: dict[str, Any]) -> None:
    assert make_reply_address(conversation["case"]) == "helpdesk@ejendomme.kk.dk"


# --- a supplier's own ticket number ---------------------------------------------------------------------------------


def test_a_suppliers_ticket_number_threads_later_mail_once_it_was_seen_on_the_case(
    conversation: dict[str, Any],
) -> None:
    case = conversation["case"]
    SupplierTicketPattern.objects.create(
        name="Glarmester Hansen", sender_domain="glarmester-hansen.dk", pattern=r"GH-\d{5}"
    )
    first = make_mail(
        sender="ordre@glarmester-hansen.dk",
        subject=f"SV: {conversation['subject']} (vores ordre GH-40211)",
        body="Vi har oprettet ordre GH-40211.",
    )
    assert landed(first) == ("threaded", case.number)
    assert list(case.supplier_references.values_list("reference", flat=True)) == ["GH-40211"]

    later = make_mail(sender="faktura@glarmester-hansen.dk", subject="Faktura for GH-40211", body="Se vedhæftede.")
    assert landed(later) == ("threaded", case.number)

    other_domain = make_mail(sender="x@andet-firma.dk", subject="Faktura for GH-40211")
    assert landed(other_domain)[0] == "created"


def test_messages_on_a_case_are_stored_with_their_case(conversation: dict[str, Any]) -> None:
    ingest_raw(make_mail(subject=f"SV: {conversation['subject']}"), source="test")
    assert InboundMessage.objects.get().case == conversation["case"]


# --- Outlook's conversation (Thread-Index) ----------------------------------------------------------------------


def outlook_conversation(guid: uuid.UUID) -> bytes:
    """The 22 bytes naming an Outlook conversation: a reserved byte, 5 bytes of time and a GUID."""
    return b"\x01\xdb\x5e\x3a\x9c\x41" + guid.bytes


def outlook_thread_index(guid: uuid.UUID, replies: int = 0) -> str:
    """A Thread-Index as Outlook writes it: the conversation, then one 5-byte block per reply, base64."""
    blocks = b"".join(bytes([0, 0, 0x2A, 0x10, n]) for n in range(replies))
    return base64.b64encode(outlook_conversation(guid) + blocks).decode()


def test_an_outlook_reply_with_a_rewritten_subject_finds_its_case_by_the_conversation(mail_setup: User) -> None:
    conversation = uuid.uuid4()
    first = ingest_raw(
        make_mail(
            subject="Varmen virker ikke i gymnastiksalen", headers={"Thread-Index": outlook_thread_index(conversation)}
        ),
        source="test",
    )
    assert first.outcome == "created"
    assert InboundMessage.objects.get(pk=first.inbound_id).conversation == outlook_conversation(conversation).hex()

    # Lise answers in Outlook, deletes the quote and writes a new subject: no In-Reply-To, no case number.
    reply = make_mail(
        subject="Nu er det også koldt i omklædningsrummet",
        body="Radiatorerne i omklædningsrummet er også kolde.",
        headers={"Thread-Index": outlook_thread_index(conversation, replies=2), "Thread-Topic": "Varmen virker ikke"},
    )
    assert landed(reply) == ("threaded", first.case_number)
    event = Case.objects.get(number=first.case_number).events.get(kind=EventKind.REPLY)
    assert event.payload["email"]["matched_by"] == "conversation"
    assert event.body == "Radiatorerne i omklædningsrummet er også kolde."


def test_another_outlook_conversation_opens_a_new_case(mail_setup: User) -> None:
    first = ingest_raw(make_mail(headers={"Thread-Index": outlook_thread_index(uuid.uuid4())}), source="test")
    outcome, number = landed(
        make_mail(subject="Utæt tag over indgangen", headers={"Thread-Index": outlook_thread_index(uuid.uuid4(), 1)})
    )
    assert outcome == "created"
    assert number != first.case_number


@pytest.mark.parametrize(
    "thread_index",
    [
        "!!dette er ikke base64!!",
        base64.b64encode(bytes(21)).decode(),  # one byte short of a conversation
        "",
    ],
    ids=["not base64", "too short", "empty"],
)
def test_a_garbage_thread_index_is_ignored(mail_setup: User, thread_index: str) -> None:
    ingest_raw(make_mail(subject="Knust rude", headers={"Thread-Index": thread_index}), source="test")
    outcome, _number = landed(make_mail(subject="Utæt tag", headers={"Thread-Index": thread_index}))
    assert outcome == "created"
    assert set(InboundMessage.objects.values_list("conversation", flat=True)) == {""}
    assert Case.objects.count() == 2


def test_reply_headers_and_the_case_number_win_over_the_conversation(
    conversation: dict[str, Any], make_case: Any
) -> None:
    outlook = uuid.uuid4()
    other = make_case(title="Utæt tag")
    on_other = make_mail(subject=f"[{other.number}] Utæt tag", headers={"Thread-Index": outlook_thread_index(outlook)})
    assert landed(on_other) == ("threaded", other.number)
    by_number = make_mail(
        subject=f"SV: {conversation['subject']}", headers={"Thread-Index": outlook_thread_index(outlook, 1)}
    )
    assert landed(by_number) == ("threaded", conversation["case"].number)
    by_headers = make_mail(
        subject="Et nyt emne",
        in_reply_to=conversation["id"],
        headers={"Thread-Index": outlook_thread_index(outlook, 2)},
    )
    assert landed(by_headers) == ("threaded", conversation["case"].number)
    by_conversation = make_mail(
        subject="Et helt tredje emne", headers={"Thread-Index": outlook_thread_index(outlook, 3)}
    )
    assert landed(by_conversation) == ("threaded", conversation["case"].number)  # the latest message's case


def test_the_conversation_is_read_from_a_folded_header_and_an_unpadded_value() -> None:
    index = outlook_thread_index(uuid.UUID(int=7), replies=1)
    assert conversation_of(f"{index[:20]}\r\n\t{index[20:]}") == outlook_conversation(uuid.UUID(int=7)).hex()
    assert conversation_of(base64.b64encode(bytes(22)).decode().rstrip("=")) == bytes(22).hex()
    assert conversation_of("") == ""

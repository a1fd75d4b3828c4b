"""Received mail becomes cases: stored raw first, one case per message, automatic mail ignored, nothing ever lost."""

from __future__ import annotations

import io
import mailbox
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import include, path
from PIL import Image

from esm.accounts.models import Role, User
from esm.cases.models import Attachment, Case, CaseEvent, Channel, EventKind, Status
from esm.mail import services
from esm.mail.models import InboundMessage, InboundState, OutboundMessage, OutboundState, SenderDomain
from esm.mail.senders import SYSTEM_USERNAME
from esm.mail.services import ingest_raw, process_pending, store_raw
from esm.mail.tests.conftest import make_mail

pytestmark = pytest.mark.django_db


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def created_event(case: Case) -> CaseEvent:
    return case.events.get(kind=EventKind.CREATED)


# --- a new case from mail ----------------------------------------------------------------------------------------


def test_mail_from_a_known_customer_opens_a_case_on_the_email_channel(mail_setup: User, building: Any) -> None:
    raw = make_mail(
        subject="SV: Fwd: Vandskade i kælderen",
        body="Der står vand i kælderen.\n\nVenlig hilsen\nLise\n\n> Tidligere besked\n> citeret",
        cc="Peter Dahl <peter@skole.kk.dk>",
    )

    result = ingest_raw(raw, source="test")

    assert result.outcome == "created"
    case = Case.objects.get(number=result.case_number)
    assert case.reporter == mail_setup
    assert case.channel == Channel.EMAIL
    assert case.title == "Vandskade i kælderen"
    assert case.description.startswith("Der står vand i kælderen.")
    assert "citeret" not in case.description
    assert case.category.code == "other"
    assert case.building == building  # the school uses exactly one building
    email = created_event(case).payload["email"]
    assert email["from"] == "lise@skole.kk.dk"
    assert email["to"] == ["helpdesk@ejendomme.kk.dk"]
    assert email["cc"] == ["peter@skole.kk.dk"]
    assert email["subject"] == "SV: Fwd: Vandskade i kælderen"
    assert "citeret" in email["quoted"]
    assert email["html"] is False
    stored = InboundMessage.objects.get(pk=result.inbound_id)
    assert bytes(stored.raw) == raw
    assert stored.state == InboundState.CREATED
    assert stored.case == case
    assert stored.event == created_event(case)
    assert email["inbound_id"] == stored.pk


def test_the_building_stays_unknown_when_the_organisation_uses_several(
    mail_setup: User, building: Any, other_building: Any
) -> None:
    other_building.organisations.add(mail_setup.organisation)
    result = ingest_raw(make_mail(), source="test")
    assert Case.objects.get(number=result.case_number).building is None


def test_a_message_without_subject_or_text_still_opens_a_case(mail_setup: User) -> None:
    message = EmailMessage()
    message["From"] = "lise@skole.kk.dk"
    message["To"] = "helpdesk@ejendomme.kk.dk"
    message["Message-ID"] = "<empty@skole.kk.dk>"
    message.set_content("")
    result = ingest_raw(bytes(message), source="test")
    case = Case.objects.get(number=result.case_number)
    assert case.title  # "(no subject)", translated
    assert case.description


def test_the_same_message_twice_makes_one_case(mail_setup: User) -> None:
    raw = make_mail(message_id="<once@skole.kk.dk>")
    first = ingest_raw(raw, source="imap:helpdesk", source_ref="17")
    second = ingest_raw(raw, source="api")
    assert first.outcome == "created"
    assert second.outcome == "duplicate"
    assert second.case_number == first.case_number
    assert Case.objects.count() == 1
    assert InboundMessage.objects.get().key == "once@skole.kk.dk"


def test_a_message_without_message_id_is_recognised_by_its_bytes(mail_setup: User) -> None:
    raw = make_mail().replace(b"Message-ID:", b"X-Old-Message-ID:")
    assert ingest_raw(raw, source="test").outcome == "created"
    assert ingest_raw(raw, source="test").outcome == "duplicate"
    assert InboundMessage.objects.get().key.startswith("sha256:")
    assert Case.objects.count() == 1


# --- senders -----------------------------------------------------------------------------------------------------


def test_an_unknown_sender_becomes_a_private_tenant(mail_setup: User) -> None:
    result = ingest_raw(make_mail(sender='"Karin Østergaard" <Karin@Example.ORG>'), source="test")
    tenant = User.objects.get(email="karin@example.org")
    assert tenant.role == Role.TENANT
    assert (tenant.first_name, tenant.last_name) == ("Karin", "Østergaard")
    assert not tenant.has_usable_password()
    assert Case.objects.get(number=result.case_number).reporter == tenant
    again = ingest_raw(make_mail(sender="karin@example.org", subject="Endnu en ting"), source="test")
    assert Case.objects.get(number=again.case_number).reporter == tenant
    assert User.objects.filter(email__iexact="karin@example.org").count() == 1


def test_a_known_address_matches_whatever_its_letter_case(mail_setup: User) -> None:
    result = ingest_raw(make_mail(sender="LISE@Skole.KK.dk"), source="test")
    assert Case.objects.get(number=result.case_number).reporter == mail_setup


def test_with_the_domain_rule_an_unknown_sender_joins_the_organisation_of_its_domain(
    mail_setup: User, settings: Any, other_institution: Any
) -> None:
    settings.ESM_MAIL_UNKNOWN_SENDERS = "domain"
    SenderDomain.objects.create(domain="solsikken.kk.dk", organisation=other_institution)
    result = ingest_raw(make_mail(sender="Pia Holm <pia@solsikken.kk.dk>"), source="test")
    pia = User.objects.get(email="pia@solsikken.kk.dk")
    assert (pia.role, pia.organisation) == (Role.CUSTOMER, other_institution)
    assert Case.objects.get(number=result.case_number).organisation == other_institution

    held = ingest_raw(make_mail(sender="someone@elsewhere.dk"), source="test")
    assert held.outcome == "quarantined"
    assert not User.objects.filter(email="someone@elsewhere.dk").exists()


def test_with_the_hold_rule_an_unknown_sender_waits_for_a_person(mail_setup: User, settings: Any) -> None:
    settings.ESM_MAIL_UNKNOWN_SENDERS = "hold"
    result = ingest_raw(make_mail(sender="stranger@example.org"), source="test")
    assert result.outcome == "quarantined"
    stored = InboundMessage.objects.get(pk=result.inbound_id)
    assert stored.state == InboundState.QUARANTINED
    assert stored.from_address == "stranger@example.org"
    assert stored.reason
    assert not Case.objects.exists()


def test_a_deactivated_account_is_held_rather_than_recreated(mail_setup: User) -> None:
    mail_setup.is_active = False
    mail_setup.save(update_fields=["is_active"])
    result = ingest_raw(make_mail(), source="test")
    assert result.outcome == "quarantined"
    assert "lise" in InboundMessage.objects.get().reason
    assert User.objects.filter(email__iexact="lise@skole.kk.dk").count() == 1


def test_mail_from_the_helpdesk_itself_is_ignored(mail_setup: User) -> None:
    result = ingest_raw(make_mail(sender="helpdesk@ejendomme.kk.dk"), source="test")
    assert result.outcome == "ignored"
    assert not Case.objects.exists()


# --- automatic mail ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers,subject",
    [
        ({"Auto-Submitted": "auto-replied"}, "Fraværende: Knust rude"),
        ({"X-Autoreply": "yes"}, "Automatisk svar: Knust rude"),
        ({"List-Id": "<nyhedsbrev.example.org>", "Precedence": "list"}, "Nyhedsbrev uge 47"),
        ({}, "Læst: Knust rude"),
    ],
    ids=["out-of-office", "auto-reply", "mailing-list", "read-receipt"],
)
def test_automatic_mail_never_opens_a_case(mail_setup: User, headers: dict[str, str], subject: str) -> None:
    result = ingest_raw(make_mail(sender="ukendt@example.org", subject=subject, headers=headers), source="test")
    assert result.outcome == "ignored"
    assert InboundMessage.objects.get().reason
    assert not Case.objects.exists()
    assert not User.objects.filter(email="ukendt@example.org").exists()


def _bounce_for(message_id: str, recipient: str) -> bytes:
    original = (
        f"From: helpdesk@ejendomme.kk.dk\r\nTo: {recipient}\r\nSubject: [S-2026-000001] Knust rude\r\n"
        f"Message-ID: {message_id}\r\n\r\nHej\r\n"
    )
    return (
        "From: Mail Delivery System <MAILER-DAEMON@mx.ejendomme.kk.dk>\r\n"
        "To: helpdesk@ejendomme.kk.dk\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        "Message-ID: <bounce-1@mx.ejendomme.kk.dk>\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="b"\r\n\r\n'
        "--b\r\nContent-Type: text/plain\r\n\r\nThe mail could not be delivered.\r\n"
        "--b\r\nContent-Type: message/delivery-status\r\n\r\n"
        f"Reporting-MTA: dns; mx.ejendomme.kk.dk\r\n\r\nFinal-Recipient: rfc822; {recipient}\r\n"
        "Action: failed\r\nStatus: 5.1.1\r\n"
        "--b\r\nContent-Type: message/rfc822\r\n\r\n"
        f"{original}"
        "--b--\r\n"
    ).encode()


def test_a_bounce_of_our_mail_marks_it_bounced_and_tells_the_case(mail_setup: User, make_case: Any) -> None:
    case = make_case()
    sent = OutboundMessage.objects.create(
        case=case,
        kind="reply",
        recipient="lise@skole.kk.dk",
        subject=f"[{case.number}] Knust rude",
        text="Hej",
        message_id="<reply-1@ejendomme.kk.dk>",
        state=OutboundState.SENT,
        created_at=case.created_at,
    )

    result = ingest_raw(_bounce_for("<reply-1@ejendomme.kk.dk>", "lise@skole.kk.dk"), source="test")

    assert (result.outcome, result.case_number) == ("threaded", case.number)
    sent.refresh_from_db()
    assert sent.state == OutboundState.BOUNCED
    note = case.events.get(kind=EventKind.NOTE)
    assert note.actor.username == SYSTEM_USERNAME
    assert "lise@skole.kk.dk" in note.body
    assert note.payload["email"]["bounce"] is True
    assert note.is_public is False


def test_a_bounce_of_mail_we_never_sent_is_ignored(mail_setup: User) -> None:
    result = ingest_raw(_bounce_for("<unknown@elsewhere.dk>", "x@elsewhere.dk"), source="test")
    assert result.outcome == "ignored"
    assert not Case.objects.exists()


# --- bad input ---------------------------------------------------------------------------------------------------


def test_bytes_that_are_not_mail_are_kept_in_quarantine(mail_setup: User) -> None:
    raw = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))
    result = ingest_raw(raw, source="test")
    assert result.outcome == "quarantined"
    stored = InboundMessage.objects.get()
    assert bytes(stored.raw) == raw
    assert stored.reason


def test_a_message_without_sender_is_kept_in_quarantine(mail_setup: User) -> None:
    raw = b"To: helpdesk@ejendomme.kk.dk\r\nSubject: Hvem er jeg\r\nMessage-ID: <nofrom@x.dk>\r\n\r\nTekst\r\n"
    result = ingest_raw(raw, source="test")
    assert result.outcome == "quarantined"
    assert InboundMessage.objects.get().reason


def test_a_gigantic_message_is_stored_then_held_unparsed(mail_setup: User, settings: Any) -> None:
    settings.ESM_MAIL_MAX_BYTES = 10_000
    raw = make_mail(body="x" * 20_000)
    result = ingest_raw(raw, source="test")
    assert result.outcome == "quarantined"
    stored = InboundMessage.objects.get()
    assert bytes(stored.raw) == raw
    assert "MB" in stored.reason
    assert not Case.objects.exists()


def test_thousands_of_recipients_still_open_one_case(mail_setup: User) -> None:
    recipients = ", ".join(f"person{i}@example.org" for i in range(3000))
    result = ingest_raw(make_mail(cc=recipients), source="test")
    assert result.outcome == "created"
    assert Case.objects.count() == 1


def test_malformed_mime_is_processed_or_held_never_lost(mail_setup: User) -> None:
    raw = (
        b"From: lise@skole.kk.dk\r\nTo: helpdesk@ejendomme.kk.dk\r\nSubject: =?utf-8?B?broken\r\n"
        b'Message-ID: <broken@skole.kk.dk>\r\nContent-Type: multipart/mixed; boundary="nowhere"\r\n\r\n'
        b"\xff\xfe text without its boundary \xc3\x28\r\n"
    )
    result = ingest_raw(raw, source="test")
    assert result.outcome in ("created", "quarantined")
    assert InboundMessage.objects.get().state != InboundState.RECEIVED


def test_an_unexpected_error_holds_the_message_with_its_reason(
    mail_setup: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("the category table is on fire")

    monkeypatch.setattr(services, "open_case", broken)
    result = ingest_raw(make_mail(), source="test")
    assert result.outcome == "quarantined"
    stored = InboundMessage.objects.get()
    assert stored.reason == "RuntimeError: the category table is on fire"
    assert stored.from_address == "lise@skole.kk.dk"
    assert not Case.objects.exists()
    assert not User.objects.filter(role=Role.TENANT).exists()


# --- attachments -------------------------------------------------------------------------------------------------


def test_attachments_go_on_the_case_and_refused_ones_are_listed(mail_setup: User, settings: Any) -> None:
    settings.ESM_ATTACHMENT_MAX_BYTES = 50_000
    raw = make_mail(
        attachments=[
            ("rude.png", "image/png", png_bytes()),
            ("tilbud.pdf", "application/pdf", PDF),
            ("virus.exe", "application/octet-stream", b"MZ\x90\x00" + b"\x00" * 200),
            ("kæmpe.pdf", "application/pdf", PDF + b"0" * 60_000),
        ]
    )
    result = ingest_raw(raw, source="test")

    assert result.outcome == "created"
    case = Case.objects.get(number=result.case_number)
    assert sorted(Attachment.objects.filter(case=case).values_list("filename", flat=True)) == [
        "rude.png",
        "tilbud.pdf",
    ]
    refused = created_event(case).payload["refused_attachments"]
    assert [item["filename"] for item in refused] == ["virus.exe", "kæmpe.pdf"]
    assert all(item["reason"] for item in refused)
    assert bytes(InboundMessage.objects.get().raw) == raw  # the refused files are still in the stored message


# --- threading onto open, resolved and closed cases ---------------------------------------------------------------


def test_a_reply_to_a_resolved_case_lands_on_it(mail_setup: User, make_case: Any, technician: User) -> None:
    case = make_case()
    Case.objects.filter(pk=case.pk).update(status=Status.RESOLVED)
    result = ingest_raw(
        make_mail(subject=f"SV: [{case.number}] Knust rude", body="Den er stadig i stykker"), source="x"
    )
    assert (result.outcome, result.case_number) == ("threaded", case.number)
    reply = case.events.get(kind=EventKind.REPLY)
    assert reply.actor == mail_setup
    assert reply.body == "Den er stadig i stykker"
    assert reply.payload["email"]["from"] == "lise@skole.kk.dk"


def test_mail_about_a_closed_case_opens_a_follow_up(mail_setup: User, make_case: Any, technician: User) -> None:
    case = make_case()
    Case.objects.filter(pk=case.pk).update(status=Status.CLOSED)
    result = ingest_raw(make_mail(subject=f"SV: [{case.number}] Knust rude", body="Nu er den knust igen"), source="x")
    assert result.outcome == "created"
    assert result.case_number != case.number
    follow_up = Case.objects.get(number=result.case_number)
    assert case.number in follow_up.description
    assert created_event(follow_up).payload["email"]["follow_up_to"] == case.number
    assert not case.events.filter(kind=EventKind.REPLY).exists()


def test_a_handlers_mail_onto_a_case_is_a_reply_from_the_desk(
    mail_setup: User, make_case: Any, technician: User
) -> None:
    technician.email = "ole@ejendomme.kk.dk"
    technician.save(update_fields=["email"])
    case = make_case()
    ingest_raw(
        make_mail(sender="ole@ejendomme.kk.dk", subject=f"SV: [{case.number}] Knust rude", body="Vi kommer"), source="x"
    )
    reply = case.events.get(kind=EventKind.REPLY)
    assert reply.actor == technician
    assert reply.payload["from_desk"] is True
    assert reply.is_public


def test_mail_from_someone_who_cannot_see_the_case_becomes_an_internal_note(
    mail_setup: User, make_case: Any, outsider: User
) -> None:
    outsider.email = "mette@solsikken.kk.dk"
    outsider.save(update_fields=["email"])
    case = make_case()
    result = ingest_raw(
        make_mail(sender="mette@solsikken.kk.dk", subject=f"SV: [{case.number}] Knust rude"), source="x"
    )
    assert (result.outcome, result.case_number) == ("threaded", case.number)
    note = case.events.get(kind=EventKind.NOTE)
    assert note.actor.username == SYSTEM_USERNAME
    assert note.is_public is False
    assert "mette@solsikken.kk.dk" in note.body
    assert note.payload["email"]["from"] == "mette@solsikken.kk.dk"
    assert not case.events.filter(kind=EventKind.REPLY).exists()


def test_an_unknown_senders_reply_is_a_note_and_makes_no_account(mail_setup: User, make_case: Any) -> None:
    case = make_case()
    result = ingest_raw(
        make_mail(sender="glarmester@example.dk", subject=f"SV: [{case.number}] Knust rude"), source="x"
    )
    assert result.outcome == "threaded"
    assert case.events.filter(kind=EventKind.NOTE).count() == 1
    assert not User.objects.filter(email="glarmester@example.dk").exists()


# --- never lost: stored before processed ---------------------------------------------------------------------------


def test_a_message_stored_but_not_processed_is_processed_when_it_comes_again(mail_setup: User) -> None:
    raw = make_mail(message_id="<crash@skole.kk.dk>")
    row, created = store_raw(raw, source="imap:helpdesk", source_ref="4")  # the worker died right after this
    assert created and row.state == InboundState.RECEIVED

    result = ingest_raw(raw, source="imap:helpdesk", source_ref="4")

    assert result.outcome == "created"
    assert Case.objects.count() == 1
    assert ingest_raw(raw, source="imap:helpdesk").outcome == "duplicate"


def test_the_pending_pass_processes_what_a_dead_worker_left(mail_setup: User) -> None:
    store_raw(make_mail(), source="imap:helpdesk", source_ref="1")
    store_raw(make_mail(subject="Utæt tag"), source="imap:helpdesk", source_ref="2")
    assert process_pending(older_than_seconds=0) == 2
    assert Case.objects.count() == 2
    assert not InboundMessage.objects.filter(state=InboundState.RECEIVED).exists()
    assert process_pending(older_than_seconds=0) == 0


# --- a person decides ----------------------------------------------------------------------------------------------


def test_an_administrator_releases_a_held_message_as_a_new_case(
    mail_setup: User, settings: Any, administrator: User
) -> None:
    settings.ESM_MAIL_UNKNOWN_SENDERS = "hold"
    held = ingest_raw(make_mail(sender="Ny Lejer <ny@example.org>"), source="test")

    result = services.release_quarantined(administrator, inbound_id=held.inbound_id)

    assert result.outcome == "created"
    case = Case.objects.get(number=result.case_number)
    assert case.reporter.email == "ny@example.org"
    assert case.reporter.role == Role.TENANT
    stored = InboundMessage.objects.get()
    assert stored.state == InboundState.RELEASED
    assert stored.handled_by == administrator
    assert stored.case == case


def test_an_administrator_dismisses_a_held_message(mail_setup: User, settings: Any, administrator: User) -> None:
    settings.ESM_MAIL_UNKNOWN_SENDERS = "hold"
    held = ingest_raw(make_mail(sender="spam@example.org"), source="test")
    services.dismiss_quarantined(administrator, inbound_id=held.inbound_id)
    stored = InboundMessage.objects.get()
    assert stored.state == InboundState.DISMISSED
    assert stored.handled_by == administrator
    assert not Case.objects.exists()


def test_only_administrators_decide_about_held_mail(mail_setup: User, settings: Any, technician: User) -> None:
    from esm.core.errors import DomainError, ErrorCode

    settings.ESM_MAIL_UNKNOWN_SENDERS = "hold"
    held = ingest_raw(make_mail(sender="spam@example.org"), source="test")
    with pytest.raises(DomainError) as refused:
        services.release_quarantined(technician, inbound_id=held.inbound_id)
    assert refused.value.code == ErrorCode.PERMISSION_DENIED
    assert InboundMessage.objects.get().state == InboundState.QUARANTINED


def test_the_admin_lists_held_mail_and_releases_it(
    mail_setup: User, settings: Any, administrator: User, client: Client
) -> None:
    settings.ESM_MAIL_UNKNOWN_SENDERS = "hold"
    held = ingest_raw(make_mail(sender="ny@example.org", subject="Dør klemmer"), source="test")
    client.force_login(administrator)

    listing = client.get("/admin/mail/inboundmessage/?state__exact=quarantined")
    assert listing.status_code == 200
    assert "Dør klemmer" in listing.content.decode()
    raw = client.get(f"/admin/mail/inboundmessage/{held.inbound_id}/raw/")
    assert raw.status_code == 200
    assert raw["Content-Type"] == "message/rfc822"
    assert b"".join(raw) == bytes(InboundMessage.objects.get().raw)

    answer = client.post(
        "/admin/mail/inboundmessage/", {"action": "release", "_selected_action": [held.inbound_id]}, follow=True
    )
    assert answer.status_code == 200
    assert InboundMessage.objects.get().state == InboundState.RELEASED
    assert Case.objects.count() == 1


def test_the_admin_shows_sent_mail_read_only(administrator: User, client: Client, make_case: Any) -> None:
    case = make_case()
    OutboundMessage.objects.create(
        case=case, kind="reply", recipient="x@example.org", subject="Hej", text="Hej", message_id="<o1@x>",
        state=OutboundState.FAILED, created_at=case.created_at,
    )  # fmt: skip
    client.force_login(administrator)
    assert client.get("/admin/mail/outboundmessage/?state__exact=failed").status_code == 200
    assert client.get("/admin/mail/outboundmessage/add/").status_code == 403


# --- the desk downloads the original ------------------------------------------------------------------------------

# Until esm/urls.py mounts esm.mail.urls at desk/mail/, this test mounts it itself.
urlpatterns = [path("desk/mail/", include("esm.mail.urls")), path("", include("esm.urls"))]


@pytest.mark.urls("esm.mail.tests.test_ingest")
def test_handlers_download_the_original_message_and_customers_cannot(
    mail_setup: User, technician: User, client: Client
) -> None:
    result = ingest_raw(make_mail(), source="test")
    client.force_login(technician)
    answer = client.get(f"/desk/mail/{result.inbound_id}/raw")
    assert answer.status_code == 200
    assert answer["Content-Type"] == "message/rfc822"
    assert answer["Content-Disposition"].startswith("attachment")
    assert answer.content == bytes(InboundMessage.objects.get().raw)
    client.force_login(mail_setup)
    assert client.get(f"/desk/mail/{result.inbound_id}/raw").status_code == 404
    client.logout()
    assert client.get(f"/desk/mail/{result.inbound_id}/raw").status_code == 302  # to sign-in


# --- manage.py ingest_mail -----------------------------------------------------------------------------------------


def test_ingest_mail_reads_eml_and_mbox_files(mail_setup: User, tmp_path: Path, capsys: Any) -> None:
    single = tmp_path / "one.eml"
    single.write_bytes(make_mail(subject="Fra en fil"))
    box = mailbox.mbox(str(tmp_path / "archive.mbox"))
    box.add(make_mail(subject="Første i mbox"))
    box.add(make_mail(subject="Anden i mbox", headers={"Auto-Submitted": "auto-replied"}))
    box.flush()
    box.close()

    call_command("ingest_mail", str(single), str(tmp_path / "archive.mbox"))

    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].startswith("one.eml: created S-")
    assert lines[1].startswith("archive.mbox#1: created S-")
    assert lines[2].startswith("archive.mbox#2: ignored -")
    assert lines[-1] == "3 message(s): 2 created, 1 ignored"
    assert Case.objects.count() == 2

"""Which case events send which e-mails to whom, read from the timeline by the dispatcher, over real SMTP."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection, connections
from django.utils import timezone

from esm.accounts.models import User
from esm.cases import services
from esm.cases.models import Case, CaseEvent, EventKind
from esm.mail.models import (
    InboundMessage,
    InboundState,
    NotificationCursor,
    OutboundKind,
    OutboundMessage,
    OutboundState,
)
from esm.mail.notify import dispatch_notifications
from esm.mail.tests.smtp import CaptureServer, smtp_capture

HELPDESK = "helpdesk@ejendomme.kk.dk"


@pytest.fixture
def smtp(settings: Any) -> Iterator[CaptureServer]:
    settings.ESM_MAIL_HELPDESK_ADDRESS = HELPDESK
    settings.ESM_SITE_URL = "https://ejendomsservice.kk.dk"
    with smtp_capture(settings) as server:
        yield server


@pytest.fixture
def addresses(customer: User, colleague: User, technician: User, other_technician: User, team_lead: User) -> None:
    for user, address in [
        (customer, "lise.holm@skole.kk.dk"),
        (colleague, "peter.dahl@skole.kk.dk"),
        (technician, "ole.madsen@ejendomme.kk.dk"),
        (other_technician, "sara.nielsen@ejendomme.kk.dk"),
        (team_lead, "hanne.lund@ejendomme.kk.dk"),
    ]:
        user.email = address
        user.save(update_fields=["email"])


@pytest.fixture
def deliver(django_capture_on_commit_callbacks: Any) -> Callable[[], int]:
    """Run the dispatcher as the beat does; the messages it writes are sent after its commit."""

    def run() -> int:
        with django_capture_on_commit_callbacks(execute=True):
            return dispatch_notifications()

    return run


def header(message: Any, name: str) -> str:
    """A header's value as a mail client shows it (folding whitespace stripped)."""
    return str(message[name] or "").strip()


def kinds_to(address: str) -> list[str]:
    return list(OutboundMessage.objects.filter(recipient=address).order_by("pk").values_list("kind", flat=True))


# --- receipt -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "subject_word", "greeting"), [("da", "Modtaget", "Hej Lise Holm"), ("en", "Received", "Hello Lise")]
)
def test_receipt_goes_to_the_reporter_in_their_language_with_case_number_and_headers(
    smtp: CaptureServer,
    addresses: None,
    customer: User,
    make_case: Any,
    deliver: Callable[[], int],
    language: str,
    subject_word: str,
    greeting: str,
) -> None:
    customer.language = language
    customer.save(update_fields=["language"])
    case = make_case()

    assert deliver() == 1

    [mail] = smtp.wait_for(1)
    message = mail.message
    assert mail.rcpt_tos == ["lise.holm@skole.kk.dk"]
    assert header(message, "Subject") == f"[{case.number}] {subject_word}: Knust rude i klasselokale 2.B"
    assert header(message, "Message-ID").startswith(f"<esm.{case.number}.")
    assert header(message, "Message-ID").endswith("@ejendomme.kk.dk>")
    assert header(message, "Auto-Submitted") == "auto-generated"
    assert header(message, "X-Auto-Response-Suppress") == "All"
    assert HELPDESK in header(message, "Reply-To")
    assert HELPDESK in header(message, "From")
    assert message.get_content_type() == "multipart/alternative"
    text, html = mail.part("text/plain"), mail.part("text/html")
    assert greeting in text and case.number in text
    assert f"https://ejendomsservice.kk.dk/portal/cases/{case.number}/" in text
    assert f'href="https://ejendomsservice.kk.dk/portal/cases/{case.number}/"' in html
    assert f'<html lang="{language}">' in html
    sent = OutboundMessage.objects.get(case=case)
    assert sent.state == OutboundState.SENT and sent.kind == OutboundKind.RECEIPT
    assert CaseEvent.objects.filter(case=case, kind=EventKind.EMAIL_SENT, is_public=False).count() == 1


def test_planned_maintenance_cases_send_no_receipt(
    smtp: CaptureServer, addresses: None, technician: User, make_case: Any, deliver: Callable[[], int]
) -> None:
    make_case(reporter=technician, channel="planned")
    assert deliver() == 0
    assert not OutboundMessage.objects.exists()


# --- the conversation ----------------------------------------------------------------------------------------


def test_desk_reply_reaches_the_customer_threaded_on_the_receipt(
    smtp: CaptureServer, addresses: None, technician: User, make_case: Any, deliver: Callable[[], int]
) -> None:
    case = make_case()
    deliver()
    receipt = smtp.wait_for(1)[0].message

    services.reply_to_case(technician, case=case, body="Vi kommer i morgen kl. 9 og skifter ruden.")
    deliver()

    reply = smtp.wait_for(2)[1]
    message = reply.message
    assert reply.rcpt_tos == ["lise.holm@skole.kk.dk"]
    assert header(message, "Subject") == f"[{case.number}] Knust rude i klasselokale 2.B"
    assert header(message, "In-Reply-To") == header(receipt, "Message-ID")
    assert header(message, "References").split()[-1] == header(receipt, "Message-ID")
    assert header(message, "Message-ID") != header(receipt, "Message-ID")
    assert HELPDESK in header(message, "Reply-To")
    assert "Auto-Submitted" not in message  # a person wrote it
    assert "Ole Madsen" in header(message, "From") and HELPDESK in header(message, "From")
    assert "Vi kommer i morgen kl. 9 og skifter ruden." in reply.part("text/plain")


def test_desk_reply_answers_the_customers_latest_mail(
    smtp: CaptureServer, addresses: None, customer: User, technician: User, make_case: Any, deliver: Callable[[], int]
) -> None:
    case = make_case()
    deliver()
    receipt_id = OutboundMessage.objects.get(case=case).message_id
    for minutes, key in [(1, "first-mail@skole.kk.dk"), (2, "second-mail@skole.kk.dk")]:
        InboundMessage.objects.create(
            key=key,
            raw=b"",
            size=0,
            sha256="0" * 64,
            source="test",
            received_at=timezone.now() + timedelta(minutes=minutes),
            state=InboundState.THREADED,
            message_id=key,
            from_address="Lise.Holm@skole.kk.dk",
            case=case,
        )

    services.reply_to_case(technician, case=case, body="Tak, vi kigger på det.")
    deliver()

    message = smtp.wait_for(2)[1].message
    assert header(message, "In-Reply-To") == "<second-mail@skole.kk.dk>"
    references = header(message, "References").split()
    assert references[0] == "<first-mail@skole.kk.dk>"  # the case's first message
    assert f"<{receipt_id}>" in references
    assert references[-1] == "<second-mail@skole.kk.dk>"


def test_reply_goes_to_reporter_and_watchers_but_never_to_its_writer(
    smtp: CaptureServer,
    addresses: None,
    colleague: User,
    technician: User,
    other_technician: User,
    make_case: Any,
    deliver: Callable[[], int],
) -> None:
    case = make_case()
    services.add_watcher(technician, case=case, watcher=colleague)
    services.add_watcher(technician, case=case, watcher=technician)
    services.reply_to_case(technician, case=case, body="Ruden er bestilt.")
    deliver()

    assert kinds_to("lise.holm@skole.kk.dk") == [OutboundKind.RECEIPT, OutboundKind.REPLY]
    assert kinds_to("peter.dahl@skole.kk.dk") == [OutboundKind.REPLY]
    assert kinds_to("ole.madsen@ejendomme.kk.dk") == []


def test_internal_note_never_leaves(
    smtp: CaptureServer, addresses: None, technician: User, make_case: Any, deliver: Callable[[], int]
) -> None:
    case = make_case()
    deliver()
    services.add_internal_note(technician, case=case, body="Kunden er sur. Ring til skolens pedel først.")
    services.add_phone_note(technician, case=case, body="Talte med pedellen.", duration_seconds=120)

    assert deliver() == 0
    assert len(smtp.wait_for(1)) == 1
    assert not any(b"pedel" in mail.content for mail in smtp.messages)


def test_the_customers_own_reply_is_not_mailed_back(
    smtp: CaptureServer, addresses: None, customer: User, colleague: User, make_case: Any, deliver: Callable[[], int]
) -> None:
    case = make_case()
    deliver()
    services.reply_to_case(customer, case=case, body="Der er også en revne i ruden ved siden af.")
    services.reply_to_case(colleague, case=case, body="Og døren klemmer.")

    assert deliver() == 0
    assert kinds_to("lise.holm@skole.kk.dk") == [OutboundKind.RECEIPT]


def test_a_reply_that_came_in_by_mail_is_not_echoed_to_its_sender(
    smtp: CaptureServer,
    addresses: None,
    technician: User,
    other_technician: User,
    make_case: Any,
    deliver: Callable[[], int],
) -> None:
    case = make_case()
    services.add_watcher(technician, case=case, watcher=other_technician)
    services.record_event(
        case,
        technician,
        EventKind.REPLY,
        is_public=True,
        body="Svar skrevet i Outlook.",
        payload={"from_desk": True, "email": {"from": "Sara.Nielsen@ejendomme.kk.dk", "message_id": "x@y"}},
    )
    deliver()

    assert kinds_to("lise.holm@skole.kk.dk") == [OutboundKind.RECEIPT, OutboundKind.REPLY]
    assert kinds_to("sara.nielsen@ejendomme.kk.dk") == []


# --- status, resolution, assignment --------------------------------------------------------------------------


def test_status_changes_are_told_only_for_the_configured_statuses(
    settings: Any, smtp: CaptureServer, addresses: None, technician: User, make_case: Any, deliver: Callable[[], int]
) -> None:
    settings.ESM_MAIL_NOTIFY_STATUSES = ["waiting_customer"]
    case = make_case()
    services.transition_case(technician, case=case, action="start")
    services.transition_case(technician, case=case, action="wait_for_customer", reason="Hvilket lokale er det?")
    deliver()

    assert kinds_to("lise.holm@skole.kk.dk") == [OutboundKind.RECEIPT, OutboundKind.STATUS]
    status_mail = smtp.wait_for(2)[1]
    assert header(status_mail.message, "Auto-Submitted") == "auto-generated"
    text = status_mail.part("text/plain")
    assert "Hvilket lokale er det?" in text
    assert case.number in text


def test_the_customers_reply_resuming_work_sends_no_status_mail(
    smtp: CaptureServer, addresses: None, customer: User, technician: User, make_case: Any, deliver: Callable[[], int]
) -> None:
    case = make_case()
    services.transition_case(technician, case=case, action="start")
    services.transition_case(technician, case=case, action="wait_for_customer")
    deliver()
    services.reply_to_case(customer, case=case, body="Det er lokale 2.B.")  # resumes work: in progress

    assert deliver() == 0


def test_resolution_mail_links_to_confirm_or_reopen(
    smtp: CaptureServer, addresses: None, technician: User, make_case: Any, deliver: Callable[[], int]
) -> None:
    case = make_case()
    services.assign_case(technician, case=case, assignee=technician)
    services.transition_case(technician, case=case, action="resolve", reason="Ruden er skiftet.")
    deliver()

    [resolved] = OutboundMessage.objects.filter(kind=OutboundKind.RESOLVED)
    assert resolved.recipient == "lise.holm@skole.kk.dk"
    mail = smtp.to("lise.holm@skole.kk.dk")[-1]
    link = f"https://ejendomsservice.kk.dk/portal/cases/{case.number}/"
    assert link in mail.part("text/plain")
    assert f'href="{link}"' in mail.part("text/html")
    assert "Ruden er skiftet." in mail.part("text/plain")
    assert header(mail.message, "Subject") == f"[{case.number}] Løst: Knust rude i klasselokale 2.B"


def test_the_assignee_gets_a_notice_unless_they_took_the_case_themselves(
    smtp: CaptureServer,
    addresses: None,
    technician: User,
    other_technician: User,
    team_lead: User,
    make_case: Any,
    deliver: Callable[[], int],
) -> None:
    other_technician.language = "en"
    other_technician.save(update_fields=["language"])
    case = make_case()
    services.assign_case(technician, case=case, assignee=technician)  # took it: no notice
    services.assign_case(team_lead, case=case, assignee=other_technician)
    deliver()

    assert kinds_to("ole.madsen@ejendomme.kk.dk") == []
    assert kinds_to("sara.nielsen@ejendomme.kk.dk") == [OutboundKind.ASSIGNED]
    mail = smtp.to("sara.nielsen@ejendomme.kk.dk")[0]
    assert header(mail.message, "Subject") == f"[{case.number}] Assigned to you: Knust rude i klasselokale 2.B"
    assert f"/desk/cases/{case.number}/" in mail.part("text/plain")
    assert "Lise Holm" in mail.part("text/plain")


# --- refused attachments, our own address, senders who asked for no answers ---------------------------------


def test_a_refused_attachment_tells_the_sender_why(
    smtp: CaptureServer, addresses: None, customer: User, make_case: Any, deliver: Callable[[], int]
) -> None:
    case = make_case()
    event = CaseEvent.objects.get(case=case, kind=EventKind.CREATED)
    event.payload["email"] = {"from": "lise.holm@skole.kk.dk", "message_id": "abc@skole.kk.dk"}
    event.payload["refused_attachments"] = [{"filename": "faktura.exe", "reason": "Programfiler modtages ikke."}]
    event.save(update_fields=["payload"])
    deliver()

    assert kinds_to("lise.holm@skole.kk.dk") == [OutboundKind.RECEIPT, OutboundKind.REFUSED_ATTACHMENT]
    mail = smtp.wait_for(2)[1]
    assert "faktura.exe: Programfiler modtages ikke." in mail.part("text/plain")
    assert header(mail.message, "Auto-Submitted") == "auto-generated"


def test_a_refused_attachment_from_someone_without_an_account_greets_them_by_the_name_in_their_mail(
    smtp: CaptureServer, addresses: None, technician: User, make_case: Any, deliver: Callable[[], int]
) -> None:
    case = make_case()
    deliver()
    services.record_event(
        case,
        None,
        EventKind.NOTE,
        body="E-mail from Kim Hansen <kim@glarmester.dk>:\n\nTilbud vedhæftet.",
        payload={
            "email": {"from": "kim@glarmester.dk", "from_name": "Kim Hansen"},
            "refused_attachments": [{"filename": "tilbud.js", "reason": "Scripts modtages ikke."}],
        },
    )
    deliver()

    [mail] = smtp.to("kim@glarmester.dk")
    assert mail.part("text/plain").startswith("Hej Kim Hansen")
    assert "tilbud.js: Scripts modtages ikke." in mail.part("text/plain")
    assert "Tilbud vedhæftet" not in mail.part("text/plain")  # the internal note itself never leaves


def test_the_helpdesk_never_mails_itself(
    smtp: CaptureServer, addresses: None, customer: User, make_case: Any, deliver: Callable[[], int]
) -> None:
    customer.email = "Helpdesk+S-2026-000001@ejendomme.kk.dk"
    customer.save(update_fields=["email"])
    make_case()
    assert deliver() == 0
    assert not OutboundMessage.objects.exists()


def test_no_automatic_answers_to_a_sender_who_asked_for_none(
    smtp: CaptureServer, addresses: None, customer: User, technician: User, make_case: Any, deliver: Callable[[], int]
) -> None:
    case = make_case()
    event = CaseEvent.objects.get(case=case, kind=EventKind.CREATED)
    event.payload["email"] = {"from": "lise.holm@skole.kk.dk", "auto_response_suppress": True}
    event.save(update_fields=["payload"])
    services.reply_to_case(technician, case=case, body="Vi kommer i dag.")
    deliver()

    receipt = OutboundMessage.objects.get(kind=OutboundKind.RECEIPT)
    assert receipt.state == OutboundState.SUPPRESSED and receipt.last_error
    assert [header(m.message, "Subject") for m in smtp.wait_for(1)] == [
        f"[{case.number}] Knust rude i klasselokale 2.B"
    ]
    failed = CaseEvent.objects.get(case=case, kind=EventKind.EMAIL_FAILED)
    assert failed.payload["email"]["state"] == OutboundState.SUPPRESSED and not failed.is_public


def test_loop_protection_caps_automatic_answers_per_address_per_hour(
    settings: Any,
    smtp: CaptureServer,
    addresses: None,
    technician: User,
    make_case: Any,
    deliver: Callable[[], int],
) -> None:
    settings.ESM_MAIL_AUTO_ANSWERS_PER_HOUR = 3
    cases = [make_case(title=f"Sag nummer {i}") for i in range(5)]
    deliver()

    states = [OutboundMessage.objects.get(case=case).state for case in cases]
    assert states == [OutboundState.SENT] * 3 + [OutboundState.SUPPRESSED] * 2
    assert len(smtp.wait_for(3)) == 3
    suppressed_note = CaseEvent.objects.get(case=cases[4], kind=EventKind.EMAIL_FAILED)
    assert suppressed_note.payload["email"]["state"] == OutboundState.SUPPRESSED
    assert "lise.holm@skole.kk.dk" in suppressed_note.payload["email"]["error"]
    # a person's reply is not an automatic answer: it still goes out
    services.reply_to_case(technician, case=cases[4], body="Vi har set alle dine sager.")
    deliver()
    assert len(smtp.wait_for(4)) == 4
    # an hour later, automatic answers flow again
    OutboundMessage.objects.update(created_at=timezone.now() - timedelta(minutes=61))
    make_case(title="Ny sag")
    deliver()
    assert len(smtp.wait_for(5)) == 5


# --- the cursor ----------------------------------------------------------------------------------------------


def test_dispatching_twice_sends_once(
    smtp: CaptureServer, addresses: None, make_case: Any, deliver: Callable[[], int]
) -> None:
    make_case()
    assert deliver() == 1
    assert deliver() == 0
    NotificationCursor.objects.update(last_event_id=0)  # even reading the timeline again from the start
    assert deliver() == 0
    assert len(smtp.wait_for(1)) == 1
    assert OutboundMessage.objects.count() == 1


def test_nothing_new_costs_two_queries(
    smtp: CaptureServer,
    addresses: None,
    make_case: Any,
    deliver: Callable[[], int],
    django_assert_num_queries: Any,
) -> None:
    make_case()
    deliver()
    deliver()  # reads its own "e-mail sent" event
    with django_assert_num_queries(2):
        assert dispatch_notifications() == 0


def test_history_sends_nothing_on_the_first_start(
    smtp: CaptureServer, addresses: None, make_case: Any, deliver: Callable[[], int]
) -> None:
    old = make_case(now=timezone.now() - timedelta(days=30))
    new = make_case()
    deliver()
    assert list(OutboundMessage.objects.values_list("case", flat=True)) == [new.pk]
    assert old.pk != new.pk


def test_an_event_that_commits_late_behind_a_later_one_is_still_notified(
    smtp: CaptureServer, addresses: None, customer: User, technician: User, make_case: Any, deliver: Callable[[], int]
) -> None:
    case = make_case()
    deliver()
    top = CaseEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    now = timezone.now()

    def reply(pk: int, body: str) -> None:
        CaseEvent.objects.create(
            pk=pk,
            case=case,
            actor=technician,
            kind=EventKind.REPLY,
            is_public=True,
            body=body,
            payload={"from_desk": True},
            created_at=now,
        )

    reply(top + 1000, "Den senere.")  # committed first; id top+999 is still in an open transaction
    deliver()
    cursor = NotificationCursor.objects.get()
    assert cursor.last_event_id < top + 999
    reply(top + 999, "Den tidlige.")
    deliver()

    bodies = [m.text.splitlines()[0] for m in OutboundMessage.objects.filter(kind=OutboundKind.REPLY)]
    assert sorted(bodies) == ["Den senere.", "Den tidlige."]
    assert len(smtp.wait_for(3)) == 3


@pytest.mark.django_db(transaction=True)
def test_two_dispatchers_racing_send_once(
    smtp: CaptureServer, addresses: None, customer: User, technician: User, make_case: Any
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks are a PostgreSQL matter (SQLite takes one writer at a time)")
    cases: list[Case] = [make_case(title=f"Sag {i}") for i in range(5)]
    for case in cases:
        services.reply_to_case(technician, case=case, body="Vi kommer.")
    barrier = threading.Barrier(3)
    results: list[int] = []
    errors: list[BaseException] = []

    def dispatcher() -> None:
        try:
            barrier.wait()
            results.append(dispatch_notifications())
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=dispatcher) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert not errors
    assert sum(results) == 10  # five receipts and five replies, once
    assert OutboundMessage.objects.count() == 10
    smtp.wait_for(10)
    assert len(smtp.messages) == 10

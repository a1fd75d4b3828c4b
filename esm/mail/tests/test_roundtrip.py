"""The whole conversation by e-mail: a mail opens a case, the desk answers, the customer's answer lands on the case.

Real servers on loopback: dovecot (IMAP) for the helpdesk's mailbox, aiosmtpd for the mail we send.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from email.utils import format_datetime
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from esm.accounts.models import User
from esm.cases.models import Case, CaseEvent, EventKind
from esm.mail.models import InboundMessage, OutboundKind, OutboundMessage
from esm.mail.notify import dispatch_notifications
from esm.mail.tests.smtp import CaptureServer, smtp_capture

services = pytest.importorskip("esm.mail.services", reason="the inbound half (esm.mail.services) is not there yet")
pytest.importorskip("esm.mail.adapters.imap", reason="the IMAP adapter (esm.mail.adapters.imap) is not there yet")

HELPDESK = "helpdesk@ejendomme.kk.dk"


@pytest.fixture
def smtp(settings: Any) -> Iterator[CaptureServer]:
    with smtp_capture(settings) as server:
        yield server


@pytest.fixture
def deliver(django_capture_on_commit_callbacks: Any) -> Callable[[], int]:
    def run() -> int:
        with django_capture_on_commit_callbacks(execute=True):
            return dispatch_notifications()

    return run


@pytest.fixture
def mailbox(settings: Any, dovecot: Any) -> Callable[[bytes], None]:
    """The helpdesk's IMAP inbox: deliver a message into it and let the worker poll."""
    user = dovecot.new_user()
    settings.ESM_IMAP_MAILBOXES = [dovecot.url(user)]

    def receive(raw: bytes) -> None:
        dovecot.append(user, raw)
        services.poll_mailboxes()

    return receive


def header(message: Any, name: str) -> str:
    return str(message[name] or "").strip()


def answer_as_a_mail_client_does(captured: Any, *, sender: str, body: str) -> bytes:
    """The customer presses Reply in her mail program: SV: subject, threading headers, our text quoted below."""
    from email.message import EmailMessage

    original = captured.message
    quoted = "\n".join(f"> {line}" for line in captured.part("text/plain").splitlines())
    message = EmailMessage()
    message["From"] = sender
    message["To"] = header(original, "Reply-To")
    message["Subject"] = "SV: " + header(original, "Subject")
    message["Date"] = format_datetime(timezone.now())
    message["Message-ID"] = "<answer-1@skole.kk.dk>"
    message["In-Reply-To"] = header(original, "Message-ID")
    message["References"] = f"{header(original, 'References')} {header(original, 'Message-ID')}".strip()
    message.set_content(f"{body}\n\nDen 25. nov. 2026 kl. 10.02 skrev Ejendomsservice <{HELPDESK}>:\n{quoted}\n")
    return bytes(message)


def test_a_conversation_by_mail_stays_on_one_case(
    mail_setup: User,
    technician: User,
    smtp: CaptureServer,
    mailbox: Callable[[bytes], None],
    deliver: Callable[[], int],
    client: Client,
) -> None:
    from esm.mail.tests.conftest import make_mail

    lise = mail_setup
    # 1. Lise writes to the helpdesk: a case opens and she gets a receipt threaded on her mail.
    mailbox(make_mail(message_id="<first@skole.kk.dk>", body="Ruden i vinduet ud mod gården er knust."))
    case = Case.objects.get()
    assert case.reporter == lise
    deliver()
    receipt = smtp.wait_for(1)[0]
    assert receipt.rcpt_tos == ["lise@skole.kk.dk"]
    assert header(receipt.message, "In-Reply-To") == "<first@skole.kk.dk>"
    assert header(receipt.message, "Subject").startswith(f"[{case.number}] ")

    # 2. The technician answers in the desk.
    client.force_login(technician)
    response = client.post(reverse("desk:reply", args=[case.number]), {"body": "Vi kommer i morgen kl. 9."})
    assert response.status_code in (200, 302)
    deliver()
    answer = smtp.wait_for(2)[1]
    ours = answer.message
    assert answer.rcpt_tos == ["lise@skole.kk.dk"]
    assert header(ours, "Subject") == f"[{case.number}] Knust rude i klasselokale 2.B"
    assert header(ours, "Message-ID") == f"<{OutboundMessage.objects.get(kind=OutboundKind.REPLY).message_id}>"
    assert header(ours, "In-Reply-To") == "<first@skole.kk.dk>"  # her last mail on the case
    references = header(ours, "References").split()
    assert references[-1] == "<first@skole.kk.dk>" and header(receipt.message, "Message-ID") in references
    assert HELPDESK in header(ours, "Reply-To")
    assert "Auto-Submitted" not in ours
    assert "Vi kommer i morgen kl. 9." in answer.part("text/plain")

    # 3. Lise answers from her mail program; the answer lands on the same case, without our quoted text.
    mailbox(answer_as_a_mail_client_does(answer, sender="Lise Holm <lise@skole.kk.dk>", body="Tak, det passer fint."))

    assert Case.objects.count() == 1
    inbound = InboundMessage.objects.get(message_id="answer-1@skole.kk.dk")
    assert inbound.case == case
    reply = CaseEvent.objects.filter(case=case, kind=EventKind.REPLY).order_by("-pk").first()
    assert reply is not None and reply.actor == lise and reply.body == "Tak, det passer fint."
    assert reply.payload["email"]["matched_by"] == "headers"
    # her own words are not mailed back to her
    assert deliver() == 0
    assert len(smtp.messages) == 2

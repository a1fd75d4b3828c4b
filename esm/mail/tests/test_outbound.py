"""Composing and sending one e-mail: safe texts and headers, administrators' templates, retries over real SMTP."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from esm.accounts.models import User
from esm.cases.models import CaseEvent, EventKind
from esm.core.errors import DomainError, ErrorCode
from esm.mail import outbound
from esm.mail.models import MailTemplate, OutboundKind, OutboundMessage, OutboundState
from esm.mail.notify import dispatch_notifications
from esm.mail.tests.smtp import CaptureServer, free_port, smtp_capture

HELPDESK = "helpdesk@ejendomme.kk.dk"


@pytest.fixture
def smtp(settings: Any) -> Iterator[CaptureServer]:
    settings.ESM_MAIL_HELPDESK_ADDRESS = HELPDESK
    settings.ESM_SITE_URL = "https://ejendomsservice.kk.dk"
    with smtp_capture(settings) as server:
        yield server


@pytest.fixture
def lise(customer: User) -> User:
    customer.email = "lise.holm@skole.kk.dk"
    customer.save(update_fields=["email"])
    return customer


@pytest.fixture
def queued(lise: User, make_case: Any) -> Callable[..., OutboundMessage]:
    """A case reported by Lise and its receipt, written but not yet sent."""

    def make(**fields: Any) -> OutboundMessage:
        case = make_case(**fields)
        dispatch_notifications()  # inside the test's transaction: nothing is sent until we say so
        return OutboundMessage.objects.get(case=case, kind=OutboundKind.RECEIPT)

    return make


def header(message: Any, name: str) -> str:
    return str(message[name] or "").strip()


# --- headers -------------------------------------------------------------------------------------------------


def test_a_title_with_line_breaks_cannot_add_headers(
    smtp: CaptureServer, queued: Callable[..., OutboundMessage]
) -> None:
    message = queued(title="Knust rude\r\nBcc: evil@example.com\r\nX-Injected: yes\nSubject: spam")

    assert outbound.send_outbound(message.pk) == OutboundState.SENT

    [mail] = smtp.wait_for(1)
    assert mail.rcpt_tos == ["lise.holm@skole.kk.dk"]
    parsed = mail.message
    assert parsed["Bcc"] is None and parsed["X-Injected"] is None
    assert len(parsed.get_all("Subject")) == 1
    assert "\n" not in header(parsed, "Subject") and "evil@example.com" in header(parsed, "Subject")


@pytest.mark.parametrize(
    "value",
    ["a\r\nBcc: x@y", "a\nb", "a\rb", "a\x00b", "a\x1bb", "a\u2028b", "a\x85b", "a\tb"],
)
def test_header_values_are_one_clean_line(value: str) -> None:
    cleaned = outbound.clean_header(value)
    assert cleaned.startswith("a") and all(ch.isprintable() for ch in cleaned)


# --- templates -----------------------------------------------------------------------------------------------


def test_an_administrators_template_with_placeholders_is_used(
    smtp: CaptureServer, queued: Callable[..., OutboundMessage]
) -> None:
    MailTemplate.objects.create(
        kind=OutboundKind.RECEIPT,
        language="da",
        subject="Tak for din anmeldelse – {{ case_title|upper }}",
        text="Kære {{ customer_name }}\n\nSagsnummer: {{ case_number }}\n{{ link }}",
        html="<p>Kære {{ customer_name }}</p><p>{{ message }}</p>",
    )
    message = queued()
    outbound.send_outbound(message.pk)

    mail = smtp.wait_for(1)[0]
    number = message.case.number
    assert header(mail.message, "Subject") == f"[{number}] Tak for din anmeldelse – KNUST RUDE I KLASSELOKALE 2.B"
    assert mail.part("text/plain").startswith(f"Kære Lise Holm\n\nSagsnummer: {number}\n")
    assert "<p>Kære Lise Holm</p><p>Ruden i vinduet" in mail.part("text/html")


@pytest.mark.parametrize(
    "broken",
    [
        "Hej {{ }}",
        "{% if %}",
        "{% endif %}",
        "{% load static %}{% static 'x' %}",
        "{% include '/etc/passwd' %}",
        "{{ case_title|no_such_filter }}",
    ],
)
def test_an_administrators_template_that_does_not_render_falls_back_to_the_default(
    smtp: CaptureServer, queued: Callable[..., OutboundMessage], caplog: pytest.LogCaptureFixture, broken: str
) -> None:
    MailTemplate.objects.create(kind=OutboundKind.RECEIPT, language="da", subject="Tak", text=broken, html="")
    with caplog.at_level(logging.ERROR, logger="esm.mail.outbound"):
        message = queued()

    assert message.subject == f"[{message.case.number}] Modtaget: Knust rude i klasselokale 2.B"
    assert message.text.startswith("Hej Lise Holm")
    assert "does not render" in caplog.text
    assert outbound.send_outbound(message.pk) == OutboundState.SENT


def test_an_administrators_text_without_html_is_also_the_html_part(
    smtp: CaptureServer, queued: Callable[..., OutboundMessage]
) -> None:
    MailTemplate.objects.create(
        kind=OutboundKind.RECEIPT,
        language="da",
        subject="Tak",
        text="Tak, {{ customer_name }} <3\n\nSe {{ link }}\n\n{{ message }}",
        html="",
    )
    message = queued(description="<b>fed</b>")
    outbound.send_outbound(message.pk)

    html = smtp.wait_for(1)[0].part("text/html")
    assert "<p>Tak, Lise Holm &lt;3</p>" in html
    assert f'<a href="https://ejendomsservice.kk.dk/portal/cases/{message.case.number}/"' in html
    assert "&lt;b&gt;fed&lt;/b&gt;" in html and "<b>fed</b>" not in html


def test_the_html_part_escapes_the_customers_text_and_the_text_part_keeps_it(
    smtp: CaptureServer, queued: Callable[..., OutboundMessage]
) -> None:
    message = queued(
        title="<img src=x onerror=alert(1)>",
        description='<script>alert("hi")</script> & <a href="http://evil">klik</a>',
    )
    outbound.send_outbound(message.pk)

    mail = smtp.wait_for(1)[0]
    html = mail.part("text/html")
    assert "<script>" not in html and "<img src=x" not in html and '<a href="http://evil">' not in html
    assert "&lt;script&gt;alert(&quot;hi&quot;)&lt;/script&gt; &amp; &lt;a href=" in html
    assert '<script>alert("hi")</script> & <a href="http://evil">klik</a>' in mail.part("text/plain")


@pytest.mark.django_db
def test_every_kind_has_danish_and_english_defaults() -> None:
    context = {name: f"<{name}>" for name in outbound.PLACEHOLDERS}
    for kind in OutboundKind.values:
        for language in outbound.LANGUAGES:
            rendered = outbound.render(kind, language, context)
            assert rendered.subject and rendered.text and rendered.html
            assert "&lt;case_number&gt;" in rendered.html and "<case_number>" not in rendered.html
            assert "<case_number>" in rendered.text


# --- sending, retries, failure -------------------------------------------------------------------------------


def test_smtp_down_is_retried_with_backoff_and_finally_shown_on_the_case(
    settings: Any, queued: Callable[..., OutboundMessage]
) -> None:
    settings.ESM_MAIL_HELPDESK_ADDRESS = HELPDESK
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2  # nobody listens
    settings.ESM_MAIL_MAX_ATTEMPTS = 4
    settings.ESM_MAIL_RETRY_SECONDS = 60
    message = queued()
    now = timezone.now()

    delays = []
    for attempt in range(1, 4):
        assert outbound.send_outbound(message.pk, now=now) == OutboundState.RETRYING
        message.refresh_from_db()
        assert message.attempts == attempt and "Connection" in message.last_error
        delays.append((message.next_attempt_at - now).total_seconds())
        assert outbound.send_outbound(message.pk, now=now) == OutboundState.RETRYING  # not due yet: no attempt
        assert OutboundMessage.objects.get(pk=message.pk).attempts == attempt
        now = message.next_attempt_at
    assert delays == [60, 120, 240]
    assert not CaseEvent.objects.filter(kind=EventKind.EMAIL_FAILED).exists()

    assert outbound.send_outbound(message.pk, now=now) == OutboundState.FAILED

    failed = CaseEvent.objects.get(case=message.case, kind=EventKind.EMAIL_FAILED)
    assert not failed.is_public
    assert failed.payload["email"]["outbound_id"] == message.pk
    assert failed.payload["email"]["state"] == OutboundState.FAILED
    assert failed.payload["email"]["to"] == "lise.holm@skole.kk.dk"
    assert OutboundMessage.objects.filter(state=OutboundState.FAILED).count() == 1  # what the admin list shows
    assert outbound.send_outbound(message.pk, now=now + timedelta(days=1)) == OutboundState.FAILED  # stays failed


def test_a_retry_after_the_server_is_back_delivers_it(
    settings: Any, queued: Callable[..., OutboundMessage], smtp: CaptureServer
) -> None:
    message = queued()
    smtp.stop()
    assert outbound.send_outbound(message.pk) == OutboundState.RETRYING
    smtp.start()

    later = timezone.now() + timedelta(hours=1)
    assert outbound.due_message_ids(now=later) == [message.pk]
    assert outbound.send_outbound(message.pk, now=later) == OutboundState.SENT

    assert len(smtp.wait_for(1)) == 1
    sent = CaseEvent.objects.get(case=message.case, kind=EventKind.EMAIL_SENT)
    assert sent.payload["email"]["state"] == OutboundState.SENT and sent.payload["email"]["attempts"] == 2


def test_a_permanent_refusal_fails_at_once(smtp: CaptureServer, queued: Callable[..., OutboundMessage]) -> None:
    smtp.refuse_with = "550 5.1.1 No such user here"
    message = queued()

    assert outbound.send_outbound(message.pk) == OutboundState.FAILED
    message.refresh_from_db()
    assert message.attempts == 1 and "550" in message.last_error
    assert CaseEvent.objects.filter(case=message.case, kind=EventKind.EMAIL_FAILED).count() == 1


def test_the_sweeper_sends_a_queued_message_whose_task_was_lost(
    smtp: CaptureServer, queued: Callable[..., OutboundMessage]
) -> None:
    message = queued()  # written, its task never ran
    assert outbound.send_due_messages() == 0  # the task still has time

    assert outbound.send_due_messages(now=timezone.now() + timedelta(minutes=6)) == 1

    assert len(smtp.wait_for(1)) == 1
    assert OutboundMessage.objects.get(pk=message.pk).state == OutboundState.SENT


def test_a_message_is_sent_once_however_often_its_task_runs(
    smtp: CaptureServer, queued: Callable[..., OutboundMessage]
) -> None:
    message = queued()
    # another worker has claimed the first attempt and is talking to the server right now
    OutboundMessage.objects.filter(pk=message.pk).update(
        attempts=1, next_attempt_at=timezone.now() + outbound.SEND_LEASE
    )
    assert outbound.send_outbound(message.pk) == OutboundState.QUEUED
    assert smtp.messages == []

    # it died mid-send: after the lease, the sweeper tries again, once
    after_lease = timezone.now() + outbound.SEND_LEASE + timedelta(seconds=1)
    assert outbound.send_outbound(message.pk, now=after_lease) == OutboundState.SENT
    assert outbound.send_outbound(message.pk, now=after_lease) == OutboundState.SENT
    assert len(smtp.wait_for(1)) == 1


def test_a_sent_message_is_on_the_timeline_but_not_in_the_customers_view(
    smtp: CaptureServer, queued: Callable[..., OutboundMessage]
) -> None:
    message = queued()
    outbound.send_outbound(message.pk)

    event = CaseEvent.objects.get(case=message.case, kind=EventKind.EMAIL_SENT)
    assert not event.is_public and event.actor is None
    assert event.payload["email"]["subject"] == message.subject
    assert event.payload["email"]["outbound_message_id"] == message.message_id


def test_reply_to_is_the_per_case_address_with_plus_addressing(
    settings: Any, smtp: CaptureServer, queued: Callable[..., OutboundMessage]
) -> None:
    settings.ESM_MAIL_REPLY_PLUS_ADDRESSING = True
    message = queued()
    outbound.send_outbound(message.pk)

    reply_to = header(smtp.wait_for(1)[0].message, "Reply-To")
    assert f"helpdesk+{message.case.number.lower()}-" in reply_to and reply_to.endswith("@ejendomme.kk.dk>")


# --- the local default ---------------------------------------------------------------------------------------


def test_with_no_mail_server_configured_mail_is_written_to_files(
    settings: Any, tmp_path: Path, queued: Callable[..., OutboundMessage]
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path / "outbox")
    message = queued()

    assert outbound.send_outbound(message.pk) == OutboundState.SENT
    [written] = list((tmp_path / "outbox").iterdir())
    assert message.message_id.encode() in written.read_bytes()


@pytest.mark.parametrize(
    ("environment", "backend"),
    [
        ({}, "django.core.mail.backends.filebased.EmailBackend"),
        ({"EMAIL_HOST": "smtp.kk.dk"}, "django.core.mail.backends.smtp.EmailBackend"),
    ],
)
def test_settings_choose_files_without_a_mail_host_and_smtp_with_one(
    tmp_path: Path, environment: dict[str, str], backend: str
) -> None:
    ours = ("EMAIL_", "DEFAULT_FROM_EMAIL", "ESM_MAIL_")
    env = {key: value for key, value in os.environ.items() if not key.startswith(ours)}
    env.update(environment, ESM_VAR_DIR=str(tmp_path), EMAIL_HOST_PASSWORD_FILE=str(tmp_path / "secret"))
    (tmp_path / "secret").write_text("s3cret\n")
    code = "import esm.settings as s; print(s.EMAIL_BACKEND, s.DEFAULT_FROM_EMAIL, s.EMAIL_HOST_PASSWORD, sep='|')"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=django_settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip().split("|") == [backend, "Ejendomsservice <helpdesk@ejendomme.kk.dk>", "s3cret"]


def test_the_admin_form_can_tell_what_is_wrong_with_a_template() -> None:
    assert outbound.template_errors(subject="{{ case_title }}", text="Hej {{ customer_name }}", html="") == []
    errors = outbound.template_errors(subject="{{ }}", text="{% if %}", html="<p>{{ message|nope }}</p>")
    assert [error.split(":")[0] for error in errors] == ["subject", "text", "html"]


def test_an_administrator_can_send_a_failed_message_again(
    smtp: CaptureServer,
    queued: Callable[..., OutboundMessage],
    administrator: User,
    technician: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    smtp.refuse_with = "550 5.1.1 No such user here"
    message = queued()
    assert outbound.send_outbound(message.pk) == OutboundState.FAILED
    smtp.refuse_with = ""

    with pytest.raises(DomainError) as denied:
        outbound.resend_message(technician, outbound_id=message.pk)
    assert denied.value.code == ErrorCode.PERMISSION_DENIED
    with django_capture_on_commit_callbacks(execute=True):
        outbound.resend_message(administrator, outbound_id=message.pk)

    assert OutboundMessage.objects.get(pk=message.pk).state == OutboundState.SENT
    assert len(smtp.wait_for(1)) == 1
    with pytest.raises(DomainError) as conflict:
        outbound.resend_message(administrator, outbound_id=message.pk)
    assert conflict.value.code == ErrorCode.CONFLICT

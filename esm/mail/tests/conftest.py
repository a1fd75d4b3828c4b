"""Fixtures for mail tests: messages built as mail programs build them, and a real dovecot IMAP server on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Any

import pytest
from django.utils import timezone

from esm.cases.models import Category
from esm.mail.tests.dovecot import Dovecot, running_dovecot


def make_mail(
    *,
    sender: str = "Lise Holm <lise@skole.kk.dk>",
    to: str = "helpdesk@ejendomme.kk.dk",
    subject: str = "Knust rude i klasselokale 2.B",
    body: str = "Ruden i vinduet ud mod gården er knust.",
    message_id: str | None = None,
    in_reply_to: str | None = None,
    references: str | None = None,
    cc: str | None = None,
    headers: dict[str, str] | None = None,
    attachments: list[tuple[str, str, bytes]] = (),  # type: ignore[assignment]
    html: str | None = None,
) -> bytes:
    """A plain message as a person's mail program sends it."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    if cc:
        message["Cc"] = cc
    message["Subject"] = subject
    message["Date"] = format_datetime(timezone.now())
    message["Message-ID"] = message_id or make_msgid(domain="skole.kk.dk")
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
    if references:
        message["References"] = references
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    if html:
        message.add_alternative(html, subtype="html")
    for filename, content_type, data in attachments:
        maintype, subtype = content_type.split("/")
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return bytes(message)


@pytest.fixture
def mail_setup(categories: dict[str, Category], customer: Any, settings: Any) -> Any:
    """Categories present, Lise known by her e-mail address, plus addressing off, unknown senders become tenants."""
    customer.email = "lise@skole.kk.dk"
    customer.save(update_fields=["email"])
    settings.ESM_MAIL_UNKNOWN_SENDERS = "tenant"
    settings.ESM_MAIL_REPLY_PLUS_ADDRESSING = False
    settings.ESM_MAIL_HELPDESK_ADDRESS = "helpdesk@ejendomme.kk.dk"
    return customer


@pytest.fixture(scope="session")
def dovecot() -> Iterator[Dovecot]:
    """A real IMAP server on loopback for the whole session (password log-in)."""
    with running_dovecot() as server:
        yield server

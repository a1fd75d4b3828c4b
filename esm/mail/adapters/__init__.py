"""Mailboxes the worker reads: one small interface, an IMAP and a Microsoft Graph implementation, chosen by settings."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol

from django.conf import settings


class Mailbox(Protocol):
    """A folder of received mail.

    `fetch_new` yields (reference, raw bytes) of every message not yet processed; `mark_processed` is called
    for each after it was ingested (an implementation may collect the marks and apply them together);
    `close` applies marks still pending and disconnects.
    """

    @property
    def name(self) -> str: ...

    def fetch_new(self) -> Iterator[tuple[str, bytes]]: ...

    def mark_processed(self, ref: str) -> None: ...

    def close(self) -> None: ...


def configured_mailboxes() -> list[Mailbox]:
    """The mailboxes configured by environment: every ESM_IMAP_MAILBOXES URL, then the Graph mailbox if set."""
    from esm.mail.adapters.graph import GraphMailbox
    from esm.mail.adapters.imap import ImapMailbox

    mailboxes: list[Mailbox] = [ImapMailbox.from_url(url) for url in settings.ESM_IMAP_MAILBOXES]
    if settings.ESM_GRAPH_MAILBOX:
        mailboxes.append(GraphMailbox.from_settings())
    return mailboxes

"""A Django e-mail backend that sends through a Microsoft 365 mailbox with Microsoft Graph (`sendMail` with MIME).

Set `EMAIL_BACKEND=esm.mail.backends.GraphEmailBackend` and the `ESM_GRAPH_*` settings; the
notifier's retries and delivery states work as with SMTP.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import EmailMessage

from esm.mail.adapters.graph import GraphMailbox


class GraphEmailBackend(BaseEmailBackend):
    def __init__(self, fail_silently: bool = False, **kwargs: Any) -> None:
        super().__init__(fail_silently=fail_silently, **kwargs)
        self.mailbox: GraphMailbox | None = None

    def open(self) -> bool:
        if self.mailbox is None:
            self.mailbox = GraphMailbox.from_settings()
            return True
        return False

    def close(self) -> None:
        self.mailbox = None

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        if not email_messages:
            return 0
        opened = self.open()
        assert self.mailbox is not None
        sent = 0
        try:
            for message in email_messages:
                if not message.recipients():
                    continue
                try:
                    self.mailbox.send_mime(message.message().as_bytes())
                except Exception:
                    if not self.fail_silently:
                        raise
                    continue
                sent += 1
        finally:
            if opened:
                self.close()
        return sent

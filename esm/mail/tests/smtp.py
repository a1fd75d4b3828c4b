"""A real SMTP server on loopback for tests (aiosmtpd): it keeps every message it is given, or refuses on demand.

    with smtp_capture(settings) as server:   # points Django's SMTP backend at it
        ...send...
        message = server.wait_for(1)[0].message

`server.refuse_with = "550 5.1.1 No such user"` makes it refuse recipients; `server.stop()` then
`server.start()` simulates an outage.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any

try:
    from aiosmtpd.controller import Controller
except ImportError as exc:  # pragma: no cover - named in the failure message
    raise ImportError("The SMTP tests need aiosmtpd: .venv/bin/pip install aiosmtpd") from exc

logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every SMTP line at INFO


@dataclass(frozen=True)
class Captured:
    """One message as the server received it: envelope and the bytes, parsed."""

    mail_from: str
    rcpt_tos: list[str]
    content: bytes

    @property
    def message(self) -> EmailMessage:
        parsed = BytesParser(policy=policy.default).parsebytes(self.content)
        assert isinstance(parsed, EmailMessage)
        return parsed

    def part(self, content_type: str) -> str:
        """The decoded text of the first part of this type (text/plain, text/html)."""
        for part in self.message.walk():
            if part.get_content_type() == content_type:
                return str(part.get_content()).replace("\r\n", "\n")
        raise AssertionError(f"no {content_type} part in the message")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class CaptureServer:
    """An aiosmtpd server on 127.0.0.1 collecting what it receives."""

    def __init__(self, port: int | None = None) -> None:
        self.host = "127.0.0.1"
        self.port = port or free_port()
        self.messages: list[Captured] = []
        self.refuse_with = ""  # an SMTP reply such as "451 4.3.0 Try later" refuses every recipient
        self._lock = threading.Lock()
        self._controller: Controller | None = None

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any) -> str:
        if self.refuse_with:
            return self.refuse_with
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        content = envelope.original_content or envelope.content
        if isinstance(content, str):
            content = content.encode("utf-8")
        with self._lock:
            self.messages.append(Captured(envelope.mail_from, list(envelope.rcpt_tos), bytes(content)))
        return "250 Message accepted for delivery"

    def start(self) -> None:
        self._controller = Controller(self, hostname=self.host, port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def wait_for(self, count: int, timeout: float = 5.0) -> list[Captured]:
        """The messages received, once there are at least `count` (fails after `timeout` seconds)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.messages) >= count:
                    return list(self.messages)
            time.sleep(0.02)
        raise AssertionError(f"expected {count} message(s), the SMTP server got {len(self.messages)}")

    def to(self, address: str) -> list[Captured]:
        with self._lock:
            return [m for m in self.messages if address.lower() in (r.lower() for r in m.rcpt_tos)]


@contextmanager
def smtp_capture(settings: Any = None) -> Iterator[CaptureServer]:
    """Start a capture server; with pytest-django's `settings`, Django's SMTP backend is pointed at it."""
    server = CaptureServer()
    server.start()
    if settings is not None:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = server.host
        settings.EMAIL_PORT = server.port
        settings.EMAIL_HOST_USER = ""
        settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_USE_TLS = False
        settings.EMAIL_USE_SSL = False
        settings.EMAIL_TIMEOUT = 5
    try:
        yield server
    finally:
        server.stop()

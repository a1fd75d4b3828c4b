"""A Microsoft 365 mailbox through Graph, against a local HTTP server that speaks the Graph endpoints we use."""

from __future__ import annotations

import base64
import email
import json
import re
import threading
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from esm.accounts.models import User
from esm.cases.models import Case
from esm.mail import services
from esm.mail.adapters.graph import GraphMailbox
from esm.mail.models import InboundMessage, InboundState
from esm.mail.services import poll_mailboxes
from esm.mail.tests.conftest import make_mail

pytestmark = pytest.mark.django_db

MAILBOX = "helpdesk@ejendomme.kk.dk"
TOKEN = "graph-token-1"


@dataclass
class FakeGraph:
    """Folders of one mailbox, the token endpoint and sendMail, as Microsoft Graph answers them."""

    folders: dict[str, dict[str, bytes]] = field(default_factory=lambda: {"inbox": {}, "archive": {}})
    token_requests: list[dict[str, str]] = field(default_factory=list)
    sent: list[tuple[str, bytes]] = field(default_factory=list)
    throttle_next: int = 0
    failing: bool = False
    page_size: int = 2
    port: int = 0

    def deliver(self, raw: bytes, folder: str = "inbox") -> str:
        message_id = f"AAMk{len(self.all_ids()) + 1:04d}="
        self.folders[folder][message_id] = raw
        return message_id

    def all_ids(self) -> list[str]:
        return [mid for folder in self.folders.values() for mid in folder]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1.0"


def _handler(graph: FakeGraph) -> type[BaseHTTPRequestHandler]:
    prefix = f"/v1.0/users/{urllib.parse.quote(MAILBOX)}"

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _send(self, status: int, body: bytes | dict[str, Any] = b"", headers: dict[str, str] | None = None) -> None:
            data = json.dumps(body).encode() if isinstance(body, dict) else body
            self.send_response(status)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _body(self) -> bytes:
            return self.rfile.read(int(self.headers.get("Content-Length") or 0))

        def _allowed(self) -> bool:
            if graph.failing:
                self._send(500, {"error": {"code": "InternalServerError"}})
                return False
            if graph.throttle_next:
                graph.throttle_next -= 1
                self._send(429, {"error": {"code": "TooManyRequests"}}, {"Retry-After": "0"})
                return False
            if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                self._send(401, {"error": {"code": "InvalidAuthenticationToken"}})
                return False
            return True

        def do_GET(self) -> None:
            if not self._allowed():
                return
            url = urllib.parse.urlsplit(self.path)
            listing = re.fullmatch(rf"{re.escape(prefix)}/mailFolders/([^/]+)/messages", url.path)
            if listing:
                ids = list(graph.folders.get(urllib.parse.unquote(listing.group(1)), {}))
                query = urllib.parse.parse_qs(url.query)
                skip = int(query.get("$skip", ["0"])[0])
                page = ids[skip : skip + graph.page_size]
                body: dict[str, Any] = {"value": [{"id": mid} for mid in page]}
                if skip + graph.page_size < len(ids):
                    body["@odata.nextLink"] = (
                        f"{graph.base_url}{url.path[len('/v1.0') :]}?$skip={skip + graph.page_size}"
                    )
                self._send(200, body)
                return
            value = re.fullmatch(rf"{re.escape(prefix)}/messages/([^/]+)/\$value", url.path)
            if value:
                message_id = urllib.parse.unquote(value.group(1))
                for folder in graph.folders.values():
                    if message_id in folder:
                        self._send(200, folder[message_id], {"Content-Type": "text/plain"})
                        return
            self._send(404, {"error": {"code": "ErrorItemNotFound"}})

        def do_POST(self) -> None:
            if self.path == "/token":
                form = {key: values[0] for key, values in urllib.parse.parse_qs(self._body().decode()).items()}
                graph.token_requests.append(form)
                self._send(200, {"token_type": "Bearer", "access_token": TOKEN, "expires_in": 3599})
                return
            if not self._allowed():
                return
            body = self._body()
            move = re.fullmatch(rf"{re.escape(prefix)}/messages/([^/]+)/move", self.path)
            if move:
                message_id = urllib.parse.unquote(move.group(1))
                target = json.loads(body)["destinationId"]
                for folder in graph.folders.values():
                    if message_id in folder:
                        graph.folders.setdefault(target, {})[message_id] = folder.pop(message_id)
                        self._send(201, {"id": message_id})
                        return
                self._send(404, {"error": {"code": "ErrorItemNotFound"}})
                return
            if self.path == f"{prefix}/sendMail":
                graph.sent.append((self.headers.get("Content-Type", ""), base64.b64decode(body)))
                self._send(202)
                return
            self._send(404, {"error": {"code": "NotFound"}})

    return Handler


@pytest.fixture
def graph(settings: Any) -> Iterator[FakeGraph]:
    fake = FakeGraph()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    fake.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.ESM_IMAP_MAILBOXES = []
    settings.ESM_GRAPH_MAILBOX = MAILBOX
    settings.ESM_GRAPH_CLIENT_ID = "client-id"
    settings.ESM_GRAPH_CLIENT_SECRET = "client-secret"
    settings.ESM_GRAPH_TOKEN_URL = f"http://127.0.0.1:{fake.port}/token"
    settings.ESM_GRAPH_BASE_URL = fake.base_url
    settings.ESM_GRAPH_FOLDER = "inbox"
    settings.ESM_GRAPH_PROCESSED_FOLDER = "archive"
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def test_polling_the_graph_mailbox_opens_cases_and_moves_the_mail(mail_setup: User, graph: FakeGraph) -> None:
    for number in range(5):
        graph.deliver(make_mail(subject=f"Fra Outlook {number}"))

    summary = poll_mailboxes()

    assert summary[f"graph:{MAILBOX}/inbox"]["created"] == 5
    assert Case.objects.count() == 5
    assert graph.folders["inbox"] == {}
    assert len(graph.folders["archive"]) == 5
    assert set(InboundMessage.objects.values_list("source_ref", flat=True)) == set(graph.folders["archive"])
    assert len(graph.token_requests) == 1  # one token for the whole poll
    assert graph.token_requests[0] == {
        "grant_type": "client_credentials",
        "client_id": "client-id",
        "client_secret": "client-secret",
        "scope": "https://graph.microsoft.com/.default",
    }
    assert sum(poll_mailboxes()[f"graph:{MAILBOX}/inbox"].values()) == 0


class WorkerDied(BaseException):
    pass


def test_a_graph_message_is_moved_only_after_its_case_was_made(
    mail_setup: User, graph: FakeGraph, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = graph.deliver(make_mail(subject="Første"))
    second = graph.deliver(make_mail(subject="Anden"))
    real_process = services.process_inbound

    def dies_on_the_second(inbound_id: int, **kwargs: Any) -> Any:
        if InboundMessage.objects.filter(pk=inbound_id, source_ref=second).exists():
            raise WorkerDied
        return real_process(inbound_id, **kwargs)

    monkeypatch.setattr(services, "process_inbound", dies_on_the_second)
    with pytest.raises(WorkerDied):
        poll_mailboxes()
    assert list(graph.folders["archive"]) == [first]
    assert list(graph.folders["inbox"]) == [second]

    monkeypatch.setattr(services, "process_inbound", real_process)
    poll_mailboxes()
    assert Case.objects.count() == 2
    assert graph.folders["inbox"] == {}
    assert not InboundMessage.objects.filter(state=InboundState.RECEIVED).exists()


def test_throttling_is_waited_out(mail_setup: User, graph: FakeGraph) -> None:
    graph.deliver(make_mail())
    graph.throttle_next = 2
    poll_mailboxes()
    assert Case.objects.count() == 1


def test_a_failing_graph_loses_nothing(mail_setup: User, graph: FakeGraph) -> None:
    graph.deliver(make_mail())
    graph.failing = True
    assert poll_mailboxes()[f"graph:{MAILBOX}/inbox"]["error"] == 1
    graph.failing = False
    poll_mailboxes()
    assert Case.objects.count() == 1


def test_sending_mime_through_graph(graph: FakeGraph) -> None:
    raw = make_mail(sender="helpdesk@ejendomme.kk.dk", to="lise@skole.kk.dk", subject="[S-2026-000001] Modtaget")
    GraphMailbox.from_settings().send_mime(raw)
    assert graph.sent == [("text/plain", raw)]


def test_notifications_can_go_out_through_graph(graph: FakeGraph, settings: Any) -> None:
    """With the Graph e-mail backend, a message from the case leaves through the Microsoft 365 mailbox."""
    from django.core.mail import EmailMultiAlternatives

    settings.EMAIL_BACKEND = "esm.mail.backends.GraphEmailBackend"
    message = EmailMultiAlternatives(
        subject="[S-2026-000001] Vi har modtaget din henvendelse",
        body="Hej Lise",
        from_email="Ejendomsservice <helpdesk@ejendomme.kk.dk>",
        to=["lise@skole.kk.dk"],
        headers={"Message-ID": "<esm.S-2026-000001.abc@ejendomme.kk.dk>"},
    )
    message.attach_alternative("<p>Hej Lise</p>", "text/html")

    assert message.send() == 1

    ((content_type, raw),) = graph.sent
    assert content_type == "text/plain"
    sent = email.message_from_bytes(raw)
    assert sent["To"] == "lise@skole.kk.dk"
    assert sent["Message-ID"] == "<esm.S-2026-000001.abc@ejendomme.kk.dk>"
    assert sent.get_content_type() == "multipart/alternative"

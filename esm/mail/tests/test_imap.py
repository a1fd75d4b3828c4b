"""Polling a real IMAP server (dovecot on loopback): mail becomes cases, is marked only after commit, never twice."""

from __future__ import annotations

import imaplib
import json
import shutil
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest
from django.db import connection

from esm.accounts.models import User
from esm.cases.models import Case
from esm.mail import services
from esm.mail.adapters.imap import KEYWORD, ImapMailbox, imap_folder
from esm.mail.models import InboundMessage, InboundState
from esm.mail.services import poll_mailboxes
from esm.mail.tests.conftest import make_mail
from esm.mail.tests.dovecot import Dovecot, running_dovecot

pytestmark = pytest.mark.django_db


def messages(count: int, prefix: str = "Sag") -> list[bytes]:
    return [make_mail(subject=f"{prefix} {number}", body=f"Besked nummer {number}") for number in range(count)]


def test_polling_turns_new_mail_into_cases_and_marks_it_processed(
    mail_setup: User, dovecot: Dovecot, settings: Any
) -> None:
    user = dovecot.new_user()
    dovecot.append_many(user, messages(3))
    settings.ESM_IMAP_MAILBOXES = [dovecot.url(user)]

    summary = poll_mailboxes()

    assert next(iter(summary.values()))["created"] == 3
    assert Case.objects.count() == 3
    assert set(InboundMessage.objects.values_list("source_ref", flat=True)) == {"1", "2", "3"}
    assert dovecot.uids(user, criteria=f"KEYWORD {KEYWORD} SEEN") == [1, 2, 3]
    assert dovecot.uids(user, criteria=f"UNKEYWORD {KEYWORD}") == []


def test_polling_again_duplicates_nothing(mail_setup: User, dovecot: Dovecot, settings: Any) -> None:
    user = dovecot.new_user()
    dovecot.append_many(user, messages(2))
    settings.ESM_IMAP_MAILBOXES = [dovecot.url(user)]
    poll_mailboxes()

    assert sum(poll_mailboxes()[dovecot_name(user, dovecot)].values()) == 0  # nothing new
    client = dovecot.connect(user)  # someone takes the mark off by hand: the messages are seen again
    client.select("INBOX")
    client.uid("STORE", "1:*", "-FLAGS", f"({KEYWORD})")
    client.logout()

    again = poll_mailboxes()[dovecot_name(user, dovecot)]

    assert again["duplicate"] == 2
    assert Case.objects.count() == 2


def dovecot_name(user: str, dovecot: Dovecot) -> str:
    return ImapMailbox.from_url(dovecot.url(user)).name


def test_with_a_processed_folder_mail_is_moved_there(mail_setup: User, dovecot: Dovecot, settings: Any) -> None:
    user = dovecot.new_user()
    dovecot.append_many(user, messages(2))
    settings.ESM_IMAP_MAILBOXES = [dovecot.url(user, processed="Behandlet løst")]

    poll_mailboxes()

    assert Case.objects.count() == 2
    assert dovecot.uids(user) == []
    assert len(dovecot.uids(user, folder=imap_folder("Behandlet løst").strip('"'))) == 2


class WorkerDied(BaseException):
    """The worker process is killed (nothing in the code catches this)."""


def test_a_message_is_marked_only_after_its_case_committed_and_a_crash_loses_nothing(
    mail_setup: User, dovecot: Dovecot, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = dovecot.new_user()
    dovecot.append_many(user, messages(3))
    settings.ESM_IMAP_MAILBOXES = [dovecot.url(user, batch="1")]
    real_process = services.process_inbound
    marked_states: list[str] = []
    real_flush = ImapMailbox.flush

    def flush(self: ImapMailbox) -> None:
        for ref in self._pending:
            marked_states.append(InboundMessage.objects.get(source_ref=ref, source=self.name).state)
        real_flush(self)

    def dies_on_the_second(inbound_id: int, **kwargs: Any) -> Any:
        if InboundMessage.objects.filter(pk=inbound_id, source_ref="2").exists():
            raise WorkerDied
        return real_process(inbound_id, **kwargs)

    monkeypatch.setattr(ImapMailbox, "flush", flush)
    monkeypatch.setattr(services, "process_inbound", dies_on_the_second)
    with pytest.raises(WorkerDied):
        poll_mailboxes()

    assert marked_states == [InboundState.CREATED]  # the first, after its case; never the stored-only second
    assert dovecot.uids(user, criteria=f"UNKEYWORD {KEYWORD}") == [2, 3]
    assert InboundMessage.objects.get(source_ref="2").state == InboundState.RECEIVED

    monkeypatch.setattr(services, "process_inbound", real_process)
    summary = poll_mailboxes()

    assert Case.objects.count() == 3
    assert not InboundMessage.objects.filter(state=InboundState.RECEIVED).exists()
    assert dovecot.uids(user, criteria=f"UNKEYWORD {KEYWORD}") == []
    assert sum(summary[dovecot_name(user, dovecot)].values()) == 2


@pytest.mark.django_db(transaction=True)
def test_marks_are_sent_outside_any_transaction(
    mail_setup: User, dovecot: Dovecot, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = dovecot.new_user()
    dovecot.append_many(user, messages(2))
    settings.ESM_IMAP_MAILBOXES = [dovecot.url(user, batch="1")]
    seen: list[bool] = []
    real_flush = ImapMailbox.flush

    def flush(self: ImapMailbox) -> None:
        seen.append(connection.in_atomic_block)
        real_flush(self)

    monkeypatch.setattr(ImapMailbox, "flush", flush)
    poll_mailboxes()
    assert seen and not any(seen)  # every case transaction had committed when its message was marked
    assert Case.objects.count() == 2


def test_mail_is_fetched_in_batches(
    mail_setup: User, dovecot: Dovecot, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = dovecot.new_user()
    dovecot.append_many(user, messages(120))
    settings.ESM_IMAP_MAILBOXES = [dovecot.url(user, batch="50")]
    commands: list[str] = []
    real_uid = imaplib.IMAP4.uid

    def uid(self: imaplib.IMAP4, command: str, *args: Any) -> Any:
        commands.append(command.upper())
        return real_uid(self, command, *args)

    monkeypatch.setattr(imaplib.IMAP4, "uid", uid)
    poll_mailboxes()

    assert Case.objects.count() == 120
    assert commands.count("FETCH") == 1 + 3  # the sizes, then 50 + 50 + 20 messages
    assert commands.count("STORE") == 3


def test_imaps_and_starttls_trust_the_configured_certificate(mail_setup: User, dovecot: Dovecot, settings: Any) -> None:
    user = dovecot.new_user()
    dovecot.append_many(user, messages(2))
    settings.ESM_IMAP_MAILBOXES = [dovecot.url(user, scheme="imaps", cafile=dovecot.cafile)]
    assert next(iter(poll_mailboxes().values()))["created"] == 2

    other = dovecot.new_user()
    dovecot.append_many(other, messages(1, prefix="Starttls"))
    settings.ESM_IMAP_MAILBOXES = [dovecot.url(other, starttls="1", cafile=dovecot.cafile)]
    assert next(iter(poll_mailboxes().values()))["created"] == 1


def test_an_unreachable_or_refusing_mailbox_loses_nothing(mail_setup: User, dovecot: Dovecot, settings: Any) -> None:
    user = dovecot.new_user()
    dovecot.append_many(user, messages(1))
    untrusted = dovecot.url(user, scheme="imaps")  # a self-signed certificate nobody configured
    wrong_password = dovecot.url(user, starttls="1", cafile=dovecot.cafile).replace("imap-test-password", "wrong")
    settings.ESM_IMAP_MAILBOXES = [untrusted, wrong_password]

    summary = poll_mailboxes()

    assert [counts["error"] for counts in summary.values()] == [1, 1]
    assert not InboundMessage.objects.exists()
    assert dovecot.uids(user, criteria=f"UNKEYWORD {KEYWORD}") == [1]


# --- Microsoft 365 style: XOAUTH2 with a client-credentials token ----------------------------------------------------

OAUTH_TOKEN = "imap-oauth-token-1"


@pytest.fixture
def identity_platform() -> Iterator[dict[str, Any]]:
    """A token endpoint (client credentials) and the introspection endpoint dovecot asks whether a token is good."""
    state: dict[str, Any] = {"token_requests": [], "introspected": []}

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode()).items()}
            if self.path == "/token":
                state["token_requests"].append(form)
                body = {"access_token": OAUTH_TOKEN, "token_type": "Bearer", "expires_in": 3599}
            else:
                state["introspected"].append(form.get("token"))
                good = form.get("token") == OAUTH_TOKEN
                body = {"active": good, "username": state.get("user", "")} if good else {"active": False}
            data = json.dumps(body).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state["url"] = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


def test_a_microsoft_365_style_mailbox_signs_in_with_xoauth2(
    mail_setup: User, identity_platform: dict[str, Any], settings: Any
) -> None:
    oauth2_conf = (
        f"introspection_mode = post\nintrospection_url = {identity_platform['url']}/introspect\n"
        "username_attribute = username\nactive_attribute = active\nactive_value = true\n"
    )
    passdb = "passdb {\n  driver = oauth2\n  mechanisms = xoauth2 oauthbearer\n  args = {root}/oauth2.conf\n}"
    with running_dovecot(passdb=passdb, mechanisms="xoauth2 oauthbearer", files={"oauth2.conf": oauth2_conf}) as server:
        user = "helpdesk"
        identity_platform["user"] = user
        maildir = server.root / "mail" / user
        deliver_to_maildir(maildir, messages(2, prefix="Via Microsoft 365"))
        settings.ESM_IMAP_AUTH = "xoauth2"
        settings.ESM_IMAP_OAUTH_TOKEN_URL = f"{identity_platform['url']}/token"
        settings.ESM_IMAP_OAUTH_CLIENT_ID = "imap-client"
        settings.ESM_IMAP_OAUTH_CLIENT_SECRET = "imap-secret"
        settings.ESM_IMAP_MAILBOXES = [f"imap://{user}@127.0.0.1:{server.port}/INBOX"]

        summary = poll_mailboxes()

    assert next(iter(summary.values()))["created"] == 2
    assert Case.objects.count() == 2
    assert identity_platform["token_requests"] == [
        {
            "grant_type": "client_credentials",
            "client_id": "imap-client",
            "client_secret": "imap-secret",
            "scope": "https://outlook.office365.com/.default",
        }
    ]
    assert OAUTH_TOKEN in identity_platform["introspected"]


def deliver_to_maildir(maildir: Path, raws: list[bytes]) -> None:
    """Put messages straight into a maildir, as the mail server's delivery agent would (no IMAP log-in needed)."""
    for sub in ("cur", "new", "tmp"):
        (maildir / sub).mkdir(parents=True, exist_ok=True)
    for number, raw in enumerate(raws):
        (maildir / "new" / f"{time.time():.0f}.M{number}P1.test").write_bytes(raw)
    for path in [maildir, *maildir.rglob("*")]:
        shutil.chown(path, "mail", "mail")

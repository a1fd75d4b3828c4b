"""A real dovecot IMAP server of our own on loopback, for the mail tests and bench/mail.py (needs no pytest)."""

from __future__ import annotations

import contextlib
import imaplib
import itertools
import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

IMAP_PASSWORD = "imap-test-password"
DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"


# --- the server ---------------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Dovecot:
    """A dovecot instance of the test session's own: any user name, one password, a maildir per user."""

    port: int
    tls_port: int
    root: Path

    @property
    def cafile(self) -> str:
        """The server's self-signed certificate, to trust it."""
        return str(self.root / "cert.pem")

    def new_user(self) -> str:
        """A fresh, empty mailbox for one test."""
        return f"u{uuid.uuid4().hex[:12]}"

    def url(self, user: str, folder: str = "INBOX", *, scheme: str = "imap", **options: str) -> str:
        query = "&".join(f"{name}={value}" for name, value in options.items())
        port = self.tls_port if scheme == "imaps" else self.port
        return f"{scheme}://{user}:{IMAP_PASSWORD}@127.0.0.1:{port}/{folder}" + (f"?{query}" if query else "")

    def connect(self, user: str) -> imaplib.IMAP4:
        client = imaplib.IMAP4("127.0.0.1", self.port)
        client.login(user, IMAP_PASSWORD)
        return client

    def append(self, user: str, raw: bytes, folder: str = "INBOX") -> None:
        """Deliver a message into a user's folder, as the mail server would."""
        self.append_many(user, [raw], folder)

    def append_many(self, user: str, messages: list[bytes], folder: str = "INBOX") -> None:
        client = self.connect(user)
        try:
            if folder != "INBOX":
                client.create(folder)
            for raw in messages:
                status, _data = client.append(folder, "", imaplib.Time2Internaldate(time.time()), raw)
                assert status == "OK"
        finally:
            client.logout()

    def uids(self, user: str, folder: str = "INBOX", criteria: str = "ALL") -> list[int]:
        client = self.connect(user)
        try:
            status, _data = client.select(f'"{folder}"')
            if status != "OK":
                return []
            _status, data = client.uid("SEARCH", criteria)
            return [int(uid) for uid in (data[0] or b"").split()]
        finally:
            client.logout()


_CONFIG = """\
protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
info_log_path = {root}/dovecot.log
ssl = yes
ssl_cert = <{root}/cert.pem
ssl_key = <{root}/key.pem
disable_plaintext_auth = no
auth_mechanisms = {mechanisms}
first_valid_uid = 1
mail_location = maildir:{root}/mail/%u
default_login_user = mail
default_internal_user = mail
default_internal_group = mail
{passdb}
userdb {{
  driver = static
  args = uid=mail gid=mail home={root}/home/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {tls_port}
  }}
}}
service stats {{
  unix_listener stats-reader {{
    mode = 0666
  }}
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
"""


def _wait_for(port: int, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"dovecot did not listen on port {port}")


STATIC_PASSDB = f"passdb {{\n  driver = static\n  args = password={IMAP_PASSWORD}\n}}"


@contextlib.contextmanager
def running_dovecot(
    *, passdb: str = STATIC_PASSDB, mechanisms: str = "plain login", files: dict[str, str] | None = None
) -> Iterator[Dovecot]:
    """Start a dovecot of our own (any user name, a maildir each) and stop it afterwards, also when tests fail.

    `passdb` and `files` (extra configuration files, by name) may say `{root}` for the server's folder.
    """
    if not os.path.exists(DOVECOT):
        raise RuntimeError("dovecot is not installed: apt-get install -y dovecot-imapd")
    # Not under the test runner's temp folder: dovecot's processes run as `mail` and need to reach the maildirs.
    root = Path(tempfile.mkdtemp(prefix="esm-dovecot-"))
    for sub in ("run", "state", "mail", "home"):
        (root / sub).mkdir()
    shutil.chown(root, "mail", "mail")
    for sub in ("mail", "home", "state"):
        shutil.chown(root / sub, "mail", "mail")
    os.chmod(root, 0o755)
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(root / "key.pem"), "-out", str(root / "cert.pem")],
        check=True, capture_output=True,
    )  # fmt: skip
    for name, text in (files or {}).items():
        (root / name).write_text(text.replace("{root}", str(root)))
    config = root / "dovecot.conf"
    try:
        for attempt in itertools.count():
            port, tls_port = free_port(), free_port()
            values = {"root": root, "port": port, "tls_port": tls_port, "mechanisms": mechanisms}
            config.write_text(_CONFIG.format(**values, passdb=passdb.replace("{root}", str(root))))
            # The daemon keeps inherited pipes open: its output goes to a file, never to a pipe we wait on.
            with open(root / "start.log", "wb") as output:
                started = subprocess.run(
                    [DOVECOT, "-c", str(config)], stdin=subprocess.DEVNULL, stdout=output, stderr=output, timeout=30
                )
            if started.returncode == 0:
                break
            if attempt >= 2:
                logs = [root / "start.log", root / "dovecot.log"]
                raise RuntimeError(
                    "dovecot did not start:\n" + "".join(p.read_text(errors="replace") for p in logs if p.exists())
                )
        _wait_for(port)
        _wait_for(tls_port)
        yield Dovecot(port=port, tls_port=tls_port, root=root)
    finally:
        subprocess.run(
            [DOVECOT, "-c", str(config), "stop"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=30,
        )  # fmt: skip
        time.sleep(0.2)
        shutil.rmtree(root, ignore_errors=True)

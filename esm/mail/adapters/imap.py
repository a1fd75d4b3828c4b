"""An IMAP mailbox (IMAPS or STARTTLS; password or XOAUTH2): fetches new mail in batches and marks it processed.

A message counts as new until it is marked: moved to the processed folder when one is configured, otherwise
flagged \\Seen and with the keyword `ESMProcessed` (or only \\Seen where the server keeps no keywords).
Marks are collected and sent together, by UID, after the messages were ingested.
"""

from __future__ import annotations

import base64
import contextlib
import imaplib
import logging
import re
import ssl
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from django.conf import settings

from esm.mail.adapters.oauth import ClientCredentials

logger = logging.getLogger(__name__)

KEYWORD = "ESMProcessed"
DEFAULT_BATCH = 50
BATCH_BYTES = 25 * 1024 * 1024
MAX_PER_POLL = 2000
_UID = re.compile(rb"UID (\d+)")


class ImapError(Exception):
    """The IMAP server refused a command."""


def imap_folder(name: str) -> str:
    """A folder name as IMAP wants it: modified UTF-7 (RFC 3501), quoted."""
    encoded: list[str] = []
    pending: list[str] = []

    def flush() -> None:
        if pending:
            data = "".join(pending).encode("utf-16-be")
            encoded.append("&" + base64.b64encode(data).decode().rstrip("=").replace("/", ",") + "-")
            pending.clear()

    for char in name:
        if 0x20 <= ord(char) <= 0x7E:
            flush()
            encoded.append("&-" if char == "&" else char)
        else:
            pending.append(char)
    flush()
    text = "".join(encoded).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'


@dataclass
class ImapConfig:
    host: str
    port: int
    user: str
    password: str
    folder: str = "INBOX"
    security: str = "tls"  # tls | starttls | none
    processed_folder: str = ""
    cafile: str = ""
    batch: int = DEFAULT_BATCH
    auth: str = "password"  # password | xoauth2

    @classmethod
    def from_url(cls, url: str) -> ImapConfig:
        """`imaps://user:password@host:993/INBOX?processed=Behandlet`, `imap://…?starttls=1`."""
        parts = urlsplit(url)
        if parts.scheme not in ("imap", "imaps") or not parts.hostname:
            raise ValueError("an IMAP mailbox URL starts imap:// or imaps:// and names a host")
        options = {name: values[-1] for name, values in parse_qs(parts.query).items()}
        secure = parts.scheme == "imaps"
        starttls = options.get("starttls", "") in ("1", "true", "yes")
        return cls(
            host=parts.hostname,
            port=parts.port or (993 if secure else 143),
            user=unquote(parts.username or ""),
            password=unquote(parts.password or ""),
            folder=unquote(parts.path.lstrip("/")) or "INBOX",
            security="tls" if secure else "starttls" if starttls else "none",
            processed_folder=options.get("processed", ""),
            cafile=options.get("cafile", ""),
            batch=max(1, min(500, int(options.get("batch", DEFAULT_BATCH)))),
            auth=options.get("auth", settings.ESM_IMAP_AUTH),
        )


@dataclass
class ImapMailbox:
    """One folder of one IMAP account."""

    config: ImapConfig
    token: Callable[[], str] | None = None
    timeout: float = 60
    _client: imaplib.IMAP4 | None = field(default=None, repr=False)
    _pending: list[str] = field(default_factory=list, repr=False)
    _keywords: bool = True

    @classmethod
    def from_url(cls, url: str) -> ImapMailbox:
        config = ImapConfig.from_url(url)
        token = None
        if config.auth == "xoauth2":
            token = ClientCredentials(
                token_url=settings.ESM_IMAP_OAUTH_TOKEN_URL,
                client_id=settings.ESM_IMAP_OAUTH_CLIENT_ID,
                client_secret=settings.ESM_IMAP_OAUTH_CLIENT_SECRET,
                scope=settings.ESM_IMAP_OAUTH_SCOPE,
            ).token
        return cls(config, token=token, timeout=settings.ESM_IMAP_TIMEOUT)

    @property
    def name(self) -> str:
        return f"imap:{self.config.user}@{self.config.host}:{self.config.port}/{self.config.folder}"

    # --- connection ---------------------------------------------------------------------------------------------

    def _ssl_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=self.config.cafile or None)

    def _connect(self) -> imaplib.IMAP4:
        config = self.config
        client: imaplib.IMAP4
        if config.security == "tls":
            client = imaplib.IMAP4_SSL(config.host, config.port, ssl_context=self._ssl_context(), timeout=self.timeout)
        else:
            client = imaplib.IMAP4(config.host, config.port, timeout=self.timeout)
            if config.security == "starttls":
                client.starttls(ssl_context=self._ssl_context())
        try:
            if config.auth == "xoauth2":
                if self.token is None:
                    raise ImapError("XOAUTH2 needs a token source")
                auth = f"user={config.user}\x01auth=Bearer {self.token()}\x01\x01".encode()
                client.authenticate("XOAUTH2", lambda _challenge: auth)
            else:
                client.login(config.user, config.password)
            self._check(client.select(imap_folder(config.folder)), "SELECT")
        except Exception:
            with contextlib.suppress(Exception):  # already failing: the first error is the one to report
                client.logout()
            raise
        flags = b" ".join(
            item for item in client.untagged_responses.get("PERMANENTFLAGS", []) if isinstance(item, bytes)
        )
        self._keywords = b"\\*" in flags
        if not self._keywords and not config.processed_folder:
            logger.warning("%s keeps no keywords: only \\Seen marks processed mail; configure processed=", self.name)
        return client

    def _connection(self) -> imaplib.IMAP4:
        if self._client is None:
            self._client = self._connect()
        return self._client

    @staticmethod
    def _check(answer: tuple[str, list[Any]], command: str) -> list[Any]:
        status, data = answer
        if status != "OK":
            raise ImapError(f"{command} failed: {data!r}")
        return data

    # --- reading ------------------------------------------------------------------------------------------------

    def _search(self, client: imaplib.IMAP4) -> list[int]:
        if self._keywords:
            criteria = ["UNDELETED", "UNKEYWORD", KEYWORD]
        elif self.config.processed_folder:
            criteria = ["UNDELETED"]
        else:
            criteria = ["UNDELETED", "UNSEEN"]
        data = self._check(client.uid("SEARCH", *criteria), "SEARCH")
        first = data[0] if data and isinstance(data[0], bytes) else b""
        return sorted(int(uid) for uid in first.split())[:MAX_PER_POLL]

    def _sizes(self, client: imaplib.IMAP4, uids: list[int]) -> dict[int, int]:
        data = self._check(client.uid("FETCH", _uid_set(uids), "(RFC822.SIZE)"), "FETCH")
        sizes: dict[int, int] = {}
        for item in data:
            line = item[0] if isinstance(item, tuple) else item
            if not isinstance(line, bytes):
                continue
            uid = _UID.search(line)
            size = re.search(rb"RFC822\.SIZE (\d+)", line)
            if uid and size:
                sizes[int(uid.group(1))] = int(size.group(1))
        return sizes

    def _batches(self, uids: list[int], sizes: dict[int, int]) -> Iterator[list[int]]:
        batch: list[int] = []
        total = 0
        for uid in uids:
            size = sizes.get(uid, 0)
            if batch and (len(batch) >= self.config.batch or total + size > BATCH_BYTES):
                yield batch
                batch, total = [], 0
            batch.append(uid)
            total += size
        if batch:
            yield batch

    @staticmethod
    def _bodies(data: list[object]) -> dict[int, bytes]:
        """Raw messages by UID from a FETCH answer (the UID may stand before or after the literal)."""
        found: dict[int, bytes] = {}
        waiting: bytes | None = None
        for item in data:
            if isinstance(item, tuple) and len(item) == 2:
                head, body = item
                match = _UID.search(head) if isinstance(head, bytes) else None
                if match and isinstance(body, bytes):
                    found[int(match.group(1))] = body
                    waiting = None
                elif isinstance(body, bytes):
                    waiting = body
            elif isinstance(item, bytes) and waiting is not None:
                match = _UID.search(item)
                if match:
                    found[int(match.group(1))] = waiting
                waiting = None
        return found

    def fetch_new(self) -> Iterator[tuple[str, bytes]]:
        """Every message not yet marked, oldest first, fetched in batches (one round trip per batch)."""
        client = self._connection()
        uids = self._search(client)
        if not uids:
            return
        sizes = self._sizes(client, uids)
        for batch in self._batches(uids, sizes):
            data = self._check(client.uid("FETCH", _uid_set(batch), "(UID BODY.PEEK[])"), "FETCH")
            bodies = self._bodies(data)
            for uid in batch:
                if uid in bodies:
                    yield str(uid), bodies[uid]

    # --- marking ------------------------------------------------------------------------------------------------

    def mark_processed(self, ref: str) -> None:
        self._pending.append(ref)
        if len(self._pending) >= self.config.batch:
            self.flush()

    def flush(self) -> None:
        """Send the marks collected so far in one command."""
        if not self._pending:
            return
        client = self._connection()
        uids = _uid_set(int(ref) for ref in self._pending)
        if self.config.processed_folder:
            self._move(client, uids)
        else:
            flags = f"(\\Seen {KEYWORD})" if self._keywords else "(\\Seen)"
            self._check(client.uid("STORE", uids, "+FLAGS.SILENT", flags), "STORE")
        self._pending.clear()

    def _move(self, client: imaplib.IMAP4, uids: str) -> None:
        target = imap_folder(self.config.processed_folder)
        can_move = b"MOVE" in _capabilities(client)
        for attempt in range(2):
            status, data = client.uid("MOVE" if can_move else "COPY", uids, target)
            if status == "OK":
                break
            if attempt:
                raise ImapError(f"moving to {target} failed: {data!r}")
            client.create(target)  # the folder did not exist yet
        if can_move:
            return
        self._check(client.uid("STORE", uids, "+FLAGS.SILENT", "(\\Deleted)"), "STORE")
        if b"UIDPLUS" in _capabilities(client):
            self._check(client.uid("EXPUNGE", uids), "UID EXPUNGE")
        else:
            self._check(client.expunge(), "EXPUNGE")

    def close(self) -> None:
        """Apply pending marks and log out."""
        if self._client is None:
            return
        try:
            self.flush()
        finally:
            with contextlib.suppress(Exception):  # the connection is gone anyway
                self._client.logout()
            self._client = None


def _capabilities(client: imaplib.IMAP4) -> bytes:
    return " ".join(client.capabilities).upper().encode()


def _uid_set(uids: Iterable[int]) -> str:
    """`1:3,7` for 1, 2, 3 and 7."""
    ranges: list[list[int]] = []
    for uid in sorted(set(uids)):
        if ranges and uid == ranges[-1][1] + 1:
            ranges[-1][1] = uid
        else:
            ranges.append([uid, uid])
    return ",".join(str(low) if low == high else f"{low}:{high}" for low, high in ranges)

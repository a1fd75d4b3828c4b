"""A Microsoft 365 mailbox through Microsoft Graph: list a folder, fetch MIME, move when processed, send MIME.

Application permissions (client credentials): Mail.ReadWrite to read and move, Mail.Send to send.
"""

from __future__ import annotations

import base64
import json
import logging
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from esm.mail.adapters.oauth import ClientCredentials

logger = logging.getLogger(__name__)

PAGE_SIZE = 50
MAX_PER_POLL = 2000
MAX_RETRY_AFTER = 30


class GraphError(Exception):
    """Graph refused a request or could not be reached."""


@dataclass
class GraphMailbox:
    """One folder of one Microsoft 365 mailbox."""

    mailbox: str
    credentials: ClientCredentials
    base_url: str = "https://graph.microsoft.com/v1.0"
    folder: str = "inbox"
    processed_folder: str = "archive"
    timeout: float = 60

    @classmethod
    def from_settings(cls) -> GraphMailbox:
        return cls(
            mailbox=settings.ESM_GRAPH_MAILBOX,
            credentials=ClientCredentials(
                token_url=settings.ESM_GRAPH_TOKEN_URL,
                client_id=settings.ESM_GRAPH_CLIENT_ID,
                client_secret=settings.ESM_GRAPH_CLIENT_SECRET,
                scope=settings.ESM_GRAPH_SCOPE,
                timeout=settings.ESM_GRAPH_TIMEOUT,
            ),
            base_url=settings.ESM_GRAPH_BASE_URL,
            folder=settings.ESM_GRAPH_FOLDER,
            processed_folder=settings.ESM_GRAPH_PROCESSED_FOLDER,
            timeout=settings.ESM_GRAPH_TIMEOUT,
        )

    @property
    def name(self) -> str:
        return f"graph:{self.mailbox}/{self.folder}"

    # --- HTTP ---------------------------------------------------------------------------------------------------

    def _url(self, path: str) -> str:
        return f"{self.base_url.rstrip('/')}/users/{urllib.parse.quote(self.mailbox)}{path}"

    def _request(
        self, method: str, url: str, *, body: bytes | None = None, content_type: str = "application/json"
    ) -> bytes:
        if not url.startswith(("https://", "http://")):
            raise GraphError("Graph URLs must be http(s)")
        for attempt in range(3):
            headers = {"Authorization": f"Bearer {self.credentials.token()}", "Accept": "application/json"}
            if body is not None:
                headers["Content-Type"] = content_type
            request = urllib.request.Request(url, data=body, method=method, headers=headers)  # noqa: S310
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                    return bytes(response.read())
            except urllib.error.HTTPError as error:
                if error.code in (429, 503, 504) and attempt < 2:  # throttled: wait as told, then once more
                    time.sleep(min(MAX_RETRY_AFTER, int(error.headers.get("Retry-After", "1") or 1)))
                    continue
                detail = error.read()[:500].decode("utf-8", "replace")
                raise GraphError(f"{method} {url} answered {error.code}: {detail}") from error
            except OSError as error:
                raise GraphError(f"{method} {url} failed: {error}") from error
        raise GraphError(f"{method} {url} kept being throttled")

    def _json(self, method: str, url: str, payload: dict[str, Any] | None = None) -> dict[str, Any]:
        data = self._request(method, url, body=json.dumps(payload).encode() if payload is not None else None)
        try:
            answer = json.loads(data) if data else {}
        except ValueError as error:
            raise GraphError(f"{method} {url} gave no JSON") from error
        if not isinstance(answer, dict):
            raise GraphError(f"{method} {url} gave no JSON object")
        return answer

    # --- the mailbox --------------------------------------------------------------------------------------------

    def _message_ids(self) -> list[str]:
        query = urllib.parse.urlencode({"$select": "id", "$top": PAGE_SIZE, "$orderby": "receivedDateTime"})
        url: str | None = self._url(f"/mailFolders/{urllib.parse.quote(self.folder)}/messages?{query}")
        ids: list[str] = []
        while url and len(ids) < MAX_PER_POLL:
            page = self._json("GET", url)
            ids += [str(item["id"]) for item in page.get("value", []) if isinstance(item, dict) and item.get("id")]
            next_link = page.get("@odata.nextLink")
            url = next_link if isinstance(next_link, str) else None
        return ids[:MAX_PER_POLL]

    def fetch_new(self) -> Iterator[tuple[str, bytes]]:
        """Every message in the folder (processed ones were moved out), oldest first, with its MIME source."""
        for message_id in self._message_ids():
            yield message_id, self._request("GET", self._url(f"/messages/{urllib.parse.quote(message_id)}/$value"))

    def mark_processed(self, ref: str) -> None:
        """Move the message to the processed folder."""
        self._json(
            "POST", self._url(f"/messages/{urllib.parse.quote(ref)}/move"), {"destinationId": self.processed_folder}
        )

    def close(self) -> None:
        return None

    def send_mime(self, raw: bytes) -> None:
        """Send a complete MIME message from this mailbox (`sendMail` with a base64 text/plain body)."""
        self._request("POST", self._url("/sendMail"), body=base64.b64encode(raw), content_type="text/plain")

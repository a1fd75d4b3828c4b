"""The building register over HTTP/JSON, BBR style: ``GET {base_url}/bygninger?id_lokalId=<uuid>``.

The service answers a JSON list of BBR building objects (empty, or a 404, when it does not know the
id). Every request has a timeout; connection failures, timeouts and 5xx answers are retried a few
times with a short pause, then reported as a RegisterError that says what happened.
"""

from __future__ import annotations

import json
import socket
import time
import uuid
from http.client import HTTPException
from urllib.error import HTTPError, URLError
from urllib.parse import urlencode
from urllib.request import Request, urlopen

from django.utils import timezone
from django.utils.translation import gettext as _

from esm.buildings.adapters import RegisterError, RegisterRecord, record_from_bbr

MAX_BYTES = 1024 * 1024


class HttpRegister:
    def __init__(self, base_url: str, *, timeout: float = 10.0, attempts: int = 3, pause: float = 0.5) -> None:
        if not base_url.startswith(("http://", "https://")):
            raise RegisterError(
                _("the register URL must start with http:// or https://, not %(url)s") % {"url": base_url}
            )
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.attempts = max(1, attempts)
        self.pause = pause
        self.source = f"BBR ({self.base_url})"

    def fetch(self, bbr_id: uuid.UUID) -> RegisterRecord | None:
        url = f"{self.base_url}/bygninger?{urlencode({'id_lokalId': str(bbr_id)})}"
        problem = ""
        for attempt in range(1, self.attempts + 1):
            try:
                body = self._get(url)
            except _NotFound:
                return None
            except _Retryable as exc:
                problem = str(exc)
                if attempt < self.attempts:
                    time.sleep(self.pause * attempt)
                continue
            return self._record(body, bbr_id)
        raise RegisterError(
            _("%(problem)s (after %(attempts)d attempts)") % {"problem": problem, "attempts": self.attempts}
        )

    def _get(self, url: str) -> bytes:
        request = Request(url, headers={"Accept": "application/json", "User-Agent": "ESM building register"})  # noqa: S310
        try:
            with urlopen(request, timeout=self.timeout) as response:  # noqa: S310 (scheme checked above)
                return bytes(response.read(MAX_BYTES + 1))
        except HTTPError as exc:
            if exc.code == 404:
                raise _NotFound from exc
            if exc.code >= 500 or exc.code == 429:
                raise _Retryable(
                    _("the register answered HTTP %(code)s for %(url)s") % {"code": exc.code, "url": url}
                ) from exc
            raise RegisterError(
                _("the register refused the request: HTTP %(code)s for %(url)s") % {"code": exc.code, "url": url}
            ) from exc
        except TimeoutError as exc:
            raise _Retryable(self._timed_out(url)) from exc
        except URLError as exc:
            if isinstance(exc.reason, (TimeoutError, socket.timeout)):
                raise _Retryable(self._timed_out(url)) from exc
            raise _Retryable(
                _("the register cannot be reached at %(url)s: %(reason)s") % {"url": url, "reason": exc.reason}
            ) from exc
        except (HTTPException, OSError) as exc:
            raise _Retryable(
                _("the connection to the register failed (%(url)s): %(error)s") % {"url": url, "error": exc}
            ) from exc

    def _timed_out(self, url: str) -> str:
        return _("the register did not answer within %(seconds)s s (%(url)s)") % {
            "seconds": f"{self.timeout:g}",
            "url": url,
        }

    def _record(self, body: bytes, bbr_id: uuid.UUID) -> RegisterRecord | None:
        if len(body) > MAX_BYTES:
            raise RegisterError(_("the register's answer is larger than 1 MB"))
        try:
            data = json.loads(body)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise RegisterError(_("the register's answer is not JSON: %(error)s") % {"error": exc}) from exc
        if isinstance(data, dict):  # a single object is accepted as well as a list of one
            data = [data]
        if not isinstance(data, list):
            raise RegisterError(_("the register's answer is not a list of buildings"))
        for item in data:
            if isinstance(item, dict) and str(item.get("id_lokalId", "")).lower() == str(bbr_id):
                return record_from_bbr(item, source=self.source, fetched_at=timezone.now())
        if data:
            raise RegisterError(_("the register answered with other buildings than %(id)s") % {"id": bbr_id})
        return None


class _NotFound(Exception):
    pass


class _Retryable(Exception):
    pass

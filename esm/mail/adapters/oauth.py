"""OAuth2 client-credentials tokens (Microsoft identity platform) for IMAP XOAUTH2 and Microsoft Graph."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field

MARGIN_SECONDS = 60


class TokenError(Exception):
    """No token: the token endpoint refused or could not be reached."""


@dataclass
class ClientCredentials:
    """Fetches an access token with the client-credentials grant and keeps it until shortly before it expires."""

    token_url: str
    client_id: str
    client_secret: str
    scope: str
    timeout: float = 30
    _token: str = field(default="", repr=False)
    _expires: float = 0

    def token(self) -> str:
        if self._token and time.monotonic() < self._expires:
            return self._token
        if not self.token_url.startswith(("https://", "http://")):
            raise TokenError("the token URL must be http(s)")
        body = urllib.parse.urlencode(
            {
                "grant_type": "client_credentials",
                "client_id": self.client_id,
                "client_secret": self.client_secret,
                "scope": self.scope,
            }
        ).encode()
        request = urllib.request.Request(  # noqa: S310 - the scheme is checked above
            self.token_url, data=body, headers={"Content-Type": "application/x-www-form-urlencoded"}
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                answer = json.loads(response.read())
        except urllib.error.HTTPError as error:
            raise TokenError(f"token endpoint answered {error.code}") from error
        except (OSError, ValueError) as error:
            raise TokenError(f"token endpoint unreachable or unreadable: {error}") from error
        token = answer.get("access_token") if isinstance(answer, dict) else None
        if not isinstance(token, str) or not token:
            raise TokenError("token endpoint gave no access_token")
        lifetime = answer.get("expires_in", 3600)
        self._token = token
        self._expires = time.monotonic() + max(0, int(lifetime) - MARGIN_SECONDS)
        return token

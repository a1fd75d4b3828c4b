"""Calling the API as one of the personas, with a bearer token; checking problem bodies."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from esm.accounts.models import User
from esm.accounts.services import issue_api_token

API = "/api/v1"


class ApiCaller:
    """The Django test client with a persona's bearer token and JSON bodies."""

    def __init__(self, client: Client, user: User) -> None:
        self.client = client
        self.user = user
        self.headers = {"Authorization": f"Bearer {issue_api_token(user)}"}

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        return self.client.get(API + path, params or {}, headers=self.headers)

    def post(self, path: str, body: Any) -> Any:
        return self.client.post(API + path, json.dumps(body), content_type="application/json", headers=self.headers)

    def patch(self, path: str, body: Any) -> Any:
        return self.client.patch(API + path, json.dumps(body), content_type="application/json", headers=self.headers)

    def delete(self, path: str) -> Any:
        return self.client.delete(API + path, headers=self.headers)

    def post_raw(self, path: str, data: bytes | str, content_type: str) -> Any:
        return self.client.post(API + path, data, content_type=content_type, headers=self.headers)

    def upload(self, path: str, files: list[Any], **fields: Any) -> Any:
        return self.client.post(API + path, {"files": files, **fields}, headers=self.headers)


def assert_problem(response: Any, status: int, code: str) -> dict[str, Any]:
    """The response is an application/problem+json body with this status and code."""
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["code"] == code
    assert body["type"] == f"https://esm.example/problems/{code}"
    assert body["title"] and body["detail"]
    assert isinstance(body["errors"], dict)
    return body

"""The accounts API: exchange a username and password for a bearer token; who am I."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema
from pydantic import ConfigDict

from esm.accounts import services
from esm.api.auth import current_user
from esm.api.problems import Text

router = Router(tags=["accounts"])


class TokenIn(Schema):
    model_config = ConfigDict(extra="forbid")

    username: Text = Field(..., max_length=150)
    password: Text = Field(..., max_length=200)


class TokenOut(Schema):
    token: str = Field(..., description="Send as `Authorization: Bearer <token>`")


class MeOut(Schema):
    username: str
    name: str
    role: str
    language: str
    organisation: str | None
    team: str | None


def client_address(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR", "unknown"))


@router.post("/auth/token", response=TokenOut, auth=None, summary="Get a bearer token")
def create_token(request: HttpRequest, payload: TokenIn) -> dict[str, str]:
    """Sign in with username and password. Failed attempts are counted: too many give 429."""
    user = services.sign_in(
        username=payload.username, password=payload.password, address=client_address(request), request=request
    )
    return {"token": services.issue_api_token(user)}


@router.get("/me", response=MeOut, summary="Who am I")
def me(request: HttpRequest) -> dict[str, Any]:
    user = current_user(request)
    return {
        "username": user.username,
        "name": str(user),
        "role": user.role,
        "language": user.language,
        "organisation": user.organisation.name if user.organisation else None,
        "team": user.team.code if user.team else None,
    }

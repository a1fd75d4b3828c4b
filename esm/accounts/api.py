"""The accounts API: exchange a username and password for a bearer token; who am I; absences.

Absences are for handlers only (an HR or calendar system pushes them with a handler's token);
`esm.accounts.services` decides who may record or cancel whose.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from pydantic import ConfigDict

from esm.accounts import queries, services
from esm.accounts.models import Absence, Role, User
from esm.api.auth import current_user
from esm.api.problems import Text
from esm.core.errors import DomainError, ErrorCode

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


# --- absences ------------------------------------------------------------------------------


class AbsenceOut(Schema):
    id: int
    user: str = Field(..., description="Username of the person away")
    starts: date = Field(..., description="First day away (Copenhagen date)")
    ends: date = Field(..., description="Last day away, included")
    substitute: str | None = Field(..., description="Username of the substitute, or null")
    reason: str
    created_by: str | None = Field(..., description="Username of who recorded it")


class AbsenceQuery(Schema):
    user: Text = Field("", description="Username; empty: your own, or your team's for a team lead")
    current: bool = Field(False, description="Only absences under way today")


class AbsenceIn(Schema):
    model_config = ConfigDict(extra="forbid")

    user: Text = Field(..., description="Username of the person away", examples=["tekniker"])
    starts: date = Field(..., description="First day away", examples=["2026-12-21"])
    ends: date = Field(..., description="Last day away, included", examples=["2026-12-23"])
    substitute: Text | None = Field(None, description="Username of a technician or team lead standing in")
    reason: Text = Field("", max_length=200)


def _handler(request: HttpRequest) -> User:
    """The caller, who must be a technician, team lead or administrator."""
    user = current_user(request)
    if not user.is_handler:
        raise DomainError(ErrorCode.PERMISSION_DENIED, _("Only technicians and team leads can do this."))
    return user


def absence_body(absence: Absence) -> dict[str, Any]:
    return {
        "id": absence.pk,
        "user": absence.user.username,
        "starts": absence.starts,
        "ends": absence.ends,
        "substitute": absence.substitute.username if absence.substitute else None,
        "reason": absence.reason,
        "created_by": absence.created_by.username if absence.created_by else None,
    }


@router.get("/absences", response=list[AbsenceOut], summary="List absences", tags=["absences"])
def list_absences(request: HttpRequest, filters: Query[AbsenceQuery]) -> list[dict[str, Any]]:
    """Absences not ended before today, soonest first (technicians, team leads and administrators)."""
    user = _handler(request)
    now = timezone.now()
    if filters.user:
        qs = queries.absences_for(queries.active_user(filters.user, field="user"), at=now)
    elif user.role == Role.TEAM_LEAD or queries.is_administrator(user):
        qs = queries.team_absences(user, at=now)
    else:
        qs = queries.absences_for(user, at=now)
    if filters.current:
        qs = qs.filter(starts__lte=queries.local_day(now))
    return [absence_body(absence) for absence in qs]


@router.post("/absences", response={201: AbsenceOut}, summary="Record an absence", tags=["absences"])
def create_absence(request: HttpRequest, payload: AbsenceIn) -> dict[str, Any]:
    """Yourself; a team lead also the members of her team; an administrator anyone."""
    actor = _handler(request)
    absence = services.record_absence(
        actor,
        user=queries.active_user(payload.user, field="user"),
        starts=payload.starts,
        ends=payload.ends,
        substitute=queries.active_user(payload.substitute, field="substitute") if payload.substitute else None,
        reason=payload.reason,
    )
    return absence_body(absence)


@router.delete("/absences/{absence_id}", response={204: None}, summary="Cancel an absence", tags=["absences"])
def delete_absence(request: HttpRequest, absence_id: int) -> None:
    """A coming absence is removed; one under way ends yesterday (the person is back)."""
    actor = _handler(request)
    absence = Absence.objects.select_related("user").filter(pk=absence_id).first()
    if absence is None:
        raise Http404("No such absence")
    services.cancel_absence(actor, absence=absence)

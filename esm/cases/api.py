"""The cases API: schemas and thin endpoints over `esm.cases.services` and `queries`.

Every endpoint starts from `cases_visible_to` / `get_case_for`, so a case or attachment
someone may not see answers 404 exactly like one that does not exist.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal
from urllib.parse import quote

from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, UploadedFile
from pydantic import ConfigDict, StrictInt, field_validator

from esm.accounts.queries import active_user, team_by_code
from esm.api.auth import current_user
from esm.api.problems import PageQuery, Text, paginate
from esm.buildings.queries import building_by_property_number
from esm.cases import queries, services, sla
from esm.cases.lifecycle import available_actions
from esm.cases.models import Attachment, Case, CaseEvent, Category, Channel, Complexity, Priority, Status
from esm.core.errors import DomainError, ErrorCode

router = Router(tags=["cases"])
categories_router = Router(tags=["categories"])

CASE_RELATIONS = ("building", "unit", "installation", "category", "reporter", "organisation", "team", "assignee")

QueueName = Literal["all", "unassigned", "mine", "team", "waiting", "sla_risk", "open", "closed"]
SortName = Literal["newest", "oldest", "due", "priority", "updated"]


# --- schemas: out ------------------------------------------------------------------------


class SlaOut(Schema):
    first_response: str = Field(..., description="ok, soon, breached, paused, met, missed or none")
    resolution: str = Field(..., description="ok, soon, breached, paused, met, missed or none")
    paused: bool


class CaseLinks(Schema):
    self: str
    timeline: str
    actions: str
    attachments: str


class CaseOut(Schema):
    number: Text = Field(..., examples=["S-2026-000123"])
    title: str
    description: str
    status: str
    status_label: str
    priority: str
    priority_label: str
    complexity: str
    category: str = Field(..., description="Category code")
    category_name: str
    building: str | None = Field(..., description="Property number; null until set for a case that came by e-mail")
    building_name: str | None
    building_address: str | None
    unit: str | None = Field(..., description="Code of the room or floor in the building")
    unit_name: str | None
    installation: int | None = Field(..., description="Id of the installation (see the building)")
    installation_name: str | None
    location: str
    channel: str
    customer_type: str
    reporter: str = Field(..., description="Reporter's username")
    reporter_name: str
    organisation: str | None = Field(..., description="Reporter's organisation (none for private tenants)")
    team: str | None = Field(..., description="Team code")
    assignee: str | None = Field(..., description="Assigned technician's username")
    assignee_name: str | None
    created_at: datetime
    updated_at: datetime
    first_responded_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    first_response_due_at: datetime | None
    resolution_due_at: datetime | None
    sla: SlaOut
    links: CaseLinks


class CasePage(Schema):
    items: list[CaseOut]
    next: str | None = Field(..., description="URL of the next page, or null on the last page")


class AttachmentOut(Schema):
    key: str
    filename: str
    content_type: str
    size: int
    is_public: bool
    is_image: bool
    created_at: datetime
    url: str


class EventOut(Schema):
    kind: str
    kind_label: str
    actor: str | None = Field(..., description="Username; null for the system")
    actor_name: str | None
    is_public: bool
    body: str
    payload: dict[str, Any]
    created_at: datetime
    attachments: list[AttachmentOut]


class EventPage(Schema):
    items: list[EventOut]
    next: str | None


class ActionOut(Schema):
    action: str
    label: str
    allowed: bool
    reason: str = Field(..., description="Why the action is not possible now (empty when allowed)")
    needs_reason: bool


class CategoryOut(Schema):
    code: str
    name: str = Field(..., description="In the caller's language")
    name_da: str
    name_en: str
    parent: str | None = Field(..., description="Parent category's code")


# --- schemas: in -------------------------------------------------------------------------


def _blank_to_none(value: object) -> object:
    return None if value == "" else value


class CaseListQuery(PageQuery):
    status: Status | None = None
    priority: Priority | None = None
    category: Text = Field("", description="Category code")
    team: Text = Field("", description="Team code")
    assignee: Text = Field("", description="Username")
    building: Text = Field("", description="Property number")
    complexity: Complexity | None = None
    channel: Channel | None = None
    search: Text = Field("", description="Full-text search over number, title, description and messages")
    q: Text = Field("", description="Same as `search`")
    queue: QueueName | None = None
    sort: SortName = "newest"

    _blank = field_validator("status", "priority", "complexity", "channel", "queue", mode="before")(_blank_to_none)


class CaseIn(Schema):
    model_config = ConfigDict(extra="forbid")

    title: Text = Field(..., examples=["Knust rude i klasselokale 2.B"])
    description: Text
    building: Text = Field(..., description="Property number", examples=["E-1001"])
    unit: Text | None = Field(None, description="Code of a room or floor of the building", examples=["1.12"])
    installation: StrictInt | None = Field(None, description="Id of an installation of the building")
    category: Text = Field(..., description="Category code", examples=["glass"])
    priority: Priority = Priority.NORMAL
    location: Text | None = Field("", description="Where in the building")
    channel: Channel = Channel.API
    complexity: Complexity | None = None
    reporter: Text | None = Field(
        None, description="Username of the person reporting (technicians and team leads only)"
    )

    _blank = field_validator("complexity", mode="before")(_blank_to_none)


class CaseChange(Schema):
    """Only the fields sent are changed; `assignee`/`team` null removes them."""

    model_config = ConfigDict(extra="forbid")

    title: Text | None = None
    location: Text | None = None
    priority: Priority | None = None
    category: Text | None = Field(None, description="Category code")
    complexity: Complexity | None = None
    building: Text | None = Field(None, description="Property number")
    unit: Text | None = Field(None, description="Code of a room or floor of the building; null removes it")
    installation: StrictInt | None = Field(None, description="Id of an installation of the building; null removes it")
    assignee: Text | None = Field(None, description="Technician's username")
    team: Text | None = Field(None, description="Team code")

    _blank = field_validator("complexity", mode="before")(_blank_to_none)


class ActionIn(Schema):
    model_config = ConfigDict(extra="forbid")

    action: Text = Field(..., examples=["start"])
    reason: Text = ""


class TimelineIn(Schema):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["reply", "note", "phone_note"]
    body: Text
    duration_seconds: StrictInt | None = Field(
        None, description="Length of the phone call in seconds (phone_note only)"
    )


# --- rendering ---------------------------------------------------------------------------


def _root(request: HttpRequest) -> str:
    """The API's absolute root URL, once per request."""
    root = getattr(request, "_esm_api_root", None)
    if root is None:
        root = request.build_absolute_uri(reverse("api:api-root"))
        request._esm_api_root = root  # type: ignore[attr-defined]
    return root


def _case_url(request: HttpRequest, case: Case) -> str:
    return f"{_root(request)}cases/{quote(case.number)}"


def case_body(request: HttpRequest, case: Case) -> dict[str, Any]:
    state = sla.state(case)
    url = _case_url(request, case)
    language = getattr(request, "LANGUAGE_CODE", "da")
    reporter, assignee = case.reporter, case.assignee
    return {
        "number": case.number,
        "title": case.title,
        "description": case.description,
        "status": case.status,
        "status_label": str(case.get_status_display()),
        "priority": case.priority,
        "priority_label": str(case.get_priority_display()),
        "complexity": case.complexity,
        "category": case.category.code,
        "category_name": case.category.name_in(language),
        "building": case.building.property_number if case.building else None,
        "building_name": case.building.name if case.building else None,
        "building_address": case.building.address if case.building else None,
        "unit": case.unit.code if case.unit else None,
        "unit_name": case.unit.name if case.unit else None,
        "installation": case.installation_id,
        "installation_name": case.installation.name if case.installation else None,
        "location": case.location,
        "channel": case.channel,
        "customer_type": case.customer_type,
        "reporter": reporter.username,
        "reporter_name": str(reporter),
        "organisation": case.organisation.name if case.organisation else None,
        "team": case.team.code if case.team else None,
        "assignee": assignee.username if assignee else None,
        "assignee_name": str(assignee) if assignee else None,
        "created_at": case.created_at,
        "updated_at": case.updated_at,
        "first_responded_at": case.first_responded_at,
        "resolved_at": case.resolved_at,
        "closed_at": case.closed_at,
        "first_response_due_at": case.first_response_due_at,
        "resolution_due_at": case.resolution_due_at,
        "sla": {"first_response": state.first_response, "resolution": state.resolution, "paused": case.sla_paused},
        "links": {
            "self": url,
            "timeline": f"{url}/timeline",
            "actions": f"{url}/actions",
            "attachments": f"{url}/attachments",
        },
    }


def attachment_body(request: HttpRequest, case: Case, attachment: Attachment) -> dict[str, Any]:
    return {
        "key": str(attachment.key),
        "filename": attachment.filename,
        "content_type": attachment.content_type,
        "size": attachment.size,
        "is_public": attachment.is_public,
        "is_image": attachment.is_image,
        "created_at": attachment.created_at,
        "url": f"{_case_url(request, case)}/attachments/{attachment.key}",
    }


def event_body(request: HttpRequest, case: Case, event: CaseEvent, *, internal: bool) -> dict[str, Any]:
    actor = event.actor
    return {
        "kind": event.kind,
        "kind_label": str(event.get_kind_display()),
        "actor": actor.username if actor else None,
        "actor_name": str(actor) if actor else None,
        "is_public": event.is_public,
        "body": event.body,
        "payload": event.payload,
        "created_at": event.created_at,
        "attachments": [
            attachment_body(request, case, attachment)
            for attachment in event.attachments.all()
            if internal or attachment.is_public
        ],
    }


# --- resolving references in the request -------------------------------------------------


def _category(code: str) -> Category | str:
    """The active category with its team loaded; the code itself when unknown (the service refuses it)."""
    return Category.objects.select_related("team").filter(code=code, is_active=True).first() or code


# --- cases -------------------------------------------------------------------------------


@router.get("", response=CasePage, summary="List cases")
def list_cases(request: HttpRequest, filters: Query[CaseListQuery]) -> dict[str, Any]:
    """The cases you may see, newest first, filtered; `next` links the following page."""
    user = current_user(request)
    qs = queries.queue(user, filters.queue) if filters.queue else queries.cases_visible_to(user)
    qs = queries.apply_filters(
        qs,
        queries.CaseFilters(
            status=filters.status or "",
            priority=filters.priority or "",
            category=filters.category,
            team=filters.team,
            assignee=filters.assignee,
            building=filters.building,
            complexity=filters.complexity or "",
            channel=filters.channel or "",
            search=filters.search or filters.q,
            sort=filters.sort,
        ),
    )
    qs = qs.select_related(*CASE_RELATIONS).order_by(*qs.query.order_by, "-pk")
    rows, next_url = paginate(request, qs, limit=filters.limit, offset=filters.offset)
    return {"items": [case_body(request, case) for case in rows], "next": next_url}


@router.post("", response={201: CaseOut}, summary="Report a case")
def create_case(request: HttpRequest, payload: CaseIn) -> dict[str, Any]:
    """Open a case. Technicians and team leads may report on someone's behalf (`reporter`)."""
    user = current_user(request)
    reporter = None
    if payload.reporter is not None and payload.reporter != user.username:
        if not user.is_handler:
            raise DomainError(ErrorCode.PERMISSION_DENIED, _("Only technicians and team leads can do this."))
        reporter = active_user(payload.reporter, field="reporter")
    building = building_by_property_number(payload.building)
    category = _category(payload.category)
    case = services.open_case(
        user,
        title=payload.title,
        description=payload.description,
        building=building,
        category=category,
        priority=payload.priority,
        location=payload.location or "",
        channel=payload.channel,
        complexity=payload.complexity or "",
        reporter=reporter,
        unit=payload.unit or None,
        installation=payload.installation,
    )
    if isinstance(category, Category) and case.team_id == category.team_id:
        case.team = category.team  # already loaded: no query to show the team
    return case_body(request, case)


@router.get("/{number}", response=CaseOut, summary="Read a case")
def read_case(request: HttpRequest, number: Text) -> dict[str, Any]:
    case = queries.get_case_for(current_user(request), number)
    return case_body(request, case)


@router.patch("/{number}", response=CaseOut, summary="Change a case")
def update_case(request: HttpRequest, number: Text, payload: CaseChange) -> dict[str, Any]:
    """Change title, location, priority, category, complexity, building, assignee or team (desk only)."""
    user = current_user(request)
    case = queries.get_case_for(user, number, action="cases.change_case")
    sent = payload.model_fields_set
    changes: dict[str, Any] = {}
    for field in services.EDITABLE_FIELDS:
        if field not in sent:
            continue
        value = getattr(payload, field)
        if field == "building":
            value = building_by_property_number(value) if value else value
        elif field in ("location", "complexity"):
            value = value or ""
        elif field == "unit":
            value = value or None
        changes[field] = value
    assignment: dict[str, Any] = {}
    if "assignee" in sent:
        assignment["assignee"] = active_user(payload.assignee, field="assignee") if payload.assignee else None
    if "team" in sent:
        assignment["team"] = team_by_code(payload.team) if payload.team else None
    with transaction.atomic():
        if changes:
            services.update_case(user, case=case, changes=changes)
        if assignment:
            assignment.setdefault("assignee", case.assignee)
            services.assign_case(user, case=case, **assignment)
    return case_body(request, case)


# --- watchers ----------------------------------------------------------------------------


class WatcherIn(Schema):
    model_config = ConfigDict(extra="forbid")

    username: Text


@router.get("/{number}/watchers", response=list[str], summary="Who follows a case (usernames)")
def list_watchers(request: HttpRequest, number: Text) -> list[str]:
    case = queries.get_case_for(current_user(request), number, action="cases.change_case")
    return list(case.watchers.order_by("username").values_list("username", flat=True))


@router.post("/{number}/watchers", response={201: list[str]}, summary="Add a watcher")
def add_watcher(request: HttpRequest, number: Text, payload: WatcherIn) -> list[str]:
    user = current_user(request)
    case = queries.get_case_for(user, number, action="cases.change_case")
    services.add_watcher(user, case=case, watcher=active_user(payload.username, field="username"))
    return list(case.watchers.order_by("username").values_list("username", flat=True))


@router.delete("/{number}/watchers/{username}", response={204: None}, summary="Remove a watcher")
def remove_watcher(request: HttpRequest, number: Text, username: Text) -> None:
    user = current_user(request)
    case = queries.get_case_for(user, number, action="cases.change_case")
    services.remove_watcher(user, case=case, watcher=active_user(username, field="username"))


# --- lifecycle ---------------------------------------------------------------------------


@router.get("/{number}/actions", response=list[ActionOut], summary="Actions possible on a case")
def list_actions(request: HttpRequest, number: Text) -> list[dict[str, Any]]:
    """The lifecycle actions you may see now, and why those not allowed are not."""
    user = current_user(request)
    case = queries.get_case_for(user, number)
    return [
        {
            "action": available.action,
            "label": str(available.transition.label),
            "allowed": available.allowed,
            "reason": str(available.reason),
            "needs_reason": available.transition.needs_reason,
        }
        for available in available_actions(case, user)
    ]


@router.post("/{number}/actions", response=CaseOut, summary="Take a lifecycle action")
def take_action(request: HttpRequest, number: Text, payload: ActionIn) -> dict[str, Any]:
    user = current_user(request)
    case = queries.get_case_for(user, number)
    services.transition_case(user, case=case, action=payload.action, reason=payload.reason)
    return case_body(request, case)


# --- timeline ----------------------------------------------------------------------------


@router.get("/{number}/timeline", response=EventPage, summary="The case's timeline")
def list_timeline(request: HttpRequest, number: Text, page: Query[PageQuery]) -> dict[str, Any]:
    """Events oldest first. Customers and tenants see the public events only."""
    user = current_user(request)
    case = queries.get_case_for(user, number)
    rows, next_url = paginate(request, queries.timeline_for(user, case), limit=page.limit, offset=page.offset)
    internal = user.is_handler
    return {"items": [event_body(request, case, event, internal=internal) for event in rows], "next": next_url}


@router.post("/{number}/timeline", response={201: EventOut}, summary="Reply or add a note")
def add_to_timeline(request: HttpRequest, number: Text, payload: TimelineIn) -> dict[str, Any]:
    """`reply` is public; `note` and `phone_note` (with `duration_seconds`) are for the desk only."""
    user = current_user(request)
    if payload.kind == "reply":
        case = queries.get_case_for(user, number, action="cases.reply_case")
        event = services.reply_to_case(user, case=case, body=payload.body)
    elif payload.kind == "note":
        case = queries.get_case_for(user, number, action="cases.note_case")
        event = services.add_internal_note(user, case=case, body=payload.body)
    else:
        case = queries.get_case_for(user, number, action="cases.note_case")
        duration = payload.duration_seconds
        if duration is None:
            raise DomainError(
                ErrorCode.VALIDATION,
                _("The call's duration must be between 1 second and 8 hours."),
                field="duration_seconds",
            )
        event = services.add_phone_note(user, case=case, body=payload.body, duration_seconds=duration)
    return event_body(request, case, event, internal=user.is_handler)


# --- attachments -------------------------------------------------------------------------


@router.get("/{number}/attachments", response=list[AttachmentOut], summary="The case's attachments")
def list_attachments(request: HttpRequest, number: Text) -> list[dict[str, Any]]:
    user = current_user(request)
    case = queries.get_case_for(user, number)
    return [attachment_body(request, case, attachment) for attachment in queries.attachments_for(user, case)]


@router.post("/{number}/attachments", response={201: list[AttachmentOut]}, summary="Upload attachments")
def upload_attachments(
    request: HttpRequest,
    number: Text,
    files: File[list[UploadedFile]],
    is_public: Form[bool] = True,
) -> list[dict[str, Any]]:
    """One or more files in the multipart field `files`. Type is checked by content; 25 MB a file."""
    user = current_user(request)
    case = queries.get_case_for(user, number)
    stored = services.add_attachments(user, case=case, uploads=files, is_public=is_public)
    return [attachment_body(request, case, attachment) for attachment in stored]


@router.get(
    "/{number}/attachments/{key}",
    summary="Download an attachment",
    openapi_extra={
        "responses": {
            "200": {
                "description": "The file, as a download",
                "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def download_attachment(request: HttpRequest, number: Text, key: Text) -> FileResponse:
    user = current_user(request)
    case = queries.get_case_for(user, number)
    try:
        parsed = uuid.UUID(key)
    except ValueError as exc:
        raise Http404 from exc
    attachment = queries.attachments_for(user, case).filter(key=parsed).first()
    if attachment is None:
        raise Http404
    try:
        handle = attachment.file.open("rb")
    except OSError as exc:
        raise Http404 from exc
    response = FileResponse(
        handle, as_attachment=True, filename=attachment.filename, content_type=attachment.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


# --- categories --------------------------------------------------------------------------


@categories_router.get("", response=list[CategoryOut], summary="Categories")
def list_categories(request: HttpRequest) -> list[dict[str, Any]]:
    """The active categories with their stable codes (use `code` when reporting a case)."""
    language = getattr(request, "LANGUAGE_CODE", "da")
    return [
        {
            "code": category.code,
            "name": category.name_in(language),
            "name_da": category.name_da,
            "name_en": category.name_en,
            "parent": category.parent.code if category.parent else None,
        }
        for category in queries.categories().select_related("parent")
    ]

"""The mail API: a mail gateway hands over one received message (RFC 822 bytes) and learns what became of it."""

from __future__ import annotations

from typing import Any, Literal

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from esm.accounts.models import Role
from esm.api.auth import current_user
from esm.core.errors import DomainError, ErrorCode
from esm.mail.services import ingest_raw

router = Router(tags=["mail"])

RAW_CONTENT_TYPES = ("message/rfc822",)


class IngestOut(Schema):
    outcome: Literal["created", "threaded", "ignored", "quarantined", "duplicate"]
    case: str | None = Field(..., description="The case number the message opened or continued, if any")


def api_limit() -> int:
    """The largest message the API takes (larger messages than ESM_MAIL_MAX_BYTES are stored, then held)."""
    return int(settings.ESM_MAIL_MAX_BYTES) * 2


def read_message(request: HttpRequest) -> bytes:
    """The request body as a message, or a clear refusal (empty, wrong type, too large)."""
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared <= 0:
        raise DomainError(ErrorCode.VALIDATION, _("The message is empty."), field="body")
    if (request.content_type or "").lower() not in RAW_CONTENT_TYPES:
        raise DomainError(
            ErrorCode.UNSUPPORTED_MEDIA_TYPE, _("Send the message as Content-Type: message/rfc822."), field="body"
        )
    limit = api_limit()
    if declared > limit:
        raise DomainError(ErrorCode.MESSAGE_TOO_LARGE, _("The message is too large."), field="body")
    raw = request.read(limit + 1)  # not request.body: the form-size limit is not for whole messages
    if not raw.strip():
        raise DomainError(ErrorCode.VALIDATION, _("The message is empty."), field="body")
    return raw


@router.post(
    "/inbound",
    response=IngestOut,
    summary="Hand over a received e-mail",
    description="The body is the complete message as received (Content-Type: message/rfc822). "
    "Administrators only. Handing over the same message again answers `duplicate`.",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"message/rfc822": {"schema": {"type": "string", "format": "binary"}}},
        }
    },
)
def inbound(request: HttpRequest) -> dict[str, Any]:
    user = current_user(request)
    if not (user.role == Role.ADMINISTRATOR or user.is_superuser):
        raise DomainError(ErrorCode.PERMISSION_DENIED, _("Only administrators can hand over e-mail."))
    raw = read_message(request)
    result = ingest_raw(raw, source="api", source_ref=f"api:{user.username}")
    return {"outcome": result.outcome, "case": result.case_number}

"""One error vocabulary: services raise `DomainError(code, message)`.

Views show it as a form error, the API as a 4xx `application/problem+json` body whose
`code` is the stable `code` here. The HTTP status is derived from the code's kind.
"""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    # generic
    VALIDATION = "validation_error"
    NOT_FOUND = "not_found"
    PERMISSION_DENIED = "permission_denied"
    CONFLICT = "conflict"
    # cases
    UNKNOWN_CATEGORY = "unknown_category"
    UNKNOWN_BUILDING = "unknown_building"
    UNKNOWN_USER = "unknown_user"
    TRANSITION_NOT_ALLOWED = "transition_not_allowed"
    UNKNOWN_ACTION = "unknown_action"
    STALE_STATUS = "stale_status"
    # attachments
    FILE_TOO_LARGE = "file_too_large"
    FILE_TYPE_NOT_ALLOWED = "file_type_not_allowed"
    FILE_UNREADABLE = "file_unreadable"
    # received e-mail
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type"
    MESSAGE_TOO_LARGE = "message_too_large"
    # sign-in
    INVALID_CREDENTIALS = "invalid_credentials"
    RATE_LIMITED = "rate_limited"
    # outside systems
    REGISTER_UNAVAILABLE = "register_unavailable"


HTTP_STATUS = {
    ErrorCode.NOT_FOUND: 404,
    ErrorCode.PERMISSION_DENIED: 403,
    ErrorCode.CONFLICT: 409,
    ErrorCode.STALE_STATUS: 409,
    ErrorCode.TRANSITION_NOT_ALLOWED: 409,
    ErrorCode.FILE_TOO_LARGE: 413,
    ErrorCode.FILE_TYPE_NOT_ALLOWED: 415,
    ErrorCode.UNSUPPORTED_MEDIA_TYPE: 415,
    ErrorCode.MESSAGE_TOO_LARGE: 413,
    ErrorCode.INVALID_CREDENTIALS: 401,
    ErrorCode.RATE_LIMITED: 429,
    ErrorCode.REGISTER_UNAVAILABLE: 502,
}


class DomainError(Exception):
    """A refused request: a stable code, a translated message, optional field errors."""

    def __init__(
        self,
        code: ErrorCode,
        message: str,
        *,
        field: str | None = None,
        errors: dict[str, list[str]] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
        self.errors = errors or ({field: [message]} if field else {})

    @property
    def http_status(self) -> int:
        return HTTP_STATUS.get(self.code, 400)

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"

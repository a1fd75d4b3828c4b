"""What every router shares: problem+json answers for every error, and pagination.

Every error the API gives is an `application/problem+json` body (RFC 9457) with a stable
`code`: `{"type", "title", "status", "detail", "code", "errors": {field: [messages]}}`.
`install_problem_handlers(api)` maps domain errors, 404s, validation errors, failed
authentication and malformed requests to such bodies; nothing the client sends may end
in a 500.

Lists paginate by `limit` and `offset` without counting: one row more than asked for is
read to know whether a next page exists.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from http import HTTPStatus
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation, TooManyFieldsSent, TooManyFilesSent
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Field, Schema
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError
from pydantic import AfterValidator

from esm.core.errors import DomainError, ErrorCode

if TYPE_CHECKING:
    from ninja import NinjaAPI

logger = logging.getLogger("esm.api")

PROBLEM_CONTENT_TYPE = "application/problem+json"
PROBLEM_TYPE_BASE = "https://esm.example/problems/"

# Codes of errors the API layer itself answers (the domain's codes are in esm.core.errors).
NOT_AUTHENTICATED = "not_authenticated"
CSRF_FAILED = "csrf_failed"
REQUEST_TOO_LARGE = "request_too_large"
BAD_REQUEST = "bad_request"
SERVER_ERROR = "server_error"

TITLES: dict[str, Promise] = {
    ErrorCode.VALIDATION: gettext_lazy("The request has errors"),
    ErrorCode.NOT_FOUND: gettext_lazy("Not found"),
    ErrorCode.PERMISSION_DENIED: gettext_lazy("Not allowed"),
    ErrorCode.CONFLICT: gettext_lazy("Conflict"),
    ErrorCode.UNKNOWN_CATEGORY: gettext_lazy("Unknown category"),
    ErrorCode.UNKNOWN_BUILDING: gettext_lazy("Unknown building"),
    ErrorCode.UNKNOWN_USER: gettext_lazy("Unknown user"),
    ErrorCode.TRANSITION_NOT_ALLOWED: gettext_lazy("Action not possible"),
    ErrorCode.UNKNOWN_ACTION: gettext_lazy("Unknown action"),
    ErrorCode.STALE_STATUS: gettext_lazy("Changed meanwhile"),
    ErrorCode.FILE_TOO_LARGE: gettext_lazy("File too large"),
    ErrorCode.FILE_TYPE_NOT_ALLOWED: gettext_lazy("File type not allowed"),
    ErrorCode.FILE_UNREADABLE: gettext_lazy("File unreadable"),
    ErrorCode.INVALID_CREDENTIALS: gettext_lazy("Sign-in failed"),
    ErrorCode.RATE_LIMITED: gettext_lazy("Too many attempts"),
    ErrorCode.REGISTER_UNAVAILABLE: gettext_lazy("Building register unavailable"),
    ErrorCode.UNSUPPORTED_MEDIA_TYPE: gettext_lazy("Unsupported content type"),
    ErrorCode.MESSAGE_TOO_LARGE: gettext_lazy("Message too large"),
    NOT_AUTHENTICATED: gettext_lazy("Not signed in"),
    CSRF_FAILED: gettext_lazy("CSRF check failed"),
    REQUEST_TOO_LARGE: gettext_lazy("Request too large"),
    BAD_REQUEST: gettext_lazy("Bad request"),
    SERVER_ERROR: gettext_lazy("Server error"),
}


class Problem(Schema):
    """An error (RFC 9457 problem details) with a stable `code` and errors per field."""

    type: str = Field(..., examples=[PROBLEM_TYPE_BASE + "unknown_category"])
    title: str
    status: int
    detail: str
    code: str = Field(..., examples=["unknown_category"])
    errors: dict[str, list[str]] = Field(default_factory=dict)


def problem(
    status: int,
    code: str,
    detail: str | Promise = "",
    *,
    errors: dict[str, list[str]] | None = None,
    headers: dict[str, str] | None = None,
) -> HttpResponse:
    """An `application/problem+json` response."""
    title = TITLES.get(code) or HTTPStatus(status).phrase
    body = {
        "type": PROBLEM_TYPE_BASE + code,
        "title": str(title),
        "status": status,
        "detail": str(detail or title),
        "code": str(code),
        "errors": {field: [str(message) for message in messages] for field, messages in (errors or {}).items()},
    }
    response = JsonResponse(
        body, status=status, content_type=PROBLEM_CONTENT_TYPE, json_dumps_params={"ensure_ascii": False}
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response


# --- validation errors from the schemas, in the user's language ---------------------------

_SOURCES = {"body", "query", "path", "form", "file", "header", "cookie"}


def _field_name(loc: Sequence[Any]) -> str:
    """`("body", "payload", "title")` → `title`; `("query", "limit")` → `limit`."""
    parts = [str(part) for part in loc]
    if parts and parts[0] in _SOURCES:
        source = parts.pop(0)
        if source == "body" and parts:
            parts.pop(0)  # the endpoint's parameter name
    return ".".join(parts) or "body"


def _message(error: dict[str, Any]) -> str:
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return _("This field is required.")
    if kind == "extra_forbidden":
        return _("Unknown field.")
    if kind in {"string_type", "string_unicode"}:
        return _("Enter text.")
    if kind in {"int_type", "int_parsing", "int_from_float"}:
        return _("Enter a whole number.")
    if kind in {"bool_type", "bool_parsing"}:
        return _("Enter true or false.")
    if kind in {"enum", "literal_error"}:
        return _("Not an allowed value. Use one of: %(allowed)s.") % {"allowed": ctx.get("expected", "")}
    if kind in {"greater_than_equal", "greater_than"}:
        return _("Must be at least %(limit)s.") % {"limit": ctx.get("ge", ctx.get("gt", ""))}
    if kind in {"less_than_equal", "less_than"}:
        return _("Must be at most %(limit)s.") % {"limit": ctx.get("le", ctx.get("lt", ""))}
    if kind == "string_too_long":
        return _("Too long: at most %(limit)s characters.") % {"limit": ctx.get("max_length", "")}
    if kind in {"model_type", "model_attributes_type", "dict_type"}:
        return _("Send a JSON object.")
    if kind in {"list_type"}:
        return _("Send a list.")
    return _("Invalid value.")


def validation_problem(errors: Sequence[dict[str, Any]]) -> HttpResponse:
    fields: dict[str, list[str]] = {}
    for error in errors:
        fields.setdefault(_field_name(error.get("loc", ())), []).append(_message(error))
    return problem(422, ErrorCode.VALIDATION, _("Please correct the errors."), errors=fields)


# --- the handlers ----------------------------------------------------------------------------


E = TypeVar("E", bound=Exception)


def _register(api: NinjaAPI, exc_class: type[E], handler: Callable[[HttpRequest, E], HttpResponse]) -> None:
    api.add_exception_handler(exc_class, handler)  # type: ignore[arg-type]  # Ninja's hint wants `E | type[E]`


def install_problem_handlers(api: NinjaAPI) -> None:
    """Answer every error raised in an endpoint (or its authentication) with a problem body."""

    def on_domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
        return problem(exc.http_status, exc.code, exc.message, errors=exc.errors)

    def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return problem(404, ErrorCode.NOT_FOUND, _("Nothing was found here."))

    def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        return validation_problem(exc.errors)

    def on_not_authenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return problem(
            401,
            NOT_AUTHENTICATED,
            _("Sign in first: send “Authorization: Bearer <token>” (from POST /api/v1/auth/token) or a session."),
            headers={"WWW-Authenticate": 'Bearer realm="esm"'},
        )

    def on_throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
        return problem(429, ErrorCode.RATE_LIMITED, _("Too many requests. Try again later."))

    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if exc.status_code == 400 and str(exc).startswith("Cannot parse request body"):
            return problem(
                400,
                ErrorCode.VALIDATION,
                _("The request body is not valid JSON."),
                errors={"body": [_("The request body is not valid JSON.")]},
            )
        if exc.status_code == 403 and "CSRF" in str(exc):
            return problem(403, CSRF_FAILED, _("The CSRF token is missing or wrong. Reload the page and try again."))
        status = exc.status_code if 400 <= exc.status_code < 600 else 400
        return problem(status, BAD_REQUEST, str(exc))

    def on_too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        return problem(413, REQUEST_TOO_LARGE, _("The request is too large."))

    def on_too_many(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
        return problem(
            400,
            ErrorCode.VALIDATION,
            _("Too many files or fields."),
            errors={"files": [_("Too many files or fields.")]},
        )

    def on_unreadable(request: HttpRequest, exc: Exception) -> HttpResponse:
        return problem(400, BAD_REQUEST, _("The request could not be read."))

    def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        logger.error("Unexpected error in %s %s", request.method, request.path, exc_info=exc)
        return problem(500, SERVER_ERROR, _("Something went wrong on our side. The error has been logged."))

    _register(api, DomainError, on_domain_error)
    _register(api, Http404, on_not_found)
    _register(api, ValidationError, on_validation_error)
    _register(api, AuthenticationError, on_not_authenticated)
    _register(api, Throttled, on_throttled)
    _register(api, HttpError, on_http_error)
    _register(api, RequestDataTooBig, on_too_big)
    _register(api, TooManyFilesSent, on_too_many)
    _register(api, TooManyFieldsSent, on_too_many)
    _register(api, MultiPartParserError, on_unreadable)
    _register(api, UnreadablePostError, on_unreadable)
    _register(api, SuspiciousOperation, on_unreadable)
    _register(api, Exception, on_unexpected)


def add_problem_responses(schema: dict[str, Any]) -> dict[str, Any]:
    """Describe the problem body as every operation's 4XX/5XX answer in the OpenAPI schema."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components["Problem"] = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    content = {PROBLEM_CONTENT_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            responses.setdefault("4XX", {"description": "Problem (application/problem+json)", "content": content})
            responses.setdefault("5XX", {"description": "Problem (application/problem+json)", "content": content})
    return schema


# --- text from the client ------------------------------------------------------------------

_UNSTORABLE_RE = re.compile("[\x00\ud800-\udfff]")


def _storable(value: str) -> str:
    """Without NUL characters and lone surrogates (from JSON `\\u` escapes), which no
    database can store or even compare: they would end in a 500, not in a clear answer."""
    return _UNSTORABLE_RE.sub(lambda match: "" if match.group() == "\x00" else "\ufffd", value)


#: Every string the API reads from a client (body, query or path).
Text = Annotated[str, AfterValidator(_storable)]


# --- pagination ----------------------------------------------------------------------------

MAX_LIMIT = 100
MAX_OFFSET = 1_000_000


class PageQuery(Schema):
    limit: int = Field(25, ge=1, le=MAX_LIMIT, description="Items per page (at most 100).")
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="Items to skip.")


def paginate(request: HttpRequest, rows: QuerySet[Any], *, limit: int, offset: int) -> tuple[list[Any], str | None]:
    """One page of `rows` and the absolute URL of the next page (None on the last page).

    Reads `limit + 1` rows instead of counting the whole table.
    """
    page = list(rows[offset : offset + limit + 1])
    if len(page) <= limit:
        return page, None
    params = request.GET.copy()
    params["limit"] = str(limit)
    params["offset"] = str(offset + limit)
    return page[:limit], request.build_absolute_uri(f"{request.path}?{params.urlencode()}")

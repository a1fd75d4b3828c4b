"""The desk's view of received mail: the original message as a download (technicians, team leads, administrators)."""

from __future__ import annotations

from typing import cast

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

from esm.accounts.models import User
from esm.core.errors import DomainError
from esm.mail import queries


def raw_response(message_raw: bytes | memoryview, filename: str) -> HttpResponse:
    """The original bytes as an .eml download (never shown in the page)."""
    response = HttpResponse(bytes(message_raw), content_type="message/rfc822")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@require_safe
@login_required
def raw_message(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        message = queries.raw_message_for(cast(User, request.user), pk)
    except DomainError as error:
        raise Http404("No such message") from error
    return raw_response(message.raw, queries.raw_filename(message))

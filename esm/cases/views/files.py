"""Attachments served only through a permission check.

An attachment is found through the cases the user may see (`queries.cases_visible_to`)
and the attachments they may see on it (`queries.attachments_for`: reporters get the
public ones only). Anything else is 404 — never 403, so a guessed key tells nothing.
"""

from __future__ import annotations

import logging
from typing import cast
from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpRequest
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_safe

from esm.accounts.models import User
from esm.cases import queries
from esm.cases.models import Attachment

logger = logging.getLogger(__name__)

#: Types a browser may show in the page; everything else is always a download.
INLINE_TYPES = frozenset({"image/jpeg", "image/png", "application/pdf"})
CACHE_CONTROL = "private, max-age=3600"


def _attachment_for(request: HttpRequest, key: UUID) -> Attachment:
    user = cast(User, request.user)
    case = queries.cases_visible_to(user).filter(attachments__key=key).only("pk").first()
    if case is None:
        raise Http404("No such file")
    attachment = queries.attachments_for(user, case).filter(key=key).first()
    if attachment is None:
        raise Http404("No such file")
    return cast(Attachment, attachment)


def _serve(stored: FieldFile, *, filename: str, content_type: str, as_attachment: bool) -> FileResponse:
    try:
        handle = stored.open("rb")
    except (FileNotFoundError, ValueError) as exc:  # ValueError: the field has no file
        logger.error("attachment file missing: %s", stored.name)
        raise Http404("No such file") from exc
    response = FileResponse(handle, as_attachment=as_attachment, filename=filename, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = CACHE_CONTROL
    if content_type != "application/pdf":
        # no script, no plugins, no forms, even if a browser ever renders the bytes as a page
        response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"
    patch_vary_headers(response, ["Cookie"])
    return response


@require_safe
@login_required
def attachment(request: HttpRequest, key: UUID) -> FileResponse:
    """The file under its own name: photos and PDFs shown in the browser (`?download=1` saves)."""
    found = _attachment_for(request, key)
    inline = found.content_type in INLINE_TYPES and request.GET.get("download") != "1"
    return _serve(found.file, filename=found.filename, content_type=found.content_type, as_attachment=not inline)


@require_safe
@login_required
def thumbnail(request: HttpRequest, key: UUID) -> FileResponse:
    """A small JPEG of an image attachment (404 for files without one)."""
    found = _attachment_for(request, key)
    if not found.thumbnail:
        raise Http404("No thumbnail")
    stem = found.filename.rsplit(".", 1)[0]
    return _serve(found.thumbnail, filename=f"{stem}-thumbnail.jpg", content_type="image/jpeg", as_attachment=False)

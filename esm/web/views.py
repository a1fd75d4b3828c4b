"""The front door: send each person to their face of the product."""

from __future__ import annotations

import hashlib
import json

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils.translation import get_language
from django.utils.translation import gettext as _


@login_required
def home(request: HttpRequest) -> HttpResponse:
    if request.user.is_handler:  # type: ignore[union-attr]
        return redirect("desk:queue")
    return redirect("portal:home")


def healthz(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


# --- the desk as an installable web app ----------------------------------------------------

# The app shell the service worker keeps for offline use (static files; pages are cached as visited).
APP_SHELL = (
    "web/esm.css",
    "web/esm.js",
    "web/htmx.min.js",
    "cases/desk.css",
    "cases/desk.js",
    "cases/outbox.js",
    "web/icons/icon-192.png",
)


def manifest(request: HttpRequest) -> HttpResponse:
    """The web app manifest: the desk installs on a phone's home screen and opens on "Mine"."""
    data = {
        "name": "ESM Desk",
        "short_name": "ESM Desk",
        "description": _("The service desk: your cases, also on a poor connection."),
        "lang": get_language() or settings.LANGUAGE_CODE,
        "id": "/desk/",
        "start_url": "/desk/?queue=mine",
        "scope": "/",
        "display": "standalone",
        "orientation": "any",
        "theme_color": "#1d4e89",
        "background_color": "#f5f6f8",
        "icons": [
            {"src": static("web/icons/icon-192.png"), "sizes": "192x192", "type": "image/png", "purpose": "any"},
            {"src": static("web/icons/icon-512.png"), "sizes": "512x512", "type": "image/png", "purpose": "any"},
            {
                "src": static("web/icons/icon-maskable-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
        ],
    }
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    response["Cache-Control"] = "no-cache"
    return response


def service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker, from the root so it may control the whole site; never cached itself."""
    shell = [static(path) for path in APP_SHELL]
    version = hashlib.sha256("\n".join([*shell, get_language() or ""]).encode()).hexdigest()[:12]
    response = render(
        request,
        "web/sw.js",
        {"shell": json.dumps(shell), "version": version, "static_prefix": json.dumps(static(""))},
        content_type="text/javascript; charset=utf-8",
    )
    response["Service-Worker-Allowed"] = "/"
    response["Cache-Control"] = "no-cache, no-store, must-revalidate"
    return response

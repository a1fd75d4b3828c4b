"""Navigation for the portal and desk surfaces."""

from __future__ import annotations

from django.http import HttpRequest

# Pages of the desk surface; the absence page lives under /accounts/ but is a desk page for handlers.
DESK_PATHS = ("/desk/", "/accounts/absence/")


def navigation(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    is_handler = bool(user is not None and user.is_authenticated and user.is_handler)
    return {
        "is_handler": is_handler,
        "surface": "desk" if request.path.startswith(DESK_PATHS) and is_handler else "portal",
        "desk_section": _desk_section(request.path),
    }


def _desk_section(path: str) -> str:
    for prefix, section in (
        ("/desk/buildings/", "buildings"),
        ("/desk/maintenance/", "maintenance"),
        ("/desk/kb/", "knowledge"),
        ("/desk/unattended/", "unattended"),
        ("/accounts/absence/", "absence"),
    ):
        if path.startswith(prefix):
            return section
    return "cases"
